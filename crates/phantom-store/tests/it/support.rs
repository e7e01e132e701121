//! Fixtures: records, fresh databases, and direct SQL access for tampering with rows.

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use phantom_store::{ModelEvent, ModelRecord, ModelStatus, NewVersion};
use tokio::sync::broadcast;

/// The PostgreSQL URL of the test database, or `None` after saying on stderr that `suite`
/// was not run.
pub fn postgres_url(suite: &str) -> Option<String> {
    match std::env::var("PHANTOM_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        Ok(_) | Err(_) => {
            eprintln!(
                "PostgreSQL suite '{suite}' was not run: PHANTOM_TEST_POSTGRES_URL is not set \
                 (e.g. postgres://postgres@127.0.0.1:5432/test)"
            );
            None
        }
    }
}

/// A name no other test in any concurrently running test process uses.
pub fn unique(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A new active model without versions, with a unique id.
pub fn model(tenant: &str, name: &str, created_at: i64) -> ModelRecord {
    ModelRecord {
        id: unique("model"),
        tenant: tenant.into(),
        name: name.into(),
        config: serde_json::json!({ "algorithm": "random_forest", "trees": 10, "name": name }),
        status: ModelStatus::Active,
        active_version: None,
        created_at,
        updated_at: created_at,
    }
}

/// A version holding `artifact`.
pub fn version(artifact: &[u8], created_at: i64) -> NewVersion {
    NewVersion {
        artifact: artifact.to_vec(),
        metadata: serde_json::json!({ "accuracy": 0.93, "rows": artifact.len() }),
        created_at,
    }
}

/// Waits up to `within` for `expected`, skipping other events (a shared database may carry
/// events of earlier steps that arrive late).
pub async fn expect_event(
    events: &mut broadcast::Receiver<ModelEvent>,
    expected: &ModelEvent,
    within: Duration,
) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let received = tokio::time::timeout_at(deadline, events.recv())
            .await
            .unwrap_or_else(|_| panic!("no {expected:?} within {within:?}"));
        match received {
            Ok(event) if &event == expected => return,
            Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
            Err(broadcast::error::RecvError::Closed) => panic!("event channel closed"),
        }
    }
}

/// Direct SQL access to a backend's database, around the store.
pub trait Backdoor: Sync {
    /// The backend's name as `Storage::backend` reports it.
    fn backend(&self) -> &'static str;

    /// Changes the stored artifact bytes of a version, leaving its checksum as it was.
    fn corrupt_artifact(&self, model_id: &str, version: u32) -> impl Future<Output = ()> + Send;

    /// Tries to change, then to delete, then (where the backend has it) to truncate the
    /// tenant's audit records; returns whether any of it succeeded.
    fn tamper_audit(&self, tenant: &str) -> impl Future<Output = bool> + Send;

    /// Changes the stored bytes of an evidence bundle, leaving its checksum as it was.
    fn corrupt_evidence(&self, id: &str) -> impl Future<Output = ()> + Send;
}

/// Direct access to a SQLite file.
pub struct SqliteBackdoor {
    pub path: PathBuf,
}

impl Backdoor for SqliteBackdoor {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn corrupt_artifact(&self, model_id: &str, version: u32) {
        let conn = rusqlite::Connection::open(&self.path).unwrap();
        conn.busy_timeout(Duration::from_secs(5)).unwrap();
        let changed = conn
            .execute(
                "UPDATE model_versions SET artifact = CAST(artifact || x'00' AS BLOB) WHERE model_id = ?1 AND version = ?2",
                rusqlite::params![model_id, version],
            )
            .unwrap();
        assert_eq!(changed, 1);
    }

    async fn tamper_audit(&self, tenant: &str) -> bool {
        let conn = rusqlite::Connection::open(&self.path).unwrap();
        conn.busy_timeout(Duration::from_secs(5)).unwrap();
        let update = conn.execute(
            "UPDATE audit_log SET result = 'success' WHERE tenant = ?1",
            [tenant],
        );
        let delete = conn.execute("DELETE FROM audit_log WHERE tenant = ?1", [tenant]);
        update.is_ok() || delete.is_ok()
    }

    async fn corrupt_evidence(&self, id: &str) {
        let conn = rusqlite::Connection::open(&self.path).unwrap();
        conn.busy_timeout(Duration::from_secs(5)).unwrap();
        let changed = conn
            .execute(
                "UPDATE evidence_bundles SET bundle = CAST(bundle || x'20' AS BLOB) WHERE id = ?1",
                [id],
            )
            .unwrap();
        assert_eq!(changed, 1);
    }
}

/// A fresh schema in the shared PostgreSQL test database, dropped with everything in it
/// when this value is dropped. Tests using it need a multi-thread runtime: the drop blocks
/// its thread until the schema is gone, and the runtime's other threads must meanwhile
/// close the store's connections, which may still hold locks on the schema's tables.
pub struct PgSchema {
    base_url: String,
    name: String,
}

impl PgSchema {
    /// Creates a schema with a unique name.
    pub async fn create(base_url: &str) -> PgSchema {
        let name = unique("phantom_test");
        let client = pg_client(base_url).await;
        client
            .batch_execute(&format!("CREATE SCHEMA {name}"))
            .await
            .unwrap();
        PgSchema {
            base_url: base_url.to_owned(),
            name,
        }
    }

    /// A URL whose sessions resolve table names in this schema.
    pub fn url(&self) -> String {
        let separator = if self.base_url.contains('?') {
            '&'
        } else {
            '?'
        };
        format!(
            "{}{separator}options=-c%20search_path%3D{}",
            self.base_url, self.name
        )
    }

    /// The schema's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        let (url, name) = (self.base_url.clone(), self.name.clone());
        // Drop runs inside the test's runtime, which cannot block on a future, so the
        // cleanup gets a thread and a runtime of its own.
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let client = pg_client(&url).await;
                client
                    .batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                    .await
            })
        });
        if let Ok(Err(e)) = cleanup.join() {
            eprintln!("could not drop test schema {}: {e}", self.name);
        }
    }
}

/// One client connection; its connection task runs in the background.
pub async fn pg_client(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            eprintln!("test connection: {e}");
        }
    });
    client
}

/// Direct access to a PostgreSQL schema.
pub struct PgBackdoor {
    pub url: String,
}

impl Backdoor for PgBackdoor {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn corrupt_artifact(&self, model_id: &str, version: u32) {
        let client = pg_client(&self.url).await;
        let changed = client
            .execute(
                "UPDATE model_versions SET artifact = artifact || '\\x00'::bytea WHERE model_id = $1 AND version = $2",
                &[&model_id, &i64::from(version)],
            )
            .await
            .unwrap();
        assert_eq!(changed, 1);
    }

    async fn tamper_audit(&self, tenant: &str) -> bool {
        let client = pg_client(&self.url).await;
        let update = client
            .execute(
                "UPDATE audit_log SET result = 'success' WHERE tenant = $1",
                &[&tenant],
            )
            .await;
        let delete = client
            .execute("DELETE FROM audit_log WHERE tenant = $1", &[&tenant])
            .await;
        let truncate = client.batch_execute("TRUNCATE audit_log").await;
        update.is_ok() || delete.is_ok() || truncate.is_ok()
    }

    async fn corrupt_evidence(&self, id: &str) {
        let client = pg_client(&self.url).await;
        let changed = client
            .execute(
                "UPDATE evidence_bundles SET bundle = bundle || '\\x20'::bytea WHERE id = $1",
                &[&id],
            )
            .await
            .unwrap();
        assert_eq!(changed, 1);
    }
}
