//! Integration tests of phantom-ml: one binary, one module per area.

mod data;
mod gradient_boosting;
