//! Integration tests of phantom-ml: one binary, one module per area.

mod data;
mod isolation_forest;
mod kmeans;
mod metrics;
mod scaling;
mod trees;
mod gradient_boosting;
