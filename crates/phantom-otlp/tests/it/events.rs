//! Plain JSON events, as an array or NDJSON.

use phantom_otlp::{BodyFormat, OtlpError, decode_events};

use crate::support::{text, texts};

const NOON: u64 = 1_714_564_800_000_000_000; // 2024-05-01T12:00:00Z

#[test]
fn an_array_of_objects_gives_one_record_each() {
    let body = r#"[
      {"user":"bob","service":"auth","timestamp":"2024-05-01T12:00:00Z","ok":false,"n":1.50,
       "nested":{"b":1,"a":[2,{"d":null,"c":"x"}]}},
      {"service.name":"billing","service":"ignored","time":1714564800123,"msg":"paid"},
      5,
      {"@timestamp":"2024-05-01T14:00:00+02:00"}
    ]"#;
    let decoded = decode_events(body.as_bytes(), BodyFormat::Json).unwrap();
    assert_eq!(
        text(&decoded.records[0]),
        r#"{"n":1.5,"nested":{"a":[2,{"c":"x","d":null}],"b":1},"ok":false,"service":"auth","timestamp":"2024-05-01T12:00:00Z","user":"bob"}"#
    );
    let first = &decoded.records[0];
    assert_eq!(first.service, "auth");
    assert_eq!(first.time_unix_nano, NOON);
    let keys: Vec<&str> = first.attributes.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        ["n", "ok", "service", "timestamp", "user"],
        "top-level scalars, in key order"
    );
    assert_eq!(first.attribute("ok"), Some("false"));
    assert_eq!(first.attribute("n"), Some("1.5"));

    let second = &decoded.records[1];
    assert_eq!(second.service, "billing");
    assert_eq!(
        second.time_unix_nano,
        NOON + 123_000_000,
        "13 digits are milliseconds"
    );
    assert_eq!(decoded.records[2].time_unix_nano, NOON);
    assert_eq!(decoded.records[2].service, "unknown_service");

    assert_eq!(decoded.rejected, 1);
    assert_eq!(
        decoded.rejection.as_deref(),
        Some("[2]: the event is not a JSON object")
    );
}

#[test]
fn ndjson_names_the_bad_line() {
    let body = "{\"a\":1}\r\n\n   \n{\"a\":2}\n{\"a\":\n{\"a\":4}\n";
    let error = decode_events(body.as_bytes(), BodyFormat::Ndjson).unwrap_err();
    assert!(
        matches!(error, OtlpError::Line { line: 5, .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().starts_with("line 5: invalid JSON"),
        "{error}"
    );
    assert!(!error.is_unsupported_media_type());
}

#[test]
fn ndjson_events_with_a_bad_time_are_rejected_with_their_line() {
    let body =
        "{\"a\":1}\n{\"timestamp\":\"yesterday\"}\n[1]\n{\"time\":-3}\n{\"time\":null,\"b\":2}";
    let decoded = decode_events(body.as_bytes(), BodyFormat::Ndjson).unwrap();
    assert_eq!(texts(&decoded), [r#"{"a":1}"#, r#"{"b":2,"time":null}"#]);
    assert_eq!(decoded.rejected, 3);
    let rejection = decoded.rejection.unwrap();
    assert!(
        rejection.starts_with("line 2: `timestamp` \"yesterday\" is not an RFC 3339"),
        "{rejection}"
    );
}

#[test]
fn one_object_is_one_event_and_a_scalar_is_an_error() {
    let decoded = decode_events(br#"{"a":"b"}"#, BodyFormat::Json).unwrap();
    assert_eq!(texts(&decoded), [r#"{"a":"b"}"#]);
    let error = decode_events(b"42", BodyFormat::Json)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("expected a JSON array of event objects"),
        "{error}"
    );
}

#[test]
fn events_are_not_protobuf() {
    let error = decode_events(b"\x0a\x00", BodyFormat::Protobuf).unwrap_err();
    assert!(error.is_unsupported_media_type());
    assert!(
        error.to_string().contains("application/x-ndjson"),
        "{error}"
    );
}
