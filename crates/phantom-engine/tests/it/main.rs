//! Integration tests of the engine, on the embedded SQLite store (and PostgreSQL and Redis
//! where their test URLs are set): models, training jobs, inference, authentication and
//! access, streams and anomalies, and the feature and analytics functions through JSON.

mod analytics;
mod auth;
mod backends;
mod bad_input;
mod concurrency;
mod features;
mod inference;
mod jobs;
mod registry;
mod streams;
mod support;
