//! Bodies that cannot be decoded at all, and where their errors point.

use phantom_otlp::proto::collector::ExportLogsServiceRequest;
use phantom_otlp::proto::logs::{LogRecord, ResourceLogs, ScopeLogs};
use phantom_otlp::{BodyFormat, OtlpError, decode_logs, decode_metrics, decode_traces};
use prost::Message;

use crate::support::string;

fn scope_logs(records: usize, marker_at: Option<usize>) -> ScopeLogs {
    let record = |i| LogRecord {
        body: Some(string(if Some(i) == marker_at {
            "XXXXXXXX"
        } else {
            "fine"
        })),
        ..LogRecord::default()
    };
    ScopeLogs {
        log_records: (0..records).map(record).collect(),
        ..ScopeLogs::default()
    }
}

#[test]
fn malformed_protobuf_names_the_record() {
    let request = ExportLogsServiceRequest {
        resource_logs: vec![
            ResourceLogs {
                scope_logs: vec![scope_logs(2, None)],
                ..ResourceLogs::default()
            },
            ResourceLogs {
                scope_logs: vec![scope_logs(1, None), scope_logs(5, Some(3))],
                ..ResourceLogs::default()
            },
        ],
    };
    let mut body = request.encode_to_vec();
    let at = body.windows(8).position(|w| w == b"XXXXXXXX").unwrap();
    body[at..at + 8].fill(0xff); // not UTF-8: the string field is invalid
    let error = decode_logs(&body, BodyFormat::Protobuf).unwrap_err();
    let OtlpError::Protobuf { path, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(path, "resourceLogs[1].scopeLogs[1].logRecords[3]");
    let message = error.to_string();
    assert!(
        message.starts_with("invalid protobuf at resourceLogs[1].scopeLogs[1].logRecords[3]: "),
        "{message}"
    );
    assert!(message.contains("LogRecord.body"), "{message}");
}

#[test]
fn truncated_or_garbage_protobuf_is_an_error() {
    let request = ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            scope_logs: vec![scope_logs(3, None)],
            ..ResourceLogs::default()
        }],
    };
    let body = request.encode_to_vec();
    let error = decode_logs(&body[..body.len() - 3], BodyFormat::Protobuf).unwrap_err();
    assert!(matches!(error, OtlpError::Protobuf { .. }), "{error:?}");
    let error = decode_metrics(b"\xff\xff\xff", BodyFormat::Protobuf).unwrap_err();
    let OtlpError::Protobuf { path, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(path, ".");
    assert!(decode_traces(b"{\"resourceSpans\":[]}", BodyFormat::Protobuf).is_err());
}

#[test]
fn malformed_json_names_the_field() {
    let json = r#"{"resourceLogs":[{"scopeLogs":[
        {"logRecords":[]},
        {"logRecords":[{},{},{},{"body":{"intValue":"12x"}}]}]}]}"#;
    let error = decode_logs(json.as_bytes(), BodyFormat::Json).unwrap_err();
    let OtlpError::Json { path, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        path,
        "resourceLogs[0].scopeLogs[1].logRecords[3].body.intValue"
    );
    assert!(
        error.to_string().contains("\"12x\" is not an integer"),
        "{error}"
    );
}

#[test]
fn broken_json_is_an_error_at_the_top() {
    for body in [
        &b"{\"resourceLogs\": ["[..],
        b"",
        b"[1,2]",
        b"{} trailing",
        b"\xff",
    ] {
        let error = decode_logs(body, BodyFormat::Json).unwrap_err();
        assert!(matches!(error, OtlpError::Json { .. }), "{error:?}");
        assert!(!error.is_unsupported_media_type());
    }
    let error = decode_logs(b"{} trailing", BodyFormat::Json)
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("invalid JSON at .: trailing characters"),
        "{error}"
    );
}

#[test]
fn a_wrong_type_names_the_field() {
    let json = r#"{"resourceLogs":[{"resource":{"attributes":[{"key":"a","value":{"boolValue":"yes"}}]}}]}"#;
    let error = decode_logs(json.as_bytes(), BodyFormat::Json)
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with(
            "invalid JSON at resourceLogs[0].resource.attributes[0].value.boolValue: "
        ),
        "{error}"
    );
}

#[test]
fn errors_can_cross_threads() {
    fn assert_traits<T: Send + Sync + 'static>() {}
    assert_traits::<OtlpError>();
    assert_traits::<phantom_otlp::Decoded>();
    assert_traits::<ExportLogsServiceRequest>();
}
