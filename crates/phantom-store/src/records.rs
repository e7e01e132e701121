//! The rows the store keeps: models, their immutable versions, logged inferences, training
//! jobs, and the access records (tenants, users, API keys, the audit log).
//!
//! The store knows nothing of the engine's types: model configuration, version metadata and
//! tenant quotas are JSON values, roles, job states and audit results are names, that the engine writes
//! and reads back unchanged.

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch (UTC).
pub type Millis = i64;

/// Whether a model serves predictions.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelStatus {
    /// Serves its active version (if it has one).
    Active,
    /// Kept with every artifact, but serves nothing until restored.
    Archived,
}

impl ModelStatus {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelStatus::Active => "active",
            ModelStatus::Archived => "archived",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(ModelStatus::Active),
            "archived" => Some(ModelStatus::Archived),
            _ => None,
        }
    }
}

/// A model: a named, configured slot in a tenant that holds numbered versions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelRecord {
    /// Unique id (the engine uses a UUID).
    pub id: String,
    /// The tenant that owns it; every lookup is scoped by tenant.
    pub tenant: String,
    /// Name, unique within the tenant.
    pub name: String,
    /// The engine's model configuration, stored as given.
    pub config: serde_json::Value,
    /// Active or archived.
    pub status: ModelStatus,
    /// The version that serves predictions, if any.
    pub active_version: Option<u32>,
    /// When it was created.
    pub created_at: Millis,
    /// When its name, config, status or active version last changed.
    pub updated_at: Millis,
}

/// A version to add to a model. The store numbers it and computes its checksum.
#[derive(Clone, Debug, PartialEq)]
pub struct NewVersion {
    /// The model file bytes (phantom-ml's format).
    pub artifact: Vec<u8>,
    /// The engine's metadata: metrics, training time, rows, importance, hyperparameters.
    pub metadata: serde_json::Value,
    /// When it was made.
    pub created_at: Millis,
}

/// A stored version without its artifact, for listings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionSummary {
    /// The model it belongs to.
    pub model_id: String,
    /// Version number, from 1, never reused.
    pub version: u32,
    /// When it was made.
    pub created_at: Millis,
    /// SHA-256 of the artifact, lowercase hex.
    pub sha256: String,
    /// Artifact size in bytes.
    pub size: u64,
    /// The engine's metadata.
    pub metadata: serde_json::Value,
}

/// A stored version with its artifact; the store has checked the artifact against its checksum.
#[derive(Clone, Debug, PartialEq)]
pub struct VersionRecord {
    /// Everything but the artifact.
    pub summary: VersionSummary,
    /// The model file bytes.
    pub artifact: Vec<u8>,
}

/// One logged prediction.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InferenceRecord {
    /// The tenant that asked.
    pub tenant: String,
    /// The model that answered.
    pub model_id: String,
    /// The version that answered.
    pub version: u32,
    /// When.
    pub at: Millis,
    /// The feature row.
    pub input: serde_json::Value,
    /// The answer as returned to the caller.
    pub output: serde_json::Value,
    /// Time spent in the engine, in microseconds.
    pub latency_us: u64,
}

/// Which inferences to return: one model of one tenant, in `[from, to)`, newest first.
#[derive(Clone, Debug, PartialEq)]
pub struct InferenceQuery {
    /// The tenant.
    pub tenant: String,
    /// The model.
    pub model_id: String,
    /// Earliest time, inclusive.
    pub from: Millis,
    /// Latest time, exclusive.
    pub to: Millis,
    /// At most this many records.
    pub limit: u32,
}

/// A change to a model, seen by every engine that shares the database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelEvent {
    /// The model's record changed (active version, status, name or config): drop cached state.
    Changed {
        /// The model.
        model_id: String,
    },
    /// The model was deleted.
    Deleted {
        /// The model.
        model_id: String,
    },
    /// Events may have been missed (the listening connection dropped): drop every cached model.
    Resync,
}

/// A tenant: the unit every other row is scoped by.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TenantRecord {
    /// Unique name.
    pub name: String,
    /// The engine's quotas, stored as given.
    pub quotas: serde_json::Value,
    /// When it was created.
    pub created_at: Millis,
}

/// A user of a tenant, with its password hash (a PHC string the engine computed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserRecord {
    /// The tenant; it must exist.
    pub tenant: String,
    /// Unique within the tenant.
    pub username: String,
    /// The password hash as the engine wrote it.
    pub password_hash: String,
    /// The engine's name for the role.
    pub role: String,
    /// When it was created.
    pub created_at: Millis,
}

/// An API key: its public prefix, and a hash of the whole key (the key itself is never
/// stored).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyRecord {
    /// Unique id.
    pub id: String,
    /// The tenant; it must exist.
    pub tenant: String,
    /// A name given at creation.
    pub name: String,
    /// The key's public beginning, unique across tenants: keys are found by it.
    pub prefix: String,
    /// The hash of the whole key, as the engine wrote it.
    pub secret_hash: String,
    /// The engine's name for the role.
    pub role: String,
    /// When it was created.
    pub created_at: Millis,
    /// When it stops working, if ever.
    pub expires_at: Option<Millis>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Millis>,
    /// Requests per second allowed (`None`: the engine's default).
    pub rate_limit_per_second: Option<u32>,
}

/// One audit record. The store appends them and reads them back; it has no way to change
/// or delete one (and the schema refuses it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// The tenant (may be one that does not exist, for a denied request).
    pub tenant: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// On what.
    pub resource: String,
    /// The engine's name for how it ended.
    pub result: String,
    /// The request's id.
    pub request_id: String,
    /// When.
    pub at: Millis,
    /// The client address.
    pub source: Option<String>,
    /// Why it was denied or failed.
    pub detail: Option<String>,
}

/// Which audit records of one tenant to return: in `[from, to)`, matching every filter
/// given, newest first.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditFilter {
    /// The tenant.
    pub tenant: String,
    /// Earliest time, inclusive.
    pub from: Millis,
    /// Latest time, exclusive.
    pub to: Millis,
    /// Only this actor.
    pub actor: Option<String>,
    /// Only this action.
    pub action: Option<String>,
    /// Only this result.
    pub result: Option<String>,
    /// At most this many records.
    pub limit: u32,
}

/// A training job: what it trains, where it is, and which engine instance runs it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    /// Unique id (the engine uses a UUID).
    pub id: String,
    /// The tenant that started it; every lookup is scoped by tenant.
    pub tenant: String,
    /// The model being trained.
    pub model_id: String,
    /// The engine's name for its state. The store knows two of them: a job in state
    /// [`JobRecord::QUEUED`] or [`JobRecord::RUNNING`] is unfinished, and only an unfinished
    /// job's row can change.
    pub state: String,
    /// Steps done.
    pub steps_done: u64,
    /// Steps in all (0 until known).
    pub steps_total: u64,
    /// When it was created.
    pub created_at: Millis,
    /// When it finished.
    pub finished_at: Option<Millis>,
    /// The version it made.
    pub version: Option<u32>,
    /// Why it failed.
    pub error: Option<String>,
    /// The engine instance running it.
    pub owner: String,
    /// When its owner last reported it (refreshed while the job is unfinished).
    pub heartbeat_at: Millis,
}

impl JobRecord {
    /// The state of a job waiting for a training slot.
    pub const QUEUED: &'static str = "queued";
    /// The state of a job being fitted.
    pub const RUNNING: &'static str = "running";
    /// The state [`Storage::fail_unfinished_jobs`](crate::Storage::fail_unfinished_jobs)
    /// gives the jobs it ends.
    pub const FAILED: &'static str = "failed";

    /// Whether the job is queued or running.
    pub fn is_unfinished(&self) -> bool {
        self.state == Self::QUEUED || self.state == Self::RUNNING
    }
}
