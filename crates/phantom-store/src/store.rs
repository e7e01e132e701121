//! [`Store`]: the backend chosen at start-up, dispatching every call by `match`.

use std::path::PathBuf;

use tokio::sync::broadcast;

use crate::StoreError;
use crate::evidence_records::{EvidenceRecord, EvidenceSummary, NewEvidence};
use crate::postgres::PostgresStore;
use crate::records::{
    ApiKeyRecord, AuditFilter, AuditRecord, InferenceQuery, InferenceRecord, JobRecord, Millis,
    ModelEvent, ModelRecord, ModelStatus, NewVersion, TenantRecord, UserRecord, VersionRecord,
    VersionSummary,
};
use crate::sqlite::SqliteStore;
use crate::storage::{Storage, StoreLocation};
use crate::stream_records::{AnomalyFilter, AnomalyRecord, StreamRecord};

/// The backend chosen at start-up. Dispatches to the backend by `match`, so callers hold one
/// concrete type.
pub enum Store {
    /// Embedded SQLite.
    Sqlite(SqliteStore),
    /// PostgreSQL over a connection pool.
    Postgres(PostgresStore),
}

impl Store {
    /// Opens (creating if needed) the store at `location` and runs pending migrations.
    pub async fn open(location: &StoreLocation) -> Result<Self, StoreError> {
        match location {
            StoreLocation::DataDir(dir) => Ok(Store::Sqlite(SqliteStore::open_in_dir(dir).await?)),
            StoreLocation::Url(url) => {
                if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                    Ok(Store::Postgres(PostgresStore::connect(url).await?))
                } else if let Some(path) = url.strip_prefix("sqlite://") {
                    Ok(Store::Sqlite(SqliteStore::open(PathBuf::from(path)).await?))
                } else {
                    Err(StoreError::InvalidLocation {
                        location: crate::error::redact_url(url),
                        reason: "expected a postgres://, postgresql:// or sqlite:// URL".into(),
                    })
                }
            }
        }
    }
}

macro_rules! dispatch {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            Store::Sqlite($s) => $call,
            Store::Postgres($s) => $call,
        }
    };
}

impl Storage for Store {
    fn backend(&self) -> &'static str {
        dispatch!(self, s => s.backend())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        dispatch!(self, s => s.ping().await)
    }

    async fn create_model(&self, model: &ModelRecord) -> Result<(), StoreError> {
        dispatch!(self, s => s.create_model(model).await)
    }

    async fn get_model(&self, tenant: &str, id: &str) -> Result<Option<ModelRecord>, StoreError> {
        dispatch!(self, s => s.get_model(tenant, id).await)
    }

    async fn get_model_by_name(
        &self,
        tenant: &str,
        name: &str,
    ) -> Result<Option<ModelRecord>, StoreError> {
        dispatch!(self, s => s.get_model_by_name(tenant, name).await)
    }

    async fn list_models(&self, tenant: &str) -> Result<Vec<ModelRecord>, StoreError> {
        dispatch!(self, s => s.list_models(tenant).await)
    }

    async fn set_model_status(
        &self,
        tenant: &str,
        id: &str,
        status: ModelStatus,
        at: Millis,
    ) -> Result<(), StoreError> {
        dispatch!(self, s => s.set_model_status(tenant, id, status, at).await)
    }

    async fn activate_version(
        &self,
        tenant: &str,
        id: &str,
        version: u32,
        at: Millis,
    ) -> Result<(), StoreError> {
        dispatch!(self, s => s.activate_version(tenant, id, version, at).await)
    }

    async fn delete_model(&self, tenant: &str, id: &str) -> Result<bool, StoreError> {
        dispatch!(self, s => s.delete_model(tenant, id).await)
    }

    async fn add_version(
        &self,
        tenant: &str,
        model_id: &str,
        version: &NewVersion,
        activate: bool,
    ) -> Result<VersionSummary, StoreError> {
        dispatch!(self, s => s.add_version(tenant, model_id, version, activate).await)
    }

    async fn get_version(
        &self,
        tenant: &str,
        model_id: &str,
        version: u32,
    ) -> Result<Option<VersionRecord>, StoreError> {
        dispatch!(self, s => s.get_version(tenant, model_id, version).await)
    }

    async fn list_versions(
        &self,
        tenant: &str,
        model_id: &str,
    ) -> Result<Vec<VersionSummary>, StoreError> {
        dispatch!(self, s => s.list_versions(tenant, model_id).await)
    }

    async fn log_inferences(&self, records: &[InferenceRecord]) -> Result<(), StoreError> {
        dispatch!(self, s => s.log_inferences(records).await)
    }

    async fn inference_history(
        &self,
        query: &InferenceQuery,
    ) -> Result<Vec<InferenceRecord>, StoreError> {
        dispatch!(self, s => s.inference_history(query).await)
    }

    async fn create_model_within_limit(
        &self,
        model: &ModelRecord,
        max_models: u64,
    ) -> Result<(), StoreError> {
        dispatch!(self, s => s.create_model_within_limit(model, max_models).await)
    }

    async fn count_inferences(&self, tenant: &str) -> Result<u64, StoreError> {
        dispatch!(self, s => s.count_inferences(tenant).await)
    }

    async fn put_job(&self, job: &JobRecord) -> Result<(), StoreError> {
        dispatch!(self, s => s.put_job(job).await)
    }

    async fn update_job(&self, job: &JobRecord) -> Result<bool, StoreError> {
        dispatch!(self, s => s.update_job(job).await)
    }

    async fn get_job(&self, tenant: &str, id: &str) -> Result<Option<JobRecord>, StoreError> {
        dispatch!(self, s => s.get_job(tenant, id).await)
    }

    async fn fail_unfinished_jobs(
        &self,
        owner: &str,
        at: Millis,
        error: &str,
    ) -> Result<u64, StoreError> {
        dispatch!(self, s => s.fail_unfinished_jobs(owner, at, error).await)
    }

    async fn create_tenant(&self, tenant: &TenantRecord) -> Result<(), StoreError> {
        dispatch!(self, s => s.create_tenant(tenant).await)
    }

    async fn get_tenant(&self, name: &str) -> Result<Option<TenantRecord>, StoreError> {
        dispatch!(self, s => s.get_tenant(name).await)
    }

    async fn list_tenants(&self) -> Result<Vec<TenantRecord>, StoreError> {
        dispatch!(self, s => s.list_tenants().await)
    }

    async fn create_user(&self, user: &UserRecord) -> Result<(), StoreError> {
        dispatch!(self, s => s.create_user(user).await)
    }

    async fn get_user(
        &self,
        tenant: &str,
        username: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        dispatch!(self, s => s.get_user(tenant, username).await)
    }

    async fn list_users(&self, tenant: &str) -> Result<Vec<UserRecord>, StoreError> {
        dispatch!(self, s => s.list_users(tenant).await)
    }

    async fn delete_user(&self, tenant: &str, username: &str) -> Result<bool, StoreError> {
        dispatch!(self, s => s.delete_user(tenant, username).await)
    }

    async fn create_api_key(&self, key: &ApiKeyRecord) -> Result<(), StoreError> {
        dispatch!(self, s => s.create_api_key(key).await)
    }

    async fn create_first_api_key(
        &self,
        tenant: &TenantRecord,
        key: &ApiKeyRecord,
    ) -> Result<bool, StoreError> {
        dispatch!(self, s => s.create_first_api_key(tenant, key).await)
    }

    async fn get_api_key(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<ApiKeyRecord>, StoreError> {
        dispatch!(self, s => s.get_api_key(tenant, id).await)
    }

    async fn get_api_key_by_prefix(
        &self,
        prefix: &str,
    ) -> Result<Option<ApiKeyRecord>, StoreError> {
        dispatch!(self, s => s.get_api_key_by_prefix(prefix).await)
    }

    async fn list_api_keys(&self, tenant: &str) -> Result<Vec<ApiKeyRecord>, StoreError> {
        dispatch!(self, s => s.list_api_keys(tenant).await)
    }

    async fn revoke_api_key(
        &self,
        tenant: &str,
        id: &str,
        at: Millis,
    ) -> Result<Option<ApiKeyRecord>, StoreError> {
        dispatch!(self, s => s.revoke_api_key(tenant, id, at).await)
    }

    async fn append_audit(&self, record: &AuditRecord) -> Result<(), StoreError> {
        dispatch!(self, s => s.append_audit(record).await)
    }

    async fn query_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>, StoreError> {
        dispatch!(self, s => s.query_audit(filter).await)
    }

    async fn get_or_create_setting(&self, name: &str, value: &str) -> Result<String, StoreError> {
        dispatch!(self, s => s.get_or_create_setting(name, value).await)
    }

    async fn get_stream(
        &self,
        tenant: &str,
        key: &str,
    ) -> Result<Option<StreamRecord>, StoreError> {
        dispatch!(self, s => s.get_stream(tenant, key).await)
    }

    async fn list_streams(&self, tenant: &str) -> Result<Vec<StreamRecord>, StoreError> {
        dispatch!(self, s => s.list_streams(tenant).await)
    }

    async fn save_stream(
        &self,
        stream: &StreamRecord,
        expected_version: u64,
        anomalies: &[AnomalyRecord],
    ) -> Result<bool, StoreError> {
        dispatch!(self, s => s.save_stream(stream, expected_version, anomalies).await)
    }

    async fn get_anomaly(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<AnomalyRecord>, StoreError> {
        dispatch!(self, s => s.get_anomaly(tenant, id).await)
    }

    async fn list_anomalies(
        &self,
        tenant: &str,
        filter: &AnomalyFilter,
    ) -> Result<Vec<AnomalyRecord>, StoreError> {
        dispatch!(self, s => s.list_anomalies(tenant, filter).await)
    }

    async fn set_anomaly_status(
        &self,
        tenant: &str,
        id: &str,
        status: &str,
        at: Millis,
    ) -> Result<Option<AnomalyRecord>, StoreError> {
        dispatch!(self, s => s.set_anomaly_status(tenant, id, status, at).await)
    }

    async fn put_evidence(&self, evidence: &NewEvidence) -> Result<EvidenceSummary, StoreError> {
        dispatch!(self, s => s.put_evidence(evidence).await)
    }

    async fn get_evidence(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<EvidenceRecord>, StoreError> {
        dispatch!(self, s => s.get_evidence(tenant, id).await)
    }

    async fn list_evidence(
        &self,
        tenant: &str,
        limit: u32,
        before_seq: Option<u64>,
    ) -> Result<Vec<EvidenceSummary>, StoreError> {
        dispatch!(self, s => s.list_evidence(tenant, limit, before_seq).await)
    }

    fn subscribe(&self) -> broadcast::Receiver<ModelEvent> {
        dispatch!(self, s => s.subscribe())
    }
}
