//! End-to-end tests: a real server on an ephemeral port, spoken to over HTTP. Each scenario
//! runs on SQLite, and on PostgreSQL when `PHANTOM_TEST_POSTGRES_URL` is set.

mod access;
mod analytics;
mod bounds;
mod errors;
mod evidence;
mod jobs;
mod models;
mod operations;
mod roles;
mod serving;
mod streams;
mod support;
mod tenants;
