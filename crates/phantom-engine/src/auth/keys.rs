//! API keys: `phk_` + an 8-character id + `_` + a 40-character secret, all letters and
//! digits. The first 12 characters (the prefix) are stored in the clear and find the key;
//! the whole key is stored only as its SHA-256.
//!
//! A plain hash is enough here, unlike for passwords: the secret is 40 random characters
//! (about 238 bits) drawn from the operating system, so no dictionary or brute force can
//! reach it and a slow hash would only slow every request down.

use std::sync::Arc;

use phantom_store::{ApiKeyRecord, Millis, Storage, StoreError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::principal::Principal;
use super::roles::{Role, stored_role};
use super::secret::{constant_time_eq, random_alphanumeric};
use crate::engine::now_ms;
use crate::time::format_utc;
use crate::{Engine, EngineError};

/// How every API key begins.
pub const API_KEY_MARK: &str = "phk_";

/// Characters of the key's public id, after [`API_KEY_MARK`].
const PREFIX_ID_CHARS: usize = 8;

/// Characters of the key's secret.
const SECRET_CHARS: usize = 40;

/// The fewest secret characters a presented key may have (keys of this build have 40).
const MIN_SECRET_CHARS: usize = 32;

/// The longest key looked at; anything longer is refused unread.
const MAX_KEY_BYTES: usize = 128;

/// The longest key name, in characters.
const MAX_NAME_CHARS: usize = 100;

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

impl ApiKeyInfo {
    pub(super) fn from_record(r: ApiKeyRecord) -> Result<Self, EngineError> {
        let role = stored_role(&r.role, || format!("API key '{}'", r.id))?;
        Ok(ApiKeyInfo {
            id: r.id,
            prefix: r.prefix,
            tenant: r.tenant,
            name: r.name,
            role,
            created_at: r.created_at,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
            rate_limit_per_second: r.rate_limit_per_second,
        })
    }
}

/// A generated key and what is stored of it.
pub(super) struct GeneratedKey {
    pub(super) key: String,
    pub(super) prefix: String,
    pub(super) secret_hash: String,
}

/// A fresh random key.
pub(super) fn generate_key() -> Result<GeneratedKey, EngineError> {
    let prefix = format!("{API_KEY_MARK}{}", random_alphanumeric(PREFIX_ID_CHARS)?);
    let key = format!("{prefix}_{}", random_alphanumeric(SECRET_CHARS)?);
    Ok(GeneratedKey {
        secret_hash: key_hash(&key),
        prefix,
        key,
    })
}

/// The stored hash of a whole key: SHA-256, lowercase hex.
fn key_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// The prefix of a well-formed key; the error says what is wrong without echoing the key.
fn key_prefix(key: &str) -> Result<&str, EngineError> {
    let malformed = |what: &str| EngineError::Unauthenticated {
        reason: format!(
            "malformed API key: {what}; a key is {API_KEY_MARK}, {PREFIX_ID_CHARS} letters or digits, _ and at least {MIN_SECRET_CHARS} more"
        ),
    };
    if key.len() > MAX_KEY_BYTES {
        return Err(malformed("it is too long"));
    }
    let Some(rest) = key.strip_prefix(API_KEY_MARK) else {
        return Err(malformed(&format!("it does not start with {API_KEY_MARK}")));
    };
    let Some((id, secret)) = rest.split_once('_') else {
        return Err(malformed("it has no _ after its id"));
    };
    let alphanumeric = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric());
    if id.len() != PREFIX_ID_CHARS || !alphanumeric(id) {
        return Err(malformed("its id is not 8 letters or digits"));
    }
    if secret.len() < MIN_SECRET_CHARS || !alphanumeric(secret) {
        return Err(malformed("its secret is too short or has other characters"));
    }
    key.get(..API_KEY_MARK.len() + PREFIX_ID_CHARS)
        .ok_or_else(|| malformed("its id is not 8 letters or digits"))
}

fn check_key_name(name: &str) -> Result<(), EngineError> {
    let chars = name.chars().count();
    if name.trim().is_empty() || chars > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(EngineError::InvalidArgument {
            what: "API key name".into(),
            reason: format!(
                "must be 1 to {MAX_NAME_CHARS} printable characters, got {chars} characters"
            ),
        });
    }
    Ok(())
}

impl Engine {
    /// Creates an API key; the returned secret is never stored (only its hash).
    pub async fn create_api_key(
        &self,
        tenant: &str,
        name: &str,
        role: Role,
        expires_at: Option<Millis>,
        rate_limit_per_second: Option<u32>,
    ) -> Result<NewApiKey, EngineError> {
        check_key_name(name)?;
        let now = now_ms();
        if let Some(at) = expires_at.filter(|at| *at <= now) {
            return Err(EngineError::InvalidArgument {
                what: "expiry".into(),
                reason: format!("{} is not in the future", format_utc(at)),
            });
        }
        if rate_limit_per_second == Some(0) {
            return Err(EngineError::InvalidArgument {
                what: "rate limit".into(),
                reason: "must be at least 1 request per second (leave it unset for the default)"
                    .into(),
            });
        }
        self.require_tenant(tenant).await?;
        // Two keys with the same random 8-character id are unlikely (one in 2 × 10^14 per
        // pair) but possible; the store refuses the second, and a new draw settles it.
        let mut attempts = 0;
        loop {
            attempts += 1;
            let generated = generate_key()?;
            let record = ApiKeyRecord {
                id: uuid::Uuid::now_v7().to_string(),
                tenant: tenant.to_owned(),
                name: name.to_owned(),
                prefix: generated.prefix,
                secret_hash: generated.secret_hash,
                role: role.as_str().to_owned(),
                created_at: now,
                expires_at,
                revoked_at: None,
                rate_limit_per_second,
            };
            match self.inner.store.create_api_key(&record).await {
                Ok(()) => {
                    return Ok(NewApiKey {
                        info: ApiKeyInfo::from_record(record)?,
                        key: generated.key,
                    });
                }
                Err(StoreError::Conflict { .. }) if attempts < 3 => {}
                Err(StoreError::NotFound { .. }) => return Err(tenant_not_found(tenant)),
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The tenant's API keys, including revoked and expired ones.
    pub async fn list_api_keys(&self, tenant: &str) -> Result<Vec<ApiKeyInfo>, EngineError> {
        self.inner
            .store
            .list_api_keys(tenant)
            .await?
            .into_iter()
            .map(ApiKeyInfo::from_record)
            .collect()
    }

    /// Revokes a key: it stops working at once on every engine sharing the store.
    pub async fn revoke_api_key(
        &self,
        tenant: &str,
        key_id: &str,
    ) -> Result<ApiKeyInfo, EngineError> {
        let revoked = self
            .inner
            .store
            .revoke_api_key(tenant, key_id, now_ms())
            .await?
            .ok_or_else(|| EngineError::NotFound {
                what: "API key".into(),
                name: key_id.to_owned(),
            })?;
        self.inner.auth.keys.forget(&revoked.prefix);
        ApiKeyInfo::from_record(revoked)
    }

    /// The principal of an API key. The key's row is reused for `auth.key_cache_ms` before
    /// it is read from the store again, so a revocation through another engine sharing the
    /// store holds within that time (through this engine, at once).
    pub(super) async fn authenticate_key(&self, key: &str) -> Result<Principal, EngineError> {
        let prefix = key_prefix(key)?;
        let unknown = || EngineError::Unauthenticated {
            reason: "unknown API key".into(),
        };
        let record = match self.inner.auth.keys.get(prefix) {
            Some(record) => record,
            None => {
                let record = Arc::new(
                    self.inner
                        .store
                        .get_api_key_by_prefix(prefix)
                        .await?
                        .ok_or_else(unknown)?,
                );
                self.inner.auth.keys.put(record.clone());
                record
            }
        };
        // Until the secret matches, a key whose prefix exists looks like an unknown one.
        if !constant_time_eq(key_hash(key).as_bytes(), record.secret_hash.as_bytes()) {
            return Err(unknown());
        }
        if record.revoked_at.is_some() {
            return Err(EngineError::Unauthenticated {
                reason: "the API key was revoked".into(),
            });
        }
        if let Some(at) = record.expires_at.filter(|at| *at <= now_ms()) {
            return Err(EngineError::Unauthenticated {
                reason: format!("the API key expired at {}", format_utc(at)),
            });
        }
        let role = stored_role(&record.role, || format!("API key '{}'", record.id))?;
        self.inner
            .auth
            .limiter
            .remember_key_limit(&record.id, record.rate_limit_per_second);
        Ok(Principal {
            tenant: record.tenant.clone(),
            subject: record.id.clone(),
            role,
            key_id: Some(record.id.clone()),
        })
    }
}

/// The error for a user or key created in a tenant that does not exist.
pub(super) fn tenant_not_found(tenant: &str) -> EngineError {
    EngineError::NotFound {
        what: "tenant".into(),
        name: tenant.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_well_formed_and_hash_to_what_is_stored() {
        let g = generate_key().unwrap();
        assert_eq!(g.key.len(), 4 + 8 + 1 + 40);
        assert!(g.key.starts_with(&format!("{}_", g.prefix)), "{}", g.key);
        assert_eq!(key_prefix(&g.key).unwrap(), g.prefix);
        assert_eq!(g.secret_hash, key_hash(&g.key));
        assert_eq!(g.secret_hash.len(), 64);
        assert_ne!(generate_key().unwrap().key, g.key);
    }

    #[test]
    fn malformed_keys_are_refused_without_echoing_them() {
        let secret = "s".repeat(40);
        for bad in [
            String::new(),
            format!("pk_abcdefgh_{secret}"),
            format!("phk_abcdefgh{secret}"),
            format!("phk_abcdefg_{secret}"),
            format!("phk_abcdefgh_{}", "s".repeat(31)),
            format!("phk_abcd-fgh_{secret}"),
            format!("phk_abcdefgh_{}!", "s".repeat(40)),
            format!("phk_abcdefgh_{}", "s".repeat(200)),
        ] {
            let err = key_prefix(&bad).unwrap_err().to_string();
            assert!(
                err.starts_with("not authenticated: malformed API key"),
                "{err}"
            );
            if bad.len() > 12 {
                assert!(!err.contains(&bad[12..]), "{err}");
            }
        }
        assert_eq!(
            key_prefix(&format!("phk_abcdefgh_{}", "s".repeat(32))).unwrap(),
            "phk_abcdefgh"
        );
    }

    #[test]
    fn names_are_checked() {
        check_key_name("ci deploy").unwrap();
        assert!(check_key_name("").is_err());
        assert!(check_key_name("   ").is_err());
        assert!(check_key_name("a\nb").is_err());
        assert!(check_key_name(&"k".repeat(101)).is_err());
    }
}
