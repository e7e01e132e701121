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
        use Permission as P;
        match self {
            Role::Admin => true,
            Role::Developer => !matches!(permission, P::ReadAudit | P::ManageAccess),
            Role::Viewer => matches!(
                permission,
                P::ReadModels | P::Predict | P::Analyze | P::ReadOperations
            ),
            Role::Auditor => permission == P::ReadAudit,
        }
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
        if self.role.allows(permission) {
            Ok(())
        } else {
            Err(EngineError::Forbidden {
                role: format!("{:?}", self.role).to_lowercase(),
                permission: format!("{permission:?}").to_lowercase(),
            })
        }
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
        let t = TenantInfo {
            name: name.into(),
            created_at: temp::now(),
            quotas,
        };
        temp::with(self, |s| {
            if s.tenants.iter().any(|x| x.name == name) {
                return Err(EngineError::AlreadyExists {
                    what: "tenant".into(),
                    name: name.into(),
                });
            }
            s.tenants.push(t.clone());
            Ok(t)
        })
    }

    /// Every tenant.
    pub async fn list_tenants(&self) -> Result<Vec<TenantInfo>, EngineError> {
        Ok(temp::with(self, |s| s.tenants.clone()))
    }

    /// Creates a user with an Argon2id password hash.
    pub async fn create_user(
        &self,
        tenant: &str,
        username: &str,
        password: &str,
        role: Role,
    ) -> Result<UserInfo, EngineError> {
        let u = UserInfo {
            tenant: tenant.into(),
            username: username.into(),
            role,
            created_at: temp::now(),
        };
        temp::with(self, |s| {
            if s.users
                .iter()
                .any(|(x, _)| x.tenant == tenant && x.username == username)
            {
                return Err(EngineError::AlreadyExists {
                    what: "user".into(),
                    name: username.into(),
                });
            }
            s.users.push((u.clone(), password.into()));
            Ok(u)
        })
    }

    /// The tenant's users.
    pub async fn list_users(&self, tenant: &str) -> Result<Vec<UserInfo>, EngineError> {
        Ok(temp::with(self, |s| {
            s.users
                .iter()
                .filter(|u| u.0.tenant == tenant)
                .map(|u| u.0.clone())
                .collect()
        }))
    }

    /// Deletes a user.
    pub async fn delete_user(&self, tenant: &str, username: &str) -> Result<(), EngineError> {
        temp::with(self, |s| {
            let before = s.users.len();
            s.users
                .retain(|(u, _)| !(u.tenant == tenant && u.username == username));
            if s.users.len() == before {
                return Err(EngineError::NotFound {
                    what: "user".into(),
                    name: username.into(),
                });
            }
            Ok(())
        })
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
        let key = format!("phk_{}", temp::secret());
        let info = ApiKeyInfo {
            id: uuid::Uuid::now_v7().to_string(),
            prefix: key[..12].to_owned(),
            tenant: tenant.into(),
            name: name.into(),
            role,
            created_at: temp::now(),
            expires_at,
            revoked_at: None,
            rate_limit_per_second,
        };
        temp::with(self, |s| s.keys.push((info.clone(), key.clone())));
        Ok(NewApiKey { info, key })
    }

    /// The tenant's API keys, including revoked and expired ones.
    pub async fn list_api_keys(&self, tenant: &str) -> Result<Vec<ApiKeyInfo>, EngineError> {
        Ok(temp::with(self, |s| {
            s.keys
                .iter()
                .filter(|k| k.0.tenant == tenant)
                .map(|k| k.0.clone())
                .collect()
        }))
    }

    /// Revokes a key: it stops working at once on every engine sharing the store.
    pub async fn revoke_api_key(
        &self,
        tenant: &str,
        key_id: &str,
    ) -> Result<ApiKeyInfo, EngineError> {
        temp::with(self, |s| {
            let Some(k) = s
                .keys
                .iter_mut()
                .find(|k| k.0.tenant == tenant && k.0.id == key_id)
            else {
                return Err(EngineError::NotFound {
                    what: "API key".into(),
                    name: key_id.into(),
                });
            };
            k.0.revoked_at = Some(temp::now());
            Ok(k.0.clone())
        })
    }

    /// Checks a user's password and returns a short-lived token.
    pub async fn login(
        &self,
        tenant: &str,
        username: &str,
        password: &str,
    ) -> Result<LoginToken, EngineError> {
        temp::with(self, |s| {
            let Some((u, _)) = s
                .users
                .iter()
                .find(|(u, p)| u.tenant == tenant && u.username == username && p == password)
            else {
                return Err(EngineError::Unauthenticated {
                    reason: "wrong tenant, user name or password".into(),
                });
            };
            let token = temp::secret();
            let principal = Principal {
                tenant: tenant.into(),
                subject: u.username.clone(),
                role: u.role,
                key_id: None,
            };
            let expires_at = temp::now() + 3_600_000;
            s.tokens.push((token.clone(), principal, expires_at));
            Ok(LoginToken {
                token,
                token_type: "Bearer",
                expires_in: 3600,
                expires_at,
            })
        })
    }

    /// Resolves a credential. `Unauthenticated` for an unknown, malformed, expired or revoked
    /// credential (the message says which, without revealing secrets).
    pub async fn authenticate(&self, credential: Credential<'_>) -> Result<Principal, EngineError> {
        temp::with(self, |s| match credential {
            Credential::ApiKey(k) => {
                let Some((info, _)) = s.keys.iter().find(|(_, key)| key == k) else {
                    return Err(EngineError::Unauthenticated {
                        reason: "unknown API key".into(),
                    });
                };
                if info.revoked_at.is_some() {
                    return Err(EngineError::Unauthenticated {
                        reason: "the API key was revoked".into(),
                    });
                }
                if info.expires_at.is_some_and(|e| e <= temp::now()) {
                    return Err(EngineError::Unauthenticated {
                        reason: "the API key has expired".into(),
                    });
                }
                Ok(Principal {
                    tenant: info.tenant.clone(),
                    subject: info.id.clone(),
                    role: info.role,
                    key_id: Some(info.id.clone()),
                })
            }
            Credential::Token(t) => s
                .tokens
                .iter()
                .find(|(x, _, e)| x == t && *e > temp::now())
                .map(|(_, p, _)| p.clone())
                .ok_or(EngineError::Unauthenticated {
                    reason: "unknown or expired token".into(),
                }),
        })
    }

    /// Counts one request of `principal` against its key's rate limit; `RateLimited` with the
    /// wait when over it. With Redis the limit holds across replicas.
    pub async fn check_rate_limit(&self, principal: &Principal) -> Result<(), EngineError> {
        let Some(id) = &principal.key_id else {
            return Ok(());
        };
        temp::with(self, |s| {
            let limit = s
                .keys
                .iter()
                .find(|k| &k.0.id == id)
                .and_then(|k| k.0.rate_limit_per_second);
            let Some(limit) = limit else { return Ok(()) };
            let second = temp::now() / 1000;
            let entry = s.rate.entry(id.clone()).or_insert((second, 0));
            if entry.0 != second {
                *entry = (second, 0);
            }
            entry.1 += 1;
            if entry.1 > limit {
                return Err(EngineError::RateLimited {
                    limit,
                    retry_after_ms: (1000 - temp::now() % 1000) as u64,
                });
            }
            Ok(())
        })
    }

    /// Appends an audit record durably.
    pub async fn record_audit(&self, event: AuditEvent) -> Result<(), EngineError> {
        temp::with(self, |s| s.audit.push(event));
        Ok(())
    }

    /// The tenant's audit records, newest first.
    pub async fn audit_log(
        &self,
        tenant: &str,
        query: &AuditQuery,
    ) -> Result<Vec<AuditEvent>, EngineError> {
        Ok(temp::with(self, |s| {
            let mut v: Vec<AuditEvent> = s
                .audit
                .iter()
                .filter(|e| e.tenant == tenant)
                .filter(|e| query.action.as_ref().is_none_or(|a| &e.action == a))
                .filter(|e| query.actor.as_ref().is_none_or(|a| &e.actor == a))
                .filter(|e| query.result.is_none_or(|r| e.result == r))
                .cloned()
                .collect();
            v.reverse();
            v.truncate(query.limit.unwrap_or(100) as usize);
            v
        }))
    }

    /// On first start (no API key and no user in the default tenant): creates the default
    /// tenant and an admin API key, and writes the key to [`BOOTSTRAP_KEY_FILE`] in the data
    /// directory, readable by the owner only. `None` when there was nothing to do.
    pub async fn bootstrap_admin(&self) -> Result<Option<BootstrapKey>, EngineError> {
        let has = temp::with(self, |s| s.keys.iter().any(|k| k.0.tenant == "default"));
        if has {
            return Ok(None);
        }
        let _ = self.create_tenant("default", Quotas::default()).await;
        let key = self
            .create_api_key("default", "bootstrap", Role::Admin, None, None)
            .await?;
        let dir = &self.config().data_dir;
        std::fs::create_dir_all(dir).map_err(|e| EngineError::Internal(e.to_string()))?;
        let path = dir.join(BOOTSTRAP_KEY_FILE);
        std::fs::write(&path, format!("{}\n", key.key))
            .map_err(|e| EngineError::Internal(e.to_string()))?;
        Ok(Some(BootstrapKey {
            path,
            info: key.info,
        }))
    }
}

/// TEMP: an in-memory stand-in for the real auth (dropped when the real one is merged).
mod temp {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};

    use super::*;

    #[derive(Default)]
    pub(super) struct State {
        pub(super) tenants: Vec<TenantInfo>,
        pub(super) users: Vec<(UserInfo, String)>,
        pub(super) keys: Vec<(ApiKeyInfo, String)>,
        pub(super) tokens: Vec<(String, Principal, Millis)>,
        pub(super) audit: Vec<AuditEvent>,
        pub(super) rate: HashMap<String, (i64, u32)>,
    }

    static STATES: LazyLock<Mutex<HashMap<String, State>>> = LazyLock::new(Default::default);

    pub(super) fn with<T>(engine: &Engine, f: impl FnOnce(&mut State) -> T) -> T {
        let c = engine.config();
        let place = format!("{:?}{:?}", c.data_dir, c.database_url);
        let mut all = STATES.lock().unwrap();
        f(all.entry(place).or_default())
    }

    pub(super) fn now() -> Millis {
        crate::engine::now_ms()
    }

    pub(super) fn secret() -> String {
        use rand::RngExt;
        let n: u128 = rand::rng().random();
        format!("{n:032x}")
    }
}
