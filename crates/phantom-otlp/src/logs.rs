//! `POST /v1/logs`: one text record per log record.

use crate::batch::{Batch, BatchRecord};
use crate::error::OtlpError;
use crate::flatten;
use crate::format::BodyFormat;
use crate::proto::collector::ExportLogsServiceRequest;
use crate::proto::common::{AnyValue, any_value};
use crate::proto::logs::{LogRecord, ResourceLogs, SEVERITY_NAMES, ScopeLogs};
use crate::record::{Decoded, RecordBody};
use crate::request::{self, ItemPath};

request::export!(
    ExportLogsServiceRequest,
    resource_logs: ResourceLogs,
    scope_logs: ScopeLogs,
    log_records: LogRecord,
    ["resourceLogs", "scopeLogs", "logRecords"]
);

/// Decodes an `ExportLogsServiceRequest` (protobuf, JSON, or NDJSON with one JSON request per
/// line) into one [`RecordBody::Text`] per log record: `SEVERITY body`, where the severity is
/// the severity text, else the severity number's name (`INFO`, `WARN2`, ...), and the body is
/// a string body as it is, another body as compact JSON. Either part may be missing; a record
/// with neither (no body, or an empty one, and no severity) is rejected.
pub fn decode_logs(body: &[u8], format: BodyFormat) -> Result<Decoded, OtlpError> {
    batch(body, format).map(Batch::into_decoded)
}

/// [`decode_logs`] into a [`Batch`].
pub(crate) fn batch(body: &[u8], format: BodyFormat) -> Result<Batch, OtlpError> {
    request::decode::<ExportLogsServiceRequest>(body, format, push_log)
}

fn push_log(origin: usize, record: LogRecord, path: &ItemPath, out: &mut Batch) {
    let time = match record.time_unix_nano {
        0 => record.observed_time_unix_nano,
        time => time,
    };
    let severity = match record.severity_text.as_str() {
        "" => severity_name(record.severity_number),
        text => text,
    };
    let text = match (severity, body_text(record.body)) {
        ("", None) => {
            out.reject(1, || {
                format!("{path}: the log record has neither a body nor a severity")
            });
            return;
        }
        ("", Some(body)) => body,
        (severity, None) => severity.to_owned(),
        (severity, Some(body)) => {
            let mut text = String::with_capacity(severity.len() + 1 + body.len());
            text.push_str(severity);
            text.push(' ');
            text.push_str(&body);
            text
        }
    };
    out.records.push(BatchRecord {
        origin,
        time_unix_nano: time,
        attributes: flatten::pairs(record.attributes).collect(),
        body: RecordBody::Text(text),
    });
}

/// The name of a severity number (`INFO`, `WARN2`), or `""` for 0 and unknown numbers.
fn severity_name(number: i32) -> &'static str {
    match usize::try_from(number) {
        Ok(n @ 1..) => SEVERITY_NAMES.get(n).copied().unwrap_or_default(),
        Ok(0) | Err(_) => "",
    }
}

/// A body as text: a string as it is, anything else as compact JSON; `None` when there is no
/// body, an empty one, or an empty string.
fn body_text(body: Option<AnyValue>) -> Option<String> {
    match body?.value? {
        any_value::Value::StringValue(s) => Some(s).filter(|s| !s.is_empty()),
        value @ (any_value::Value::BoolValue(_)
        | any_value::Value::IntValue(_)
        | any_value::Value::DoubleValue(_)
        | any_value::Value::ArrayValue(_)
        | any_value::Value::KvlistValue(_)
        | any_value::Value::BytesValue(_)) => Some(flatten::json(&AnyValue { value: Some(value) })),
    }
}
