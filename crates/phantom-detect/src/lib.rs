//! Phantom's anomaly detectors. No I/O, no async.
//!
//! [`series::detect`] finds anomalies in a numeric series with a robust (median / MAD) score;
//! [`series::detect_seasonal`] and [`series::detect_trend`] score what is left after removing a
//! repeating pattern or a robust line.
//!
//! [`text::LogDetector`] watches a stream of log lines or other text events and flags windows
//! that compress unlike the stream's recent past (compression-based detection with
//! permutation p-values).
#![warn(missing_docs)]

pub mod series;
pub mod text;
