//! Tenants, users, API keys, login tokens, roles and permissions, the audit log, rate limits
//! and quotas. The engine knows no HTTP: the server turns a request's `Authorization` header
//! into a [`Credential`], asks [`Engine::authenticate`] for the [`Principal`], checks the
//! route's [`Permission`] with [`Principal::authorize`], and records the outcome with
//! [`Engine::record_audit`]. The tenant always comes from the credential.
//!
//! CONTRACT: the signatures in this file are fixed for the server; the bodies are being written.

use phantom_store::Millis;
use serde::{Deserialize, Serialize};

use crate::{Engine, EngineError};

/// What a role may do within its tenant.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything in its tenant, including users, keys and the audit log.
    Admin,
    /// Models, data and predictions.
    Developer,
    /// Read models and predict.
    Viewer,
    /// Read the audit log only.
    Auditor,
}

/// An action a route needs permission for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read models, versions, jobs, inference history, importance.
    ReadModels,
    /// Create, train, activate, archive, restore, clone, import, export, delete models.
    WriteModels,
    /// Predict and explain predictions.
    Predict,
    /// Feature engineering and analytics on data sent with the request.
    Analyze,
    /// Performance stats and system health.
    ReadOperations,
    /// Read the audit log.
    ReadAudit,
    /// Manage the tenant's users and API keys.
    ManageAccess,
}

impl Role {
    /// Whether this role has `permission`:
    ///
    /// | permission | admin | developer | viewer | auditor |
    /// |---|---|---|---|---|
    /// | read_models | yes | yes | yes | no |
    /// | write_models | yes | yes | no | no |
    /// | predict | yes | yes | yes | no |
    /// | analyze | yes | yes | yes | no |
    /// | read_operations | yes | yes | yes | no |
    /// | read_audit | yes | no | no | yes |
    /// | manage_access | yes | no | no | no |
    pub fn allows(self, permission: Permission) -> bool {
        todo!("contract: {self:?} {permission:?}")
    }
}

/// A credential as presented.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential<'a> {
    /// An API key (`phk_...`), from `Authorization: Bearer phk_...` or `x-api-key`.
    ApiKey(&'a str),
    /// A login token (JWT), from `Authorization: Bearer ...`.
    Token(&'a str),
}

/// Who is asking: resolved from a credential, never from the request body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// The tenant whose data every call of this principal touches.
    pub tenant: String,
    /// The user name, or the API key's id.
    pub subject: String,
    /// The role.
    pub role: Role,
    /// The API key's id when authenticated by key.
    pub key_id: Option<String>,
}

impl Principal {
    /// `Ok` if the role has `permission`, else [`EngineError::Forbidden`] naming both.
    pub fn authorize(&self, permission: Permission) -> Result<(), EngineError> {
        todo!("contract: {permission:?}")
    }
}

/// Per-tenant limits; `None` is unlimited.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Quotas {
    /// Most models the tenant may hold.
    pub max_models: Option<u64>,
    /// Most inference-log rows stored for the tenant; beyond it predictions are still
    /// answered but no longer logged (and counted as dropped).
    pub max_stored_rows: Option<u64>,
}

/// A tenant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TenantInfo {
    /// Unique name.
    pub name: String,
    /// When it was created.
    pub created_at: Millis,
    /// Its limits.
    pub quotas: Quotas,
}

/// A user (never with its password hash).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserInfo {
    /// The tenant.
    pub tenant: String,
    /// Unique within the tenant.
    pub username: String,
    /// The role.
    pub role: Role,
    /// When it was created.
    pub created_at: Millis,
}

/// An API key as listed (never with its secret).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyInfo {
    /// Unique id.
    pub id: String,
    /// The key's first characters (`phk_` and 8 more), enough to recognise it in logs.
    pub prefix: String,
    /// The tenant.
    pub tenant: String,
    /// A name given at creation.
    pub name: String,
    /// The role.
    pub role: Role,
    /// When it was created.
    pub created_at: Millis,
    /// When it stops working, if ever.
    pub expires_at: Option<Millis>,
    /// When it was revoked.
    pub revoked_at: Option<Millis>,
    /// Requests per second allowed (`None`: the engine's default).
    pub rate_limit_per_second: Option<u32>,
}

/// A key just created: the only time its secret is shown.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NewApiKey {
    /// The key as stored.
    #[serde(flatten)]
    pub info: ApiKeyInfo,
    /// The whole key, `phk_...`; store it now, it cannot be shown again.
    pub key: String,
}

/// A login token.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoginToken {
    /// The JWT.
    pub token: String,
    /// Always "Bearer".
    pub token_type: &'static str,
    /// Seconds until it expires.
    pub expires_in: u64,
    /// When it expires.
    pub expires_at: Millis,
}

/// How an audited request ended.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditResult {
    /// Done.
    Success,
    /// Refused: no or bad credential, wrong role, rate limit or quota.
    Denied,
    /// Allowed but failed (bad input, missing model, backend error).
    Failed,
}

/// One audit record. Append-only: nothing edits or deletes records through the API.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// The tenant (for an unauthenticated request: the tenant it named, or "").
    pub tenant: String,
    /// Who: user name, key id, or "anonymous".
    pub actor: String,
    /// What, e.g. "models.create", "models.activate", "auth.login".
    pub action: String,
    /// On what, e.g. "models/flows".
    pub resource: String,
    /// How it ended.
    pub result: AuditResult,
    /// The request's id.
    pub request_id: String,
    /// When.
    pub at: Millis,
    /// The client address.
    pub source: Option<String>,
    /// Why it was denied or failed.
    pub detail: Option<String>,
}

/// Which audit records to return, newest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditQuery {
    /// Earliest time, inclusive (default 0).
    pub from: Option<Millis>,
    /// Latest time, exclusive (default: no limit).
    pub to: Option<Millis>,
    /// Only this actor.
    pub actor: Option<String>,
    /// Only this action.
    pub action: Option<String>,
    /// Only this result.
    pub result: Option<AuditResult>,
    /// At most this many (default 100, at most 10,000).
    pub limit: Option<u32>,
}

/// Where the bootstrap admin key was written.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BootstrapKey {
    /// The file (mode 0600) holding the key.
    pub path: std::path::PathBuf,
    /// The key's listing.
    pub info: ApiKeyInfo,
}

/// Name of the file in the data directory that holds the bootstrap admin key.
pub const BOOTSTRAP_KEY_FILE: &str = "admin.key";

#[allow(unused_variables, clippy::unused_async)]
impl Engine {
    /// Creates a tenant. `Conflict` if the name is taken.
    pub async fn create_tenant(
        &self,
        name: &str,
        quotas: Quotas,
    ) -> Result<TenantInfo, EngineError> {
        todo!("contract")
    }

    /// Every tenant.
    pub async fn list_tenants(&self) -> Result<Vec<TenantInfo>, EngineError> {
        todo!("contract")
    }

    /// Creates a user with an Argon2id password hash.
    pub async fn create_user(
        &self,
        tenant: &str,
        username: &str,
        password: &str,
        role: Role,
    ) -> Result<UserInfo, EngineError> {
        todo!("contract")
    }

    /// The tenant's users.
    pub async fn list_users(&self, tenant: &str) -> Result<Vec<UserInfo>, EngineError> {
        todo!("contract")
    }

    /// Deletes a user.
    pub async fn delete_user(&self, tenant: &str, username: &str) -> Result<(), EngineError> {
        todo!("contract")
    }

    /// Creates an API key; the returned secret is never stored (only its hash).
    pub async fn create_api_key(
        &self,
        tenant: &str,
        name: &str,
        role: Role,
        expires_at: Option<Millis>,
        rate_limit_per_second: Option<u32>,
    ) -> Result<NewApiKey, EngineError> {
        todo!("contract")
    }

    /// The tenant's API keys, including revoked and expired ones.
    pub async fn list_api_keys(&self, tenant: &str) -> Result<Vec<ApiKeyInfo>, EngineError> {
        todo!("contract")
    }

    /// Revokes a key: it stops working at once on every engine sharing the store.
    pub async fn revoke_api_key(
        &self,
        tenant: &str,
        key_id: &str,
    ) -> Result<ApiKeyInfo, EngineError> {
        todo!("contract")
    }

    /// Checks a user's password and returns a short-lived token.
    pub async fn login(
        &self,
        tenant: &str,
        username: &str,
        password: &str,
    ) -> Result<LoginToken, EngineError> {
        todo!("contract")
    }

    /// Resolves a credential. `Unauthenticated` for an unknown, malformed, expired or revoked
    /// credential (the message says which, without revealing secrets).
    pub async fn authenticate(&self, credential: Credential<'_>) -> Result<Principal, EngineError> {
        todo!("contract")
    }

    /// Counts one request of `principal` against its key's rate limit; `RateLimited` with the
    /// wait when over it. With Redis the limit holds across replicas.
    pub async fn check_rate_limit(&self, principal: &Principal) -> Result<(), EngineError> {
        todo!("contract")
    }

    /// Appends an audit record durably.
    pub async fn record_audit(&self, event: AuditEvent) -> Result<(), EngineError> {
        todo!("contract")
    }

    /// The tenant's audit records, newest first.
    pub async fn audit_log(
        &self,
        tenant: &str,
        query: &AuditQuery,
    ) -> Result<Vec<AuditEvent>, EngineError> {
        todo!("contract")
    }

    /// On first start (no API key and no user in the default tenant): creates the default
    /// tenant and an admin API key, and writes the key to [`BOOTSTRAP_KEY_FILE`] in the data
    /// directory, readable by the owner only. `None` when there was nothing to do.
    pub async fn bootstrap_admin(&self) -> Result<Option<BootstrapKey>, EngineError> {
        todo!("contract")
    }
}
