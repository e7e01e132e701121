//! A real client: the OpenTelemetry Python SDK exports logs, spans and a gauge over OTLP/HTTP
//! (protobuf) to a running `phantom serve`, and the records arrive and are scored.
//!
//! The Python with the SDK installed (tests/otel/requirements.txt) is `PHANTOM_TEST_PYTHON`;
//! CI sets it, and without it the test says so on stderr and does not run.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};

use crate::serve::Served;
use crate::support::workdir;

/// The service name the SDK is given through `OTEL_SERVICE_NAME`.
const SERVICE: &str = "checkout-py";

/// The export script beside this test binary's sources.
fn script() -> PathBuf {
    [env!("CARGO_MANIFEST_DIR"), "tests", "otel", "export.py"]
        .iter()
        .collect()
}

/// Runs the export script with `python` against `server`; returns what it says it sent.
fn export(python: &str, server: &Served, key: &str) -> Value {
    let mut command = Command::new(python);
    command.arg(script());
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("OTEL_")) {
        command.env_remove(name);
    }
    let out = command
        .env(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            format!("http://{}", server.addr),
        )
        .env(
            "OTEL_EXPORTER_OTLP_HEADERS",
            format!("authorization=Bearer%20{key}"),
        )
        .env("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "gzip")
        .env("OTEL_SERVICE_NAME", SERVICE)
        .output()
        .unwrap_or_else(|e| panic!("{python} does not run: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "export.py failed ({}): {stdout}{stderr}",
        out.status
    );
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("export.py printed no summary ({e}): {stdout}{stderr}"))
}

/// The stream `key` from a `GET /v1/streams` answer.
fn stream<'a>(streams: &'a Value, key: &str) -> &'a Value {
    streams
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == key)
        .unwrap_or_else(|| panic!("no stream {key}: {streams}"))
}

/// The anomalies of stream `key`.
fn anomalies(server: &Served, key: &str, api_key: &str) -> Vec<Value> {
    let path = format!("/v1/anomalies?stream={}", key.replace('/', "%2F"));
    let (status, page) = server.call("GET", &path, Some(api_key), None);
    assert_eq!(status, 200, "{page}");
    page["anomalies"].as_array().unwrap().clone()
}

#[test]
fn python_sdk_exports_arrive_and_are_scored() {
    let Ok(python) = std::env::var("PHANTOM_TEST_PYTHON") else {
        eprintln!(
            "the OpenTelemetry Python SDK test was not run: PHANTOM_TEST_PYTHON is not set \
             (a Python with crates/phantom-cli/tests/otel/requirements.txt installed)"
        );
        return;
    };
    let dir = workdir();
    let data = dir.path().join("data");
    let server = Served::start(&data);
    let key = std::fs::read_to_string(data.join("admin.key")).unwrap();
    let key = key.trim();
    let logs = format!("{SERVICE}/logs");
    let (status, settings) = server.call(
        "PUT",
        &format!("/v1/streams/{SERVICE}%2Flogs/settings"),
        Some(key),
        Some(&json!({"detector": "cbad", "preset": "sensitive"})),
    );
    assert_eq!(status, 200, "{settings}");

    let sent = export(&python, &server, key);
    assert_eq!(sent["service"], SERVICE, "{sent}");

    let (status, streams) = server.call("GET", "/v1/streams", Some(key), None);
    assert_eq!(status, 200, "{streams}");
    assert_eq!(stream(&streams, &logs)["events_seen"], sent["logs"]);
    let traces = stream(&streams, &format!("{SERVICE}/traces"));
    assert_eq!(traces["events_seen"], sent["spans"]);
    let metric = format!("{SERVICE}/metrics/{}", sent["metric"].as_str().unwrap());
    assert_eq!(stream(&streams, &metric)["events_seen"], sent["points"]);

    let incident = sent["incident_first"].as_u64().unwrap();
    let found = anomalies(&server, &logs, key);
    let hit = found
        .iter()
        .find(|a| a["last_event"].as_u64().unwrap() >= incident)
        .unwrap_or_else(|| {
            panic!("no anomaly covers the incident from event {incident}: {found:?}")
        });
    assert_eq!(hit["detector"], "cbad", "{hit}");
    assert!(
        hit["explanation"]["changes"]["new_tokens"]
            .to_string()
            .contains("gateway"),
        "{hit}"
    );

    let spike = sent["spike_at"].as_u64().unwrap();
    let found = anomalies(&server, &metric, key);
    assert!(
        found
            .iter()
            .any(|a| a["detector"] == "series" && a["last_event"] == spike),
        "no anomaly at the gauge's spike (point {spike}): {found:?}"
    );
    server.terminate();
}
