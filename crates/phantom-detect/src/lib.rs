//! Phantom's anomaly detectors. No I/O, no async.
//!
//! [`series::detect`] finds anomalies in a numeric series with a robust (median / MAD) score.
#![warn(missing_docs)]

pub mod series;
