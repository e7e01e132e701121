//! Compact JSON text of OTLP values and of JSON events (keys sorted).

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::proto::common::{AnyValue, any_value};

/// Bytes as standard, padded base64, as the JSON mapping writes them.
pub(crate) fn base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Appends `value` as compact JSON.
pub(crate) fn push_any_value(out: &mut String, value: &AnyValue) {
    match &value.value {
        None => out.push_str("null"),
        Some(any_value::Value::StringValue(s)) => push_str(out, s),
        Some(any_value::Value::BoolValue(b)) => out.push_str(if *b { "true" } else { "false" }),
        Some(any_value::Value::IntValue(i)) => {
            let _ = write!(out, "{i}");
        }
        Some(any_value::Value::DoubleValue(v)) => push_number(out, *v, true),
        Some(any_value::Value::BytesValue(bytes)) => push_str(out, &base64(bytes)),
        Some(any_value::Value::ArrayValue(array)) => {
            out.push('[');
            for (i, item) in array.values.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_any_value(out, item);
            }
            out.push(']');
        }
        Some(any_value::Value::KvlistValue(list)) => {
            out.push('{');
            for (i, kv) in list.values.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_str(out, &kv.key);
                out.push(':');
                push_any_value(out, kv.value.as_ref().unwrap_or(&AnyValue::default()));
            }
            out.push('}');
        }
    }
}

/// Appends a JSON value, with the keys of every object in sorted order.
pub(crate) fn push_json_value(out: &mut String, value: &serde_json::Value) {
    match value {
        serde_json::Value::Null => out.push_str("null"),
        serde_json::Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        serde_json::Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        serde_json::Value::String(s) => push_str(out, s),
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_json_value(out, item);
            }
            out.push(']');
        }
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_str(out, key);
                out.push(':');
                push_json_value(out, item);
            }
            out.push('}');
        }
    }
}

/// Appends a float in its shortest form (`1.5`, `1e300`); `NaN` and the infinities, which JSON
/// has no number for, as `NaN`, `Infinity`, `-Infinity` (in quotes when `quoted`, as the proto3
/// JSON mapping writes them).
pub(crate) fn push_number(out: &mut String, v: f64, quoted: bool) {
    if v.is_finite() {
        out.push_str(ryu::Buffer::new().format_finite(v));
        return;
    }
    let name = if v.is_nan() {
        "NaN"
    } else if v > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    };
    if quoted {
        push_str(out, name);
    } else {
        out.push_str(name);
    }
}

/// Appends a JSON string literal, escaped as `serde_json` escapes.
pub(crate) fn push_str(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, byte) in s.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{byte:04x}");
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}
