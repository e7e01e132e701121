//! RFC 8785, the JSON Canonicalization Scheme: one byte string per JSON value, so a signature
//! over it survives any re-formatting of the document.

use serde_json::{Map, Value};

use crate::number::write_es_number;

/// RFC 8785 (JSON Canonicalization Scheme) serialisation of `value`: sorted keys (by UTF-16
/// code units), no whitespace, ECMAScript number formatting, minimal string escapes.
///
/// Numbers are IEEE-754 doubles in this form: an integer beyond ±2^53 is written as the
/// nearest double, as JavaScript would read it ([`crate::sign`] refuses such bundles).
pub fn canonical_json(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_value(value, &mut out);
    out
}

/// The canonical form of the object `map` without its member `skip`.
pub(crate) fn canonical_object_without(map: &Map<String, Value>, skip: &str) -> Vec<u8> {
    let mut out = Vec::new();
    write_object(map, Some(skip), &mut out);
    out
}

fn write_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(number) => write_number(number, out),
        Value::String(text) => write_string(text, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => write_object(map, None, out),
    }
}

fn write_object(map: &Map<String, Value>, skip: Option<&str>, out: &mut Vec<u8>) {
    let mut members: Vec<(&String, &Value)> = map
        .iter()
        .filter(|(key, _)| Some(key.as_str()) != skip)
        .collect();
    // UTF-16 code units, not UTF-8 bytes or code points: they differ for characters above
    // U+FFFF, which sort before U+E000..U+FFFF in UTF-16.
    members.sort_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16()));
    out.push(b'{');
    for (i, (key, value)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_string(key, out);
        out.push(b':');
        write_value(value, out);
    }
    out.push(b'}');
}

fn write_number(number: &serde_json::Number, out: &mut Vec<u8>) {
    let as_double = number.as_f64().unwrap_or(f64::NAN);
    write_es_number(as_double, out);
}

/// A JSON string with only the escapes ECMAScript's `JSON.stringify` writes: `\"`, `\\`,
/// `\b \f \n \r \t`, and `\u00xx` (lowercase) for the other control characters.
fn write_string(text: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in text.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if u32::from(c) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", u32::from(c)).as_bytes());
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}
