//! Integration tests of phantom-store: one conformance suite run on every backend, migrations,
//! several stores sharing one database, and crash durability.

mod conformance;
mod crash;
mod location;
mod migrations;
mod shared_database;
mod support;
