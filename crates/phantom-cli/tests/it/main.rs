//! End-to-end tests: run the real `phantom` binary on files and check its output.

mod admin;
mod bad_input;
mod detect;
mod evidence;
mod help;
mod models;
mod otel;
mod process;
mod serve;
mod support;
mod worker;
mod workflow;
