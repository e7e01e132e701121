//! Integration tests of phantom-ml: one binary, one module per area.

mod data;
mod linear;
mod neural_network;
