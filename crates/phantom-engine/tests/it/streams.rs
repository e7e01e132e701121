//! Streams through the engine: events in, anomalies stored with their explanations, statuses,
//! settings per stream, state that survives a restart, and two engines on one stream.

use phantom_detect::text::Preset;
use phantom_engine::streams::{
    AnomalyQuery, AnomalyStatus, DetectorName, EventBody, Signal, StreamEvent, StreamId,
    StreamSettingsRequest,
};
use phantom_engine::{Engine, ErrorKind};

use crate::support::{T, engine, engine_in, service_url, unique_tenant};

pub(crate) fn logs(service: &str) -> StreamId {
    StreamId {
        service: service.into(),
        signal: Signal::Logs,
        metric: None,
        partition: None,
    }
}

/// Normal web traffic, then 100 error lines from event 1,600.
pub(crate) fn incident_lines() -> Vec<String> {
    let paths = ["orders", "users", "cart", "search"];
    let mut lines: Vec<String> = (0..1_600)
        .map(|i| {
            format!(
                "INFO GET /api/{} status=200 took {} ms from 10.0.{}.{}",
                paths[i * 7 % 4],
                i * 13 % 97,
                i % 5,
                i % 200
            )
        })
        .collect();
    lines.extend((0..100).map(|i| {
        format!(
            "ERROR payment gateway timeout after {} ms; retry {} of 3",
            i * 31 % 5000,
            i % 3
        )
    }));
    lines
}

fn events(id: &StreamId, lines: &[String]) -> Vec<StreamEvent> {
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| StreamEvent {
            stream: id.clone(),
            time: Some(1_700_000_000_000 + i as i64),
            body: EventBody::Text(line.clone()),
        })
        .collect()
}

pub(crate) async fn sensitive(engine: &Engine, tenant: &str, id: &StreamId) {
    let request = StreamSettingsRequest {
        detector: DetectorName::Cbad,
        preset: Some(Preset::Sensitive),
        settings: None,
    };
    engine
        .set_stream_settings(tenant, id, &request)
        .await
        .unwrap();
}

/// Feeds `lines` in batches of `batch`; every anomaly found, in order.
pub(crate) async fn feed(
    engine: &Engine,
    tenant: &str,
    id: &StreamId,
    lines: &[String],
    batch: usize,
) -> Vec<String> {
    let mut found = Vec::new();
    for chunk in events(id, lines).chunks(batch) {
        let report = engine.ingest(tenant, chunk.to_vec(), None).await.unwrap();
        assert_eq!(report.accepted, chunk.len() as u64);
        found.extend(report.anomalies.into_iter().map(|a| a.id));
    }
    found
}

#[tokio::test]
async fn an_incident_is_stored_with_its_explanation_and_moves_through_statuses() {
    let (engine, _dir) = engine().await;
    let id = logs("checkout");
    sensitive(&engine, T, &id).await;
    let found = feed(&engine, T, &id, &incident_lines(), 250).await;
    assert!(!found.is_empty(), "the incident was not found");

    let page = engine.anomalies(T, &AnomalyQuery::default()).await.unwrap();
    assert_eq!(page.anomalies.len(), found.len());
    let hit = page
        .anomalies
        .iter()
        .find(|a| a.last_event >= 1_600)
        .expect("no anomaly covers the incident");
    assert_eq!(hit.stream.key, "checkout/logs");
    assert_eq!(hit.detector, "cbad");
    assert_eq!(hit.status, AnomalyStatus::Open);
    assert!(hit.p_value.unwrap() <= 0.05, "{hit:?}");
    assert!(hit.summary.contains("NCD"), "{}", hit.summary);
    let e = &hit.explanation;
    assert_eq!(e["window"]["sha256"].as_str().unwrap().len(), 64, "{e}");
    assert_eq!(e["chain_sha256"].as_str().unwrap().len(), 64, "{e}");
    assert!(
        e["changes"]["new_tokens"].to_string().contains("ERROR"),
        "{e}"
    );
    assert!(hit.event_time.unwrap() >= 1_700_000_000_000);

    let acked = engine
        .set_anomaly_status(T, &hit.id, AnomalyStatus::Acknowledged)
        .await
        .unwrap();
    assert_eq!(acked.status, AnomalyStatus::Acknowledged);
    let open = AnomalyQuery {
        status: Some(AnomalyStatus::Acknowledged),
        ..AnomalyQuery::default()
    };
    let listed = engine.anomalies(T, &open).await.unwrap().anomalies;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, hit.id);

    let other = unique_tenant("streams-other");
    assert_eq!(
        engine.anomaly(&other, &hit.id).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert!(
        engine
            .anomalies(&other, &AnomalyQuery::default())
            .await
            .unwrap()
            .anomalies
            .is_empty()
    );

    let streams = engine.streams(T).await.unwrap();
    assert_eq!(streams.len(), 1);
    assert_eq!(streams[0].events_seen, 1_700);
    assert_eq!(streams[0].settings.name(), "cbad");
}

#[tokio::test]
async fn a_restart_resumes_the_baseline_and_finds_the_same_anomalies() {
    let lines = incident_lines();
    let id = logs("api");
    let (whole, _d1) = engine().await;
    sensitive(&whole, T, &id).await;
    let expected = feed(&whole, T, &id, &lines, 100).await;
    assert!(!expected.is_empty());

    let dir = tempfile::tempdir().unwrap();
    let first = engine_in(dir.path(), |_| {}).await;
    sensitive(&first, T, &id).await;
    let mut found = feed(&first, T, &id, &lines[..900], 100).await;
    first.close().await;
    drop(first);
    let second = engine_in(dir.path(), |_| {}).await;
    let offset_events: Vec<StreamEvent> = events(&id, &lines).split_off(900);
    for chunk in offset_events.chunks(100) {
        let report = second.ingest(T, chunk.to_vec(), None).await.unwrap();
        found.extend(report.anomalies.into_iter().map(|a| a.id));
    }
    assert_eq!(found, expected, "a restart changed what was found");
}

#[tokio::test]
async fn a_metric_spike_is_found_and_explained() {
    let (engine, _dir) = engine().await;
    let id = StreamId {
        service: "api".into(),
        signal: Signal::Metrics,
        metric: Some("http.duration".into()),
        partition: Some(("host.name".into(), "web-1".into())),
    };
    assert_eq!(id.key(), "api/metrics/http.duration/host.name=web-1");
    let mut values: Vec<f64> = (0..200).map(|i| 100.0 + f64::from(i % 7)).collect();
    values[150] = 950.0;
    values.push(f64::NAN);
    let events = values
        .iter()
        .map(|&v| StreamEvent {
            stream: id.clone(),
            time: None,
            body: EventBody::Value(v),
        })
        .collect();
    let report = engine.ingest(T, events, None).await.unwrap();
    assert_eq!((report.accepted, report.rejected), (200, 1));
    assert!(report.rejection.unwrap().contains("NaN"));
    assert_eq!(report.anomalies.len(), 1, "{:?}", report.anomalies);
    let spike = &report.anomalies[0];
    assert_eq!((spike.first_event, spike.last_event), (150, 150));
    assert_eq!(spike.detector, "series");
    assert_eq!(spike.explanation["kind"], "spike");
    assert!(spike.summary.starts_with("spike: 950"), "{}", spike.summary);
}

#[tokio::test]
async fn settings_must_fit_the_signal_and_a_replayed_source_message_is_skipped() {
    let (engine, _dir) = engine().await;
    let id = logs("auth");
    let wrong = StreamSettingsRequest {
        detector: DetectorName::Series,
        preset: None,
        settings: None,
    };
    let err = engine
        .set_stream_settings(T, &id, &wrong)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("'cbad'"), "{err}");
    let bad = StreamSettingsRequest {
        detector: DetectorName::Cbad,
        preset: None,
        settings: Some(serde_json::json!({"window_events": 0})),
    };
    let err = engine.set_stream_settings(T, &id, &bad).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let mut huge_seed =
        serde_json::to_value(phantom_detect::text::CbadSettings::preset(Preset::Balanced)).unwrap();
    huge_seed["seed"] = serde_json::json!(1u64 << 60);
    let huge = StreamSettingsRequest {
        detector: DetectorName::Cbad,
        preset: None,
        settings: Some(huge_seed),
    };
    let err = engine.set_stream_settings(T, &id, &huge).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(err.to_string().contains("evidence bundle"), "{err}");

    let batch = events(&id, &incident_lines()[..10]);
    let first = engine
        .ingest(T, batch.clone(), Some(("p0", 7)))
        .await
        .unwrap();
    assert_eq!(first.accepted, 10);
    engine
        .ingest(T, batch.clone(), Some(("p0", 7)))
        .await
        .unwrap();
    engine.ingest(T, batch, Some(("p0", 6))).await.unwrap();
    assert_eq!(engine.stream(T, "auth/logs").await.unwrap().events_seen, 10);
}

#[tokio::test]
async fn two_engines_on_postgres_share_one_stream_without_losing_events() {
    let Some(url) = service_url("PHANTOM_TEST_POSTGRES_URL", "streams on PostgreSQL") else {
        return;
    };
    let open = |url: String| async move {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine_in(dir.path(), |c| c.database_url = Some(url)).await;
        (engine, dir)
    };
    let (a, _da) = open(url.clone()).await;
    let (b, _db) = open(url).await;
    let tenant = unique_tenant("streams-shared");
    let id = logs("shared");
    sensitive(&a, &tenant, &id).await;
    let lines = incident_lines();
    let all = events(&id, &lines);
    let mut tasks = Vec::new();
    for (i, chunk) in all.chunks(50).enumerate() {
        let engine = if i % 2 == 0 { a.clone() } else { b.clone() };
        let (tenant, chunk) = (tenant.clone(), chunk.to_vec());
        // Batches go one after another (each waits for the previous), alternating engines,
        // so the order is the file's and each engine must read the other's progress.
        tasks.push((engine, tenant, chunk));
    }
    let mut found = 0;
    for (engine, tenant, chunk) in tasks {
        found += engine
            .ingest(&tenant, chunk, None)
            .await
            .unwrap()
            .anomalies
            .len();
    }
    let stream = a.stream(&tenant, "shared/logs").await.unwrap();
    assert_eq!(stream.events_seen, lines.len() as u64, "events were lost");
    assert!(found > 0);
    let stored = a
        .anomalies(&tenant, &AnomalyQuery::default())
        .await
        .unwrap();
    assert_eq!(stored.anomalies.len(), found);
}

#[test]
fn stream_keys_round_trip() {
    let ids = [
        logs("checkout"),
        StreamId {
            service: "a/b%c".into(),
            signal: Signal::Metrics,
            metric: Some("http/server.duration".into()),
            partition: Some(("host=name".into(), "web/1".into())),
        },
        StreamId {
            service: "edge".into(),
            signal: Signal::Events,
            metric: None,
            partition: Some(("region".into(), "eu".into())),
        },
    ];
    for id in ids {
        assert_eq!(id.key().parse::<StreamId>().unwrap(), id, "{}", id.key());
    }
    for bad in [
        "",
        "checkout",
        "checkout/bogus",
        "api/metrics",
        "api/logs/x",
        "api/logs/a=b/c",
    ] {
        assert!(bad.parse::<StreamId>().is_err(), "{bad}");
    }
}

#[tokio::test]
async fn evidence_is_signed_with_a_key_that_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_in(dir.path(), |_| {}).await;
    let id = logs("pay");
    sensitive(&engine, T, &id).await;
    let found = feed(&engine, T, &id, &incident_lines(), 500).await;
    let bundle = engine
        .evidence(T, &phantom_engine::streams::EvidenceQuery::default())
        .await
        .unwrap()
        .bundle()
        .unwrap();
    assert_eq!(bundle["anomalies"].as_array().unwrap().len(), found.len());
    assert_eq!(
        bundle["data_hashes"][0]["chain_sha256"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    assert_eq!(bundle["detectors"][0]["name"], "cbad");
    let key = engine.evidence_public_key().await.unwrap();
    let trusted = phantom_evidence::PublicKey::from_base64(&key.public_key).unwrap();
    phantom_evidence::verify(&bundle, &trusted).unwrap();
    engine.close().await;
    drop(engine);
    let again = engine_in(dir.path(), |_| {}).await;
    assert_eq!(again.evidence_public_key().await.unwrap(), key);
    let none = again
        .evidence(
            T,
            &phantom_engine::streams::EvidenceQuery {
                stream: Some("nothing/logs".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .bundle()
        .unwrap();
    assert!(none["anomalies"].as_array().unwrap().is_empty());
    phantom_evidence::verify(&none, &trusted).unwrap();
}

/// Three streams fed in turns, batch by batch; every anomaly found, in order.
async fn three_streams_in_turns(engine: &Engine) -> Vec<String> {
    let lines = incident_lines();
    let ids = [logs("a"), logs("b"), logs("c")];
    for id in &ids {
        sensitive(engine, T, id).await;
    }
    let mut found = Vec::new();
    for chunk in lines.chunks(100) {
        for id in &ids {
            found.extend(feed(engine, T, id, chunk, 100).await);
        }
    }
    found
}

#[tokio::test]
async fn streams_dropped_from_memory_resume_from_the_store() {
    let (roomy, _d1) = engine().await;
    let expected = three_streams_in_turns(&roomy).await;
    assert!(!expected.is_empty());
    let (tight, _d2) = crate::support::engine_with(|c| c.max_live_streams = 1).await;
    assert_eq!(three_streams_in_turns(&tight).await, expected);
}
