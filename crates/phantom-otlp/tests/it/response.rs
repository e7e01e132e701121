//! Export responses, in protobuf and JSON.

use phantom_otlp::proto::collector::{
    ExportLogsServiceResponse, ExportMetricsServiceResponse, ExportTraceServiceResponse,
};
use phantom_otlp::{BodyFormat, Signal, encode_response, response_content_type};
use prost::Message;
use serde_json::{Value, json};

#[test]
fn full_success_is_an_empty_response() {
    for signal in [Signal::Logs, Signal::Metrics, Signal::Traces] {
        assert!(encode_response(signal, BodyFormat::Protobuf, 10, 0, None).is_empty());
        assert_eq!(
            encode_response(signal, BodyFormat::Json, 10, 0, None),
            b"{}"
        );
    }
}

#[test]
fn partial_success_carries_the_count_and_message_in_protobuf() {
    let body = encode_response(Signal::Logs, BodyFormat::Protobuf, 7, 3, Some("no body"));
    let partial = ExportLogsServiceResponse::decode(body.as_slice())
        .unwrap()
        .partial_success
        .unwrap();
    assert_eq!(
        (partial.rejected_log_records, partial.error_message.as_str()),
        (3, "no body")
    );

    let body = encode_response(Signal::Metrics, BodyFormat::Protobuf, 7, 2, None);
    let partial = ExportMetricsServiceResponse::decode(body.as_slice())
        .unwrap()
        .partial_success
        .unwrap();
    assert_eq!(
        (partial.rejected_data_points, partial.error_message.as_str()),
        (2, "")
    );

    let body = encode_response(
        Signal::Traces,
        BodyFormat::Protobuf,
        7,
        0,
        Some("a warning"),
    );
    let partial = ExportTraceServiceResponse::decode(body.as_slice())
        .unwrap()
        .partial_success
        .unwrap();
    assert_eq!(
        (partial.rejected_spans, partial.error_message.as_str()),
        (0, "a warning")
    );
}

#[test]
fn partial_success_in_json_uses_camel_case_and_string_int64() {
    let parse = |body: Vec<u8>| serde_json::from_slice::<Value>(&body).unwrap();
    assert_eq!(
        parse(encode_response(
            Signal::Logs,
            BodyFormat::Json,
            1,
            3,
            Some("why")
        )),
        json!({"partialSuccess": {"rejectedLogRecords": "3", "errorMessage": "why"}})
    );
    assert_eq!(
        parse(encode_response(
            Signal::Metrics,
            BodyFormat::Ndjson,
            1,
            2,
            None
        )),
        json!({"partialSuccess": {"rejectedDataPoints": "2"}})
    );
    assert_eq!(
        parse(encode_response(
            Signal::Traces,
            BodyFormat::Json,
            1,
            4,
            None
        )),
        json!({"partialSuccess": {"rejectedSpans": "4"}})
    );
}

#[test]
fn events_answer_counts_in_json() {
    let parse = |body: Vec<u8>| serde_json::from_slice::<Value>(&body).unwrap();
    assert_eq!(
        parse(encode_response(
            Signal::Events,
            BodyFormat::Ndjson,
            5,
            1,
            Some("line 2: bad")
        )),
        json!({"accepted": 5, "rejected": 1, "message": "line 2: bad"})
    );
    assert_eq!(
        parse(encode_response(
            Signal::Events,
            BodyFormat::Json,
            5,
            0,
            None
        )),
        json!({"accepted": 5, "rejected": 0, "message": null})
    );
}

#[test]
fn response_content_types_follow_the_request() {
    assert_eq!(
        response_content_type(BodyFormat::Protobuf),
        "application/x-protobuf"
    );
    assert_eq!(response_content_type(BodyFormat::Json), "application/json");
    assert_eq!(
        response_content_type(BodyFormat::Ndjson),
        "application/json"
    );
}
