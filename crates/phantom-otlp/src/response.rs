//! The bodies that answer an export.

use prost::Message;

use crate::format::BodyFormat;
use crate::proto::collector::{
    ExportLogsPartialSuccess, ExportLogsServiceResponse, ExportMetricsPartialSuccess,
    ExportMetricsServiceResponse, ExportTracePartialSuccess, ExportTraceServiceResponse,
};
use crate::signal::Signal;

/// The OTLP success / partial-success response body for `signal` in `format` (JSON for NDJSON
/// too): an empty `Export*ServiceResponse` when nothing was rejected and there is no message,
/// else one whose `partial_success` holds the rejected count and the message. Events answer
/// JSON `{"accepted":N,"rejected":M,"message":...}` (`message` is `null` when there is none)
/// whatever the format.
pub fn encode_response(
    signal: Signal,
    format: BodyFormat,
    accepted: u64,
    rejected: u64,
    message: Option<&str>,
) -> Vec<u8> {
    use BodyFormat::{Json, Ndjson, Protobuf};
    let partial = rejected > 0 || message.is_some();
    let count = i64::try_from(rejected).unwrap_or(i64::MAX);
    let error_message = || message.unwrap_or_default().to_owned();
    match (signal, format) {
        (Signal::Events, Protobuf | Json | Ndjson) => {
            let body = serde_json::json!({
                "accepted": accepted,
                "rejected": rejected,
                "message": message,
            });
            body.to_string().into_bytes()
        }
        (Signal::Logs, Protobuf) => ExportLogsServiceResponse {
            partial_success: partial.then(|| ExportLogsPartialSuccess {
                rejected_log_records: count,
                error_message: error_message(),
            }),
        }
        .encode_to_vec(),
        (Signal::Metrics, Protobuf) => ExportMetricsServiceResponse {
            partial_success: partial.then(|| ExportMetricsPartialSuccess {
                rejected_data_points: count,
                error_message: error_message(),
            }),
        }
        .encode_to_vec(),
        (Signal::Traces, Protobuf) => ExportTraceServiceResponse {
            partial_success: partial.then(|| ExportTracePartialSuccess {
                rejected_spans: count,
                error_message: error_message(),
            }),
        }
        .encode_to_vec(),
        (Signal::Logs, Json | Ndjson) => otlp_json(partial, "rejectedLogRecords", count, message),
        (Signal::Metrics, Json | Ndjson) => {
            otlp_json(partial, "rejectedDataPoints", count, message)
        }
        (Signal::Traces, Json | Ndjson) => otlp_json(partial, "rejectedSpans", count, message),
    }
}

/// An `Export*ServiceResponse` in OTLP/JSON: `{}`, or `{"partialSuccess":{...}}`.
fn otlp_json(partial: bool, rejected_field: &str, rejected: i64, message: Option<&str>) -> Vec<u8> {
    let mut body = serde_json::Map::new();
    if partial {
        let mut success = serde_json::Map::new();
        // int64 fields are decimal strings in the proto3 JSON mapping.
        success.insert(rejected_field.to_owned(), rejected.to_string().into());
        if let Some(message) = message {
            success.insert("errorMessage".to_owned(), message.into());
        }
        body.insert("partialSuccess".to_owned(), success.into());
    }
    serde_json::Value::Object(body).to_string().into_bytes()
}
