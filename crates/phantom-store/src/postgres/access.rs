//! The statements behind the access methods: tenants, users, API keys, the audit log,
//! settings, and the model limit.

use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, GenericClient, Row, Transaction};

use crate::StoreError;
use crate::codec::{count_from_column, json_text};
use crate::records::{
    ApiKeyRecord, AuditFilter, AuditRecord, Millis, ModelRecord, TenantRecord, UserRecord,
};
use crate::rows::{
    API_KEY_COLUMNS, AUDIT_COLUMNS, ApiKeyRow, TENANT_COLUMNS, TenantRow, USER_COLUMNS,
};

use super::queries;

/// The first key of the per-tenant advisory locks (the ASCII bytes of "phtn"); the second is
/// a hash of the tenant's name. Two-key locks live apart from the one-key migration lock.
const TENANT_LOCK_SPACE: i32 = 0x7068_746e;

pub(super) async fn create_model_within_limit(
    tx: &Transaction<'_>,
    model: &ModelRecord,
    max_models: u64,
) -> Result<(), StoreError> {
    // Creations in one tenant take turns, so each counts the models of the one before.
    lock_tenant(tx, &model.tenant).await?;
    let held: i64 = tx
        .query_one(
            "SELECT COUNT(*) FROM models WHERE tenant = $1",
            &[&model.tenant],
        )
        .await?
        .get(0);
    let held = count_from_column(held, || format!("the model count of '{}'", model.tenant))?;
    if held >= max_models {
        return Err(StoreError::LimitReached {
            tenant: model.tenant.clone(),
            what: "models".into(),
            limit: max_models,
        });
    }
    queries::create_model(tx, model).await
}

pub(super) async fn count_inferences(client: &Client, tenant: &str) -> Result<u64, StoreError> {
    let n: i64 = client
        .query_one(
            "SELECT COUNT(*) FROM inference_log WHERE tenant = $1",
            &[&tenant],
        )
        .await?
        .get(0);
    count_from_column(n, || format!("the inference count of '{tenant}'"))
}

pub(super) async fn create_tenant(
    client: &Client,
    tenant: &TenantRecord,
) -> Result<(), StoreError> {
    let inserted = insert_tenant(client, tenant).await?;
    if inserted == 0 {
        return Err(StoreError::Conflict {
            what: format!("a tenant named '{}'", tenant.name),
        });
    }
    Ok(())
}

pub(super) async fn get_tenant(
    client: &Client,
    name: &str,
) -> Result<Option<TenantRecord>, StoreError> {
    let sql = format!("SELECT {TENANT_COLUMNS} FROM tenants t WHERE t.name = $1");
    let row = client.query_opt(&sql, &[&name]).await?;
    row.map(|r| tenant_row(&r)?.decode()).transpose()
}

pub(super) async fn list_tenants(client: &Client) -> Result<Vec<TenantRecord>, StoreError> {
    let sql = format!("SELECT {TENANT_COLUMNS} FROM tenants t ORDER BY t.name");
    let rows = client.query(&sql, &[]).await?;
    rows.iter().map(|r| tenant_row(r)?.decode()).collect()
}

pub(super) async fn create_user(client: &Client, user: &UserRecord) -> Result<(), StoreError> {
    let inserted = client
        .execute(
            "INSERT INTO users (tenant, username, password_hash, role, created_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant, username) DO NOTHING",
            &[
                &user.tenant,
                &user.username,
                &user.password_hash,
                &user.role,
                &user.created_at,
            ],
        )
        .await
        .map_err(|e| missing_tenant(e, &user.tenant))?;
    if inserted == 0 {
        return Err(StoreError::Conflict {
            what: format!(
                "a user named '{}' in tenant '{}'",
                user.username, user.tenant
            ),
        });
    }
    Ok(())
}

pub(super) async fn get_user(
    client: &Client,
    tenant: &str,
    username: &str,
) -> Result<Option<UserRecord>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.tenant = $1 AND u.username = $2");
    let row = client.query_opt(&sql, &[&tenant, &username]).await?;
    row.map(|r| user_row(&r)).transpose()
}

pub(super) async fn list_users(
    client: &Client,
    tenant: &str,
) -> Result<Vec<UserRecord>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.tenant = $1 ORDER BY u.username");
    let rows = client.query(&sql, &[&tenant]).await?;
    rows.iter().map(user_row).collect()
}

pub(super) async fn delete_user(
    client: &Client,
    tenant: &str,
    username: &str,
) -> Result<bool, StoreError> {
    let deleted = client
        .execute(
            "DELETE FROM users WHERE tenant = $1 AND username = $2",
            &[&tenant, &username],
        )
        .await?;
    Ok(deleted > 0)
}

pub(super) async fn create_api_key(
    client: &impl GenericClient,
    key: &ApiKeyRecord,
) -> Result<(), StoreError> {
    let inserted = client
        .execute(
            "INSERT INTO api_keys (id, tenant, name, prefix, secret_hash, role, created_at,
                                   expires_at, revoked_at, rate_limit_per_second)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
            &[
                &key.id,
                &key.tenant,
                &key.name,
                &key.prefix,
                &key.secret_hash,
                &key.role,
                &key.created_at,
                &key.expires_at,
                &key.revoked_at,
                &key.rate_limit_per_second.map(i64::from),
            ],
        )
        .await
        .map_err(|e| missing_tenant(e, &key.tenant))?;
    if inserted == 0 {
        return Err(StoreError::Conflict {
            what: format!("an API key with id '{}' or prefix '{}'", key.id, key.prefix),
        });
    }
    Ok(())
}

pub(super) async fn create_first_api_key(
    tx: &Transaction<'_>,
    tenant: &TenantRecord,
    key: &ApiKeyRecord,
) -> Result<bool, StoreError> {
    // Under the tenant's lock each statement reads a snapshot taken after the previous
    // holder committed, so a second caller sees the first one's key.
    lock_tenant(tx, &tenant.name).await?;
    let has_access = tx
        .query_opt(
            "SELECT 1 FROM users WHERE tenant = $1 UNION ALL SELECT 1 FROM api_keys WHERE tenant = $1 LIMIT 1",
            &[&tenant.name],
        )
        .await?
        .is_some();
    if has_access {
        return Ok(false);
    }
    insert_tenant(tx, tenant).await?;
    create_api_key(tx, key).await?;
    Ok(true)
}

pub(super) async fn get_api_key(
    client: &Client,
    tenant: &str,
    id: &str,
) -> Result<Option<ApiKeyRecord>, StoreError> {
    let sql = format!("SELECT {API_KEY_COLUMNS} FROM api_keys k WHERE k.tenant = $1 AND k.id = $2");
    let row = client.query_opt(&sql, &[&tenant, &id]).await?;
    row.map(|r| api_key_row(&r)?.decode()).transpose()
}

pub(super) async fn get_api_key_by_prefix(
    client: &Client,
    prefix: &str,
) -> Result<Option<ApiKeyRecord>, StoreError> {
    let sql = format!("SELECT {API_KEY_COLUMNS} FROM api_keys k WHERE k.prefix = $1");
    let row = client.query_opt(&sql, &[&prefix]).await?;
    row.map(|r| api_key_row(&r)?.decode()).transpose()
}

pub(super) async fn list_api_keys(
    client: &Client,
    tenant: &str,
) -> Result<Vec<ApiKeyRecord>, StoreError> {
    let sql = format!(
        "SELECT {API_KEY_COLUMNS} FROM api_keys k WHERE k.tenant = $1 ORDER BY k.created_at, k.id"
    );
    let rows = client.query(&sql, &[&tenant]).await?;
    rows.iter().map(|r| api_key_row(r)?.decode()).collect()
}

pub(super) async fn revoke_api_key(
    client: &Client,
    tenant: &str,
    id: &str,
    at: Millis,
) -> Result<Option<ApiKeyRecord>, StoreError> {
    let sql = format!(
        "UPDATE api_keys AS k SET revoked_at = COALESCE(k.revoked_at, $1)
         WHERE k.tenant = $2 AND k.id = $3 RETURNING {API_KEY_COLUMNS}"
    );
    let row = client.query_opt(&sql, &[&at, &tenant, &id]).await?;
    row.map(|r| api_key_row(&r)?.decode()).transpose()
}

pub(super) async fn append_audit(client: &Client, r: &AuditRecord) -> Result<(), StoreError> {
    client
        .execute(
            "INSERT INTO audit_log (tenant, actor, action, resource, result, request_id, at, source, detail)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &r.tenant,
                &r.actor,
                &r.action,
                &r.resource,
                &r.result,
                &r.request_id,
                &r.at,
                &r.source,
                &r.detail,
            ],
        )
        .await?;
    Ok(())
}

pub(super) async fn query_audit(
    client: &Client,
    f: &AuditFilter,
) -> Result<Vec<AuditRecord>, StoreError> {
    let sql = format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_log a
         WHERE a.tenant = $1 AND a.at >= $2 AND a.at < $3
           AND ($4::text IS NULL OR a.actor = $4)
           AND ($5::text IS NULL OR a.action = $5)
           AND ($6::text IS NULL OR a.result = $6)
         ORDER BY a.at DESC, a.id DESC LIMIT $7"
    );
    let rows = client
        .query(
            &sql,
            &[
                &f.tenant,
                &f.from,
                &f.to,
                &f.actor,
                &f.action,
                &f.result,
                &i64::from(f.limit),
            ],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(AuditRecord {
                tenant: r.try_get(0)?,
                actor: r.try_get(1)?,
                action: r.try_get(2)?,
                resource: r.try_get(3)?,
                result: r.try_get(4)?,
                request_id: r.try_get(5)?,
                at: r.try_get(6)?,
                source: r.try_get(7)?,
                detail: r.try_get(8)?,
            })
        })
        .collect()
}

pub(super) async fn get_or_create_setting(
    client: &Client,
    name: &str,
    value: &str,
) -> Result<String, StoreError> {
    client
        .execute(
            "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            &[&name, &value],
        )
        .await?;
    Ok(client
        .query_one("SELECT value FROM settings WHERE name = $1", &[&name])
        .await?
        .try_get(0)?)
}

async fn insert_tenant(
    client: &impl GenericClient,
    tenant: &TenantRecord,
) -> Result<u64, StoreError> {
    Ok(client
        .execute(
            "INSERT INTO tenants (name, quotas, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO NOTHING",
            &[&tenant.name, &json_text(&tenant.quotas), &tenant.created_at],
        )
        .await?)
}

/// Holds the tenant's advisory lock until the transaction ends.
async fn lock_tenant(tx: &Transaction<'_>, tenant: &str) -> Result<(), StoreError> {
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, hashtext($2))",
        &[&TENANT_LOCK_SPACE, &tenant],
    )
    .await?;
    Ok(())
}

/// A foreign-key violation on insert means the row's tenant does not exist.
fn missing_tenant(err: tokio_postgres::Error, tenant: &str) -> StoreError {
    if err
        .as_db_error()
        .is_some_and(|db| *db.code() == SqlState::FOREIGN_KEY_VIOLATION)
    {
        StoreError::NotFound {
            what: format!("tenant '{tenant}'"),
        }
    } else {
        err.into()
    }
}

fn tenant_row(row: &Row) -> Result<TenantRow, StoreError> {
    Ok(TenantRow {
        name: row.try_get(0)?,
        quotas: row.try_get(1)?,
        created_at: row.try_get(2)?,
    })
}

fn user_row(row: &Row) -> Result<UserRecord, StoreError> {
    Ok(UserRecord {
        tenant: row.try_get(0)?,
        username: row.try_get(1)?,
        password_hash: row.try_get(2)?,
        role: row.try_get(3)?,
        created_at: row.try_get(4)?,
    })
}

fn api_key_row(row: &Row) -> Result<ApiKeyRow, StoreError> {
    Ok(ApiKeyRow {
        id: row.try_get(0)?,
        tenant: row.try_get(1)?,
        name: row.try_get(2)?,
        prefix: row.try_get(3)?,
        secret_hash: row.try_get(4)?,
        role: row.try_get(5)?,
        created_at: row.try_get(6)?,
        expires_at: row.try_get(7)?,
        revoked_at: row.try_get(8)?,
        rate_limit_per_second: row.try_get(9)?,
    })
}
