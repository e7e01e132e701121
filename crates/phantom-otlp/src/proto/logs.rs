//! `opentelemetry.proto.logs.v1`.

use serde::Deserialize;

use super::common::{AnyValue, InstrumentationScope, KeyValue, Resource};
use crate::protojson::de;

/// The names of `SeverityNumber` values, indexed by value, without the `SEVERITY_NUMBER_`
/// prefix: `SEVERITY_NAMES[9]` is `INFO`.
pub const SEVERITY_NAMES: [&str; 25] = [
    "UNSPECIFIED",
    "TRACE",
    "TRACE2",
    "TRACE3",
    "TRACE4",
    "DEBUG",
    "DEBUG2",
    "DEBUG3",
    "DEBUG4",
    "INFO",
    "INFO2",
    "INFO3",
    "INFO4",
    "WARN",
    "WARN2",
    "WARN3",
    "WARN4",
    "ERROR",
    "ERROR2",
    "ERROR3",
    "ERROR4",
    "FATAL",
    "FATAL2",
    "FATAL3",
    "FATAL4",
];

/// The logs of one resource.
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourceLogs {
    /// The resource the logs come from; unknown when absent.
    #[prost(message, optional, tag = "1")]
    pub resource: Option<Resource>,
    /// The logs, grouped by instrumentation scope.
    #[prost(message, repeated, tag = "2")]
    #[serde(deserialize_with = "de::vec")]
    pub scope_logs: Vec<ScopeLogs>,
    /// The schema of the resource's attributes.
    #[prost(string, tag = "3")]
    #[serde(deserialize_with = "de::string")]
    pub schema_url: String,
}

/// The logs of one instrumentation scope.
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ScopeLogs {
    /// The scope that produced the logs.
    #[prost(message, optional, tag = "1")]
    pub scope: Option<InstrumentationScope>,
    /// The log records.
    #[prost(message, repeated, tag = "2")]
    #[serde(deserialize_with = "de::vec")]
    pub log_records: Vec<LogRecord>,
    /// The schema of the records' attributes.
    #[prost(string, tag = "3")]
    #[serde(deserialize_with = "de::string")]
    pub schema_url: String,
}

/// One log record.
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LogRecord {
    /// When the event happened, in nanoseconds since the Unix epoch; 0 when unknown.
    #[prost(fixed64, tag = "1")]
    #[serde(deserialize_with = "de::u64")]
    pub time_unix_nano: u64,
    /// When the record was collected, in nanoseconds since the Unix epoch.
    #[prost(fixed64, tag = "11")]
    #[serde(deserialize_with = "de::u64")]
    pub observed_time_unix_nano: u64,
    /// The severity, a `SeverityNumber` (see [`SEVERITY_NAMES`]); 0 when unspecified.
    #[prost(int32, tag = "2")]
    #[serde(deserialize_with = "de::severity_number")]
    pub severity_number: i32,
    /// The severity as the source wrote it, e.g. `WARNING`.
    #[prost(string, tag = "3")]
    #[serde(deserialize_with = "de::string")]
    pub severity_text: String,
    /// The message: usually a string, possibly structured.
    #[prost(message, optional, tag = "5")]
    pub body: Option<AnyValue>,
    /// The record's attributes.
    #[prost(message, repeated, tag = "6")]
    #[serde(deserialize_with = "de::vec")]
    pub attributes: Vec<KeyValue>,
    /// How many attributes the sender dropped.
    #[prost(uint32, tag = "7")]
    #[serde(deserialize_with = "de::u32")]
    pub dropped_attributes_count: u32,
    /// W3C trace flags in the low 8 bits.
    #[prost(fixed32, tag = "8")]
    #[serde(deserialize_with = "de::u32")]
    pub flags: u32,
    /// The 16-byte trace id, when the record belongs to a trace (hex in JSON).
    #[prost(bytes = "vec", tag = "9")]
    #[serde(deserialize_with = "de::hex")]
    pub trace_id: Vec<u8>,
    /// The 8-byte span id, when the record belongs to a span (hex in JSON).
    #[prost(bytes = "vec", tag = "10")]
    #[serde(deserialize_with = "de::hex")]
    pub span_id: Vec<u8>,
    /// The event's name, for records that are events.
    #[prost(string, tag = "12")]
    #[serde(deserialize_with = "de::string")]
    pub event_name: String,
}
