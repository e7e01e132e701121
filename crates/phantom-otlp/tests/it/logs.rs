//! Logs: protobuf and JSON requests, severity and body text, attributes, rejections.

use phantom_otlp::proto::collector::ExportLogsServiceRequest;
use phantom_otlp::proto::common::{AnyValue, KeyValue, KeyValueList, any_value};
use phantom_otlp::proto::logs::{LogRecord, ResourceLogs, ScopeLogs};
use phantom_otlp::{BodyFormat, decode_body, decode_logs};
use prost::Message;

use crate::support::{gzip, kv, resource, scope, string, text, texts};

const T: u64 = 1_700_000_000_000_000_000;

fn request(service: &str, records: Vec<LogRecord>) -> ExportLogsServiceRequest {
    ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            resource: resource(service),
            scope_logs: vec![ScopeLogs {
                scope: scope(),
                log_records: records,
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    }
}

fn three_records() -> Vec<LogRecord> {
    let map = AnyValue {
        value: Some(any_value::Value::KvlistValue(KeyValueList {
            values: vec![
                kv("user", string("bob")),
                kv(
                    "attempts",
                    AnyValue {
                        value: Some(any_value::Value::IntValue(3)),
                    },
                ),
            ],
        })),
    };
    vec![
        LogRecord {
            time_unix_nano: T,
            severity_text: "WARN".to_owned(),
            body: Some(string("disk almost full")),
            attributes: vec![kv("host.name", string("web-2")), kv("disk", string("sda"))],
            trace_id: vec![7; 16],
            span_id: vec![8; 8],
            ..LogRecord::default()
        },
        LogRecord {
            observed_time_unix_nano: T + 5,
            severity_number: 17,
            body: Some(map),
            ..LogRecord::default()
        },
        LogRecord {
            time_unix_nano: T + 9,
            body: Some(AnyValue {
                value: Some(any_value::Value::IntValue(42)),
            }),
            ..LogRecord::default()
        },
    ]
}

#[test]
fn protobuf_round_trip_flattens_every_record() {
    let body = request("checkout", three_records()).encode_to_vec();
    let decoded = decode_logs(&body, BodyFormat::Protobuf).unwrap();
    assert_eq!(decoded.rejected, 0);
    assert_eq!(
        texts(&decoded),
        [
            "WARN disk almost full",
            r#"ERROR {"user":"bob","attempts":3}"#,
            "42"
        ]
    );
    let times: Vec<u64> = decoded.records.iter().map(|r| r.time_unix_nano).collect();
    assert_eq!(
        times,
        [T, T + 5, T + 9],
        "the observed time stands in for a missing time"
    );
    let first = &decoded.records[0];
    assert_eq!(first.service, "checkout");
    let pairs: Vec<(&str, &str)> = first
        .attributes
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("service.name", "checkout"),
            ("host.name", "web-2"),
            ("scope.attr", "s"),
            ("disk", "sda")
        ],
        "record attributes override resource ones in place"
    );
    assert_eq!(decoded.records[1].attribute("host.name"), Some("web-1"));
}

#[test]
fn gzip_bodies_decode_to_the_same_records() {
    let plain = request("checkout", three_records()).encode_to_vec();
    let compressed = gzip(&plain);
    let body = decode_body(&compressed, Some("gzip"), 1 << 20).unwrap();
    assert_eq!(
        decode_logs(&body, BodyFormat::Protobuf).unwrap(),
        decode_logs(&plain, BodyFormat::Protobuf).unwrap()
    );
}

/// The shape of the specification's `examples/logs.json`, written by hand.
const SPEC_LOGS_JSON: &str = r#"{
  "resourceLogs": [{
    "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "my.service"}}]},
    "scopeLogs": [{
      "scope": {"name": "my.library", "version": "1.0.0",
                "attributes": [{"key": "my.scope.attribute", "value": {"stringValue": "some scope attribute"}}]},
      "logRecords": [{
        "timeUnixNano": "1544712660300000000",
        "observedTimeUnixNano": "1544712660300000000",
        "severityNumber": 10,
        "severityText": "Information",
        "traceId": "5B8EFFF798038103D269B633813FC60C",
        "spanId": "EEE19B7EC3C1B174",
        "body": {"stringValue": "Example log record"},
        "attributes": [
          {"key": "string.attribute", "value": {"stringValue": "some string"}},
          {"key": "boolean.attribute", "value": {"boolValue": true}},
          {"key": "int.attribute", "value": {"intValue": "10"}},
          {"key": "double.attribute", "value": {"doubleValue": 637.704}},
          {"key": "array.attribute", "value": {"arrayValue": {"values": [{"stringValue": "many"}, {"stringValue": "values"}]}}},
          {"key": "map.attribute", "value": {"kvlistValue": {"values": [{"key": "some.map.key", "value": {"stringValue": "some value"}}]}}}
        ]
      }]
    }]
  }]
}"#;

#[test]
fn the_specification_example_decodes() {
    let decoded = decode_logs(SPEC_LOGS_JSON.as_bytes(), BodyFormat::Json).unwrap();
    assert_eq!(decoded.rejected, 0);
    let record = &decoded.records[0];
    assert_eq!(record.service, "my.service");
    assert_eq!(record.time_unix_nano, 1_544_712_660_300_000_000);
    assert_eq!(text(record), "Information Example log record");
    let expected = [
        ("my.scope.attribute", "some scope attribute"),
        ("string.attribute", "some string"),
        ("boolean.attribute", "true"),
        ("int.attribute", "10"),
        ("double.attribute", "637.704"),
        ("array.attribute", r#"["many","values"]"#),
        ("map.attribute", r#"{"some.map.key":"some value"}"#),
    ];
    for (key, value) in expected {
        assert_eq!(record.attribute(key), Some(value), "attribute {key}");
    }
}

#[test]
fn json_and_protobuf_forms_of_one_request_agree() {
    let json = SPEC_LOGS_JSON.as_bytes();
    let from_json: ExportLogsServiceRequest = serde_json::from_slice(json).unwrap();
    let record = &from_json.resource_logs[0].scope_logs[0].log_records[0];
    assert_eq!(
        hex::encode_upper(&record.trace_id),
        "5B8EFFF798038103D269B633813FC60C"
    );
    assert_eq!(record.span_id.len(), 8);
    let protobuf = from_json.encode_to_vec();
    assert_eq!(
        decode_logs(&protobuf, BodyFormat::Protobuf).unwrap(),
        decode_logs(json, BodyFormat::Json).unwrap()
    );
}

#[test]
fn json_variants_the_mapping_allows_are_read() {
    let json = r#"{"resourceLogs":[{"resource":null,"unknownField":{"deep":[1,2]},
      "scopeLogs":[{"logRecords":[
        {"timeUnixNano":1700000000000000000,"severityNumber":"SEVERITY_NUMBER_WARN",
         "severityText":null,"attributes":null,"body":{"stringValue":"a"},"futureField":true},
        {"time_unix_nano":"5","severityNumber":13,"body":{"stringValue":"b"}}]}]}]}"#;
    let decoded = decode_logs(json.as_bytes(), BodyFormat::Json).unwrap();
    assert_eq!(texts(&decoded), ["WARN a", "WARN b"]);
    assert_eq!(
        decoded.records[0].time_unix_nano, T,
        "a 64-bit integer may be a number"
    );
    assert_eq!(
        decoded.records[1].time_unix_nano, 0,
        "snake_case names are not OTLP/JSON: the field is unknown and ignored"
    );
    assert_eq!(decoded.records[0].service, "unknown_service");
}

#[test]
fn records_with_neither_body_nor_severity_are_rejected_and_counted() {
    let records = vec![
        LogRecord {
            severity_text: "INFO".to_owned(),
            ..LogRecord::default()
        },
        LogRecord {
            body: Some(AnyValue::default()),
            ..LogRecord::default()
        },
        LogRecord {
            body: Some(string("")),
            severity_number: 0,
            ..LogRecord::default()
        },
        LogRecord {
            severity_number: 99,
            ..LogRecord::default()
        },
        LogRecord {
            body: Some(string("kept")),
            ..LogRecord::default()
        },
    ];
    let body = request("svc", records).encode_to_vec();
    let decoded = decode_logs(&body, BodyFormat::Protobuf).unwrap();
    assert_eq!(texts(&decoded), ["INFO", "kept"]);
    assert_eq!(decoded.rejected, 3);
    assert_eq!(decoded.accepted(), 2);
    assert_eq!(
        decoded.rejection.as_deref(),
        Some(
            "resourceLogs[0].scopeLogs[0].logRecords[1]: the log record has neither a body nor a severity"
        )
    );
}

#[test]
fn ndjson_holds_one_request_per_line() {
    let line = |body: &str| {
        format!(
            r#"{{"resourceLogs":[{{"scopeLogs":[{{"logRecords":[{{"body":{{"stringValue":"{body}"}}}}]}}]}}]}}"#
        )
    };
    let bad = r#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{}]}]}]}"#;
    let body = format!("{}\r\n\n{}\n{bad}\n", line("one"), line("two"));
    let decoded = decode_logs(body.as_bytes(), BodyFormat::Ndjson).unwrap();
    assert_eq!(texts(&decoded), ["one", "two"]);
    assert_eq!(decoded.rejected, 1);
    let rejection = decoded.rejection.unwrap();
    assert!(
        rejection.starts_with("line 4: resourceLogs[0]"),
        "{rejection}"
    );
}

#[test]
fn an_attribute_without_a_value_is_empty() {
    let record = LogRecord {
        body: Some(string("x")),
        attributes: vec![KeyValue {
            key: "empty".to_owned(),
            value: None,
        }],
        ..LogRecord::default()
    };
    let decoded = decode_logs(
        &request("svc", vec![record]).encode_to_vec(),
        BodyFormat::Protobuf,
    );
    assert_eq!(decoded.unwrap().records[0].attribute("empty"), Some(""));
}
