//! The `phantom` command-line tool.
fn main() {}
