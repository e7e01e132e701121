//! What can go wrong in the engine, and the kind of each failure that the shells (REST, Node,
//! CLI) map to a status.

use phantom_ml::MlError;
use phantom_store::StoreError;

use crate::data::DataError;

/// How a failure should be reported: the caller's mistake, a missing thing, a clash, a
/// backend that is down, or a fault of Phantom's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request is wrong (bad config, bad data, wrong feature count).
    InvalidInput,
    /// The model, version or job does not exist (in this tenant).
    NotFound,
    /// The request clashes with the current state (name taken, model archived or untrained).
    Conflict,
    /// A backend (database, Redis) is unreachable or failing.
    Unavailable,
    /// A fault in Phantom or damaged stored data.
    Internal,
    /// No credential, or one that is unknown, malformed, expired or revoked.
    Unauthenticated,
    /// The credential's role lacks the permission, or a tenant quota is reached.
    Forbidden,
    /// Too many requests for the credential's rate limit.
    RateLimited,
}

/// An engine failure. Every message says what was wrong and, where it can, what to do.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A configuration field is missing or wrong.
    #[error("invalid {field}: {reason}")]
    InvalidConfig {
        /// The field, e.g. "validation_split".
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Request data is wrong.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A request argument is wrong.
    #[error("invalid {what}: {reason}")]
    InvalidArgument {
        /// The argument.
        what: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No model with this id or name in the tenant.
    #[error("no model '{model}'; list models to see the ids and names that exist")]
    ModelNotFound {
        /// The id or name asked for.
        model: String,
    },
    /// The model has no such version.
    #[error("model '{model}' has no version {version} (it has: {available})")]
    VersionNotFound {
        /// The model.
        model: String,
        /// The version asked for.
        version: u32,
        /// The versions it has, comma-separated.
        available: String,
    },
    /// No training job with this id.
    #[error("no training job '{job}' in this tenant; the id is in the answer that started it")]
    JobNotFound {
        /// The job id.
        job: String,
    },
    /// The model has no trained version to serve.
    #[error("model '{model}' has no trained version yet; train it first")]
    NotTrained {
        /// The model.
        model: String,
    },
    /// The model is archived.
    #[error("model '{model}' is archived; restore it to use it")]
    Archived {
        /// The model.
        model: String,
    },
    /// The name is taken in this tenant.
    #[error("a model named '{name}' already exists; choose another name")]
    NameTaken {
        /// The name.
        name: String,
    },
    /// The feature row has the wrong length.
    #[error("wrong feature count: model '{model}' expects {expected} features but got {got}")]
    FeatureCount {
        /// The model.
        model: String,
        /// Features the model expects.
        expected: usize,
        /// Features given.
        got: usize,
    },
    /// The algorithm rejected the request (bad hyperparameter value, unusable data).
    #[error(transparent)]
    Ml(#[from] MlError),
    /// Feature engineering refused its input.
    #[error(transparent)]
    Feature(#[from] crate::features::FeatureError),
    /// An analytics function refused its input.
    #[error(transparent)]
    Analytics(#[from] crate::analytics::AnalyticsError),
    /// The file given for import is not a Phantom model or export.
    #[error("cannot import: {reason}")]
    BadImport {
        /// What is wrong with the file.
        reason: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The Redis prediction cache failed.
    #[error("Redis: {0}")]
    Redis(String),
    /// A stored artifact cannot be loaded.
    #[error("version {version} of model '{model}' cannot be loaded: {source}")]
    DamagedArtifact {
        /// The model.
        model: String,
        /// The version.
        version: u32,
        /// Why it cannot be loaded.
        source: MlError,
    },
    /// The credential is missing or unusable.
    #[error("not authenticated: {reason}")]
    Unauthenticated {
        /// Why, without revealing secrets.
        reason: String,
    },
    /// The role lacks the permission.
    #[error("forbidden: role {role} lacks permission {permission}")]
    Forbidden {
        /// The role.
        role: String,
        /// The permission needed.
        permission: String,
    },
    /// A tenant quota is reached.
    #[error("quota exceeded: tenant '{tenant}' may hold at most {limit} {what}")]
    QuotaExceeded {
        /// The tenant.
        tenant: String,
        /// "models", "stored rows" or "telemetry streams".
        what: String,
        /// The quota.
        limit: u64,
    },
    /// The credential's rate limit is exceeded.
    #[error("rate limit of {limit} requests per second exceeded; retry in {retry_after_ms} ms")]
    RateLimited {
        /// Requests per second allowed.
        limit: u32,
        /// When to retry.
        retry_after_ms: u64,
    },
    /// Too many failed logins for a user name or from an address; logins are refused until
    /// the window ends.
    #[error(
        "too many failed logins for this user name or from this address ({max_failures} in {window_seconds} s); retry in {} s",
        retry_after_ms.div_ceil(1_000).max(1)
    )]
    LoginThrottled {
        /// Failures allowed in a window.
        max_failures: u32,
        /// The window, in seconds.
        window_seconds: u64,
        /// When to retry.
        retry_after_ms: u64,
    },
    /// A tenant, user or key does not exist.
    #[error("no {what} '{name}'")]
    NotFound {
        /// "tenant", "user" or "API key".
        what: String,
        /// Its name or id.
        name: String,
    },
    /// A tenant, user or key name is taken.
    #[error("{what} '{name}' already exists")]
    AlreadyExists {
        /// "tenant", "user" or "API key".
        what: String,
        /// Its name.
        name: String,
    },
    /// A background task failed (a bug).
    #[error("internal error: {0}")]
    Internal(String),
}

impl EngineError {
    /// For a refusal that ends by itself (a rate limit, a login throttle), milliseconds until
    /// a retry can succeed.
    pub fn retry_after_ms(&self) -> Option<u64> {
        if let EngineError::RateLimited { retry_after_ms, .. }
        | EngineError::LoginThrottled { retry_after_ms, .. } = self
        {
            Some(*retry_after_ms)
        } else {
            None
        }
    }

    /// How this failure should be reported.
    pub fn kind(&self) -> ErrorKind {
        match self {
            EngineError::InvalidConfig { .. }
            | EngineError::Data(_)
            | EngineError::InvalidArgument { .. }
            | EngineError::FeatureCount { .. }
            | EngineError::Feature(_)
            | EngineError::Analytics(_)
            | EngineError::BadImport { .. } => ErrorKind::InvalidInput,
            EngineError::Ml(e) => ml_kind(e),
            EngineError::ModelNotFound { .. }
            | EngineError::VersionNotFound { .. }
            | EngineError::JobNotFound { .. } => ErrorKind::NotFound,
            EngineError::NotTrained { .. }
            | EngineError::Archived { .. }
            | EngineError::NameTaken { .. } => ErrorKind::Conflict,
            EngineError::Store(e) => store_kind(e),
            EngineError::Redis(_) => ErrorKind::Unavailable,
            EngineError::DamagedArtifact { .. } | EngineError::Internal(_) => ErrorKind::Internal,
            EngineError::Unauthenticated { .. } => ErrorKind::Unauthenticated,
            EngineError::Forbidden { .. } | EngineError::QuotaExceeded { .. } => {
                ErrorKind::Forbidden
            }
            EngineError::RateLimited { .. } | EngineError::LoginThrottled { .. } => {
                ErrorKind::RateLimited
            }
            EngineError::NotFound { .. } => ErrorKind::NotFound,
            EngineError::AlreadyExists { .. } => ErrorKind::Conflict,
        }
    }
}

fn ml_kind(e: &MlError) -> ErrorKind {
    match e {
        MlError::Format(_) => ErrorKind::InvalidInput,
        MlError::EmptyData(_)
        | MlError::DimensionMismatch { .. }
        | MlError::NonFinite { .. }
        | MlError::NonFiniteTarget { .. }
        | MlError::TooFewClasses(_)
        | MlError::ClassOutOfRange { .. }
        | MlError::InvalidParameter { .. } => ErrorKind::InvalidInput,
    }
}

fn store_kind(e: &StoreError) -> ErrorKind {
    match e {
        StoreError::Conflict { .. } => ErrorKind::Conflict,
        StoreError::NotFound { .. } => ErrorKind::NotFound,
        StoreError::LimitReached { .. } => ErrorKind::Forbidden,
        StoreError::Corrupt { .. } | StoreError::Malformed { .. } => ErrorKind::Internal,
        StoreError::InvalidLocation { .. } | StoreError::SchemaTooNew { .. } => {
            ErrorKind::InvalidInput
        }
        StoreError::Sqlite(_)
        | StoreError::Postgres(_)
        | StoreError::Pool(_)
        | StoreError::Io { .. }
        | StoreError::Task(_) => ErrorKind::Unavailable,
    }
}
