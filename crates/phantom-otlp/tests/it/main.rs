//! Integration tests of phantom-otlp: each file one area, each test with its own small data.

mod batch;
mod body;
mod docs;
mod errors;
mod events;
mod logs;
mod metrics;
mod no_panic;
mod response;
mod support;
mod traces;
