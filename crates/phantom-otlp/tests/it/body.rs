//! Content types, content encodings and the decompressed size limit.

use std::borrow::Cow;

use phantom_otlp::{BodyFormat, OtlpError, Signal, body_format, decode_body};

use crate::support::gzip;

#[test]
fn content_types_ignore_parameters_and_case() {
    let cases = [
        ("application/x-protobuf", BodyFormat::Protobuf),
        ("application/protobuf", BodyFormat::Protobuf),
        ("application/json; charset=utf-8", BodyFormat::Json),
        ("Application/JSON", BodyFormat::Json),
        ("application/x-ndjson", BodyFormat::Ndjson),
        (" application/jsonl ;q=1", BodyFormat::Ndjson),
    ];
    for (header, format) in cases {
        assert_eq!(body_format(Some(header)).unwrap(), format, "{header}");
    }
}

#[test]
fn other_content_types_are_unsupported_media_types_naming_the_accepted_ones() {
    for header in [
        None,
        Some("text/plain"),
        Some(""),
        Some("application/jsonx"),
    ] {
        let error = body_format(header).unwrap_err();
        assert!(error.is_unsupported_media_type(), "{header:?}");
        let message = error.to_string();
        assert!(message.contains("application/x-protobuf"), "{message}");
        assert!(message.contains("application/json"), "{message}");
    }
    let message = body_format(Some("text/plain")).unwrap_err().to_string();
    assert!(
        message.starts_with("unsupported content type \"text/plain\""),
        "{message}"
    );
}

#[test]
fn identity_bodies_are_borrowed() {
    for encoding in [None, Some("identity"), Some(" Identity ")] {
        let body = decode_body(b"abc", encoding, 3).unwrap();
        assert!(matches!(body, Cow::Borrowed(b"abc")), "{encoding:?}");
    }
    let error = decode_body(b"abcd", None, 3).unwrap_err();
    assert!(error.is_too_large());
}

#[test]
fn gzip_bodies_are_inflated() {
    let text = b"hello otlp ".repeat(100);
    for encoding in ["gzip", "GZIP", "x-gzip"] {
        let compressed = gzip(&text);
        let body = decode_body(&compressed, Some(encoding), text.len()).unwrap();
        assert_eq!(body.as_ref(), text.as_slice(), "{encoding}");
    }
    let mut two_members = gzip(b"one ");
    two_members.extend(gzip(b"two"));
    assert_eq!(
        decode_body(&two_members, Some("gzip"), 100)
            .unwrap()
            .as_ref(),
        b"one two"
    );
}

#[test]
fn a_zip_bomb_stops_at_the_limit() {
    // 64 members of 1 MiB of zeros each: 64 MiB from about 64 KiB.
    let member = gzip(&vec![0; 1 << 20]);
    let bomb = member.repeat(64);
    assert!(bomb.len() < 200_000);
    let limit = 4 << 20;
    let error = decode_body(&bomb, Some("gzip"), limit).unwrap_err();
    assert!(
        matches!(error, OtlpError::BodyTooLarge { limit: 4_194_304 }),
        "{error:?}"
    );
    assert!(error.is_too_large());
    assert!(error.to_string().contains("4194304 bytes"), "{error}");
}

#[test]
fn corrupt_gzip_is_a_bad_request() {
    let mut body = gzip(b"some text that compresses");
    body.truncate(body.len() - 6);
    let error = decode_body(&body, Some("gzip"), 1000).unwrap_err();
    assert!(matches!(error, OtlpError::Gzip { .. }), "{error:?}");
    assert!(!error.is_unsupported_media_type());
    assert!(decode_body(b"not gzip", Some("gzip"), 1000).is_err());
}

#[test]
fn other_encodings_are_unsupported_media_types() {
    let error = decode_body(b"x", Some("br"), 10).unwrap_err();
    assert!(error.is_unsupported_media_type());
    assert_eq!(
        error.to_string(),
        "unsupported content encoding \"br\"; send gzip or identity (none)"
    );
}

#[test]
fn signals_have_stable_names() {
    for signal in Signal::ALL {
        assert_eq!(signal.as_str().parse::<Signal>(), Ok(signal));
        assert_eq!(
            serde_json::to_string(&signal).unwrap(),
            format!("\"{}\"", signal.as_str())
        );
    }
    assert_eq!(
        "spans".parse::<Signal>(),
        Err("unknown signal \"spans\"; expected one of logs, metrics, traces, events".to_owned())
    );
}
