//! Library side of the benchmarks: what the benchmark binaries share.
//!
//! [`quality`] generates labelled log streams and numeric series, replays them through
//! Phantom's detectors and scores the anomalies against the labels (precision, recall, F1,
//! detection delay); `phantom-detect-quality` prints the result.
#![warn(missing_docs)]

pub mod quality;
