//! The shared backend: PostgreSQL through a connection pool, with LISTEN/NOTIFY so every
//! process sharing the database hears about changes.

mod access;
mod evidence;
mod jobs;
mod listener;
mod migrate;
mod queries;
mod streams;

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tokio_postgres::{Config, NoTls};

use crate::StoreError;
use crate::evidence_records::{EvidenceRecord, EvidenceSummary, NewEvidence};
use crate::records::{
    ApiKeyRecord, AuditFilter, AuditRecord, InferenceQuery, InferenceRecord, JobRecord, Millis,
    ModelEvent, ModelRecord, ModelStatus, NewVersion, TenantRecord, UserRecord, VersionRecord,
    VersionSummary,
};
use crate::storage::Storage;
use crate::stream_records::{AnomalyFilter, AnomalyRecord, StreamRecord};

/// Connections in the pool.
const POOL_SIZE: usize = 8;

/// How long to wait for a server to accept a connection, unless the URL says otherwise.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How many events a slow subscriber may fall behind before it sees `Lagged`.
const EVENT_CAPACITY: usize = 1024;

/// Storage in PostgreSQL, in the first existing schema of the session's `search_path`
/// (choose one with `?options=-c%20search_path%3Dname` in the URL).
///
/// Every change is announced with NOTIFY in its own transaction; a background task holds a
/// LISTEN connection and turns notifications, from this process and every other, into
/// [`ModelEvent`]s. If that connection drops it reconnects and sends [`ModelEvent::Resync`].
/// The task stops when the store is dropped.
pub struct PostgresStore {
    pool: Pool,
    channel: String,
    events: broadcast::Sender<ModelEvent>,
    listener: JoinHandle<()>,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db?options=...`), runs
    /// pending migrations and starts listening for changes.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let mut config: Config = url.parse().map_err(|e| StoreError::InvalidLocation {
            location: crate::error::redact_url(url),
            reason: format!("not a PostgreSQL connection URL: {e}"),
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| StoreError::Pool(e.to_string()))?;

        let mut client = get(&pool).await?;
        let schema: Option<String> = client
            .query_one("SELECT current_schema()", &[])
            .await?
            .try_get(0)?;
        let Some(schema) = schema else {
            return Err(StoreError::InvalidLocation {
                location: crate::error::redact_url(url),
                reason: "no schema on the session's search_path exists; create it, or name an existing one with options=-c search_path=..."
                    .into(),
            });
        };
        migrate::migrate(&mut client).await?;
        drop(client);

        let channel = listener::channel_name(&schema);
        let events = broadcast::channel(EVENT_CAPACITY).0;
        let listener = listener::start(config, channel.clone(), events.clone()).await?;
        Ok(PostgresStore {
            pool,
            channel,
            events,
            listener,
        })
    }

    async fn client(&self) -> Result<Object, StoreError> {
        get(&self.pool).await
    }
}

async fn get(pool: &Pool) -> Result<Object, StoreError> {
    pool.get()
        .await
        .map_err(|e| StoreError::Pool(e.to_string()))
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

impl Storage for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.client().await?.query_one("SELECT 1", &[]).await?;
        Ok(())
    }

    async fn create_model(&self, model: &ModelRecord) -> Result<(), StoreError> {
        queries::create_model(&**self.client().await?, model).await
    }

    async fn get_model(&self, tenant: &str, id: &str) -> Result<Option<ModelRecord>, StoreError> {
        queries::get_model(&*self.client().await?, tenant, id).await
    }

    async fn get_model_by_name(
        &self,
        tenant: &str,
        name: &str,
    ) -> Result<Option<ModelRecord>, StoreError> {
        queries::get_model_by_name(&*self.client().await?, tenant, name).await
    }

    async fn list_models(&self, tenant: &str) -> Result<Vec<ModelRecord>, StoreError> {
        queries::list_models(&*self.client().await?, tenant).await
    }

    async fn set_model_status(
        &self,
        tenant: &str,
        id: &str,
        status: ModelStatus,
        at: Millis,
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        queries::set_model_status(&tx, &self.channel, tenant, id, status, at).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn activate_version(
        &self,
        tenant: &str,
        id: &str,
        version: u32,
        at: Millis,
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        queries::activate_version(&tx, &self.channel, tenant, id, version, at).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_model(&self, tenant: &str, id: &str) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let existed = queries::delete_model(&tx, &self.channel, tenant, id).await?;
        tx.commit().await?;
        Ok(existed)
    }

    async fn add_version(
        &self,
        tenant: &str,
        model_id: &str,
        version: &NewVersion,
        activate: bool,
    ) -> Result<VersionSummary, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let summary =
            queries::add_version(&tx, &self.channel, tenant, model_id, version, activate).await?;
        tx.commit().await?;
        Ok(summary)
    }

    async fn get_version(
        &self,
        tenant: &str,
        model_id: &str,
        version: u32,
    ) -> Result<Option<VersionRecord>, StoreError> {
        queries::get_version(&*self.client().await?, tenant, model_id, version).await
    }

    async fn list_versions(
        &self,
        tenant: &str,
        model_id: &str,
    ) -> Result<Vec<VersionSummary>, StoreError> {
        queries::list_versions(&*self.client().await?, tenant, model_id).await
    }

    async fn log_inferences(&self, records: &[InferenceRecord]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        queries::log_inferences(&*self.client().await?, records).await
    }

    async fn inference_history(
        &self,
        query: &InferenceQuery,
    ) -> Result<Vec<InferenceRecord>, StoreError> {
        queries::inference_history(&*self.client().await?, query).await
    }

    async fn create_model_within_limit(
        &self,
        model: &ModelRecord,
        max_models: u64,
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        access::create_model_within_limit(&tx, model, max_models).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn count_inferences(&self, tenant: &str) -> Result<u64, StoreError> {
        access::count_inferences(&*self.client().await?, tenant).await
    }

    async fn put_job(&self, job: &JobRecord) -> Result<(), StoreError> {
        jobs::put_job(&*self.client().await?, job).await
    }

    async fn update_job(&self, job: &JobRecord) -> Result<bool, StoreError> {
        jobs::update_job(&*self.client().await?, job).await
    }

    async fn get_job(&self, tenant: &str, id: &str) -> Result<Option<JobRecord>, StoreError> {
        jobs::get_job(&*self.client().await?, tenant, id).await
    }

    async fn fail_unfinished_jobs(
        &self,
        owner: &str,
        at: Millis,
        error: &str,
    ) -> Result<u64, StoreError> {
        jobs::fail_unfinished_jobs(&*self.client().await?, owner, at, error).await
    }

    async fn create_tenant(&self, tenant: &TenantRecord) -> Result<(), StoreError> {
        access::create_tenant(&*self.client().await?, tenant).await
    }

    async fn get_tenant(&self, name: &str) -> Result<Option<TenantRecord>, StoreError> {
        access::get_tenant(&*self.client().await?, name).await
    }

    async fn list_tenants(&self) -> Result<Vec<TenantRecord>, StoreError> {
        access::list_tenants(&*self.client().await?).await
    }

    async fn create_user(&self, user: &UserRecord) -> Result<(), StoreError> {
        access::create_user(&*self.client().await?, user).await
    }

    async fn get_user(
        &self,
        tenant: &str,
        username: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        access::get_user(&*self.client().await?, tenant, username).await
    }

    async fn list_users(&self, tenant: &str) -> Result<Vec<UserRecord>, StoreError> {
        access::list_users(&*self.client().await?, tenant).await
    }

    async fn delete_user(&self, tenant: &str, username: &str) -> Result<bool, StoreError> {
        access::delete_user(&*self.client().await?, tenant, username).await
    }

    async fn create_api_key(&self, key: &ApiKeyRecord) -> Result<(), StoreError> {
        access::create_api_key(&**self.client().await?, key).await
    }

    async fn create_first_api_key(
        &self,
        tenant: &TenantRecord,
        key: &ApiKeyRecord,
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let created = access::create_first_api_key(&tx, tenant, key).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn get_api_key(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<ApiKeyRecord>, StoreError> {
        access::get_api_key(&*self.client().await?, tenant, id).await
    }

    async fn get_api_key_by_prefix(
        &self,
        prefix: &str,
    ) -> Result<Option<ApiKeyRecord>, StoreError> {
        access::get_api_key_by_prefix(&*self.client().await?, prefix).await
    }

    async fn list_api_keys(&self, tenant: &str) -> Result<Vec<ApiKeyRecord>, StoreError> {
        access::list_api_keys(&*self.client().await?, tenant).await
    }

    async fn revoke_api_key(
        &self,
        tenant: &str,
        id: &str,
        at: Millis,
    ) -> Result<Option<ApiKeyRecord>, StoreError> {
        access::revoke_api_key(&*self.client().await?, tenant, id, at).await
    }

    async fn append_audit(&self, record: &AuditRecord) -> Result<(), StoreError> {
        access::append_audit(&*self.client().await?, record).await
    }

    async fn query_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>, StoreError> {
        access::query_audit(&*self.client().await?, filter).await
    }

    async fn get_or_create_setting(&self, name: &str, value: &str) -> Result<String, StoreError> {
        access::get_or_create_setting(&*self.client().await?, name, value).await
    }

    async fn get_stream(
        &self,
        tenant: &str,
        key: &str,
    ) -> Result<Option<StreamRecord>, StoreError> {
        streams::get_stream(&*self.client().await?, tenant, key).await
    }

    async fn list_streams(&self, tenant: &str) -> Result<Vec<StreamRecord>, StoreError> {
        streams::list_streams(&*self.client().await?, tenant).await
    }

    async fn save_stream(
        &self,
        stream: &StreamRecord,
        expected_version: u64,
        anomalies: &[AnomalyRecord],
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        streams::save_stream(&mut client, stream, expected_version, anomalies).await
    }

    async fn get_anomaly(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<AnomalyRecord>, StoreError> {
        streams::get_anomaly(&*self.client().await?, tenant, id).await
    }

    async fn list_anomalies(
        &self,
        tenant: &str,
        filter: &AnomalyFilter,
    ) -> Result<Vec<AnomalyRecord>, StoreError> {
        streams::list_anomalies(&*self.client().await?, tenant, filter).await
    }

    async fn set_anomaly_status(
        &self,
        tenant: &str,
        id: &str,
        status: &str,
        at: Millis,
    ) -> Result<Option<AnomalyRecord>, StoreError> {
        streams::set_anomaly_status(&*self.client().await?, tenant, id, status, at).await
    }

    async fn put_evidence(&self, evidence: &NewEvidence) -> Result<EvidenceSummary, StoreError> {
        evidence::put_evidence(&*self.client().await?, evidence).await
    }

    async fn get_evidence(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<EvidenceRecord>, StoreError> {
        evidence::get_evidence(&*self.client().await?, tenant, id).await
    }

    async fn list_evidence(
        &self,
        tenant: &str,
        limit: u32,
        before_seq: Option<u64>,
    ) -> Result<Vec<EvidenceSummary>, StoreError> {
        evidence::list_evidence(&*self.client().await?, tenant, limit, before_seq).await
    }

    fn subscribe(&self) -> broadcast::Receiver<ModelEvent> {
        self.events.subscribe()
    }
}
