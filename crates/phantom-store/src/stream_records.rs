//! The rows of telemetry streams and the anomalies found in them.
//!
//! As with models, the store does not interpret them: a stream's settings are JSON and its
//! detector state opaque bytes that the engine writes and reads back; an anomaly's
//! explanation is JSON and its status a name.

use serde::{Deserialize, Serialize};

use crate::records::Millis;

/// A telemetry stream of one tenant: its detector settings and state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreamRecord {
    /// The tenant; every lookup is scoped by it.
    pub tenant: String,
    /// The stream's name within the tenant (the engine builds it from the service, the signal
    /// and the partition).
    pub key: String,
    /// The service it comes from.
    pub service: String,
    /// The kind of telemetry: the engine's name for it.
    pub signal: String,
    /// The engine's detector settings, stored as given.
    pub settings: serde_json::Value,
    /// The detector's state, stored as given; `None` until the first events, and in listings.
    pub state: Option<Vec<u8>>,
    /// Events the stream has received.
    pub events_seen: u64,
    /// Rises by one on each write (see [`Storage::save_stream`](crate::Storage::save_stream));
    /// 0 for a stream not yet stored.
    pub version: u64,
    /// When it was first stored.
    pub created_at: Millis,
    /// When it was last written.
    pub updated_at: Millis,
}

/// An anomaly found in a stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnomalyRecord {
    /// Its place in the order anomalies were stored; assigned by the store (0 in a record
    /// not yet stored).
    pub seq: u64,
    /// Unique id (the engine's).
    pub id: String,
    /// The tenant.
    pub tenant: String,
    /// The stream it was found in.
    pub stream_key: String,
    /// The stream's service.
    pub service: String,
    /// The stream's signal.
    pub signal: String,
    /// The detector that found it. With `stream_key` and `last_event` it names the finding:
    /// the store keeps one anomaly per (tenant, stream, detector, last event).
    pub detector: String,
    /// The first event (numbered in the stream) of the anomalous window.
    pub first_event: u64,
    /// The last event of the anomalous window.
    pub last_event: u64,
    /// The telemetry's own time of the last event, if it had one.
    pub event_time: Option<Millis>,
    /// When it was found.
    pub detected_at: Millis,
    /// How far from normal (the detector's score; higher is stranger).
    pub score: f64,
    /// The permutation p-value, where the detector computes one.
    pub p_value: Option<f64>,
    /// The engine's name for its status (open, acknowledged, ...).
    pub status: String,
    /// One line for people.
    pub summary: String,
    /// The full explanation, stored as given.
    pub explanation: serde_json::Value,
    /// When it was stored or its status last changed.
    pub updated_at: Millis,
}

/// Which anomalies [`Storage::list_anomalies`](crate::Storage::list_anomalies) returns:
/// every given condition must hold.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AnomalyFilter {
    /// Only this stream.
    pub stream: Option<String>,
    /// Found at or after this time.
    pub from: Option<Millis>,
    /// Found before this time.
    pub to: Option<Millis>,
    /// Score at least this.
    pub min_score: Option<f64>,
    /// Only this status.
    pub status: Option<String>,
    /// Only anomalies stored before this one (`seq` below it): the next page.
    pub before_seq: Option<u64>,
    /// Only anomalies stored after this one (`seq` above it): what is new since.
    pub after_seq: Option<u64>,
    /// At most this many.
    pub limit: u32,
    /// Oldest first instead of newest first.
    pub oldest_first: bool,
}
