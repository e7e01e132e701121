//! Integration tests of phantom-ml: one binary, one module per area.

mod data;
mod gradient_boosting;
mod isolation_forest;
mod kmeans;
mod linear;
mod metrics;
mod model;
mod neural_network;
mod scaling;
mod trees;
