//! Telemetry over HTTP: OTLP logs and metrics (JSON, gzip) and JSON events in, anomalies out
//! (filtered, paged, statuses audited, live over SSE), evidence signed and checked.

use std::io::Write as _;
use std::time::Duration;

use phantom_engine::auth::Role;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::on_every_backend;
use crate::support::Server;

/// OTLP/JSON logs of `service`: one log record per line, times in nanoseconds as strings.
fn otlp_logs(service: &str, lines: &[String], first_ns: u64) -> Value {
    let records: Vec<Value> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            json!({
                "timeUnixNano": (first_ns + i as u64 * 1_000_000).to_string(),
                "severityNumber": 9,
                "severityText": "INFO",
                "body": {"stringValue": line},
                "attributes": [{"key": "host.name", "value": {"stringValue": "web-1"}}],
                "traceId": "5b8efff798038103d269b633813fc60c",
                "spanId": "eee19b7ec3c1b174"
            })
        })
        .collect();
    json!({"resourceLogs": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]},
        "scopeLogs": [{"scope": {"name": "test"}, "logRecords": records}]
    }]})
}

/// Normal web traffic, then error lines from event 1,600.
fn incident_lines() -> Vec<String> {
    let paths = ["orders", "users", "cart", "search"];
    let mut lines: Vec<String> = (0..1_600)
        .map(|i| {
            format!(
                "GET /api/{} status=200 took {} ms from 10.0.{}.{}",
                paths[i * 7 % 4],
                i * 13 % 97,
                i % 5,
                i % 200
            )
        })
        .collect();
    lines.extend((0..100).map(|i| {
        format!(
            "payment gateway timeout after {} ms; retry {} of 3",
            i * 31 % 5000,
            i % 3
        )
    }));
    lines
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Sets the sensitive preset on `key`'s stream.
async fn sensitive(s: &Server, admin: &str, stream: &str) {
    let path = format!("/v1/streams/{}/settings", stream.replace('/', "%2F"));
    let reply = s
        .req("PUT", &path)
        .key(admin)
        .json(&json!({"detector": "cbad", "preset": "sensitive"}))
        .send()
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["settings"]["settings"]["window_events"], 50);
}

on_every_backend!(otlp_logs_become_anomalies, otlp_logs_on);

async fn otlp_logs_on(s: &Server) {
    let dev = s.tenant.key(Role::Developer);
    let admin = s.tenant.admin();
    sensitive(s, admin, "checkout/logs").await;
    let lines = incident_lines();
    let first_ns = 1_790_000_000_000_000_000;
    for (n, chunk) in lines.chunks(400).enumerate() {
        let body = otlp_logs("checkout", chunk, first_ns + n as u64 * 400_000_000);
        let bytes = serde_json::to_vec(&body).unwrap();
        let reply = if n % 2 == 0 {
            s.req("POST", "/v1/logs")
                .key(dev)
                .body(bytes, "application/json")
        } else {
            s.req("POST", "/v1/logs")
                .key(dev)
                .header("content-encoding", "gzip")
                .body(gzip(&bytes), "application/json")
        }
        .send()
        .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(reply.header("content-type"), Some("application/json"));
        let answer = reply.json();
        assert!(
            answer.get("partialSuccess").is_none_or(|p| p
                .get("rejectedLogRecords")
                .is_none_or(|r| r == "0" || r == 0)),
            "{answer}"
        );
    }

    let viewer = s.tenant.key(Role::Viewer);
    let page = s.req("GET", "/v1/anomalies").key(viewer).send().await;
    assert_eq!(page.status, 200, "{}", page.text());
    let page = page.json();
    let anomalies = page["anomalies"].as_array().unwrap();
    let hit = anomalies
        .iter()
        .find(|a| a["last_event"].as_u64().unwrap() >= 1_600)
        .unwrap_or_else(|| panic!("no anomaly covers the incident: {page}"));
    assert_eq!(hit["stream"]["key"], "checkout/logs");
    assert_eq!(hit["status"], "open");
    assert!(hit["event_time"].as_i64().unwrap() >= 1_790_000_000_000);
    assert!(
        hit["explanation"]["changes"]["new_tokens"]
            .to_string()
            .contains("gateway"),
        "{hit}"
    );
    let id = hit["id"].as_str().unwrap();

    let one = s
        .req("GET", &format!("/v1/anomalies/{id}"))
        .key(viewer)
        .send()
        .await;
    assert_eq!(one.status, 200);
    assert_eq!(one.json()["explanation"], hit["explanation"]);

    // Filters and pages.
    let filtered = s
        .req("GET", "/v1/anomalies?stream=other%2Flogs")
        .key(viewer)
        .send()
        .await
        .json();
    assert!(filtered["anomalies"].as_array().unwrap().is_empty());
    if anomalies.len() > 1 {
        let first = s
            .req("GET", "/v1/anomalies?limit=1")
            .key(viewer)
            .send()
            .await
            .json();
        let next = first["next"].as_u64().expect("a next cursor");
        let second = s
            .req("GET", &format!("/v1/anomalies?limit=1&before={next}"))
            .key(viewer)
            .send()
            .await
            .json();
        assert_eq!(second["anomalies"][0]["id"], anomalies[1]["id"]);
    }
    let bad = s
        .req("GET", "/v1/anomalies?status=bogus")
        .key(viewer)
        .send()
        .await;
    assert!(bad.error(400, "invalid_input").contains("status"));

    // Status changes: viewers may not, developers may, and the audit log keeps them.
    let path = format!("/v1/anomalies/{id}/status");
    let denied = s
        .req("POST", &path)
        .key(viewer)
        .json(&json!({"status": "resolved"}))
        .send()
        .await;
    denied.error(403, "forbidden");
    let moved = s
        .req("POST", &path)
        .key(dev)
        .json(&json!({"status": "false_positive"}))
        .send()
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text());
    assert_eq!(moved.json()["status"], "false_positive");
    let audit = s
        .req("GET", "/v1/audit?action=anomalies.status")
        .key(admin)
        .send()
        .await
        .json();
    let record = &audit[0];
    assert_eq!(record["resource"], format!("anomalies/{id}"));
    assert_eq!(record["result"], "success");
    assert!(
        record["detail"]
            .as_str()
            .unwrap()
            .contains("false_positive"),
        "{record}"
    );

    // Another tenant sees nothing.
    let other = s.new_tenant().await;
    let theirs = s
        .req("GET", "/v1/anomalies")
        .key(other.admin())
        .send()
        .await
        .json();
    assert!(theirs["anomalies"].as_array().unwrap().is_empty());
    let missing = s
        .req("GET", &format!("/v1/anomalies/{id}"))
        .key(other.admin())
        .send()
        .await;
    missing.error(404, "not_found");

    // Streams list.
    let streams = s.req("GET", "/v1/streams").key(viewer).send().await.json();
    assert_eq!(streams[0]["key"], "checkout/logs");
    assert_eq!(streams[0]["events_seen"], 1_700);

    // Evidence: signed, checked with the public key, and as a PDF.
    let bundle = s
        .req("GET", "/v1/evidence")
        .key(s.tenant.key(Role::Auditor))
        .send()
        .await;
    assert_eq!(bundle.status, 200, "{}", bundle.text());
    let bundle = bundle.json();
    assert_eq!(
        bundle["anomalies"].as_array().unwrap().len(),
        anomalies.len()
    );
    let key = s.req("GET", "/v1/evidence/public-key").send().await.json();
    let trusted =
        phantom_evidence::PublicKey::from_base64(key["public_key"].as_str().unwrap()).unwrap();
    phantom_evidence::verify(&bundle, &trusted).unwrap();
    let mut tampered = bundle.clone();
    tampered["anomalies"][0]["score"] = json!(0.0);
    assert!(phantom_evidence::verify(&tampered, &trusted).is_err());
    let pdf = s
        .req("GET", "/v1/evidence?format=pdf")
        .key(viewer)
        .send()
        .await;
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    assert!(pdf.body.starts_with(b"%PDF-"));
}

on_every_backend!(events_and_metrics_are_scored, events_and_metrics_on);

async fn events_and_metrics_on(s: &Server) {
    let dev = s.tenant.key(Role::Developer);
    let ndjson: String = (0..20)
        .map(|i| format!("{{\"service\":\"edge\",\"action\":\"login\",\"user\":\"u{i}\"}}\n"))
        .collect();
    let reply = s
        .req("POST", "/v1/events")
        .key(dev)
        .body(ndjson, "application/x-ndjson")
        .send()
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["accepted"], 20);

    let points: Vec<Value> = (0..120)
        .map(|i| {
            let value = if i == 100 { 900.0 } else { 100.0 + f64::from(i % 5) };
            json!({"timeUnixNano": (1_790_000_000_000_000_000u64 + i as u64).to_string(), "asDouble": value})
        })
        .collect();
    let metrics = json!({"resourceMetrics": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "api"}}]},
        "scopeMetrics": [{"metrics": [{"name": "queue.depth", "gauge": {"dataPoints": points}}]}]
    }]});
    let reply = s
        .req("POST", "/v1/metrics")
        .key(dev)
        .json(&metrics)
        .send()
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let page = s
        .req("GET", "/v1/anomalies?stream=api%2Fmetrics%2Fqueue.depth")
        .key(dev)
        .send()
        .await
        .json();
    let spike = &page["anomalies"][0];
    assert_eq!(spike["detector"], "series", "{page}");
    assert_eq!(spike["first_event"], 100);
    assert_eq!(spike["explanation"]["kind"], "spike");

    let unsupported = s
        .req("POST", "/v1/logs")
        .key(dev)
        .body("x", "text/plain")
        .send()
        .await;
    unsupported.error(415, "unsupported_media_type");
    let malformed = s
        .req("POST", "/v1/logs")
        .key(dev)
        .body("{\"resourceLogs\": 5}", "application/json")
        .send()
        .await;
    assert!(
        malformed
            .error(400, "invalid_input")
            .contains("resourceLogs")
    );
    let viewer = s
        .req("POST", "/v1/events")
        .key(s.tenant.key(Role::Viewer))
        .body("[]", "application/json")
        .send()
        .await;
    viewer.error(403, "forbidden");
}

on_every_backend!(the_live_feed_sends_new_anomalies, live_feed_on);

async fn live_feed_on(s: &Server) {
    let dev = s.tenant.key(Role::Developer);
    sensitive(s, s.tenant.admin(), "feed/logs").await;
    let mut feed = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let head = format!(
        "GET /v1/anomalies/stream?stream=feed%2Flogs HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {dev}\r\n\r\n"
    );
    feed.write_all(head.as_bytes()).await.unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 8192];
    while !seen.contains("\r\n\r\n") {
        let n = feed.read(&mut buf).await.unwrap();
        assert!(n > 0);
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");
    assert!(seen.to_lowercase().contains("text/event-stream"), "{seen}");

    let body = otlp_logs("feed", &incident_lines(), 1);
    let reply = s.req("POST", "/v1/logs").key(dev).json(&body).send().await;
    assert_eq!(reply.status, 200, "{}", reply.text());

    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !seen.contains("event: anomaly") {
        let n = tokio::time::timeout_at(deadline, feed.read(&mut buf))
            .await
            .expect("an anomaly on the live feed within 20 s")
            .unwrap();
        assert!(n > 0, "the feed closed: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(seen.contains("\"stream\":{\"key\":\"feed/logs\""), "{seen}");
    // The server stops although the feed is still open (stop() waits for it).
}

/// With `--nats-url`, the server publishes batches to JetStream and a worker applies them:
/// the same events end up in the stream, scored the same way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_nats_the_server_publishes_and_a_worker_applies() {
    let Some(nats) = std::env::var("PHANTOM_TEST_NATS_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!("ingestion over NATS was not run: PHANTOM_TEST_NATS_URL is not set");
        return;
    };
    let namespace = format!("srv{}", std::process::id());
    let mut config = phantom_server::ServerConfig::default();
    config.nats.url = Some(nats.clone());
    config.nats.bus = phantom_engine::bus::BusOptions::namespaced(&namespace).unwrap();
    let s = Server::start_with(&crate::support::Backend::Sqlite, config.clone()).await;
    let bus = phantom_engine::bus::EventBus::connect(&nats, config.nats.bus.clone())
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(phantom_engine::bus::run_worker(
        s.engine.clone(),
        bus,
        phantom_engine::bus::WorkerOptions::default(),
        async move {
            let _ = stopped.await;
        },
    ));

    let dev = s.tenant.key(Role::Developer);
    sensitive(&s, s.tenant.admin(), "bus/logs").await;
    let body = otlp_logs("bus", &incident_lines(), 1);
    let reply = s.req("POST", "/v1/logs").key(dev).json(&body).send().await;
    assert_eq!(reply.status, 200, "{}", reply.text());

    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let stream = s
            .req("GET", "/v1/streams/bus%2Flogs")
            .key(dev)
            .send()
            .await
            .json();
        if stream["events_seen"] == 1_700 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the worker did not apply the batch: {stream}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let page = s
        .req("GET", "/v1/anomalies?stream=bus%2Flogs")
        .key(dev)
        .send()
        .await
        .json();
    assert!(
        page["anomalies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["last_event"].as_u64().unwrap() >= 1_600),
        "{page}"
    );
    let _ = stop.send(());
    worker.await.unwrap().unwrap();
    s.stop().await;
    let cleanup = phantom_engine::bus::EventBus::connect(&nats, config.nats.bus)
        .await
        .unwrap();
    cleanup.delete().await.unwrap();
}
