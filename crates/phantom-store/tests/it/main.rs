//! Integration tests of phantom-store: one conformance suite run on every backend (models,
//! training jobs, access records, streams and anomalies, evidence bundles), migrations,
//! several stores sharing one database, and crash durability.

mod access;
mod conformance;
mod crash;
mod evidence;
mod jobs;
mod location;
mod migrations;
mod shared_database;
mod streams;
mod support;
