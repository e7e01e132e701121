//! The embedded backend: one SQLite file, in WAL mode with `synchronous=FULL`.

mod access;
mod connection;
mod evidence;
mod jobs;
mod migrate;
mod queries;
mod streams;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;
use tokio::sync::broadcast;

use crate::StoreError;
use crate::evidence_records::{EvidenceRecord, EvidenceSummary, NewEvidence};
use crate::records::{
    ApiKeyRecord, AuditFilter, AuditRecord, InferenceQuery, InferenceRecord, JobRecord, Millis,
    ModelEvent, ModelRecord, ModelStatus, NewVersion, TenantRecord, UserRecord, VersionRecord,
    VersionSummary,
};
use crate::storage::Storage;
use crate::stream_records::{AnomalyFilter, AnomalyRecord, StreamRecord};

/// How many events a slow subscriber may fall behind before it sees `Lagged`.
const EVENT_CAPACITY: usize = 1024;

/// Storage in one SQLite file. Calls run on tokio's blocking pool: writes on one connection,
/// reads on a second that sees the last committed state without waiting for writes.
///
/// Events are this process's own changes: SQLite has no way to hear other processes.
pub struct SqliteStore {
    connections: Arc<Connections>,
    path: PathBuf,
    events: broadcast::Sender<ModelEvent>,
}

struct Connections {
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
}

impl Connections {
    /// Opens the writer, brings the schema up to date through it, then opens the reader.
    fn open(path: &Path) -> Result<Self, StoreError> {
        let mut writer = connection::open_writer(path)?;
        migrate::migrate(&mut writer)?;
        let reader = connection::open_reader(path)?;
        Ok(Connections {
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
        })
    }
}

impl SqliteStore {
    /// The database file's name inside a data directory.
    pub const FILE_NAME: &'static str = "phantom.db";

    /// Opens (creating the directory and the file if needed) `dir/phantom.db` and runs
    /// pending migrations.
    pub async fn open_in_dir(dir: impl AsRef<Path>) -> Result<Self, StoreError> {
        let dir = dir.as_ref().to_path_buf();
        let path = dir.join(Self::FILE_NAME);
        let opened_path = path.clone();
        let connections = blocking(move || {
            std::fs::create_dir_all(&dir).map_err(|source| StoreError::Io { path: dir, source })?;
            Connections::open(&opened_path)
        })
        .await?;
        Ok(Self::with(connections, path))
    }

    /// Opens (creating if needed) the database file at `path` and runs pending migrations.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let opened_path = path.clone();
        let connections = blocking(move || Connections::open(&opened_path)).await?;
        Ok(Self::with(connections, path))
    }

    fn with(connections: Connections, path: PathBuf) -> Self {
        SqliteStore {
            connections: Arc::new(connections),
            path,
            events: broadcast::channel(EVENT_CAPACITY).0,
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn write<T: Send + 'static>(
        &self,
        op: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let connections = Arc::clone(&self.connections);
        blocking(move || op(&mut lock(&connections.writer))).await
    }

    async fn read<T: Send + 'static>(
        &self,
        op: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let connections = Arc::clone(&self.connections);
        blocking(move || op(&lock(&connections.reader))).await
    }

    fn notify(&self, event: ModelEvent) {
        // With no subscriber there is no one to tell; that is not an error.
        self.events.send(event).ok();
    }
}

/// A panic while the lock was held leaves no half-done work on the connection (an open
/// transaction rolls back when dropped), so a poisoned lock is still usable.
fn lock(mutex: &Mutex<Connection>) -> std::sync::MutexGuard<'_, Connection> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn blocking<T: Send + 'static>(
    op: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(op)
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
}

impl Storage for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.read(|conn| Ok(conn.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    async fn create_model(&self, model: &ModelRecord) -> Result<(), StoreError> {
        let model = model.clone();
        self.write(move |conn| queries::create_model(conn, &model))
            .await
    }

    async fn get_model(&self, tenant: &str, id: &str) -> Result<Option<ModelRecord>, StoreError> {
        let (tenant, id) = (tenant.to_owned(), id.to_owned());
        self.read(move |conn| queries::get_model(conn, &tenant, &id))
            .await
    }

    async fn get_model_by_name(
        &self,
        tenant: &str,
        name: &str,
    ) -> Result<Option<ModelRecord>, StoreError> {
        let (tenant, name) = (tenant.to_owned(), name.to_owned());
        self.read(move |conn| queries::get_model_by_name(conn, &tenant, &name))
            .await
    }

    async fn list_models(&self, tenant: &str) -> Result<Vec<ModelRecord>, StoreError> {
        let tenant = tenant.to_owned();
        self.read(move |conn| queries::list_models(conn, &tenant))
            .await
    }

    async fn set_model_status(
        &self,
        tenant: &str,
        id: &str,
        status: ModelStatus,
        at: Millis,
    ) -> Result<(), StoreError> {
        let (tenant, model_id) = (tenant.to_owned(), id.to_owned());
        let id = model_id.clone();
        self.write(move |conn| queries::set_model_status(conn, &tenant, &id, status, at))
            .await?;
        self.notify(ModelEvent::Changed { model_id });
        Ok(())
    }

    async fn activate_version(
        &self,
        tenant: &str,
        id: &str,
        version: u32,
        at: Millis,
    ) -> Result<(), StoreError> {
        let (tenant, model_id) = (tenant.to_owned(), id.to_owned());
        let id = model_id.clone();
        self.write(move |conn| queries::activate_version(conn, &tenant, &id, version, at))
            .await?;
        self.notify(ModelEvent::Changed { model_id });
        Ok(())
    }

    async fn delete_model(&self, tenant: &str, id: &str) -> Result<bool, StoreError> {
        let (tenant, model_id) = (tenant.to_owned(), id.to_owned());
        let id = model_id.clone();
        let existed = self
            .write(move |conn| queries::delete_model(conn, &tenant, &id))
            .await?;
        if existed {
            self.notify(ModelEvent::Deleted { model_id });
        }
        Ok(existed)
    }

    async fn add_version(
        &self,
        tenant: &str,
        model_id: &str,
        version: &NewVersion,
        activate: bool,
    ) -> Result<VersionSummary, StoreError> {
        let (tenant, id, new) = (tenant.to_owned(), model_id.to_owned(), version.clone());
        let summary = self
            .write(move |conn| queries::add_version(conn, &tenant, &id, &new, activate))
            .await?;
        if activate {
            self.notify(ModelEvent::Changed {
                model_id: model_id.to_owned(),
            });
        }
        Ok(summary)
    }

    async fn get_version(
        &self,
        tenant: &str,
        model_id: &str,
        version: u32,
    ) -> Result<Option<VersionRecord>, StoreError> {
        let (tenant, id) = (tenant.to_owned(), model_id.to_owned());
        self.read(move |conn| queries::get_version(conn, &tenant, &id, version))
            .await
    }

    async fn list_versions(
        &self,
        tenant: &str,
        model_id: &str,
    ) -> Result<Vec<VersionSummary>, StoreError> {
        let (tenant, id) = (tenant.to_owned(), model_id.to_owned());
        self.read(move |conn| queries::list_versions(conn, &tenant, &id))
            .await
    }

    async fn log_inferences(&self, records: &[InferenceRecord]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let records = records.to_vec();
        self.write(move |conn| queries::log_inferences(conn, &records))
            .await
    }

    async fn inference_history(
        &self,
        query: &InferenceQuery,
    ) -> Result<Vec<InferenceRecord>, StoreError> {
        let query = query.clone();
        self.read(move |conn| queries::inference_history(conn, &query))
            .await
    }

    async fn create_model_within_limit(
        &self,
        model: &ModelRecord,
        max_models: u64,
    ) -> Result<(), StoreError> {
        let model = model.clone();
        self.write(move |conn| access::create_model_within_limit(conn, &model, max_models))
            .await
    }

    async fn count_inferences(&self, tenant: &str) -> Result<u64, StoreError> {
        let tenant = tenant.to_owned();
        self.read(move |conn| access::count_inferences(conn, &tenant))
            .await
    }

    async fn put_job(&self, job: &JobRecord) -> Result<(), StoreError> {
        let job = job.clone();
        self.write(move |conn| jobs::put_job(conn, &job)).await
    }

    async fn update_job(&self, job: &JobRecord) -> Result<bool, StoreError> {
        let job = job.clone();
        self.write(move |conn| jobs::update_job(conn, &job)).await
    }

    async fn get_job(&self, tenant: &str, id: &str) -> Result<Option<JobRecord>, StoreError> {
        let (tenant, id) = (tenant.to_owned(), id.to_owned());
        self.read(move |conn| jobs::get_job(conn, &tenant, &id))
            .await
    }

    async fn fail_unfinished_jobs(
        &self,
        owner: &str,
        at: Millis,
        error: &str,
    ) -> Result<u64, StoreError> {
        let (owner, error) = (owner.to_owned(), error.to_owned());
        self.write(move |conn| jobs::fail_unfinished_jobs(conn, &owner, at, &error))
            .await
    }

    async fn create_tenant(&self, tenant: &TenantRecord) -> Result<(), StoreError> {
        let tenant = tenant.clone();
        self.write(move |conn| access::create_tenant(conn, &tenant))
            .await
    }

    async fn get_tenant(&self, name: &str) -> Result<Option<TenantRecord>, StoreError> {
        let name = name.to_owned();
        self.read(move |conn| access::get_tenant(conn, &name)).await
    }

    async fn list_tenants(&self) -> Result<Vec<TenantRecord>, StoreError> {
        self.read(access::list_tenants).await
    }

    async fn create_user(&self, user: &UserRecord) -> Result<(), StoreError> {
        let user = user.clone();
        self.write(move |conn| access::create_user(conn, &user))
            .await
    }

    async fn get_user(
        &self,
        tenant: &str,
        username: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        let (tenant, username) = (tenant.to_owned(), username.to_owned());
        self.read(move |conn| access::get_user(conn, &tenant, &username))
            .await
    }

    async fn list_users(&self, tenant: &str) -> Result<Vec<UserRecord>, StoreError> {
        let tenant = tenant.to_owned();
        self.read(move |conn| access::list_users(conn, &tenant))
            .await
    }

    async fn delete_user(&self, tenant: &str, username: &str) -> Result<bool, StoreError> {
        let (tenant, username) = (tenant.to_owned(), username.to_owned());
        self.write(move |conn| access::delete_user(conn, &tenant, &username))
            .await
    }

    async fn create_api_key(&self, key: &ApiKeyRecord) -> Result<(), StoreError> {
        let key = key.clone();
        self.write(move |conn| access::create_api_key(conn, &key))
            .await
    }

    async fn create_first_api_key(
        &self,
        tenant: &TenantRecord,
        key: &ApiKeyRecord,
    ) -> Result<bool, StoreError> {
        let (tenant, key) = (tenant.clone(), key.clone());
        self.write(move |conn| access::create_first_api_key(conn, &tenant, &key))
            .await
    }

    async fn get_api_key(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<ApiKeyRecord>, StoreError> {
        let (tenant, id) = (tenant.to_owned(), id.to_owned());
        self.read(move |conn| access::get_api_key(conn, &tenant, &id))
            .await
    }

    async fn get_api_key_by_prefix(
        &self,
        prefix: &str,
    ) -> Result<Option<ApiKeyRecord>, StoreError> {
        let prefix = prefix.to_owned();
        self.read(move |conn| access::get_api_key_by_prefix(conn, &prefix))
            .await
    }

    async fn list_api_keys(&self, tenant: &str) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let tenant = tenant.to_owned();
        self.read(move |conn| access::list_api_keys(conn, &tenant))
            .await
    }

    async fn revoke_api_key(
        &self,
        tenant: &str,
        id: &str,
        at: Millis,
    ) -> Result<Option<ApiKeyRecord>, StoreError> {
        let (tenant, id) = (tenant.to_owned(), id.to_owned());
        self.write(move |conn| access::revoke_api_key(conn, &tenant, &id, at))
            .await
    }

    async fn append_audit(&self, record: &AuditRecord) -> Result<(), StoreError> {
        let record = record.clone();
        self.write(move |conn| access::append_audit(conn, &record))
            .await
    }

    async fn query_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>, StoreError> {
        let filter = filter.clone();
        self.read(move |conn| access::query_audit(conn, &filter))
            .await
    }

    async fn get_or_create_setting(&self, name: &str, value: &str) -> Result<String, StoreError> {
        let (name, value) = (name.to_owned(), value.to_owned());
        self.write(move |conn| access::get_or_create_setting(conn, &name, &value))
            .await
    }

    async fn get_stream(
        &self,
        tenant: &str,
        key: &str,
    ) -> Result<Option<StreamRecord>, StoreError> {
        let (tenant, key) = (tenant.to_owned(), key.to_owned());
        self.read(move |conn| streams::get_stream(conn, &tenant, &key))
            .await
    }

    async fn list_streams(&self, tenant: &str) -> Result<Vec<StreamRecord>, StoreError> {
        let tenant = tenant.to_owned();
        self.read(move |conn| streams::list_streams(conn, &tenant))
            .await
    }

    async fn save_stream(
        &self,
        stream: &StreamRecord,
        expected_version: u64,
        anomalies: &[AnomalyRecord],
    ) -> Result<bool, StoreError> {
        let (stream, anomalies) = (stream.clone(), anomalies.to_vec());
        self.write(move |conn| streams::save_stream(conn, &stream, expected_version, &anomalies))
            .await
    }

    async fn get_anomaly(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<AnomalyRecord>, StoreError> {
        let (tenant, id) = (tenant.to_owned(), id.to_owned());
        self.read(move |conn| streams::get_anomaly(conn, &tenant, &id))
            .await
    }

    async fn list_anomalies(
        &self,
        tenant: &str,
        filter: &AnomalyFilter,
    ) -> Result<Vec<AnomalyRecord>, StoreError> {
        let (tenant, filter) = (tenant.to_owned(), filter.clone());
        self.read(move |conn| streams::list_anomalies(conn, &tenant, &filter))
            .await
    }

    async fn set_anomaly_status(
        &self,
        tenant: &str,
        id: &str,
        status: &str,
        at: Millis,
    ) -> Result<Option<AnomalyRecord>, StoreError> {
        let (tenant, id, status) = (tenant.to_owned(), id.to_owned(), status.to_owned());
        self.write(move |conn| streams::set_anomaly_status(conn, &tenant, &id, &status, at))
            .await
    }

    async fn put_evidence(&self, evidence: &NewEvidence) -> Result<EvidenceSummary, StoreError> {
        let evidence = evidence.clone();
        self.write(move |conn| evidence::put_evidence(conn, &evidence))
            .await
    }

    async fn get_evidence(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<EvidenceRecord>, StoreError> {
        let (tenant, id) = (tenant.to_owned(), id.to_owned());
        self.read(move |conn| evidence::get_evidence(conn, &tenant, &id))
            .await
    }

    async fn list_evidence(
        &self,
        tenant: &str,
        limit: u32,
        before_seq: Option<u64>,
    ) -> Result<Vec<EvidenceSummary>, StoreError> {
        let tenant = tenant.to_owned();
        self.read(move |conn| evidence::list_evidence(conn, &tenant, limit, before_seq))
            .await
    }

    fn subscribe(&self) -> broadcast::Receiver<ModelEvent> {
        self.events.subscribe()
    }
}
