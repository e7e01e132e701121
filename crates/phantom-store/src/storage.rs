//! The storage contract every backend fulfils, and [`Store`], the backend chosen at start-up.

use std::future::Future;
use std::path::PathBuf;

use tokio::sync::broadcast;

use crate::StoreError;
use crate::postgres::PostgresStore;
use crate::records::{
    InferenceQuery, InferenceRecord, Millis, ModelEvent, ModelRecord, ModelStatus, NewVersion,
    VersionRecord, VersionSummary,
};
use crate::sqlite::SqliteStore;

/// Everything the engine persists. Every method is scoped by tenant, so one tenant can never
/// read or change another's rows; a row of another tenant looks exactly like a missing one.
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

    fn subscribe(&self) -> broadcast::Receiver<ModelEvent> {
        dispatch!(self, s => s.subscribe())
    }
}
