//! The event bus on the NATS server of `PHANTOM_TEST_NATS_URL`: events published and applied
//! by a worker find what direct ingestion finds, a message delivered again is skipped, and
//! messages a dead holder left unacknowledged are applied before newer ones. Each test has its
//! own namespace (stream, subjects, lease bucket) and deletes it at the end.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::time::Duration;

use async_nats::jetstream;
use async_nats::jetstream::consumer::{AckPolicy, pull};
use futures_util::StreamExt;
use phantom_detect::text::Preset;
use phantom_engine::Engine;
use phantom_engine::bus::{BusError, BusOptions, EventBus, WorkerOptions, run_worker};
use phantom_engine::streams::{
    AnomalyQuery, DetectorName, EventBody, MAX_ANOMALY_LIMIT, Signal, StreamEvent, StreamId,
    StreamSettingsRequest,
};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::support::{engine, engine_in, service_url, unique_tenant};

/// Runs `test` on a bus with `partitions` in a namespace of its own, then deletes the
/// namespace's stream and bucket, whether the test passed or not. Says so and returns when
/// `PHANTOM_TEST_NATS_URL` is unset.
async fn on_bus<Test, Run>(partitions: u32, test: Test)
where
    Test: FnOnce(EventBus, String) -> Run,
    Run: Future<Output = ()> + Send + 'static,
{
    let Some(url) = service_url("PHANTOM_TEST_NATS_URL", "the event bus tests") else {
        return;
    };
    let digits = unique_tenant("it").replace(|c: char| !c.is_ascii_digit(), "");
    let options = BusOptions {
        partitions,
        max_age: Duration::from_secs(3_600),
        ..BusOptions::namespaced(&format!("it{}", &digits[digits.len() - 20..])).unwrap()
    };
    let bus = EventBus::connect(&url, options).await.unwrap();
    let outcome = tokio::spawn(test(bus.clone(), url)).await;
    bus.delete().await.unwrap();
    if let Err(failed) = outcome {
        std::panic::resume_unwind(failed.into_panic());
    }
}

fn logs(service: &str) -> StreamId {
    StreamId {
        service: service.into(),
        signal: Signal::Logs,
        metric: None,
        partition: None,
    }
}

/// `n` lines of ordinary traffic of `service`, then 80 lines of an outage.
fn incident(id: &StreamId, n: usize) -> Vec<StreamEvent> {
    let normal = (0..n).map(|i| {
        format!(
            "INFO {} GET /v1/{} 200 in {} ms client 10.1.{}.{}",
            id.service,
            ["items", "users", "orders"][i % 3],
            i * 17 % 89,
            i % 4,
            i % 250
        )
    });
    let outage = (0..80).map(|i| {
        format!(
            "ERROR {} upstream db-primary refused connection (attempt {}, pool {} exhausted)",
            id.service,
            i % 5,
            i * 7 % 13
        )
    });
    normal
        .chain(outage)
        .enumerate()
        .map(|(i, line)| StreamEvent {
            stream: id.clone(),
            time: Some(1_700_000_000_000 + i as i64),
            body: EventBody::Text(line),
        })
        .collect()
}

/// A latency series with one spike, and one value that is not a number.
fn latency() -> Vec<StreamEvent> {
    let id = StreamId {
        service: "api".into(),
        signal: Signal::Metrics,
        metric: Some("http.duration".into()),
        partition: None,
    };
    let mut values: Vec<f64> = (0..300).map(|i| 40.0 + f64::from(i % 9)).collect();
    values[200] = 900.0;
    values[250] = f64::NAN;
    values
        .into_iter()
        .map(|v| StreamEvent {
            stream: id.clone(),
            time: None,
            body: EventBody::Value(v),
        })
        .collect()
}

async fn sensitive(engine: &Engine, tenant: &str, id: &StreamId) {
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

/// The streams' events interleaved in rounds of `chunk` events per stream, as batches.
fn rounds(streams: &[Vec<StreamEvent>], chunk: usize) -> Vec<Vec<StreamEvent>> {
    let longest = streams.iter().map(Vec::len).max().unwrap_or(0);
    (0..longest.div_ceil(chunk))
        .map(|round| {
            streams
                .iter()
                .flat_map(|events| events.iter().skip(round * chunk).take(chunk).cloned())
                .collect()
        })
        .collect()
}

/// How many events each stream should end with: the finite ones.
fn expected_counts(streams: &[Vec<StreamEvent>]) -> BTreeMap<String, u64> {
    streams
        .iter()
        .map(|events| {
            let applied = events
                .iter()
                .filter(|e| !matches!(e.body, EventBody::Value(v) if !v.is_finite()))
                .count();
            (events[0].stream.key(), applied as u64)
        })
        .collect()
}

async fn counts(engine: &Engine, tenant: &str) -> BTreeMap<String, u64> {
    engine
        .streams(tenant)
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.key, s.events_seen))
        .collect()
}

/// Waits until the tenant's streams hold `expected` events, or panics after `limit`.
async fn wait_for(
    engine: &Engine,
    tenant: &str,
    expected: &BTreeMap<String, u64>,
    limit: Duration,
) {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let now = counts(engine, tenant).await;
        if &now == expected {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "after {limit:?} the streams hold {now:?}, not {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The tenant's anomalies as (stream, first event, last event), checking none is stored twice.
async fn found(engine: &Engine, tenant: &str) -> BTreeSet<(String, u64, u64)> {
    let query = AnomalyQuery {
        limit: Some(MAX_ANOMALY_LIMIT),
        ..AnomalyQuery::default()
    };
    let page = engine.anomalies(tenant, &query).await.unwrap();
    assert!(page.next.is_none(), "more anomalies than one page");
    let set: BTreeSet<_> = page
        .anomalies
        .iter()
        .map(|a| (a.stream.key.clone(), a.first_event, a.last_event))
        .collect();
    assert_eq!(
        set.len(),
        page.anomalies.len(),
        "an anomaly was stored twice"
    );
    set
}

/// A worker on `engine` until the returned sender fires.
fn start_worker(
    engine: &Engine,
    bus: &EventBus,
) -> (oneshot::Sender<()>, JoinHandle<Result<(), BusError>>) {
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(run_worker(
        engine.clone(),
        bus.clone(),
        WorkerOptions::default(),
        async {
            stopped.await.ok();
        },
    ));
    (stop, task)
}

async fn stop_worker(worker: (oneshot::Sender<()>, JoinHandle<Result<(), BusError>>)) {
    worker.0.send(()).unwrap();
    worker.1.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_events_are_applied_as_direct_ingestion_applies_them() {
    on_bus(4, published_events_applied).await;
}

async fn published_events_applied(bus: EventBus, url: String) {
    let (engine, _dir) = engine().await;
    let (via_bus, direct) = (unique_tenant("bus"), unique_tenant("direct"));
    let streams = vec![
        incident(&logs("checkout"), 1_200),
        incident(&logs("auth"), 900),
        latency(),
    ];
    for tenant in [&via_bus, &direct] {
        for id in [logs("checkout"), logs("auth")] {
            sensitive(&engine, tenant, &id).await;
        }
    }
    let batches = rounds(&streams, 100);
    let (before, after) = batches.split_at(batches.len() / 2);
    for batch in before {
        let published = bus.publish(&via_bus, batch.clone()).await.unwrap();
        assert_eq!(published, batch.len() as u64);
    }
    let worker = start_worker(&engine, &bus);
    for batch in after {
        bus.publish(&via_bus, batch.clone()).await.unwrap();
    }
    for batch in &batches {
        engine.ingest(&direct, batch.clone(), None).await.unwrap();
    }
    let expected = expected_counts(&streams);
    wait_for(&engine, &via_bus, &expected, Duration::from_secs(30)).await;
    assert_eq!(counts(&engine, &direct).await, expected);
    let from_bus = found(&engine, &via_bus).await;
    assert!(
        from_bus.iter().any(|(key, _, _)| key == "checkout/logs")
            && from_bus
                .iter()
                .any(|(key, _, _)| key.starts_with("api/metrics")),
        "the incidents were not found: {from_bus:?}"
    );
    assert_eq!(from_bus, found(&engine, &direct).await);
    stop_worker(worker).await;

    let other = BusOptions {
        partitions: 8,
        ..bus.options().clone()
    };
    let err = EventBus::connect(&url, other)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("4 partitions"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_delivered_again_is_not_applied_twice() {
    on_bus(2, delivered_again).await;
}

async fn delivered_again(bus: EventBus, url: String) {
    let dir = tempfile::tempdir().unwrap();
    let first = engine_in(dir.path(), |_| {}).await;
    let tenant = unique_tenant("redelivered");
    let streams = vec![incident(&logs("edge"), 700), incident(&logs("db"), 600)];
    for events in &streams {
        sensitive(&first, &tenant, &events[0].stream).await;
    }
    for batch in rounds(&streams, 50) {
        bus.publish(&tenant, batch).await.unwrap();
    }
    let worker = start_worker(&first, &bus);
    let expected = expected_counts(&streams);
    wait_for(&first, &tenant, &expected, Duration::from_secs(30)).await;
    stop_worker(worker).await;
    let anomalies = found(&first, &tenant).await;
    assert!(!anomalies.is_empty());
    first.close().await;

    // As after a crash between applying and acknowledging, on a grand scale: new consumers
    // deliver every message again, to an engine that holds nothing in memory.
    let nats = jetstream::new(async_nats::connect(&url).await.unwrap());
    let stream = nats.get_stream(&bus.options().stream_name).await.unwrap();
    for partition in 0..2 {
        stream
            .delete_consumer(&format!("phantom-p{partition}"))
            .await
            .unwrap();
    }
    let second = engine_in(dir.path(), |_| {}).await;
    let worker = start_worker(&second, &bus);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    for partition in 0..2 {
        loop {
            let caught_up = stream
                .consumer_info(format!("phantom-p{partition}"))
                .await
                .is_ok_and(|info| info.num_pending == 0 && info.num_ack_pending == 0);
            if caught_up {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "p{partition} was not read again"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    stop_worker(worker).await;
    assert_eq!(counts(&second, &tenant).await, expected);
    assert_eq!(found(&second, &tenant).await, anomalies);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_a_dead_holder_left_unacknowledged_are_applied_first() {
    on_bus(1, left_unacknowledged).await;
}

async fn left_unacknowledged(bus: EventBus, url: String) {
    let (engine, _dir) = engine().await;
    let (via_bus, direct) = (unique_tenant("holder"), unique_tenant("direct"));
    let id = logs("payments");
    let events = incident(&id, 1_500);
    for tenant in [&via_bus, &direct] {
        sensitive(&engine, tenant, &id).await;
    }
    for chunk in events.chunks(100) {
        bus.publish(&via_bus, chunk.to_vec()).await.unwrap();
        engine.ingest(&direct, chunk.to_vec(), None).await.unwrap();
    }

    // A holder takes the first five messages and dies without acknowledging them. Without
    // reading again from them, a new holder would apply the ten after them first, and skip
    // them when they came back after their ack wait.
    let nats = jetstream::new(async_nats::connect(&url).await.unwrap());
    let stream = nats.get_stream(&bus.options().stream_name).await.unwrap();
    let consumer = stream
        .get_or_create_consumer(
            "phantom-p0",
            pull::Config {
                durable_name: Some("phantom-p0".into()),
                filter_subject: format!("{}.p0", bus.options().subject_prefix),
                ack_policy: AckPolicy::Explicit,
                ack_wait: Duration::from_secs(10),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let taken = consumer
        .fetch()
        .max_messages(5)
        .messages()
        .await
        .unwrap()
        .count()
        .await;
    assert_eq!(taken, 5);

    let worker = start_worker(&engine, &bus);
    let expected = expected_counts(std::slice::from_ref(&events));
    wait_for(&engine, &via_bus, &expected, Duration::from_secs(30)).await;
    stop_worker(worker).await;
    assert_eq!(
        found(&engine, &via_bus).await,
        found(&engine, &direct).await
    );
}
