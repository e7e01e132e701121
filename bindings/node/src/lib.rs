//! Phantom for Node.js: the `PhantomMLCore` class (NAPI-RS) over
//! [`phantom_engine::Engine`], with the JSON-string API of the original phantom-ml-core
//! package and real figures. See `bindings/node/README.md` for every method.
//!
//! Each file has one part: [`core`] the class, the others parse what JavaScript sends and
//! shape what it gets back, so those mappings are tested in Rust without Node.

mod analytics;
mod args;
mod core;
mod create;
mod data;
mod databases;
mod error;
mod explain_costs;
mod features;
mod files;
mod ignored;
mod inference;
mod insights;
mod json;
mod models;
mod monitoring;
mod options;
mod slot;
