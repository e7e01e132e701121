//! `phantom worker` as processes on the NATS server of `PHANTOM_TEST_NATS_URL` and the
//! PostgreSQL of `PHANTOM_TEST_POSTGRES_URL`: two workers share the partitions, one is killed
//! while it applies events, the other takes its partitions over, and every stream ends with
//! all its events and exactly the anomalies a single engine finds when fed directly. The test
//! has its own namespace (stream, subjects, lease bucket) and tenant, and deletes the namespace
//! at the end.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::AssertUnwindSafe;
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use phantom_detect::text::Preset;
use phantom_engine::bus::{BusOptions, EventBus};
use phantom_engine::streams::{
    AnomalyQuery, DetectorName, EventBody, MAX_ANOMALY_LIMIT, Signal, StreamEvent, StreamId,
    StreamSettingsRequest,
};
use phantom_engine::{Engine, EngineConfig};

use crate::process::LoggedChild;
use crate::support::workdir;

const PARTITIONS: u32 = 4;

/// A running `phantom worker` and the lines it has logged.
struct Worker {
    name: &'static str,
    process: LoggedChild,
}

impl Worker {
    fn start(name: &'static str, nats: &str, postgres: &str, namespace: &str) -> Worker {
        let partitions = PARTITIONS.to_string();
        let process = LoggedChild::spawn(
            Command::new(env!("CARGO_BIN_EXE_phantom"))
                .args(["worker", "--nats-url", nats, "--database-url", postgres])
                .args(["--partitions", &partitions, "--nats-namespace", namespace])
                .args(["--name", name]),
        );
        Worker { name, process }
    }

    /// Reads the log until a line satisfies `done`, or panics after `limit`.
    fn wait_for(&mut self, what: &str, limit: Duration, done: impl Fn(&Worker) -> bool) {
        let deadline = Instant::now() + limit;
        while !done(self) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self
                .process
                .log
                .recv_timeout(left.min(Duration::from_millis(200)))
            {
                Ok(line) => self.process.logged.push(line),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    panic!("worker {} exited: {:#?}", self.name, self.process.logged)
                }
            }
            assert!(
                Instant::now() < deadline || done(self),
                "worker {}: no {what} within {limit:?}: {:#?}",
                self.name,
                self.process.logged
            );
        }
    }

    /// The partitions it holds, by its log: claimed and not released or lost since.
    fn holds(&self) -> BTreeSet<u32> {
        let mut held = BTreeSet::new();
        for line in &self.process.logged {
            let number = |marker: &str| {
                line.split(marker)
                    .nth(1)
                    .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
                    .and_then(|n| n.parse::<u32>().ok())
            };
            if let Some(p) = number("claimed p") {
                held.insert(p);
            } else if let Some(p) = number("released p").or_else(|| number("lease of p")) {
                held.remove(&p);
            }
        }
        held
    }

    /// Sends SIGTERM and waits for a clean exit.
    fn terminate(mut self) -> Vec<String> {
        self.process.terminate()
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

/// 700 lines of ordinary traffic of the stream's service, then 60 lines of an outage.
fn incident(id: &StreamId) -> Vec<StreamEvent> {
    let normal = (0..700).map(|i| {
        format!(
            "INFO {} GET /v2/{} 200 in {} ms from 10.9.{}.{}",
            id.service,
            ["cart", "search", "login", "items"][i % 4],
            i * 11 % 83,
            i % 3,
            i % 240
        )
    });
    let outage = (0..60).map(|i| {
        format!(
            "ERROR {} cache-7 evicted the session store; {} requests failed over {} s",
            id.service,
            100 + i * 37 % 900,
            i % 9
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

/// Two streams per partition, so both workers have some and the victim's are taken over.
fn streams_on_every_partition(bus: &EventBus, tenant: &str) -> Vec<StreamId> {
    let mut per_partition: BTreeMap<u32, Vec<StreamId>> = BTreeMap::new();
    for i in 0.. {
        let id = logs(&format!("svc-{i}"));
        let slot = per_partition.entry(bus.partition(tenant, &id)).or_default();
        if slot.len() < 2 {
            slot.push(id);
        }
        if per_partition.len() == PARTITIONS as usize
            && per_partition.values().all(|s| s.len() == 2)
        {
            break;
        }
    }
    per_partition.into_values().flatten().collect()
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

async fn counts(engine: &Engine, tenant: &str) -> BTreeMap<String, u64> {
    engine
        .streams(tenant)
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.key, s.events_seen))
        .collect()
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

/// A name no other run uses: the process id and the time.
fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{prefix}{}{}",
        std::process::id(),
        nanos % 1_000_000_000_000
    )
}

async fn open(database_url: Option<String>, dir: &std::path::Path) -> Engine {
    Engine::open(EngineConfig {
        data_dir: dir.to_owned(),
        database_url,
        ..EngineConfig::default()
    })
    .await
    .unwrap()
}

#[test]
fn two_workers_share_the_partitions_and_a_killed_one_loses_nothing() {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let (Some(nats), Some(postgres)) = (
        var("PHANTOM_TEST_NATS_URL"),
        var("PHANTOM_TEST_POSTGRES_URL"),
    ) else {
        eprintln!(
            "the phantom worker test was not run: PHANTOM_TEST_NATS_URL and \
             PHANTOM_TEST_POSTGRES_URL must both be set"
        );
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let namespace = unique("cli");
    let options = BusOptions {
        partitions: PARTITIONS,
        max_age: Duration::from_secs(3_600),
        ..BusOptions::namespaced(&namespace).unwrap()
    };
    let bus = runtime.block_on(EventBus::connect(&nats, options)).unwrap();
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        kill_one_mid_run(&runtime, &bus, &nats, &postgres, &namespace);
    }));
    runtime.block_on(bus.delete()).unwrap();
    if let Err(failed) = outcome {
        std::panic::resume_unwind(failed);
    }
}

fn kill_one_mid_run(
    runtime: &tokio::runtime::Runtime,
    bus: &EventBus,
    nats: &str,
    postgres: &str,
    namespace: &str,
) {
    let dir = workdir();
    let (tenant, direct) = (unique("workers-"), unique("direct-"));
    let streams = streams_on_every_partition(bus, &tenant);
    let events: Vec<Vec<StreamEvent>> = streams.iter().map(incident).collect();
    let total: usize = events.iter().map(Vec::len).sum();
    let shared = runtime.block_on(open(Some(postgres.to_owned()), &dir.path().join("pg")));
    let single = runtime.block_on(open(None, &dir.path().join("single")));
    runtime.block_on(async {
        for id in &streams {
            sensitive(&shared, &tenant, id).await;
            sensitive(&single, &direct, id).await;
        }
    });

    let mut a = Worker::start("a", nats, postgres, namespace);
    let all = |w: &Worker| w.holds().len() == PARTITIONS as usize;
    a.wait_for("claim of every partition", Duration::from_secs(20), all);
    let mut b = Worker::start("b", nats, postgres, namespace);
    let half = |w: &Worker| w.holds().len() == PARTITIONS as usize / 2;
    b.wait_for(
        "claim of half the partitions",
        Duration::from_secs(20),
        half,
    );
    a.wait_for(
        "release of half the partitions",
        Duration::from_secs(20),
        half,
    );
    let victim_partitions = a.holds();
    assert!(victim_partitions.is_disjoint(&b.holds()));

    // Messages of 20 events, interleaving the streams; half now, half after the kill.
    let batches: Vec<Vec<StreamEvent>> = (0..events[0].len().div_ceil(20))
        .map(|round| {
            events
                .iter()
                .flat_map(|e| e.iter().skip(round * 20).take(20).cloned())
                .collect()
        })
        .collect();
    let (before, after) = batches.split_at(batches.len() / 2);
    let publish = |batches: &[Vec<StreamEvent>]| {
        runtime.block_on(async {
            for batch in batches {
                bus.publish(&tenant, batch.clone()).await.unwrap();
            }
        })
    };
    publish(before);
    let victim_streams: BTreeSet<String> = streams
        .iter()
        .filter(|id| victim_partitions.contains(&bus.partition(&tenant, id)))
        .map(StreamId::key)
        .collect();
    let victim_progress = || {
        runtime
            .block_on(counts(&shared, &tenant))
            .into_iter()
            .filter(|(key, _)| victim_streams.contains(key))
            .map(|(_, n)| n)
            .sum::<u64>()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while victim_progress() == 0 {
        assert!(Instant::now() < deadline, "worker a applied nothing");
        std::thread::sleep(Duration::from_millis(10));
    }
    a.process.child.kill().unwrap();
    a.process.child.wait().unwrap();
    eprintln!(
        "killed worker a after it applied {} of the {total} events to its streams",
        victim_progress()
    );
    publish(after);

    b.wait_for(
        "takeover of the killed worker's partitions",
        Duration::from_secs(30),
        |w| w.holds().len() == PARTITIONS as usize,
    );
    let expected: BTreeMap<String, u64> = events
        .iter()
        .map(|e| (e[0].stream.key(), e.len() as u64))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = runtime.block_on(counts(&shared, &tenant));
        if now == expected {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "after the takeover the streams hold {now:?}, not {expected:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    let (from_workers, from_direct) = runtime.block_on(async {
        for batch in &batches {
            single.ingest(&direct, batch.clone(), None).await.unwrap();
        }
        (found(&shared, &tenant).await, found(&single, &direct).await)
    });
    assert!(!from_direct.is_empty(), "the outages were not found");
    assert!(
        from_direct
            .iter()
            .any(|(key, _, _)| victim_streams.contains(key)),
        "no anomaly on the killed worker's streams"
    );
    assert_eq!(from_workers, from_direct);

    let logged = b.terminate();
    assert!(
        logged.iter().any(|l| l.contains("worker stopped")),
        "{logged:#?}"
    );
    runtime.block_on(async {
        shared.close().await;
        single.close().await;
    });
}

#[test]
fn a_worker_without_a_bus_says_what_to_do() {
    let dir = workdir();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_phantom"))
            .arg("worker")
            .args(args)
            .arg("--data-dir")
            .arg(dir.path())
            .env_remove("PHANTOM_NATS_URL")
            .env_remove("NATS_URL")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let missing = run(&[]);
    assert!(missing.contains("--nats-url"), "{missing}");
    let unreachable = run(&["--nats-url", "nats://app:s3cret@127.0.0.1:1"]);
    assert!(
        unreachable.contains("cannot connect to NATS at nats://app:***@127.0.0.1:1"),
        "{unreachable}"
    );
    assert!(!unreachable.contains("s3cret"), "{unreachable}");
}
