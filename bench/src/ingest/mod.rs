//! The full-path ingestion benchmark: OTLP log exports in, detection, anomalies stored.
//!
//! [`Workload`] builds the request bodies (several services, protobuf, OTLP/JSON or gzip),
//! [`load::run`] sends them to a running `phantom serve` over N HTTP connections,
//! [`ServerProcess`] reads the server's CPU time and peak memory from `/proc`, [`raw_zstd`]
//! compresses the same log text for scale, and [`stages`] runs decode, detect and store in
//! this process to show what each costs. `bench/ingest.sh` drives them through
//! `phantom-ingest-load`.

mod bodies;
mod convert;
pub mod load;
mod process;
pub mod stages;
mod zstd;

pub use bodies::{Format, Workload};
pub use convert::stream_events;
pub use process::{ServerProcess, cpu_seconds_of_this_process};
pub use zstd::raw_zstd;

/// Median of `values` (the upper one for an even count); 0 when empty.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}
