//! Integration tests of the engine, on the embedded SQLite store (and PostgreSQL, Redis and NATS
//! where their test URLs are set): models, training jobs, inference, authentication and
//! access, streams, anomalies and stored evidence, and the feature and analytics functions
//! through JSON.

mod analytics;
mod auth;
mod backends;
mod backup;
mod bad_input;
mod bus;
mod concurrency;
mod evidence;
mod features;
mod inference;
mod jobs;
mod registry;
mod streams;
mod support;
