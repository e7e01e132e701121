//! Integration tests of the engine, on the embedded SQLite store (and PostgreSQL and Redis
//! where their test URLs are set).

mod backends;
mod bad_input;
mod concurrency;
mod inference;
mod registry;
mod support;
