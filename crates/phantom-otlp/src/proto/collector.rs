//! The request and response of each OTLP export service
//! (`opentelemetry.proto.collector.{logs,metrics,trace}.v1`).

use serde::Deserialize;

use super::logs::ResourceLogs;
use super::metrics::ResourceMetrics;
use super::trace::ResourceSpans;
use crate::protojson::de;

/// The body of `POST /v1/logs`.
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExportLogsServiceRequest {
    /// The logs, grouped by resource.
    #[prost(message, repeated, tag = "1")]
    #[serde(deserialize_with = "de::vec")]
    pub resource_logs: Vec<ResourceLogs>,
}

/// The answer to `POST /v1/logs`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ExportLogsServiceResponse {
    /// Set when some records were rejected, or to carry a warning.
    #[prost(message, optional, tag = "1")]
    pub partial_success: Option<ExportLogsPartialSuccess>,
}

/// What part of a logs request was rejected, and why.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ExportLogsPartialSuccess {
    /// How many log records were rejected.
    #[prost(int64, tag = "1")]
    pub rejected_log_records: i64,
    /// Why, for a person to read.
    #[prost(string, tag = "2")]
    pub error_message: String,
}

/// The body of `POST /v1/metrics`.
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExportMetricsServiceRequest {
    /// The metrics, grouped by resource.
    #[prost(message, repeated, tag = "1")]
    #[serde(deserialize_with = "de::vec")]
    pub resource_metrics: Vec<ResourceMetrics>,
}

/// The answer to `POST /v1/metrics`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ExportMetricsServiceResponse {
    /// Set when some data points were rejected, or to carry a warning.
    #[prost(message, optional, tag = "1")]
    pub partial_success: Option<ExportMetricsPartialSuccess>,
}

/// What part of a metrics request was rejected, and why.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ExportMetricsPartialSuccess {
    /// How many data points were rejected.
    #[prost(int64, tag = "1")]
    pub rejected_data_points: i64,
    /// Why, for a person to read.
    #[prost(string, tag = "2")]
    pub error_message: String,
}

/// The body of `POST /v1/traces`.
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExportTraceServiceRequest {
    /// The spans, grouped by resource.
    #[prost(message, repeated, tag = "1")]
    #[serde(deserialize_with = "de::vec")]
    pub resource_spans: Vec<ResourceSpans>,
}

/// The answer to `POST /v1/traces`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ExportTraceServiceResponse {
    /// Set when some spans were rejected, or to carry a warning.
    #[prost(message, optional, tag = "1")]
    pub partial_success: Option<ExportTracePartialSuccess>,
}

/// What part of a traces request was rejected, and why.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ExportTracePartialSuccess {
    /// How many spans were rejected.
    #[prost(int64, tag = "1")]
    pub rejected_spans: i64,
    /// Why, for a person to read.
    #[prost(string, tag = "2")]
    pub error_message: String,
}
