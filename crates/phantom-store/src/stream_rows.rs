//! Stream and anomaly rows as both backends read them, before decoding into records.

use crate::StoreError;
use crate::codec::{count_from_column, parse_json};
use crate::records::Millis;
use crate::stream_records::{AnomalyRecord, StreamRecord};

/// The columns of `streams`, in the order every `SELECT` of a stream lists them.
pub(crate) const STREAM_COLUMNS: &str = "s.tenant, s.key, s.service, s.signal, s.settings, \
     s.state, s.events_seen, s.version, s.created_at, s.updated_at";

/// The columns of `streams` for listings: the state is left out, read as `null_bytes` (a
/// NULL of the backend's byte type).
pub(crate) fn stream_list_columns(null_bytes: &str) -> String {
    format!(
        "s.tenant, s.key, s.service, s.signal, s.settings, {null_bytes}, s.events_seen, \
         s.version, s.created_at, s.updated_at"
    )
}

/// The columns of `anomalies`, in the order every `SELECT` of an anomaly lists them.
pub(crate) const ANOMALY_COLUMNS: &str = "a.seq, a.id, a.tenant, a.stream_key, a.service, \
     a.signal, a.detector, a.first_event, a.last_event, a.event_time, a.detected_at, a.score, \
     a.p_value, a.status, a.summary, a.explanation, a.updated_at";

/// A `streams` row as stored.
pub(crate) struct StreamRow {
    pub(crate) tenant: String,
    pub(crate) key: String,
    pub(crate) service: String,
    pub(crate) signal: String,
    pub(crate) settings: String,
    pub(crate) state: Option<Vec<u8>>,
    pub(crate) events_seen: i64,
    pub(crate) version: i64,
    pub(crate) created_at: Millis,
    pub(crate) updated_at: Millis,
}

impl StreamRow {
    /// Decodes the row.
    pub(crate) fn decode(self) -> Result<StreamRecord, StoreError> {
        let what = |column: &str| format!("the {column} of stream '{}'", self.key);
        let settings = parse_json(&self.settings, || what("settings"))?;
        let events_seen = count_from_column(self.events_seen, || what("event count"))?;
        let version = count_from_column(self.version, || what("version"))?;
        Ok(StreamRecord {
            tenant: self.tenant,
            key: self.key,
            service: self.service,
            signal: self.signal,
            settings,
            state: self.state,
            events_seen,
            version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// An `anomalies` row as stored.
pub(crate) struct AnomalyRow {
    pub(crate) seq: i64,
    pub(crate) id: String,
    pub(crate) tenant: String,
    pub(crate) stream_key: String,
    pub(crate) service: String,
    pub(crate) signal: String,
    pub(crate) detector: String,
    pub(crate) first_event: i64,
    pub(crate) last_event: i64,
    pub(crate) event_time: Option<Millis>,
    pub(crate) detected_at: Millis,
    pub(crate) score: f64,
    pub(crate) p_value: Option<f64>,
    pub(crate) status: String,
    pub(crate) summary: String,
    pub(crate) explanation: String,
    pub(crate) updated_at: Millis,
}

impl AnomalyRow {
    /// Decodes the row.
    pub(crate) fn decode(self) -> Result<AnomalyRecord, StoreError> {
        let what = |column: &str| format!("the {column} of anomaly '{}'", self.id);
        let seq = count_from_column(self.seq, || what("sequence number"))?;
        let first_event = count_from_column(self.first_event, || what("first event"))?;
        let last_event = count_from_column(self.last_event, || what("last event"))?;
        let explanation = parse_json(&self.explanation, || what("explanation"))?;
        Ok(AnomalyRecord {
            seq,
            id: self.id,
            tenant: self.tenant,
            stream_key: self.stream_key,
            service: self.service,
            signal: self.signal,
            detector: self.detector,
            first_event,
            last_event,
            event_time: self.event_time,
            detected_at: self.detected_at,
            score: self.score,
            p_value: self.p_value,
            status: self.status,
            summary: self.summary,
            explanation,
            updated_at: self.updated_at,
        })
    }
}
