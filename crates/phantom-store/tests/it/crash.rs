//! Every acknowledged write survives the writer being killed at an arbitrary point.
//!
//! The test runs this test binary again as a child, filtered to [`child_writes_until_killed`]
//! and told through [`CHILD_VAR`] which store to write to. The child creates models and adds
//! versions in a loop and prints one line per write the store acknowledged. The parent kills
//! it with SIGKILL after a varying number of acknowledgements, reopens the store, and checks
//! that every acknowledged model and version is there with its checksum.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use phantom_store::{PostgresStore, SqliteStore, Storage};

use crate::support::{PgSchema, model, postgres_url, version};

/// Set in the child's environment to `<backend>:<location>`, with backend `sqlite` (location:
/// a file path) or `postgres` (location: a URL).
const CHILD_VAR: &str = "PHANTOM_STORE_CRASH_CHILD";

/// The child's test name, for `--exact`.
const CHILD_TEST: &str = "crash::child_writes_until_killed";

/// The tenant the child writes in.
const TENANT: &str = "crash";

/// Versions the child adds to each model; the last one is activated.
const VERSIONS_PER_MODEL: u32 = 3;

/// How long the parent waits for the child's next line before giving up on it.
const LINE_TIMEOUT: Duration = Duration::from_secs(60);

#[test]
#[ignore = "the child process of the crash tests; runs only when they start it"]
fn child_writes_until_killed() {
    let Ok(spec) = std::env::var(CHILD_VAR) else {
        eprintln!("{CHILD_VAR} is not set: nothing to write");
        return;
    };
    let (backend, location) = spec.split_once(':').unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        match backend {
            "sqlite" => write_until_killed(&SqliteStore::open(location).await.unwrap()).await,
            "postgres" => {
                write_until_killed(&PostgresStore::connect(location).await.unwrap()).await
            }
            other => panic!("unknown backend '{other}' in {CHILD_VAR}"),
        }
    });
}

/// Deterministic artifact bytes, a few kilobytes so that writes take some time.
fn artifact(model: u32, version: u32) -> Vec<u8> {
    (0..4096u32)
        .map(|i| (i.wrapping_mul(31) ^ model.wrapping_mul(7) ^ version) as u8)
        .collect()
}

async fn write_until_killed<S: Storage>(store: &S) {
    // Bounded so that a child the parent failed to kill still ends.
    for i in 0..10_000u32 {
        let m = model(TENANT, &format!("model-{i}"), i64::from(i));
        store.create_model(&m).await.unwrap();
        acknowledge(&format!("model {}", m.id));
        for v in 1..=VERSIONS_PER_MODEL {
            let new = version(&artifact(i, v), i64::from(v));
            let activate = v == VERSIONS_PER_MODEL;
            let added = store
                .add_version(TENANT, &m.id, &new, activate)
                .await
                .unwrap();
            acknowledge(&format!(
                "version {} {} {}",
                m.id, added.version, added.sha256
            ));
        }
    }
}

/// Prints one acknowledgement line and flushes it, so the parent has it before the next
/// write starts.
fn acknowledge(what: &str) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "ACK {what}").unwrap();
    out.flush().unwrap();
}

/// What the child acknowledged.
#[derive(Default)]
struct Acknowledged {
    models: Vec<String>,
    /// `(model id, version, sha256)`.
    versions: Vec<(String, u32, String)>,
}

impl Acknowledged {
    fn count(&self) -> usize {
        self.models.len() + self.versions.len()
    }

    fn record(&mut self, line: &str) {
        let Some(rest) = line.strip_prefix("ACK ") else {
            return; // the test harness's own output
        };
        let fields: Vec<&str> = rest.split(' ').collect();
        match fields.as_slice() {
            ["model", id] => self.models.push((*id).to_owned()),
            ["version", id, number, sha] => {
                self.versions
                    .push(((*id).to_owned(), number.parse().unwrap(), (*sha).to_owned()));
            }
            _ => panic!("unexpected line from the child: {line:?}"),
        }
    }
}

/// A number of acknowledgements in 20..80 that differs from run to run, so the kill lands
/// on different writes and at different points within them.
fn kill_after() -> usize {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    20 + (nanos as usize % 60)
}

/// Runs the child on `backend:location`, kills it, and returns what it acknowledged, all
/// lines it printed before dying included.
fn run_child_and_kill(backend: &str, location: &str) -> Acknowledged {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            CHILD_TEST,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_VAR, format!("{backend}:{location}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines_tx, lines) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut stdout = BufReader::new(stdout);
        let mut line = String::new();
        // A line cut short by the kill has no newline; it was never a full acknowledgement.
        while stdout.read_line(&mut line).unwrap_or(0) > 0 && line.ends_with('\n') {
            if lines_tx.send(line.trim_end().to_owned()).is_err() {
                break;
            }
            line.clear();
        }
    });

    let target = kill_after();
    let mut acknowledged = Acknowledged::default();
    let mut killed = false;
    loop {
        match lines.recv_timeout(LINE_TIMEOUT) {
            Ok(line) => acknowledged.record(&line),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                child.kill().unwrap();
                panic!("the child printed nothing for {LINE_TIMEOUT:?}");
            }
        }
        if !killed && acknowledged.count() >= target {
            // A short, varying pause puts the kill anywhere in the next write.
            std::thread::sleep(Duration::from_micros(u64::from(target as u32 * 37 % 2_000)));
            child.kill().unwrap();
            killed = true;
        }
    }
    reader.join().unwrap();
    let status = child.wait().unwrap();
    assert!(
        killed,
        "the child stopped by itself ({status}) after {} acknowledgements",
        acknowledged.count()
    );
    assert!(!status.success(), "the child was killed, not finished");
    eprintln!(
        "crash ({backend}): killed the child after {} acknowledged models and {} versions",
        acknowledged.models.len(),
        acknowledged.versions.len()
    );
    acknowledged
}

/// Checks that every acknowledged write is in `store`, and that each model's versions are
/// numbered 1, 2, 3, ... with intact artifacts.
async fn check_survivors<S: Storage>(store: &S, acknowledged: &Acknowledged) {
    assert!(acknowledged.count() >= 20);
    for id in &acknowledged.models {
        let m = store.get_model(TENANT, id).await.unwrap();
        assert!(m.is_some(), "acknowledged model {id} is missing");
    }
    for (id, number, sha) in &acknowledged.versions {
        let stored = store.get_version(TENANT, id, *number).await.unwrap();
        let stored =
            stored.unwrap_or_else(|| panic!("acknowledged version {number} of {id} is missing"));
        assert_eq!(&stored.summary.sha256, sha, "version {number} of {id}");
    }
    for m in store.list_models(TENANT).await.unwrap() {
        let versions = store.list_versions(TENANT, &m.id).await.unwrap();
        let numbers: Vec<u32> = versions.iter().map(|v| v.version).collect();
        assert_eq!(
            numbers,
            (1..=numbers.len() as u32).collect::<Vec<_>>(),
            "model {}",
            m.id
        );
        for v in versions {
            store
                .get_version(TENANT, &m.id, v.version)
                .await
                .unwrap()
                .unwrap();
        }
        if numbers.len() as u32 == VERSIONS_PER_MODEL {
            assert_eq!(
                m.active_version,
                Some(VERSIONS_PER_MODEL),
                "activated with its last version"
            );
        }
    }
}

#[test]
fn sqlite_keeps_every_acknowledged_write_when_killed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(SqliteStore::FILE_NAME);
    let acknowledged = run_child_and_kill("sqlite", path.to_str().unwrap());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = SqliteStore::open(&path).await.unwrap();
        check_survivors(&store, &acknowledged).await;
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_keeps_every_acknowledged_write_when_killed() {
    let Some(base) = postgres_url("crash") else {
        return;
    };
    let schema = PgSchema::create(&base).await;
    let url = schema.url();
    let acknowledged = tokio::task::spawn_blocking(move || run_child_and_kill("postgres", &url))
        .await
        .unwrap();
    let store = PostgresStore::connect(&schema.url()).await.unwrap();
    check_survivors(&store, &acknowledged).await;
}
