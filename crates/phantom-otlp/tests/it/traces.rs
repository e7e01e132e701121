//! Traces: one text per span, hex ids in JSON.

use phantom_otlp::proto::collector::ExportTraceServiceRequest;
use phantom_otlp::proto::common::{AnyValue, any_value};
use phantom_otlp::proto::trace::{ResourceSpans, ScopeSpans, Span, Status, span};
use phantom_otlp::{BodyFormat, decode_traces};
use prost::Message;

use crate::support::{kv, resource, scope, string, text, texts};

fn request(spans: Vec<Span>) -> Vec<u8> {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: resource("frontend"),
            scope_spans: vec![ScopeSpans {
                scope: scope(),
                spans,
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    }
    .encode_to_vec()
}

#[test]
fn a_span_reads_name_kind_status_and_sorted_attributes() {
    let int = |v| AnyValue {
        value: Some(any_value::Value::IntValue(v)),
    };
    let spans = vec![
        Span {
            trace_id: vec![1; 16],
            span_id: vec![2; 8],
            name: "GET /users".to_owned(),
            kind: 2,
            start_time_unix_nano: 10,
            end_time_unix_nano: 20,
            attributes: vec![
                kv("http.status_code", int(504)),
                kv("http.route", string("/users")),
            ],
            events: vec![span::Event {
                name: "exception".to_owned(),
                ..span::Event::default()
            }],
            status: Some(Status {
                message: "timeout".to_owned(),
                code: 2,
            }),
            ..Span::default()
        },
        Span {
            name: "db.query".to_owned(),
            kind: 9,
            end_time_unix_nano: 30,
            ..Span::default()
        },
        Span {
            kind: 1,
            ..Span::default()
        },
    ];
    let decoded = decode_traces(&request(spans), BodyFormat::Protobuf).unwrap();
    assert_eq!(
        texts(&decoded),
        [
            "GET /users SERVER ERROR timeout http.route=/users http.status_code=504",
            "db.query 9 UNSET"
        ]
    );
    assert_eq!(decoded.records[0].time_unix_nano, 10);
    assert_eq!(
        decoded.records[1].time_unix_nano, 30,
        "the end time stands in for a missing start"
    );
    assert_eq!(
        decoded.records[0].attribute("http.status_code"),
        Some("504")
    );
    assert_eq!(
        decoded.records[0].attribute("service.name"),
        Some("frontend")
    );
    assert_eq!(decoded.rejected, 1);
    assert_eq!(
        decoded.rejection.as_deref(),
        Some("resourceSpans[0].scopeSpans[0].spans[2]: the span has no name")
    );
}

/// The shape of the specification's `examples/trace.json`, written by hand.
const SPEC_TRACE_JSON: &str = r#"{
  "resourceSpans": [{
    "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "my.service"}}]},
    "scopeSpans": [{
      "scope": {"name": "my.library", "version": "1.0.0",
                "attributes": [{"key": "my.scope.attribute", "value": {"stringValue": "some scope attribute"}}]},
      "spans": [{
        "traceId": "5B8EFFF798038103D269B633813FC60C",
        "spanId": "EEE19B7EC3C1B174",
        "parentSpanId": "eee19b7ec3c1b173",
        "name": "I'm a server span",
        "startTimeUnixNano": "1544712660000000000",
        "endTimeUnixNano": "1544712661000000000",
        "kind": 2,
        "attributes": [{"key": "my.span.attr", "value": {"stringValue": "some value"}}],
        "events": [{"timeUnixNano": "1544712660500000000", "name": "checkpoint"}],
        "links": [{"traceId": "5B8EFFF798038103D269B633813FC60D", "spanId": "EEE19B7EC3C1B175"}],
        "status": {}
      }]
    }]
  }]
}"#;

#[test]
fn the_specification_example_decodes() {
    let decoded = decode_traces(SPEC_TRACE_JSON.as_bytes(), BodyFormat::Json).unwrap();
    let record = &decoded.records[0];
    assert_eq!(
        text(record),
        "I'm a server span SERVER UNSET my.span.attr=some value"
    );
    assert_eq!(record.time_unix_nano, 1_544_712_660_000_000_000);
    assert_eq!(
        record.attribute("my.scope.attribute"),
        Some("some scope attribute")
    );

    let request: ExportTraceServiceRequest = serde_json::from_str(SPEC_TRACE_JSON).unwrap();
    let span = &request.resource_spans[0].scope_spans[0].spans[0];
    assert_eq!(
        hex::encode(&span.parent_span_id),
        "eee19b7ec3c1b173",
        "hex ids are case-insensitive"
    );
    assert_eq!(
        hex::encode(&span.links[0].trace_id),
        "5b8efff798038103d269b633813fc60d"
    );
    assert_eq!(
        decode_traces(&request.encode_to_vec(), BodyFormat::Protobuf).unwrap(),
        decoded
    );
}

#[test]
fn a_base64_id_is_an_error_that_says_ids_are_hex() {
    let json = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"a"},{"name":"b","traceId":"W47/95gDgQPSabYzgT/GDA=="}]}]}]}"#;
    let error = decode_traces(json.as_bytes(), BodyFormat::Json)
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("invalid JSON at resourceSpans[0].scopeSpans[0].spans[1].traceId: "),
        "{error}"
    );
    assert!(error.contains("OTLP/JSON writes ids in hex"), "{error}");
}

#[test]
fn span_enums_may_be_names() {
    let json = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[
        {"name":"a","kind":"SPAN_KIND_CLIENT","status":{"code":"STATUS_CODE_OK"}}]}]}]}"#;
    let decoded = decode_traces(json.as_bytes(), BodyFormat::Json).unwrap();
    assert_eq!(texts(&decoded), ["a CLIENT OK"]);
    let unknown = json.replace("SPAN_KIND_CLIENT", "CLIENT");
    let error = decode_traces(unknown.as_bytes(), BodyFormat::Json)
        .unwrap_err()
        .to_string();
    assert!(error.contains("spans[0].kind"), "{error}");
}
