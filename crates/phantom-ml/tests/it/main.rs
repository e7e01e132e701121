//! Integration tests of phantom-ml: one binary, one module per area.

mod data;
mod gradient_boosting;
mod isolation_forest;
mod kmeans;
mod metrics;
mod scaling;
mod trees;
