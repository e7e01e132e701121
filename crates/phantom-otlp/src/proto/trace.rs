//! `opentelemetry.proto.trace.v1`.

use serde::Deserialize;

use super::common::{InstrumentationScope, KeyValue, Resource};
use crate::protojson::de;

/// The names of `Span.SpanKind` values, indexed by value, without the `SPAN_KIND_` prefix.
pub const SPAN_KIND_NAMES: [&str; 6] = [
    "UNSPECIFIED",
    "INTERNAL",
    "SERVER",
    "CLIENT",
    "PRODUCER",
    "CONSUMER",
];

/// The names of `Status.StatusCode` values, indexed by value, without the `STATUS_CODE_`
/// prefix.
pub const STATUS_CODE_NAMES: [&str; 3] = ["UNSET", "OK", "ERROR"];

/// The spans of one resource.
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourceSpans {
    /// The resource the spans come from; unknown when absent.
    #[prost(message, optional, tag = "1")]
    pub resource: Option<Resource>,
    /// The spans, grouped by instrumentation scope.
    #[prost(message, repeated, tag = "2")]
    #[serde(deserialize_with = "de::vec")]
    pub scope_spans: Vec<ScopeSpans>,
    /// The schema of the resource's attributes.
    #[prost(string, tag = "3")]
    #[serde(deserialize_with = "de::string")]
    pub schema_url: String,
}

/// The spans of one instrumentation scope.
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ScopeSpans {
    /// The scope that produced the spans.
    #[prost(message, optional, tag = "1")]
    pub scope: Option<InstrumentationScope>,
    /// The spans.
    #[prost(message, repeated, tag = "2")]
    #[serde(deserialize_with = "de::vec")]
    pub spans: Vec<Span>,
    /// The schema of the spans' attributes.
    #[prost(string, tag = "3")]
    #[serde(deserialize_with = "de::string")]
    pub schema_url: String,
}

/// One operation within a trace.
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Span {
    /// The 16-byte trace id (hex in JSON).
    #[prost(bytes = "vec", tag = "1")]
    #[serde(deserialize_with = "de::hex")]
    pub trace_id: Vec<u8>,
    /// The 8-byte span id (hex in JSON).
    #[prost(bytes = "vec", tag = "2")]
    #[serde(deserialize_with = "de::hex")]
    pub span_id: Vec<u8>,
    /// The W3C trace state.
    #[prost(string, tag = "3")]
    #[serde(deserialize_with = "de::string")]
    pub trace_state: String,
    /// The parent's span id; empty for a root span (hex in JSON).
    #[prost(bytes = "vec", tag = "4")]
    #[serde(deserialize_with = "de::hex")]
    pub parent_span_id: Vec<u8>,
    /// W3C trace flags in the low 8 bits, and whether the parent is remote.
    #[prost(fixed32, tag = "16")]
    #[serde(deserialize_with = "de::u32")]
    pub flags: u32,
    /// The operation's name, e.g. `GET /users/{id}`.
    #[prost(string, tag = "5")]
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// The span's kind (see [`SPAN_KIND_NAMES`]).
    #[prost(int32, tag = "6")]
    #[serde(deserialize_with = "de::span_kind")]
    pub kind: i32,
    /// When the operation started, in nanoseconds since the Unix epoch.
    #[prost(fixed64, tag = "7")]
    #[serde(deserialize_with = "de::u64")]
    pub start_time_unix_nano: u64,
    /// When the operation ended, in nanoseconds since the Unix epoch.
    #[prost(fixed64, tag = "8")]
    #[serde(deserialize_with = "de::u64")]
    pub end_time_unix_nano: u64,
    /// The span's attributes.
    #[prost(message, repeated, tag = "9")]
    #[serde(deserialize_with = "de::vec")]
    pub attributes: Vec<KeyValue>,
    /// How many attributes the sender dropped.
    #[prost(uint32, tag = "10")]
    #[serde(deserialize_with = "de::u32")]
    pub dropped_attributes_count: u32,
    /// Timed events within the span.
    #[prost(message, repeated, tag = "11")]
    #[serde(deserialize_with = "de::vec")]
    pub events: Vec<span::Event>,
    /// How many events the sender dropped.
    #[prost(uint32, tag = "12")]
    #[serde(deserialize_with = "de::u32")]
    pub dropped_events_count: u32,
    /// Links to other spans.
    #[prost(message, repeated, tag = "13")]
    #[serde(deserialize_with = "de::vec")]
    pub links: Vec<span::Link>,
    /// How many links the sender dropped.
    #[prost(uint32, tag = "14")]
    #[serde(deserialize_with = "de::u32")]
    pub dropped_links_count: u32,
    /// How the operation ended.
    #[prost(message, optional, tag = "15")]
    pub status: Option<Status>,
}

/// The messages nested in [`Span`].
pub mod span {
    use serde::Deserialize;

    use crate::proto::common::KeyValue;
    use crate::protojson::de;

    /// Something that happened during a span, e.g. an exception.
    #[derive(Clone, PartialEq, prost::Message, Deserialize)]
    #[serde(rename_all = "camelCase", default)]
    pub struct Event {
        /// When it happened, in nanoseconds since the Unix epoch.
        #[prost(fixed64, tag = "1")]
        #[serde(deserialize_with = "de::u64")]
        pub time_unix_nano: u64,
        /// The event's name, e.g. `exception`.
        #[prost(string, tag = "2")]
        #[serde(deserialize_with = "de::string")]
        pub name: String,
        /// The event's attributes.
        #[prost(message, repeated, tag = "3")]
        #[serde(deserialize_with = "de::vec")]
        pub attributes: Vec<KeyValue>,
        /// How many attributes the sender dropped.
        #[prost(uint32, tag = "4")]
        #[serde(deserialize_with = "de::u32")]
        pub dropped_attributes_count: u32,
    }

    /// A pointer from a span to another span.
    #[derive(Clone, PartialEq, prost::Message, Deserialize)]
    #[serde(rename_all = "camelCase", default)]
    pub struct Link {
        /// The linked span's trace id (hex in JSON).
        #[prost(bytes = "vec", tag = "1")]
        #[serde(deserialize_with = "de::hex")]
        pub trace_id: Vec<u8>,
        /// The linked span's id (hex in JSON).
        #[prost(bytes = "vec", tag = "2")]
        #[serde(deserialize_with = "de::hex")]
        pub span_id: Vec<u8>,
        /// The linked span's W3C trace state.
        #[prost(string, tag = "3")]
        #[serde(deserialize_with = "de::string")]
        pub trace_state: String,
        /// The link's attributes.
        #[prost(message, repeated, tag = "4")]
        #[serde(deserialize_with = "de::vec")]
        pub attributes: Vec<KeyValue>,
        /// How many attributes the sender dropped.
        #[prost(uint32, tag = "5")]
        #[serde(deserialize_with = "de::u32")]
        pub dropped_attributes_count: u32,
        /// W3C trace flags of the linked span.
        #[prost(fixed32, tag = "6")]
        #[serde(deserialize_with = "de::u32")]
        pub flags: u32,
    }
}

/// How a span ended.
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Status {
    /// A developer-facing description, usually set with an error.
    #[prost(string, tag = "2")]
    #[serde(deserialize_with = "de::string")]
    pub message: String,
    /// The status code (see [`STATUS_CODE_NAMES`]).
    #[prost(int32, tag = "3")]
    #[serde(deserialize_with = "de::status_code")]
    pub code: i32,
}
