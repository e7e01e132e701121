//! Tests of the public API: canonical JSON, keys, signing and verifying, the PDF report.

mod canonical;
mod keys;
mod pdf;
mod signing;
mod support;
mod tamper;
