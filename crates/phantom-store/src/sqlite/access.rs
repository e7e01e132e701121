//! The statements behind the access methods: tenants, users, API keys, the audit log,
//! settings, and the model limit.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};

use crate::StoreError;
use crate::codec::{count_from_column, json_text};
use crate::records::{
    ApiKeyRecord, AuditFilter, AuditRecord, Millis, ModelRecord, TenantRecord, UserRecord,
};
use crate::rows::{
    API_KEY_COLUMNS, AUDIT_COLUMNS, ApiKeyRow, TENANT_COLUMNS, TenantRow, USER_COLUMNS,
};

use super::queries;

pub(super) fn create_model_within_limit(
    conn: &mut Connection,
    model: &ModelRecord,
    max_models: u64,
) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let held: i64 = tx.query_row(
        "SELECT COUNT(*) FROM models WHERE tenant = ?1",
        params![model.tenant],
        |row| row.get(0),
    )?;
    let held = count_from_column(held, || format!("the model count of '{}'", model.tenant))?;
    if held >= max_models {
        return Err(StoreError::LimitReached {
            tenant: model.tenant.clone(),
            what: "models".into(),
            limit: max_models,
        });
    }
    queries::insert_model(&tx, model)?;
    tx.commit()?;
    Ok(())
}

pub(super) fn count_inferences(conn: &Connection, tenant: &str) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM inference_log WHERE tenant = ?1",
        params![tenant],
        |row| row.get(0),
    )?;
    count_from_column(n, || format!("the inference count of '{tenant}'"))
}

pub(super) fn create_tenant(conn: &Connection, tenant: &TenantRecord) -> Result<(), StoreError> {
    let inserted = conn.execute(
        "INSERT INTO tenants (name, quotas, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO NOTHING",
        params![tenant.name, json_text(&tenant.quotas), tenant.created_at],
    )?;
    if inserted == 0 {
        return Err(StoreError::Conflict {
            what: format!("a tenant named '{}'", tenant.name),
        });
    }
    Ok(())
}

pub(super) fn get_tenant(
    conn: &Connection,
    name: &str,
) -> Result<Option<TenantRecord>, StoreError> {
    let sql = format!("SELECT {TENANT_COLUMNS} FROM tenants t WHERE t.name = ?1");
    let row = conn.query_row(&sql, params![name], tenant_row).optional()?;
    row.map(TenantRow::decode).transpose()
}

pub(super) fn list_tenants(conn: &Connection) -> Result<Vec<TenantRecord>, StoreError> {
    let sql = format!("SELECT {TENANT_COLUMNS} FROM tenants t ORDER BY t.name");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], tenant_row)?;
    rows.map(|row| row?.decode()).collect()
}

pub(super) fn create_user(conn: &mut Connection, user: &UserRecord) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    require_tenant(&tx, &user.tenant)?;
    let inserted = tx.execute(
        "INSERT INTO users (tenant, username, password_hash, role, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (tenant, username) DO NOTHING",
        params![
            user.tenant,
            user.username,
            user.password_hash,
            user.role,
            user.created_at
        ],
    )?;
    if inserted == 0 {
        return Err(StoreError::Conflict {
            what: format!(
                "a user named '{}' in tenant '{}'",
                user.username, user.tenant
            ),
        });
    }
    tx.commit()?;
    Ok(())
}

pub(super) fn get_user(
    conn: &Connection,
    tenant: &str,
    username: &str,
) -> Result<Option<UserRecord>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.tenant = ?1 AND u.username = ?2");
    Ok(conn
        .query_row(&sql, params![tenant, username], user_row)
        .optional()?)
}

pub(super) fn list_users(conn: &Connection, tenant: &str) -> Result<Vec<UserRecord>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.tenant = ?1 ORDER BY u.username");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![tenant], user_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn delete_user(
    conn: &Connection,
    tenant: &str,
    username: &str,
) -> Result<bool, StoreError> {
    let deleted = conn.execute(
        "DELETE FROM users WHERE tenant = ?1 AND username = ?2",
        params![tenant, username],
    )?;
    Ok(deleted > 0)
}

pub(super) fn create_api_key(conn: &mut Connection, key: &ApiKeyRecord) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    require_tenant(&tx, &key.tenant)?;
    insert_api_key(&tx, key)?;
    tx.commit()?;
    Ok(())
}

pub(super) fn create_first_api_key(
    conn: &mut Connection,
    tenant: &TenantRecord,
    key: &ApiKeyRecord,
) -> Result<bool, StoreError> {
    // The write lock taken up front makes the check and the insert one step for every
    // process on the file.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let has_access = exists(
        &tx,
        "SELECT 1 FROM users WHERE tenant = ?1 UNION ALL SELECT 1 FROM api_keys WHERE tenant = ?1",
        params![tenant.name],
    )?;
    if has_access {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO tenants (name, quotas, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO NOTHING",
        params![tenant.name, json_text(&tenant.quotas), tenant.created_at],
    )?;
    insert_api_key(&tx, key)?;
    tx.commit()?;
    Ok(true)
}

pub(super) fn get_api_key(
    conn: &Connection,
    tenant: &str,
    id: &str,
) -> Result<Option<ApiKeyRecord>, StoreError> {
    let sql = format!("SELECT {API_KEY_COLUMNS} FROM api_keys k WHERE k.tenant = ?1 AND k.id = ?2");
    let row = conn
        .query_row(&sql, params![tenant, id], api_key_row)
        .optional()?;
    row.map(ApiKeyRow::decode).transpose()
}

pub(super) fn get_api_key_by_prefix(
    conn: &Connection,
    prefix: &str,
) -> Result<Option<ApiKeyRecord>, StoreError> {
    let sql = format!("SELECT {API_KEY_COLUMNS} FROM api_keys k WHERE k.prefix = ?1");
    let row = conn
        .query_row(&sql, params![prefix], api_key_row)
        .optional()?;
    row.map(ApiKeyRow::decode).transpose()
}

pub(super) fn list_api_keys(
    conn: &Connection,
    tenant: &str,
) -> Result<Vec<ApiKeyRecord>, StoreError> {
    let sql = format!(
        "SELECT {API_KEY_COLUMNS} FROM api_keys k WHERE k.tenant = ?1 ORDER BY k.created_at, k.id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![tenant], api_key_row)?;
    rows.map(|row| row?.decode()).collect()
}

pub(super) fn revoke_api_key(
    conn: &mut Connection,
    tenant: &str,
    id: &str,
    at: Millis,
) -> Result<Option<ApiKeyRecord>, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?1) WHERE tenant = ?2 AND id = ?3",
        params![at, tenant, id],
    )?;
    let key = get_api_key(&tx, tenant, id)?;
    tx.commit()?;
    Ok(key)
}

pub(super) fn append_audit(conn: &Connection, r: &AuditRecord) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO audit_log (tenant, actor, action, resource, result, request_id, at, source, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            r.tenant,
            r.actor,
            r.action,
            r.resource,
            r.result,
            r.request_id,
            r.at,
            r.source,
            r.detail
        ],
    )?;
    Ok(())
}

pub(super) fn query_audit(
    conn: &Connection,
    f: &AuditFilter,
) -> Result<Vec<AuditRecord>, StoreError> {
    let sql = format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_log a
         WHERE a.tenant = ?1 AND a.at >= ?2 AND a.at < ?3
           AND (?4 IS NULL OR a.actor = ?4)
           AND (?5 IS NULL OR a.action = ?5)
           AND (?6 IS NULL OR a.result = ?6)
         ORDER BY a.at DESC, a.id DESC LIMIT ?7"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(
        params![f.tenant, f.from, f.to, f.actor, f.action, f.result, f.limit],
        |row| {
            Ok(AuditRecord {
                tenant: row.get(0)?,
                actor: row.get(1)?,
                action: row.get(2)?,
                resource: row.get(3)?,
                result: row.get(4)?,
                request_id: row.get(5)?,
                at: row.get(6)?,
                source: row.get(7)?,
                detail: row.get(8)?,
            })
        },
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn get_or_create_setting(
    conn: &mut Connection,
    name: &str,
    value: &str,
) -> Result<String, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
        params![name, value],
    )?;
    let stored: String = tx.query_row(
        "SELECT value FROM settings WHERE name = ?1",
        params![name],
        |row| row.get(0),
    )?;
    tx.commit()?;
    Ok(stored)
}

fn insert_api_key(tx: &Transaction<'_>, key: &ApiKeyRecord) -> Result<(), StoreError> {
    let inserted = tx.execute(
        "INSERT INTO api_keys (id, tenant, name, prefix, secret_hash, role, created_at,
                               expires_at, revoked_at, rate_limit_per_second)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT DO NOTHING",
        params![
            key.id,
            key.tenant,
            key.name,
            key.prefix,
            key.secret_hash,
            key.role,
            key.created_at,
            key.expires_at,
            key.revoked_at,
            key.rate_limit_per_second,
        ],
    )?;
    if inserted == 0 {
        return Err(StoreError::Conflict {
            what: format!("an API key with id '{}' or prefix '{}'", key.id, key.prefix),
        });
    }
    Ok(())
}

/// `NotFound` unless the tenant exists.
fn require_tenant(tx: &Transaction<'_>, tenant: &str) -> Result<(), StoreError> {
    if exists(tx, "SELECT 1 FROM tenants WHERE name = ?1", params![tenant])? {
        Ok(())
    } else {
        Err(StoreError::NotFound {
            what: format!("tenant '{tenant}'"),
        })
    }
}

fn exists(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(sql, params, |_| Ok(()))
        .optional()?
        .is_some())
}

fn tenant_row(row: &Row<'_>) -> rusqlite::Result<TenantRow> {
    Ok(TenantRow {
        name: row.get(0)?,
        quotas: row.get(1)?,
        created_at: row.get(2)?,
    })
}

fn user_row(row: &Row<'_>) -> rusqlite::Result<UserRecord> {
    Ok(UserRecord {
        tenant: row.get(0)?,
        username: row.get(1)?,
        password_hash: row.get(2)?,
        role: row.get(3)?,
        created_at: row.get(4)?,
    })
}

fn api_key_row(row: &Row<'_>) -> rusqlite::Result<ApiKeyRow> {
    Ok(ApiKeyRow {
        id: row.get(0)?,
        tenant: row.get(1)?,
        name: row.get(2)?,
        prefix: row.get(3)?,
        secret_hash: row.get(4)?,
        role: row.get(5)?,
        created_at: row.get(6)?,
        expires_at: row.get(7)?,
        revoked_at: row.get(8)?,
        rate_limit_per_second: row.get(9)?,
    })
}
