//! The statements behind each storage method, run synchronously on a connection the caller
//! holds. Multi-statement writes take the write lock up front (`BEGIN IMMEDIATE`) so that
//! checks and writes see the same state even with other processes on the file.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};

use crate::StoreError;
use crate::checksum::sha256_hex;
use crate::codec::{checked_version, count_to_column, json_text, version_from_column};
use crate::records::{
    InferenceQuery, InferenceRecord, Millis, ModelRecord, ModelStatus, NewVersion, VersionRecord,
    VersionSummary,
};
use crate::rows::{
    INFERENCE_COLUMNS, InferenceRow, MODEL_COLUMNS, ModelRow, VERSION_COLUMNS, VersionRow,
};

pub(super) fn create_model(conn: &mut Connection, model: &ModelRecord) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    insert_model(&tx, model)?;
    tx.commit()?;
    Ok(())
}

/// Adds a model inside `tx`. `Conflict` if its id, or its name within the tenant, is taken.
pub(super) fn insert_model(tx: &Transaction<'_>, model: &ModelRecord) -> Result<(), StoreError> {
    let id_taken = exists(tx, "SELECT 1 FROM models WHERE id = ?1", params![model.id])?;
    if id_taken {
        return Err(StoreError::Conflict {
            what: format!("a model with id '{}'", model.id),
        });
    }
    let name_taken = exists(
        tx,
        "SELECT 1 FROM models WHERE tenant = ?1 AND name = ?2",
        params![model.tenant, model.name],
    )?;
    if name_taken {
        return Err(name_conflict(model));
    }
    tx.execute(
        "INSERT INTO models (id, tenant, name, config, status, active_version, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            model.id,
            model.tenant,
            model.name,
            json_text(&model.config),
            model.status.as_str(),
            model.active_version,
            model.created_at,
            model.updated_at,
        ],
    )?;
    Ok(())
}

pub(super) fn get_model(
    conn: &Connection,
    tenant: &str,
    id: &str,
) -> Result<Option<ModelRecord>, StoreError> {
    let sql = format!("SELECT {MODEL_COLUMNS} FROM models m WHERE m.tenant = ?1 AND m.id = ?2");
    let row = conn
        .query_row(&sql, params![tenant, id], model_row)
        .optional()?;
    row.map(ModelRow::decode).transpose()
}

pub(super) fn get_model_by_name(
    conn: &Connection,
    tenant: &str,
    name: &str,
) -> Result<Option<ModelRecord>, StoreError> {
    let sql = format!("SELECT {MODEL_COLUMNS} FROM models m WHERE m.tenant = ?1 AND m.name = ?2");
    let row = conn
        .query_row(&sql, params![tenant, name], model_row)
        .optional()?;
    row.map(ModelRow::decode).transpose()
}

pub(super) fn list_models(conn: &Connection, tenant: &str) -> Result<Vec<ModelRecord>, StoreError> {
    let sql = format!(
        "SELECT {MODEL_COLUMNS} FROM models m WHERE m.tenant = ?1 ORDER BY m.created_at, m.id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![tenant], model_row)?;
    rows.map(|row| row?.decode()).collect()
}

pub(super) fn set_model_status(
    conn: &Connection,
    tenant: &str,
    id: &str,
    status: ModelStatus,
    at: Millis,
) -> Result<(), StoreError> {
    let changed = conn.execute(
        "UPDATE models SET status = ?1, updated_at = ?2 WHERE tenant = ?3 AND id = ?4",
        params![status.as_str(), at, tenant, id],
    )?;
    if changed == 0 {
        return Err(model_not_found(tenant, id));
    }
    Ok(())
}

pub(super) fn activate_version(
    conn: &mut Connection,
    tenant: &str,
    id: &str,
    version: u32,
    at: Millis,
) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    require_model(&tx, tenant, id)?;
    let has_version = exists(
        &tx,
        "SELECT 1 FROM model_versions WHERE model_id = ?1 AND version = ?2",
        params![id, version],
    )?;
    if !has_version {
        return Err(version_not_found(id, version));
    }
    tx.execute(
        "UPDATE models SET active_version = ?1, updated_at = ?2 WHERE id = ?3",
        params![version, at, id],
    )?;
    tx.commit()?;
    Ok(())
}

pub(super) fn delete_model(
    conn: &mut Connection,
    tenant: &str,
    id: &str,
) -> Result<bool, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Versions go with the model through their foreign key; the log has none, so that
    // logging never waits on or fails because of a model row.
    let deleted = tx.execute(
        "DELETE FROM models WHERE tenant = ?1 AND id = ?2",
        params![tenant, id],
    )?;
    if deleted == 0 {
        return Ok(false);
    }
    tx.execute(
        "DELETE FROM inference_log WHERE tenant = ?1 AND model_id = ?2",
        params![tenant, id],
    )?;
    tx.commit()?;
    Ok(true)
}

pub(super) fn add_version(
    conn: &mut Connection,
    tenant: &str,
    model_id: &str,
    new: &NewVersion,
    activate: bool,
) -> Result<VersionSummary, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    require_model(&tx, tenant, model_id)?;
    let highest: i64 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM model_versions WHERE model_id = ?1",
        params![model_id],
        |row| row.get(0),
    )?;
    let version = version_from_column(highest.saturating_add(1), model_id)?;
    let summary = VersionSummary {
        model_id: model_id.to_owned(),
        version,
        created_at: new.created_at,
        sha256: sha256_hex(&new.artifact),
        size: new.artifact.len() as u64,
        metadata: new.metadata.clone(),
    };
    tx.execute(
        "INSERT INTO model_versions (model_id, version, created_at, artifact, sha256, size, metadata)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            model_id,
            version,
            new.created_at,
            new.artifact,
            summary.sha256,
            count_to_column(summary.size),
            json_text(&new.metadata),
        ],
    )?;
    if activate {
        tx.execute(
            "UPDATE models SET active_version = ?1, updated_at = ?2 WHERE id = ?3",
            params![version, new.created_at, model_id],
        )?;
    }
    tx.commit()?;
    Ok(summary)
}

pub(super) fn get_version(
    conn: &Connection,
    tenant: &str,
    model_id: &str,
    version: u32,
) -> Result<Option<VersionRecord>, StoreError> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS}, v.artifact FROM model_versions v JOIN models m ON m.id = v.model_id
         WHERE m.tenant = ?1 AND v.model_id = ?2 AND v.version = ?3"
    );
    let row = conn
        .query_row(&sql, params![tenant, model_id, version], |row| {
            Ok((version_row(row)?, row.get::<_, Vec<u8>>(6)?))
        })
        .optional()?;
    let Some((row, artifact)) = row else {
        return Ok(None);
    };
    checked_version(row.decode()?, artifact).map(Some)
}

pub(super) fn list_versions(
    conn: &Connection,
    tenant: &str,
    model_id: &str,
) -> Result<Vec<VersionSummary>, StoreError> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM model_versions v JOIN models m ON m.id = v.model_id
         WHERE m.tenant = ?1 AND v.model_id = ?2 ORDER BY v.version"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![tenant, model_id], version_row)?;
    rows.map(|row| row?.decode()).collect()
}

pub(super) fn log_inferences(
    conn: &mut Connection,
    records: &[InferenceRecord],
) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        // A record whose model is gone (deleted while the prediction was in flight) or
        // belongs to another tenant is dropped, as the model's deletion would have dropped it.
        let mut insert = tx.prepare(
            "INSERT INTO inference_log (tenant, model_id, version, at_ms, input, output, latency_us)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
             WHERE EXISTS (SELECT 1 FROM models WHERE tenant = ?1 AND id = ?2)",
        )?;
        for r in records {
            insert.execute(params![
                r.tenant,
                r.model_id,
                r.version,
                r.at,
                json_text(&r.input),
                json_text(&r.output),
                count_to_column(r.latency_us),
            ])?;
        }
    }
    tx.commit()?;
    Ok(())
}

pub(super) fn inference_history(
    conn: &Connection,
    query: &InferenceQuery,
) -> Result<Vec<InferenceRecord>, StoreError> {
    let sql = format!(
        "SELECT {INFERENCE_COLUMNS} FROM inference_log l
         WHERE l.tenant = ?1 AND l.model_id = ?2 AND l.at_ms >= ?3 AND l.at_ms < ?4
         ORDER BY l.at_ms DESC, l.id DESC LIMIT ?5"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(
        params![
            query.tenant,
            query.model_id,
            query.from,
            query.to,
            query.limit
        ],
        |row| {
            Ok(InferenceRow {
                tenant: row.get(0)?,
                model_id: row.get(1)?,
                version: row.get(2)?,
                at: row.get(3)?,
                input: row.get(4)?,
                output: row.get(5)?,
                latency_us: row.get(6)?,
            })
        },
    )?;
    rows.map(|row| row?.decode()).collect()
}

fn model_row(row: &Row<'_>) -> rusqlite::Result<ModelRow> {
    Ok(ModelRow {
        id: row.get(0)?,
        tenant: row.get(1)?,
        name: row.get(2)?,
        config: row.get(3)?,
        status: row.get(4)?,
        active_version: row.get(5)?,
        created_at: row.get(6)?,
        updated_at: row.get(7)?,
    })
}

fn version_row(row: &Row<'_>) -> rusqlite::Result<VersionRow> {
    Ok(VersionRow {
        model_id: row.get(0)?,
        version: row.get(1)?,
        created_at: row.get(2)?,
        sha256: row.get(3)?,
        size: row.get(4)?,
        metadata: row.get(5)?,
    })
}

fn exists(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(sql, params, |_| Ok(()))
        .optional()?
        .is_some())
}

/// `NotFound` unless the model exists in the tenant.
fn require_model(tx: &Transaction<'_>, tenant: &str, id: &str) -> Result<(), StoreError> {
    if exists(
        tx,
        "SELECT 1 FROM models WHERE tenant = ?1 AND id = ?2",
        params![tenant, id],
    )? {
        Ok(())
    } else {
        Err(model_not_found(tenant, id))
    }
}

fn model_not_found(tenant: &str, id: &str) -> StoreError {
    StoreError::NotFound {
        what: format!("model '{id}' in tenant '{tenant}'"),
    }
}

fn version_not_found(id: &str, version: u32) -> StoreError {
    StoreError::NotFound {
        what: format!("version {version} of model '{id}'"),
    }
}

fn name_conflict(model: &ModelRecord) -> StoreError {
    StoreError::Conflict {
        what: format!(
            "a model named '{}' in tenant '{}'",
            model.name, model.tenant
        ),
    }
}
