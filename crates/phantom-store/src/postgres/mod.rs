//! The shared backend: PostgreSQL.

use tokio::sync::broadcast;

use crate::StoreError;
use crate::records::{
    InferenceQuery, InferenceRecord, Millis, ModelEvent, ModelRecord, ModelStatus, NewVersion,
    VersionRecord, VersionSummary,
};
use crate::storage::Storage;

/// Storage in PostgreSQL.
pub struct PostgresStore {
    events: broadcast::Sender<ModelEvent>,
}

impl PostgresStore {
    /// Connects to the database at `url`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Err(StoreError::InvalidLocation {
            location: url.to_owned(),
            reason: "PostgreSQL backend not finished".into(),
        })
    }
}

impl Storage for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }
    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }
    async fn create_model(&self, _model: &ModelRecord) -> Result<(), StoreError> {
        Ok(())
    }
    async fn get_model(&self, _tenant: &str, _id: &str) -> Result<Option<ModelRecord>, StoreError> {
        Ok(None)
    }
    async fn get_model_by_name(
        &self,
        _t: &str,
        _n: &str,
    ) -> Result<Option<ModelRecord>, StoreError> {
        Ok(None)
    }
    async fn list_models(&self, _tenant: &str) -> Result<Vec<ModelRecord>, StoreError> {
        Ok(Vec::new())
    }
    async fn set_model_status(
        &self,
        _t: &str,
        _i: &str,
        _s: ModelStatus,
        _a: Millis,
    ) -> Result<(), StoreError> {
        Ok(())
    }
    async fn activate_version(
        &self,
        _t: &str,
        _i: &str,
        _v: u32,
        _a: Millis,
    ) -> Result<(), StoreError> {
        Ok(())
    }
    async fn delete_model(&self, _t: &str, _i: &str) -> Result<bool, StoreError> {
        Ok(false)
    }
    async fn add_version(
        &self,
        _t: &str,
        m: &str,
        _v: &NewVersion,
        _a: bool,
    ) -> Result<VersionSummary, StoreError> {
        Err(StoreError::NotFound { what: m.to_owned() })
    }
    async fn get_version(
        &self,
        _t: &str,
        _m: &str,
        _v: u32,
    ) -> Result<Option<VersionRecord>, StoreError> {
        Ok(None)
    }
    async fn list_versions(&self, _t: &str, _m: &str) -> Result<Vec<VersionSummary>, StoreError> {
        Ok(Vec::new())
    }
    async fn log_inferences(&self, _r: &[InferenceRecord]) -> Result<(), StoreError> {
        Ok(())
    }
    async fn inference_history(
        &self,
        _q: &InferenceQuery,
    ) -> Result<Vec<InferenceRecord>, StoreError> {
        Ok(Vec::new())
    }
    fn subscribe(&self) -> broadcast::Receiver<ModelEvent> {
        self.events.subscribe()
    }
}
