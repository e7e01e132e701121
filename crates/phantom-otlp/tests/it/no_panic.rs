//! No input makes a decoder panic.

use phantom_otlp::proto::collector::ExportLogsServiceRequest;
use phantom_otlp::proto::logs::{LogRecord, ResourceLogs, ScopeLogs};
use phantom_otlp::{
    BodyFormat, decode_body, decode_events, decode_logs, decode_metrics, decode_traces,
};
use proptest::prelude::*;
use prost::Message;

use crate::support::{kv, resource, string};

const VALID_JSON: &str = r#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":17,
    "timeUnixNano":"5","body":{"stringValue":"x"},"attributes":[{"key":"a","value":{"intValue":"3"}}]}]}]}]}"#;

const FORMATS: [BodyFormat; 3] = [BodyFormat::Protobuf, BodyFormat::Json, BodyFormat::Ndjson];

fn decode_all(body: &[u8]) {
    for format in FORMATS {
        let _ = decode_logs(body, format);
        let _ = decode_metrics(body, format);
        let _ = decode_traces(body, format);
        let _ = decode_events(body, format);
    }
}

fn valid_logs() -> Vec<u8> {
    let record = LogRecord {
        time_unix_nano: 1,
        severity_number: 9,
        body: Some(string("user bob logged in")),
        attributes: vec![kv("k", string("v"))],
        ..LogRecord::default()
    };
    ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            resource: resource("svc"),
            scope_logs: vec![ScopeLogs {
                log_records: vec![record; 3],
                ..ScopeLogs::default()
            }],
            ..ResourceLogs::default()
        }],
    }
    .encode_to_vec()
}

proptest! {
    #[test]
    fn arbitrary_bytes(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        decode_all(&body);
        let _ = decode_body(&body, Some("gzip"), 1024);
    }

    #[test]
    fn json_like_text(body in "[\\[\\]{}\":,0-9a-zA-Z .\\-\n]{0,200}") {
        decode_all(body.as_bytes());
    }

    #[test]
    fn mutated_valid_protobuf(flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let mut body = valid_logs();
        for (at, byte) in flips {
            let len = body.len();
            body[at % len] = byte;
        }
        decode_all(&body);
    }

    #[test]
    fn mutated_valid_json(flips in proptest::collection::vec((any::<usize>(), "[\\[\\]{}\":,0-9a-z ]"), 1..6)) {
        let mut body = VALID_JSON.as_bytes().to_vec();
        for (at, text) in flips {
            let len = body.len();
            body[at % len] = text.as_bytes()[0];
        }
        decode_all(&body);
    }
}
