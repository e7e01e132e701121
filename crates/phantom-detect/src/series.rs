//! Robust anomaly detection in numeric series.
