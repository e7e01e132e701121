//! The rows of signed evidence bundles.
//!
//! The store keeps a bundle's bytes exactly as the engine gives them and does not read them:
//! what it knows of the bundle (its range, stream and anomaly count) is given alongside. It
//! computes the bytes' SHA-256 when it stores them and checks it on every read, as it does for
//! model artifacts.

use serde::{Deserialize, Serialize};

use crate::records::Millis;

/// A bundle to store: [`Storage::put_evidence`](crate::Storage::put_evidence) numbers it and
/// computes its checksum.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEvidence {
    /// Unique id (the engine's), in every tenant.
    pub id: String,
    /// The tenant; every lookup is scoped by it.
    pub tenant: String,
    /// When the bundle was made.
    pub created_at: Millis,
    /// The start of the range it was asked for, if one was given.
    pub query_from: Option<Millis>,
    /// The end of the range it covers.
    pub query_to: Millis,
    /// The stream it was narrowed to, if any.
    pub query_stream: Option<String>,
    /// How many anomalies it holds.
    pub anomaly_count: u64,
    /// The signed JSON, byte for byte as handed out.
    pub bundle: Vec<u8>,
}

/// A stored bundle without its bytes, for listings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvidenceSummary {
    /// Its place in the order bundles were stored; the cursor of listings.
    pub seq: u64,
    /// Its id.
    pub id: String,
    /// The tenant.
    pub tenant: String,
    /// When the bundle was made.
    pub created_at: Millis,
    /// The start of the range it was asked for, if one was given.
    pub query_from: Option<Millis>,
    /// The end of the range it covers.
    pub query_to: Millis,
    /// The stream it was narrowed to, if any.
    pub query_stream: Option<String>,
    /// How many anomalies it holds.
    pub anomaly_count: u64,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    /// Length of the bytes.
    pub size: u64,
}

/// A stored bundle with its bytes; the store has checked them against their checksum.
#[derive(Clone, Debug, PartialEq)]
pub struct EvidenceRecord {
    /// Everything but the bytes.
    pub summary: EvidenceSummary,
    /// The signed JSON, byte for byte as stored.
    pub bundle: Vec<u8>,
}
