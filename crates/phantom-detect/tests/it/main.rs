//! Integration tests of phantom-detect: one binary, one module per area.

mod cbad_golden;
