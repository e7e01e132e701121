//! The examples in docs/INGESTION.md decode as the page says.

use phantom_otlp::{BodyFormat, Signal, decode};

const PAGE: &str = include_str!("../../../../docs/INGESTION.md");

#[test]
fn the_curl_examples_decode_without_rejections() {
    let mut checked = Vec::new();
    for example in PAGE.split("curl -s http://127.0.0.1:8080/v1/").skip(1) {
        let route = example.split_whitespace().next().unwrap_or_default();
        let Some((_, rest)) = example.split_once("-d '") else {
            continue;
        };
        let body = rest.split('\'').next().unwrap_or_default();
        let signal: Signal = route.parse().unwrap();
        let batch = decode(signal, body.as_bytes(), BodyFormat::Json)
            .unwrap_or_else(|e| panic!("the {route} example: {e}"));
        assert_eq!(
            batch.rejected, 0,
            "the {route} example: {:?}",
            batch.rejection
        );
        assert!(batch.accepted() >= 1, "the {route} example");
        checked.push(route);
    }
    assert_eq!(checked, ["logs", "metrics", "traces", "events"]);
}
