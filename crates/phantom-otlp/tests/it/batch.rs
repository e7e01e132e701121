//! The batch form: origins kept once, the same records as the self-contained form.

use phantom_otlp::proto::collector::ExportLogsServiceRequest;
use phantom_otlp::proto::logs::{LogRecord, ResourceLogs, ScopeLogs};
use phantom_otlp::{
    BodyFormat, Signal, decode, decode_events, decode_logs, decode_metrics, decode_traces,
};
use prost::Message;

use crate::support::{kv, resource, scope, string};

fn two_resources() -> Vec<u8> {
    let record = |body: &str, host: Option<&str>| LogRecord {
        body: Some(string(body)),
        attributes: host
            .map(|h| vec![kv("host.name", string(h))])
            .unwrap_or_default(),
        ..LogRecord::default()
    };
    let resource_logs = |service: &str, records| ResourceLogs {
        resource: resource(service),
        scope_logs: vec![ScopeLogs {
            scope: scope(),
            log_records: records,
            ..ScopeLogs::default()
        }],
        ..ResourceLogs::default()
    };
    ExportLogsServiceRequest {
        resource_logs: vec![
            resource_logs("api", vec![record("a", None), record("b", Some("web-9"))]),
            resource_logs("db", vec![record("c", None)]),
        ],
    }
    .encode_to_vec()
}

#[test]
fn records_point_at_shared_origins() {
    let batch = decode(Signal::Logs, &two_resources(), BodyFormat::Protobuf).unwrap();
    assert_eq!(batch.origins.len(), 2);
    assert_eq!(batch.origins[0].service, "api");
    let origins: Vec<usize> = batch.records.iter().map(|r| r.origin).collect();
    assert_eq!(origins, [0, 0, 1]);
    let [a, b, c] = &batch.records[..] else {
        panic!("three records")
    };
    assert!(
        a.attributes.is_empty(),
        "the resource's attributes are not copied"
    );
    assert_eq!(batch.attribute(a, "host.name"), Some("web-1"));
    assert_eq!(
        batch.attribute(b, "host.name"),
        Some("web-9"),
        "own attributes come first"
    );
    assert_eq!(batch.attribute(c, "scope.attr"), Some("s"));
    assert_eq!(batch.attribute(c, "missing"), None);
    assert_eq!(batch.service(c), "db");
}

#[test]
fn the_batch_and_the_records_agree_for_every_signal() {
    let logs = two_resources();
    let decoded = decode_logs(&logs, BodyFormat::Protobuf).unwrap();
    let batch = decode(Signal::Logs, &logs, BodyFormat::Protobuf).unwrap();
    for (record, item) in decoded.records.iter().zip(&batch.records) {
        for (key, value) in &record.attributes {
            assert_eq!(batch.attribute(item, key), Some(value.as_str()), "{key}");
        }
    }
    assert_eq!(batch.into_decoded(), decoded);

    let metrics = br#"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","gauge":{"dataPoints":[{"asDouble":1},{}]}}]}]}]}"#;
    let batch = decode(Signal::Metrics, metrics, BodyFormat::Json).unwrap();
    assert_eq!((batch.accepted(), batch.rejected), (1, 1));
    assert_eq!(
        batch.into_decoded(),
        decode_metrics(metrics, BodyFormat::Json).unwrap()
    );

    let traces = br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"s"}]}]}]}"#;
    let batch = decode(Signal::Traces, traces, BodyFormat::Json).unwrap();
    assert_eq!(
        batch.into_decoded(),
        decode_traces(traces, BodyFormat::Json).unwrap()
    );
}

#[test]
fn consecutive_events_of_one_service_share_an_origin() {
    let body = br#"[{"service":"a","x":1},{"service":"a","x":2},{"service":"b"},{"service":"a"}]"#;
    let batch = decode(Signal::Events, body, BodyFormat::Json).unwrap();
    let services: Vec<&str> = batch.origins.iter().map(|o| o.service.as_str()).collect();
    assert_eq!(services, ["a", "b", "a"]);
    assert_eq!(batch.attribute(&batch.records[1], "x"), Some("2"));
    assert_eq!(
        batch.into_decoded(),
        decode_events(body, BodyFormat::Json).unwrap()
    );
}
