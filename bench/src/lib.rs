//! Library side of the benchmarks: what the benchmark binaries share.
//!
//! [`quality`] generates labelled log streams and numeric series, replays them through
//! Phantom's detectors and scores the anomalies against the labels (precision, recall, F1,
//! detection delay); `phantom-detect-quality` prints the result.
//!
//! [`otlp_logs`] generates OTLP log exports for the decoding and ingestion benchmarks;
//! [`ingest`] is the full-path ingestion benchmark (`phantom-ingest-load`, `bench/ingest.sh`).
#![warn(missing_docs)]

pub mod ingest;
pub mod otlp_logs;
pub mod quality;
