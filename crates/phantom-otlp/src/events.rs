//! `POST /v1/events`: plain JSON events, one text record each.

use serde_json::{Map, Value};

use crate::batch::{Batch, BatchRecord, Origin};
use crate::error::OtlpError;
use crate::flatten::push_json_value;
use crate::format::BodyFormat;
use crate::record::{Decoded, RecordBody, UNKNOWN_SERVICE};
use crate::request::{from_json, json_lines};
use crate::signal::Signal;
use crate::time;

/// The fields that may hold an event's time, in the order they are looked for.
pub const TIME_FIELDS: [&str; 3] = ["timestamp", "time", "@timestamp"];

/// Decodes plain JSON events: a JSON array of objects (or one object) for
/// [`BodyFormat::Json`], one object per line for [`BodyFormat::Ndjson`] (blank lines skipped).
///
/// Each event becomes one [`RecordBody::Text`], the event as compact JSON with the keys of
/// every object sorted. The service is the string field `service.name`, else `service`, else
/// `unknown_service`. The time is the first of `timestamp`, `time`, `@timestamp` present: an
/// RFC 3339 string, or a Unix time number whose unit is told by its size (below 10^11 seconds,
/// below 10^14 milliseconds, below 10^17 microseconds, else nanoseconds); else 0. The top-level
/// string, number and bool fields are the attributes, in key order.
///
/// A body or line that is not JSON is an error naming where; an element that is not an object,
/// or whose time field is not a time, is rejected.
pub fn decode_events(body: &[u8], format: BodyFormat) -> Result<Decoded, OtlpError> {
    batch(body, format).map(Batch::into_decoded)
}

/// [`decode_events`] into a [`Batch`]: consecutive events of one service share an origin, which
/// holds only the service; the attributes are the events' own.
pub(crate) fn batch(body: &[u8], format: BodyFormat) -> Result<Batch, OtlpError> {
    let mut batch = Batch::default();
    match format {
        BodyFormat::Protobuf => {
            return Err(OtlpError::FormatNotAccepted {
                signal: Signal::Events,
                format,
                accepted: "send application/json (an array of objects) or application/x-ndjson",
            });
        }
        BodyFormat::Json => match from_json::<Value>(body)? {
            Value::Array(events) => {
                for (index, event) in events.into_iter().enumerate() {
                    push_event(event, || format!("[{index}]"), &mut batch);
                }
            }
            event @ Value::Object(_) => push_event(event, || ".".to_owned(), &mut batch),
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {
                return Err(OtlpError::Json {
                    path: ".".to_owned(),
                    source: serde::de::Error::custom(
                        "expected a JSON array of event objects, or one object",
                    ),
                });
            }
        },
        BodyFormat::Ndjson => {
            for parsed in json_lines::<Value>(body) {
                let (line, event) = parsed?;
                push_event(event, || format!("line {line}"), &mut batch);
            }
        }
    }
    Ok(batch)
}

fn push_event(event: Value, at: impl Fn() -> String, out: &mut Batch) {
    let Some(fields) = event.as_object() else {
        out.reject(1, || format!("{}: the event is not a JSON object", at()));
        return;
    };
    let time_unix_nano = match event_time(fields) {
        Ok(nanos) => nanos,
        Err(why) => {
            out.reject(1, || format!("{}: {why}", at()));
            return;
        }
    };
    let string = |key| {
        fields
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let service = string("service.name")
        .or_else(|| string("service"))
        .unwrap_or(UNKNOWN_SERVICE);
    let mut sorted: Vec<(&String, &Value)> = fields.iter().collect();
    sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let attributes = sorted
        .into_iter()
        .filter_map(|(key, value)| Some((key.clone(), scalar(value)?)));
    let mut text = String::new();
    push_json_value(&mut text, &event);
    if out
        .origins
        .last()
        .is_none_or(|last| last.service != service)
    {
        let origin = Origin {
            service: service.to_owned(),
            attributes: Vec::new(),
        };
        out.origins.push(origin);
    }
    out.records.push(BatchRecord {
        origin: out.origins.len() - 1,
        time_unix_nano,
        attributes: attributes.collect(),
        body: RecordBody::Text(text),
    });
}

/// The time of the first time field present, 0 when there is none.
fn event_time(fields: &Map<String, Value>) -> Result<u64, String> {
    let Some((key, value)) = TIME_FIELDS
        .iter()
        .find_map(|k| fields.get(*k).map(|v| (k, v)))
    else {
        return Ok(0);
    };
    let nanos = time::parse(value).map_err(|why| format!("`{key}` {why}"))?;
    Ok(nanos.unwrap_or(0))
}

/// A top-level field as an attribute value: strings as they are, numbers and bools as in JSON;
/// `None` for null, arrays and objects.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}
