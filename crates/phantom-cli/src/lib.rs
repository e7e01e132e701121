//! Library half of the `phantom` command: reading CSV files into features and labels, shared
//! by the binary and the benchmark harness.
#![warn(missing_docs)]

pub mod labels;
pub mod table;
