//! Tenants with their quotas, and their users.

use phantom_store::{Millis, Storage, StoreError, TenantRecord, UserRecord};
use serde::{Deserialize, Serialize};

use super::keys::tenant_not_found;
use super::passwords::{check_new_password, hash_password};
use super::roles::{Role, stored_role};
use crate::engine::{TENANT_DEFAULT, now_ms};
use crate::{Engine, EngineError};

/// The longest tenant or user name, in characters.
const MAX_NAME_CHARS: usize = 64;

/// Per-tenant limits; `None` is unlimited.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Quotas {
    /// Most models the tenant may hold.
    pub max_models: Option<u64>,
    /// Most inference-log rows stored for the tenant; beyond it predictions are still
    /// answered but no longer logged (and counted as dropped).
    pub max_stored_rows: Option<u64>,
    /// Most telemetry streams the tenant may hold; the events of a new stream beyond it are
    /// refused (counted as rejected in the ingestion report).
    pub max_streams: Option<u64>,
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

impl TenantInfo {
    pub(super) fn from_record(r: TenantRecord) -> Result<Self, EngineError> {
        let quotas = serde_json::from_value(r.quotas).map_err(|e| {
            EngineError::Store(StoreError::Malformed {
                what: format!("the quotas of tenant '{}' ({e})", r.name),
            })
        })?;
        Ok(TenantInfo {
            name: r.name,
            created_at: r.created_at,
            quotas,
        })
    }
}

impl UserInfo {
    fn from_record(r: UserRecord) -> Result<Self, EngineError> {
        let role = stored_role(&r.role, || {
            format!("user '{}' of tenant '{}'", r.username, r.tenant)
        })?;
        Ok(UserInfo {
            tenant: r.tenant,
            username: r.username,
            role,
            created_at: r.created_at,
        })
    }
}

/// Checks a tenant or user name: 1 to 64 letters, digits, `.`, `_`, `-` (and `@` in user
/// names), starting with a letter or digit, so names are safe in URLs, logs and Redis keys.
fn check_name(what: &str, name: &str, extra: &[char]) -> Result<(), EngineError> {
    let starts_well = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let allowed = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') || extra.contains(&c));
    if !starts_well || !allowed || name.chars().count() > MAX_NAME_CHARS {
        return Err(EngineError::InvalidArgument {
            what: what.to_owned(),
            reason: format!(
                "'{name}' is not a valid name: use 1 to {MAX_NAME_CHARS} letters, digits, '.', '_', '-'{}, starting with a letter or digit",
                if extra.is_empty() { "" } else { " or '@'" }
            ),
        });
    }
    Ok(())
}

impl Engine {
    /// Creates a tenant. `Conflict` if the name is taken.
    pub async fn create_tenant(
        &self,
        name: &str,
        quotas: Quotas,
    ) -> Result<TenantInfo, EngineError> {
        check_name("tenant name", name, &[])?;
        let record = tenant_record(name, &quotas, now_ms())?;
        match self.inner.store.create_tenant(&record).await {
            Ok(()) => TenantInfo::from_record(record),
            Err(StoreError::Conflict { .. }) => Err(EngineError::AlreadyExists {
                what: "tenant".into(),
                name: name.to_owned(),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// Every tenant.
    pub async fn list_tenants(&self) -> Result<Vec<TenantInfo>, EngineError> {
        self.inner
            .store
            .list_tenants()
            .await?
            .into_iter()
            .map(TenantInfo::from_record)
            .collect()
    }

    /// Creates a user with an Argon2id password hash.
    pub async fn create_user(
        &self,
        tenant: &str,
        username: &str,
        password: &str,
        role: Role,
    ) -> Result<UserInfo, EngineError> {
        check_name("user name", username, &['@'])?;
        check_new_password(password)?;
        self.require_tenant(tenant).await?;
        let record = UserRecord {
            tenant: tenant.to_owned(),
            username: username.to_owned(),
            password_hash: hash_password(password).await?,
            role: role.as_str().to_owned(),
            created_at: now_ms(),
        };
        match self.inner.store.create_user(&record).await {
            Ok(()) => UserInfo::from_record(record),
            Err(StoreError::Conflict { .. }) => Err(EngineError::AlreadyExists {
                what: "user".into(),
                name: username.to_owned(),
            }),
            Err(StoreError::NotFound { .. }) => Err(tenant_not_found(tenant)),
            Err(e) => Err(e.into()),
        }
    }

    /// The tenant's users.
    pub async fn list_users(&self, tenant: &str) -> Result<Vec<UserInfo>, EngineError> {
        self.inner
            .store
            .list_users(tenant)
            .await?
            .into_iter()
            .map(UserInfo::from_record)
            .collect()
    }

    /// Deletes a user.
    pub async fn delete_user(&self, tenant: &str, username: &str) -> Result<(), EngineError> {
        if self.inner.store.delete_user(tenant, username).await? {
            Ok(())
        } else {
            Err(EngineError::NotFound {
                what: "user".into(),
                name: username.to_owned(),
            })
        }
    }

    /// The tenant's quotas; a tenant without a record (the default tenant before anyone
    /// created it) has none.
    pub async fn tenant_quotas(&self, tenant: &str) -> Result<Quotas, EngineError> {
        match self.inner.store.get_tenant(tenant).await? {
            Some(record) => Ok(TenantInfo::from_record(record)?.quotas),
            None => Ok(Quotas::default()),
        }
    }

    /// `NotFound` unless the tenant exists. The default tenant, which the CLI and the
    /// Node.js package use without ever creating it, is created on first need.
    pub(super) async fn require_tenant(&self, tenant: &str) -> Result<(), EngineError> {
        if self.inner.store.get_tenant(tenant).await?.is_some() {
            return Ok(());
        }
        if tenant != TENANT_DEFAULT {
            return Err(tenant_not_found(tenant));
        }
        let record = tenant_record(tenant, &Quotas::default(), now_ms())?;
        match self.inner.store.create_tenant(&record).await {
            Ok(()) | Err(StoreError::Conflict { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// The store's record of a new tenant.
pub(super) fn tenant_record(
    name: &str,
    quotas: &Quotas,
    created_at: Millis,
) -> Result<TenantRecord, EngineError> {
    Ok(TenantRecord {
        name: name.to_owned(),
        quotas: serde_json::to_value(quotas)
            .map_err(|e| EngineError::Internal(format!("encoding quotas: {e}")))?,
        created_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        check_name("tenant name", "acme-prod.eu_1", &[]).unwrap();
        check_name("user name", "ann@example.com", &['@']).unwrap();
        for bad in ["", "-lead", "has space", "semi:colon", "ann@example.com"] {
            let err = check_name("tenant name", bad, &[]).unwrap_err().to_string();
            assert!(err.contains("invalid tenant name"), "{err}");
        }
        assert!(check_name("tenant name", &"t".repeat(65), &[]).is_err());
        check_name("tenant name", &"t".repeat(64), &[]).unwrap();
    }

    #[test]
    fn quotas_round_trip_through_json() {
        let q = Quotas {
            max_models: Some(3),
            max_stored_rows: None,
            max_streams: Some(7),
        };
        let record = tenant_record("t", &q, 5).unwrap();
        assert_eq!(TenantInfo::from_record(record).unwrap().quotas, q);
        let bad = TenantRecord {
            name: "t".into(),
            quotas: serde_json::json!({"max_modles": 1}),
            created_at: 0,
        };
        let err = TenantInfo::from_record(bad).unwrap_err().to_string();
        assert!(err.contains("quotas of tenant 't'"), "{err}");
    }
}
