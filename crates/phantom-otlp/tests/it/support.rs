//! Builders for requests made with the proto types, and small helpers.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use phantom_otlp::proto::common::{AnyValue, InstrumentationScope, KeyValue, Resource, any_value};
use phantom_otlp::{Decoded, Record, RecordBody};

/// A string value.
pub fn string(s: &str) -> AnyValue {
    AnyValue {
        value: Some(any_value::Value::StringValue(s.to_owned())),
    }
}

/// An attribute.
pub fn kv(key: &str, value: AnyValue) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(value),
    }
}

/// A resource of service `service` on host `web-1`.
pub fn resource(service: &str) -> Option<Resource> {
    Some(Resource {
        attributes: vec![
            kv("service.name", string(service)),
            kv("host.name", string("web-1")),
        ],
        dropped_attributes_count: 0,
    })
}

/// A scope with one attribute.
pub fn scope() -> Option<InstrumentationScope> {
    Some(InstrumentationScope {
        name: "io.phantom.tests".to_owned(),
        version: "1.0.0".to_owned(),
        attributes: vec![kv("scope.attr", string("s"))],
        dropped_attributes_count: 0,
    })
}

/// `bytes` gzip-compressed.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// The text of a text record.
pub fn text(record: &Record) -> &str {
    match &record.body {
        RecordBody::Text(text) => text,
        RecordBody::Value { metric, .. } => panic!("expected text, found the value of {metric}"),
    }
}

/// The metric and value of a value record.
pub fn value(record: &Record) -> (&str, f64) {
    match &record.body {
        RecordBody::Value { metric, value } => (metric, *value),
        RecordBody::Text(text) => panic!("expected a value, found text {text:?}"),
    }
}

/// The texts of all records.
pub fn texts(decoded: &Decoded) -> Vec<&str> {
    decoded.records.iter().map(text).collect()
}
