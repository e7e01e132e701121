//! The storage contract every backend fulfils, and where a store lives.

use std::future::Future;
use std::path::PathBuf;

use tokio::sync::broadcast;

use crate::StoreError;
use crate::evidence_records::{EvidenceRecord, EvidenceSummary, NewEvidence};
use crate::records::{
    ApiKeyRecord, AuditFilter, AuditRecord, InferenceQuery, InferenceRecord, JobRecord, Millis,
    ModelEvent, ModelRecord, ModelStatus, NewVersion, TenantRecord, UserRecord, VersionRecord,
    VersionSummary,
};
use crate::stream_records::{AnomalyFilter, AnomalyRecord, StreamRecord};

/// Everything the engine persists. Every method is scoped by tenant, so one tenant can never
/// read or change another's rows; a row of another tenant looks exactly like a missing one.
/// The exceptions are the few that have no tenant to scope by: the tenants themselves,
/// finding an API key by its prefix (the key names the tenant), settings, and ending the
/// jobs of an engine instance (which runs jobs of every tenant).
///
/// Durability: when a write method returns `Ok`, the write survives a crash of the process
/// (SQLite in WAL mode with `synchronous=FULL`; PostgreSQL committed transactions).
pub trait Storage: Send + Sync {
    /// Which backend this is: `"sqlite"` or `"postgres"`.
    fn backend(&self) -> &'static str;

    /// Checks that the database answers.
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Adds a model. `Conflict` if its id, or its name within the tenant, is taken.
    fn create_model(
        &self,
        model: &ModelRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The model with this id in this tenant.
    fn get_model(
        &self,
        tenant: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<ModelRecord>, StoreError>> + Send;

    /// The model with this name in this tenant.
    fn get_model_by_name(
        &self,
        tenant: &str,
        name: &str,
    ) -> impl Future<Output = Result<Option<ModelRecord>, StoreError>> + Send;

    /// Every model of the tenant, oldest first.
    fn list_models(
        &self,
        tenant: &str,
    ) -> impl Future<Output = Result<Vec<ModelRecord>, StoreError>> + Send;

    /// Sets a model's status. `NotFound` if the model does not exist.
    fn set_model_status(
        &self,
        tenant: &str,
        id: &str,
        status: ModelStatus,
        at: Millis,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Makes `version` the one that serves. `NotFound` if the model or the version does not
    /// exist. Every engine sharing the database receives [`ModelEvent::Changed`].
    fn activate_version(
        &self,
        tenant: &str,
        id: &str,
        version: u32,
        at: Millis,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Deletes a model with its versions and logged inferences. Returns whether it existed.
    fn delete_model(
        &self,
        tenant: &str,
        id: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Adds a version numbered one past the highest so far (atomically, even with several
    /// writers), stores the artifact's SHA-256, and if `activate` makes it the serving version
    /// in the same transaction. `NotFound` if the model does not exist.
    fn add_version(
        &self,
        tenant: &str,
        model_id: &str,
        version: &NewVersion,
        activate: bool,
    ) -> impl Future<Output = Result<VersionSummary, StoreError>> + Send;

    /// A version with its artifact, checked against its checksum (`Corrupt` if it differs).
    fn get_version(
        &self,
        tenant: &str,
        model_id: &str,
        version: u32,
    ) -> impl Future<Output = Result<Option<VersionRecord>, StoreError>> + Send;

    /// Every version of a model without artifacts, oldest first (empty if the model does not
    /// exist in this tenant).
    fn list_versions(
        &self,
        tenant: &str,
        model_id: &str,
    ) -> impl Future<Output = Result<Vec<VersionSummary>, StoreError>> + Send;

    /// Appends logged predictions in one transaction. A record whose model does not exist in
    /// its tenant (deleted while the prediction was in flight) is dropped, as deleting the
    /// model would have dropped it.
    fn log_inferences(
        &self,
        records: &[InferenceRecord],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Logged predictions of one model in a time range, newest first.
    fn inference_history(
        &self,
        query: &InferenceQuery,
    ) -> impl Future<Output = Result<Vec<InferenceRecord>, StoreError>> + Send;

    /// Adds a model unless the tenant already holds `max_models` models, checking and adding
    /// atomically even with several writers. `LimitReached` at the limit; `Conflict` as for
    /// [`Storage::create_model`].
    fn create_model_within_limit(
        &self,
        model: &ModelRecord,
        max_models: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// How many predictions the tenant has logged (over all its models).
    fn count_inferences(
        &self,
        tenant: &str,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Adds a training job. `Conflict` if its id is taken.
    fn put_job(&self, job: &JobRecord) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Writes a job's state, steps, outcome and heartbeat (`job.tenant` and `job.id` name
    /// the row; its model, owner and creation time stay as stored). Only an unfinished job
    /// changes: a finished job's row is final, so a late progress report cannot undo its
    /// outcome. Returns whether the row changed (`false`: no such job in the tenant, or it
    /// had finished).
    fn update_job(&self, job: &JobRecord) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The job with this id in this tenant.
    fn get_job(
        &self,
        tenant: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<JobRecord>, StoreError>> + Send;

    /// Marks every unfinished job of engine instance `owner` [`JobRecord::FAILED`] at `at`
    /// with `error` (an engine that restarts ends the jobs it was running); returns how many.
    fn fail_unfinished_jobs(
        &self,
        owner: &str,
        at: Millis,
        error: &str,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Adds a tenant. `Conflict` if the name is taken.
    fn create_tenant(
        &self,
        tenant: &TenantRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The tenant with this name.
    fn get_tenant(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Option<TenantRecord>, StoreError>> + Send;

    /// Every tenant, by name.
    fn list_tenants(&self) -> impl Future<Output = Result<Vec<TenantRecord>, StoreError>> + Send;

    /// Adds a user. `NotFound` if its tenant does not exist, `Conflict` if the name is taken
    /// in the tenant.
    fn create_user(&self, user: &UserRecord)
    -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The user with this name in this tenant.
    fn get_user(
        &self,
        tenant: &str,
        username: &str,
    ) -> impl Future<Output = Result<Option<UserRecord>, StoreError>> + Send;

    /// The tenant's users, by name.
    fn list_users(
        &self,
        tenant: &str,
    ) -> impl Future<Output = Result<Vec<UserRecord>, StoreError>> + Send;

    /// Deletes a user. Returns whether it existed.
    fn delete_user(
        &self,
        tenant: &str,
        username: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Adds an API key. `NotFound` if its tenant does not exist, `Conflict` if its id or its
    /// prefix is taken (in any tenant).
    fn create_api_key(
        &self,
        key: &ApiKeyRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Adds `key` only if `tenant` has no user and no API key yet, creating the tenant if it
    /// does not exist; checks and writes atomically, so of several stores doing this at once
    /// exactly one adds its key. Returns whether the key was added.
    fn create_first_api_key(
        &self,
        tenant: &TenantRecord,
        key: &ApiKeyRecord,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The API key with this id in this tenant.
    fn get_api_key(
        &self,
        tenant: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<ApiKeyRecord>, StoreError>> + Send;

    /// The API key with this prefix, whatever its tenant: a credential names its tenant
    /// only through its key. Always read from the database, so a revocation made through
    /// any store is seen by the next call.
    fn get_api_key_by_prefix(
        &self,
        prefix: &str,
    ) -> impl Future<Output = Result<Option<ApiKeyRecord>, StoreError>> + Send;

    /// The tenant's API keys, oldest first, revoked and expired ones included.
    fn list_api_keys(
        &self,
        tenant: &str,
    ) -> impl Future<Output = Result<Vec<ApiKeyRecord>, StoreError>> + Send;

    /// Marks a key revoked at `at` (a key already revoked keeps its first revocation time)
    /// and returns it; `None` if the tenant has no such key.
    fn revoke_api_key(
        &self,
        tenant: &str,
        id: &str,
        at: Millis,
    ) -> impl Future<Output = Result<Option<ApiKeyRecord>, StoreError>> + Send;

    /// Appends an audit record. There is no method to change or delete one.
    fn append_audit(
        &self,
        record: &AuditRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Audit records matching `filter`, newest first.
    fn query_audit(
        &self,
        filter: &AuditFilter,
    ) -> impl Future<Output = Result<Vec<AuditRecord>, StoreError>> + Send;

    /// The value of setting `name`; if it has none yet, stores `value` and returns it. Of
    /// several stores doing this at once, all get the value of the first.
    fn get_or_create_setting(
        &self,
        name: &str,
        value: &str,
    ) -> impl Future<Output = Result<String, StoreError>> + Send;

    /// The stream with this key in this tenant, with its state.
    fn get_stream(
        &self,
        tenant: &str,
        key: &str,
    ) -> impl Future<Output = Result<Option<StreamRecord>, StoreError>> + Send;

    /// The tenant's streams by key, without their state.
    fn list_streams(
        &self,
        tenant: &str,
    ) -> impl Future<Output = Result<Vec<StreamRecord>, StoreError>> + Send;

    /// Writes a stream's settings, state and event count with `version` set to
    /// `expected_version + 1`, if its stored version is `expected_version` (0: the stream is
    /// not stored yet), and adds `anomalies` in the same transaction, skipping any the store
    /// already holds (same id, or same tenant, stream, detector and last event). Returns
    /// `false`, having written nothing, when the stored version differs: another writer got
    /// there first, and the caller must read the stream again.
    fn save_stream(
        &self,
        stream: &StreamRecord,
        expected_version: u64,
        anomalies: &[AnomalyRecord],
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The anomaly with this id in this tenant.
    fn get_anomaly(
        &self,
        tenant: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<AnomalyRecord>, StoreError>> + Send;

    /// The tenant's anomalies matching `filter`, newest first (or oldest first if asked).
    fn list_anomalies(
        &self,
        tenant: &str,
        filter: &AnomalyFilter,
    ) -> impl Future<Output = Result<Vec<AnomalyRecord>, StoreError>> + Send;

    /// Sets an anomaly's status at `at` and returns it; `None` if the tenant has no such
    /// anomaly.
    fn set_anomaly_status(
        &self,
        tenant: &str,
        id: &str,
        status: &str,
        at: Millis,
    ) -> impl Future<Output = Result<Option<AnomalyRecord>, StoreError>> + Send;

    /// Stores a signed evidence bundle's bytes exactly as given, with their SHA-256, and
    /// returns its summary (with the `seq` the store gave it). `Conflict` if its id is taken
    /// (in any tenant). A stored bundle is never changed.
    fn put_evidence(
        &self,
        evidence: &NewEvidence,
    ) -> impl Future<Output = Result<EvidenceSummary, StoreError>> + Send;

    /// The evidence bundle with this id in this tenant, with its bytes checked against their
    /// checksum (`Malformed` if they differ).
    fn get_evidence(
        &self,
        tenant: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<EvidenceRecord>, StoreError>> + Send;

    /// At most `limit` of the tenant's evidence bundles without their bytes, newest first;
    /// with `before_seq`, only those stored before that one (the next page).
    fn list_evidence(
        &self,
        tenant: &str,
        limit: u32,
        before_seq: Option<u64>,
    ) -> impl Future<Output = Result<Vec<EvidenceSummary>, StoreError>> + Send;

    /// Changes made through any engine sharing this database. PostgreSQL delivers other
    /// processes' changes through LISTEN/NOTIFY; SQLite, an embedded single-process store,
    /// delivers this process's own.
    fn subscribe(&self) -> broadcast::Receiver<ModelEvent>;
}

/// Where the store lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreLocation {
    /// SQLite in `phantom.db` inside this directory (created if missing).
    DataDir(PathBuf),
    /// A database URL: `postgres://...` / `postgresql://...`, or `sqlite://PATH`.
    Url(String),
}
