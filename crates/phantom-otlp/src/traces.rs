//! `POST /v1/traces`: one text record per span.

use crate::batch::{Batch, BatchRecord};
use crate::error::OtlpError;
use crate::flatten;
use crate::format::BodyFormat;
use crate::proto::collector::ExportTraceServiceRequest;
use crate::proto::trace::{ResourceSpans, SPAN_KIND_NAMES, STATUS_CODE_NAMES, ScopeSpans, Span};
use crate::record::{Decoded, RecordBody};
use crate::request::{self, ItemPath};

request::export!(
    ExportTraceServiceRequest,
    resource_spans: ResourceSpans,
    scope_spans: ScopeSpans,
    spans: Span,
    ["resourceSpans", "scopeSpans", "spans"]
);

/// Decodes an `ExportTraceServiceRequest` (protobuf, JSON, or NDJSON with one JSON request per
/// line) into one [`RecordBody::Text`] per span:
/// `name KIND STATUS [status message] key=value ...`, e.g.
/// `GET /users SERVER ERROR timeout http.route=/users http.status_code=504`, with the span's
/// own attributes in key order. The record's time is the span's start, else its end. A span
/// with no name is rejected.
pub fn decode_traces(body: &[u8], format: BodyFormat) -> Result<Decoded, OtlpError> {
    batch(body, format).map(Batch::into_decoded)
}

/// [`decode_traces`] into a [`Batch`].
pub(crate) fn batch(body: &[u8], format: BodyFormat) -> Result<Batch, OtlpError> {
    request::decode::<ExportTraceServiceRequest>(body, format, push_span)
}

fn push_span(origin: usize, span: Span, path: &ItemPath, out: &mut Batch) {
    if span.name.is_empty() {
        out.reject(1, || format!("{path}: the span has no name"));
        return;
    }
    let time = match span.start_time_unix_nano {
        0 => span.end_time_unix_nano,
        time => time,
    };
    let status = span.status.unwrap_or_default();
    let attributes: Vec<(String, String)> = flatten::pairs(span.attributes).collect();
    let mut text = span.name;
    text.push(' ');
    push_enum(&mut text, span.kind, &SPAN_KIND_NAMES);
    text.push(' ');
    push_enum(&mut text, status.code, &STATUS_CODE_NAMES);
    if !status.message.is_empty() {
        text.push(' ');
        text.push_str(&status.message);
    }
    let mut sorted: Vec<&(String, String)> = attributes.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for (key, value) in sorted {
        text.push(' ');
        text.push_str(key);
        text.push('=');
        text.push_str(value);
    }
    out.records.push(BatchRecord {
        origin,
        time_unix_nano: time,
        attributes,
        body: RecordBody::Text(text),
    });
}

/// Appends an enum's name, or its number when it has none.
fn push_enum(text: &mut String, value: i32, names: &[&str]) {
    match usize::try_from(value).ok().and_then(|i| names.get(i)) {
        Some(name) => text.push_str(name),
        None => text.push_str(&value.to_string()),
    }
}
