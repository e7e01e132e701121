//! Rows as both backends read them, before decoding into records. Reading raw columns first
//! keeps each driver's row access trivial and the decoding (and its errors) in one place.

use crate::StoreError;
use crate::codec::{count_from_column, parse_json, parse_status, version_from_column};
use crate::records::{
    ApiKeyRecord, InferenceRecord, JobRecord, Millis, ModelRecord, TenantRecord, VersionSummary,
};

/// The columns of `models`, in the order every `SELECT` of a model lists them.
pub(crate) const MODEL_COLUMNS: &str =
    "m.id, m.tenant, m.name, m.config, m.status, m.active_version, m.created_at, m.updated_at";

/// The columns of `model_versions` but the artifact, in the order every `SELECT` of a
/// version lists them.
pub(crate) const VERSION_COLUMNS: &str =
    "v.model_id, v.version, v.created_at, v.sha256, v.size, v.metadata";

/// The columns of `inference_log` that make a record, in `SELECT` order.
pub(crate) const INFERENCE_COLUMNS: &str =
    "l.tenant, l.model_id, l.version, l.at_ms, l.input, l.output, l.latency_us";

/// A `models` row as stored.
pub(crate) struct ModelRow {
    pub(crate) id: String,
    pub(crate) tenant: String,
    pub(crate) name: String,
    pub(crate) config: String,
    pub(crate) status: String,
    pub(crate) active_version: Option<i64>,
    pub(crate) created_at: Millis,
    pub(crate) updated_at: Millis,
}

impl ModelRow {
    /// Decodes the row.
    pub(crate) fn decode(self) -> Result<ModelRecord, StoreError> {
        let config = parse_json(&self.config, || {
            format!("the config of model '{}'", self.id)
        })?;
        let status = parse_status(&self.status, &self.id)?;
        let active_version = self
            .active_version
            .map(|v| version_from_column(v, &self.id))
            .transpose()?;
        Ok(ModelRecord {
            id: self.id,
            tenant: self.tenant,
            name: self.name,
            config,
            status,
            active_version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// A `model_versions` row as stored, without its artifact.
pub(crate) struct VersionRow {
    pub(crate) model_id: String,
    pub(crate) version: i64,
    pub(crate) created_at: Millis,
    pub(crate) sha256: String,
    pub(crate) size: i64,
    pub(crate) metadata: String,
}

impl VersionRow {
    /// Decodes the row.
    pub(crate) fn decode(self) -> Result<VersionSummary, StoreError> {
        let version = version_from_column(self.version, &self.model_id)?;
        let what = || format!("version {version} of model '{}'", self.model_id);
        let size = count_from_column(self.size, || format!("the size of {}", what()))?;
        let metadata = parse_json(&self.metadata, || format!("the metadata of {}", what()))?;
        Ok(VersionSummary {
            model_id: self.model_id,
            version,
            created_at: self.created_at,
            sha256: self.sha256,
            size,
            metadata,
        })
    }
}

/// An `inference_log` row as stored.
pub(crate) struct InferenceRow {
    pub(crate) tenant: String,
    pub(crate) model_id: String,
    pub(crate) version: i64,
    pub(crate) at: Millis,
    pub(crate) input: String,
    pub(crate) output: String,
    pub(crate) latency_us: i64,
}

impl InferenceRow {
    /// Decodes the row.
    pub(crate) fn decode(self) -> Result<InferenceRecord, StoreError> {
        let version = version_from_column(self.version, &self.model_id)?;
        let what = || format!("inference of model '{}' at {}", self.model_id, self.at);
        let input = parse_json(&self.input, || format!("the input of the {}", what()))?;
        let output = parse_json(&self.output, || format!("the output of the {}", what()))?;
        let latency_us =
            count_from_column(self.latency_us, || format!("the latency of the {}", what()))?;
        Ok(InferenceRecord {
            tenant: self.tenant,
            model_id: self.model_id,
            version,
            at: self.at,
            input,
            output,
            latency_us,
        })
    }
}

/// The columns of `tenants`, in `SELECT` order.
pub(crate) const TENANT_COLUMNS: &str = "t.name, t.quotas, t.created_at";

/// The columns of `users`, in `SELECT` order.
pub(crate) const USER_COLUMNS: &str = "u.tenant, u.username, u.password_hash, u.role, u.created_at";

/// The columns of `api_keys`, in `SELECT` order.
pub(crate) const API_KEY_COLUMNS: &str = "k.id, k.tenant, k.name, k.prefix, k.secret_hash, k.role, \
     k.created_at, k.expires_at, k.revoked_at, k.rate_limit_per_second";

/// The columns of `audit_log` that make a record, in `SELECT` order.
pub(crate) const AUDIT_COLUMNS: &str =
    "a.tenant, a.actor, a.action, a.resource, a.result, a.request_id, a.at, a.source, a.detail";

/// A `tenants` row as stored.
pub(crate) struct TenantRow {
    pub(crate) name: String,
    pub(crate) quotas: String,
    pub(crate) created_at: Millis,
}

impl TenantRow {
    /// Decodes the row.
    pub(crate) fn decode(self) -> Result<TenantRecord, StoreError> {
        let quotas = parse_json(&self.quotas, || {
            format!("the quotas of tenant '{}'", self.name)
        })?;
        Ok(TenantRecord {
            name: self.name,
            quotas,
            created_at: self.created_at,
        })
    }
}

/// An `api_keys` row as stored.
pub(crate) struct ApiKeyRow {
    pub(crate) id: String,
    pub(crate) tenant: String,
    pub(crate) name: String,
    pub(crate) prefix: String,
    pub(crate) secret_hash: String,
    pub(crate) role: String,
    pub(crate) created_at: Millis,
    pub(crate) expires_at: Option<Millis>,
    pub(crate) revoked_at: Option<Millis>,
    pub(crate) rate_limit_per_second: Option<i64>,
}

impl ApiKeyRow {
    /// Decodes the row.
    pub(crate) fn decode(self) -> Result<ApiKeyRecord, StoreError> {
        let rate_limit_per_second = self
            .rate_limit_per_second
            .map(|v| {
                u32::try_from(v).map_err(|_| StoreError::Malformed {
                    what: format!(
                        "API key '{}' has rate limit {v}, expected 0 to {}",
                        self.id,
                        u32::MAX
                    ),
                })
            })
            .transpose()?;
        Ok(ApiKeyRecord {
            id: self.id,
            tenant: self.tenant,
            name: self.name,
            prefix: self.prefix,
            secret_hash: self.secret_hash,
            role: self.role,
            created_at: self.created_at,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
            rate_limit_per_second,
        })
    }
}

/// The columns of `training_jobs`, in `SELECT` order.
pub(crate) const JOB_COLUMNS: &str = "j.id, j.tenant, j.model_id, j.state, j.steps_done, \
     j.steps_total, j.created_at, j.finished_at, j.version, j.error, j.owner, j.heartbeat_at";

/// A `training_jobs` row as stored.
pub(crate) struct JobRow {
    pub(crate) id: String,
    pub(crate) tenant: String,
    pub(crate) model_id: String,
    pub(crate) state: String,
    pub(crate) steps_done: i64,
    pub(crate) steps_total: i64,
    pub(crate) created_at: Millis,
    pub(crate) finished_at: Option<Millis>,
    pub(crate) version: Option<i64>,
    pub(crate) error: Option<String>,
    pub(crate) owner: String,
    pub(crate) heartbeat_at: Millis,
}

impl JobRow {
    /// Decodes the row.
    pub(crate) fn decode(self) -> Result<JobRecord, StoreError> {
        let what = |column: &str| format!("the {column} of job '{}'", self.id);
        let steps_done = count_from_column(self.steps_done, || what("steps done"))?;
        let steps_total = count_from_column(self.steps_total, || what("steps total"))?;
        let version = self
            .version
            .map(|v| version_from_column(v, &self.model_id))
            .transpose()?;
        Ok(JobRecord {
            id: self.id,
            tenant: self.tenant,
            model_id: self.model_id,
            state: self.state,
            steps_done,
            steps_total,
            created_at: self.created_at,
            finished_at: self.finished_at,
            version,
            error: self.error,
            owner: self.owner,
            heartbeat_at: self.heartbeat_at,
        })
    }
}
