//! The statements behind each storage method. Writes that check before they change, and
//! every change that announces itself, run in one transaction: the NOTIFY is delivered
//! only if the change commits.

use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, GenericClient, Row, Transaction};

use crate::StoreError;
use crate::checksum::sha256_hex;
use crate::codec::{checked_version, count_to_column, json_text, version_from_column};
use crate::records::{
    InferenceQuery, InferenceRecord, Millis, ModelEvent, ModelRecord, ModelStatus, NewVersion,
    VersionRecord, VersionSummary,
};
use crate::rows::{
    INFERENCE_COLUMNS, InferenceRow, MODEL_COLUMNS, ModelRow, VERSION_COLUMNS, VersionRow,
};

use super::listener::payload;

pub(super) async fn create_model(
    client: &impl GenericClient,
    model: &ModelRecord,
) -> Result<(), StoreError> {
    let inserted = client
        .execute(
            "INSERT INTO models (id, tenant, name, config, status, active_version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &model.id,
                &model.tenant,
                &model.name,
                &json_text(&model.config),
                &model.status.as_str(),
                &model.active_version.map(i64::from),
                &model.created_at,
                &model.updated_at,
            ],
        )
        .await;
    let Err(err) = inserted else {
        return Ok(());
    };
    let violated = err
        .as_db_error()
        .filter(|db| *db.code() == SqlState::UNIQUE_VIOLATION)
        .map(|db| db.constraint() == Some("models_pkey"));
    match violated {
        Some(true) => Err(StoreError::Conflict {
            what: format!("a model with id '{}'", model.id),
        }),
        Some(false) => Err(StoreError::Conflict {
            what: format!(
                "a model named '{}' in tenant '{}'",
                model.name, model.tenant
            ),
        }),
        None => Err(err.into()),
    }
}

pub(super) async fn get_model(
    client: &Client,
    tenant: &str,
    id: &str,
) -> Result<Option<ModelRecord>, StoreError> {
    let sql = format!("SELECT {MODEL_COLUMNS} FROM models m WHERE m.tenant = $1 AND m.id = $2");
    let row = client.query_opt(&sql, &[&tenant, &id]).await?;
    row.map(|r| model_row(&r)?.decode()).transpose()
}

pub(super) async fn get_model_by_name(
    client: &Client,
    tenant: &str,
    name: &str,
) -> Result<Option<ModelRecord>, StoreError> {
    let sql = format!("SELECT {MODEL_COLUMNS} FROM models m WHERE m.tenant = $1 AND m.name = $2");
    let row = client.query_opt(&sql, &[&tenant, &name]).await?;
    row.map(|r| model_row(&r)?.decode()).transpose()
}

pub(super) async fn list_models(
    client: &Client,
    tenant: &str,
) -> Result<Vec<ModelRecord>, StoreError> {
    let sql = format!(
        "SELECT {MODEL_COLUMNS} FROM models m WHERE m.tenant = $1 ORDER BY m.created_at, m.id"
    );
    let rows = client.query(&sql, &[&tenant]).await?;
    rows.iter().map(|r| model_row(r)?.decode()).collect()
}

pub(super) async fn set_model_status(
    tx: &Transaction<'_>,
    channel: &str,
    tenant: &str,
    id: &str,
    status: ModelStatus,
    at: Millis,
) -> Result<(), StoreError> {
    let changed = tx
        .execute(
            "UPDATE models SET status = $1, updated_at = $2 WHERE tenant = $3 AND id = $4",
            &[&status.as_str(), &at, &tenant, &id],
        )
        .await?;
    if changed == 0 {
        return Err(model_not_found(tenant, id));
    }
    notify(
        tx,
        channel,
        &ModelEvent::Changed {
            model_id: id.to_owned(),
        },
    )
    .await
}

pub(super) async fn activate_version(
    tx: &Transaction<'_>,
    channel: &str,
    tenant: &str,
    id: &str,
    version: u32,
    at: Millis,
) -> Result<(), StoreError> {
    lock_model(tx, tenant, id).await?;
    let has_version = tx
        .query_opt(
            "SELECT 1 FROM model_versions WHERE model_id = $1 AND version = $2",
            &[&id, &i64::from(version)],
        )
        .await?
        .is_some();
    if !has_version {
        return Err(StoreError::NotFound {
            what: format!("version {version} of model '{id}'"),
        });
    }
    tx.execute(
        "UPDATE models SET active_version = $1, updated_at = $2 WHERE id = $3",
        &[&i64::from(version), &at, &id],
    )
    .await?;
    notify(
        tx,
        channel,
        &ModelEvent::Changed {
            model_id: id.to_owned(),
        },
    )
    .await
}

pub(super) async fn delete_model(
    tx: &Transaction<'_>,
    channel: &str,
    tenant: &str,
    id: &str,
) -> Result<bool, StoreError> {
    // Versions go with the model through their foreign key. The log has none; deleting
    // the model row first waits for any transaction still logging against it (which holds
    // a key-share lock on it), so this statement then sees and removes its rows.
    let deleted = tx
        .execute(
            "DELETE FROM models WHERE tenant = $1 AND id = $2",
            &[&tenant, &id],
        )
        .await?;
    if deleted == 0 {
        return Ok(false);
    }
    tx.execute(
        "DELETE FROM inference_log WHERE tenant = $1 AND model_id = $2",
        &[&tenant, &id],
    )
    .await?;
    notify(
        tx,
        channel,
        &ModelEvent::Deleted {
            model_id: id.to_owned(),
        },
    )
    .await?;
    Ok(true)
}

pub(super) async fn add_version(
    tx: &Transaction<'_>,
    channel: &str,
    tenant: &str,
    model_id: &str,
    new: &NewVersion,
    activate: bool,
) -> Result<VersionSummary, StoreError> {
    // The row lock makes concurrent writers take turns; each then reads the highest
    // version in a fresh snapshot that includes the previous writer's commit.
    lock_model(tx, tenant, model_id).await?;
    let highest: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM model_versions WHERE model_id = $1",
            &[&model_id],
        )
        .await?
        .get(0);
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
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &model_id,
            &i64::from(version),
            &new.created_at,
            &new.artifact,
            &summary.sha256,
            &count_to_column(summary.size),
            &json_text(&new.metadata),
        ],
    )
    .await?;
    if activate {
        tx.execute(
            "UPDATE models SET active_version = $1, updated_at = $2 WHERE id = $3",
            &[&i64::from(version), &new.created_at, &model_id],
        )
        .await?;
        notify(
            tx,
            channel,
            &ModelEvent::Changed {
                model_id: model_id.to_owned(),
            },
        )
        .await?;
    }
    Ok(summary)
}

pub(super) async fn get_version(
    client: &Client,
    tenant: &str,
    model_id: &str,
    version: u32,
) -> Result<Option<VersionRecord>, StoreError> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS}, v.artifact FROM model_versions v JOIN models m ON m.id = v.model_id
         WHERE m.tenant = $1 AND v.model_id = $2 AND v.version = $3"
    );
    let Some(row) = client
        .query_opt(&sql, &[&tenant, &model_id, &i64::from(version)])
        .await?
    else {
        return Ok(None);
    };
    let artifact: Vec<u8> = row.try_get(6)?;
    checked_version(version_row(&row)?.decode()?, artifact).map(Some)
}

pub(super) async fn list_versions(
    client: &Client,
    tenant: &str,
    model_id: &str,
) -> Result<Vec<VersionSummary>, StoreError> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM model_versions v JOIN models m ON m.id = v.model_id
         WHERE m.tenant = $1 AND v.model_id = $2 ORDER BY v.version"
    );
    let rows = client.query(&sql, &[&tenant, &model_id]).await?;
    rows.iter().map(|r| version_row(r)?.decode()).collect()
}

pub(super) async fn log_inferences(
    client: &Client,
    records: &[InferenceRecord],
) -> Result<(), StoreError> {
    let tenants: Vec<&str> = records.iter().map(|r| r.tenant.as_str()).collect();
    let models: Vec<&str> = records.iter().map(|r| r.model_id.as_str()).collect();
    let versions: Vec<i64> = records.iter().map(|r| i64::from(r.version)).collect();
    let times: Vec<i64> = records.iter().map(|r| r.at).collect();
    let inputs: Vec<String> = records.iter().map(|r| json_text(&r.input)).collect();
    let outputs: Vec<String> = records.iter().map(|r| json_text(&r.output)).collect();
    let latencies: Vec<i64> = records
        .iter()
        .map(|r| count_to_column(r.latency_us))
        .collect();
    // One statement, so the batch is one transaction. A record whose model is gone
    // (deleted while the prediction was in flight) or belongs to another tenant is dropped,
    // as the model's deletion would have dropped it; the key-share lock keeps a deletion
    // from slipping in between the check and the insert.
    client
        .execute(
            "INSERT INTO inference_log (tenant, model_id, version, at_ms, input, output, latency_us)
             SELECT r.tenant, r.model_id, r.version, r.at_ms, r.input, r.output, r.latency_us
             FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::bigint[])
                  WITH ORDINALITY AS r (tenant, model_id, version, at_ms, input, output, latency_us, n)
             WHERE EXISTS (
                 SELECT 1 FROM models m WHERE m.tenant = r.tenant AND m.id = r.model_id FOR KEY SHARE
             )
             ORDER BY r.n",
            &[&tenants, &models, &versions, &times, &inputs, &outputs, &latencies],
        )
        .await?;
    Ok(())
}

pub(super) async fn inference_history(
    client: &Client,
    query: &InferenceQuery,
) -> Result<Vec<InferenceRecord>, StoreError> {
    let sql = format!(
        "SELECT {INFERENCE_COLUMNS} FROM inference_log l
         WHERE l.tenant = $1 AND l.model_id = $2 AND l.at_ms >= $3 AND l.at_ms < $4
         ORDER BY l.at_ms DESC, l.id DESC LIMIT $5"
    );
    let rows = client
        .query(
            &sql,
            &[
                &query.tenant,
                &query.model_id,
                &query.from,
                &query.to,
                &i64::from(query.limit),
            ],
        )
        .await?;
    rows.iter()
        .map(|r| {
            InferenceRow {
                tenant: r.try_get(0)?,
                model_id: r.try_get(1)?,
                version: r.try_get(2)?,
                at: r.try_get(3)?,
                input: r.try_get(4)?,
                output: r.try_get(5)?,
                latency_us: r.try_get(6)?,
            }
            .decode()
        })
        .collect()
}

/// Locks the model row against other writers until the transaction ends; `NotFound` unless
/// the model exists in the tenant. `NO KEY UPDATE` leaves key-share locks (inference
/// logging, version inserts' foreign key checks) free to proceed.
async fn lock_model(tx: &Transaction<'_>, tenant: &str, id: &str) -> Result<(), StoreError> {
    let found = tx
        .query_opt(
            "SELECT 1 FROM models WHERE tenant = $1 AND id = $2 FOR NO KEY UPDATE",
            &[&tenant, &id],
        )
        .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(model_not_found(tenant, id)),
    }
}

/// Queues `event` for delivery when the transaction commits.
async fn notify(
    client: &impl GenericClient,
    channel: &str,
    event: &ModelEvent,
) -> Result<(), StoreError> {
    if let Some(payload) = payload(event) {
        client
            .execute("SELECT pg_notify($1, $2)", &[&channel, &payload])
            .await?;
    }
    Ok(())
}

fn model_not_found(tenant: &str, id: &str) -> StoreError {
    StoreError::NotFound {
        what: format!("model '{id}' in tenant '{tenant}'"),
    }
}

fn model_row(row: &Row) -> Result<ModelRow, StoreError> {
    Ok(ModelRow {
        id: row.try_get(0)?,
        tenant: row.try_get(1)?,
        name: row.try_get(2)?,
        config: row.try_get(3)?,
        status: row.try_get(4)?,
        active_version: row.try_get(5)?,
        created_at: row.try_get(6)?,
        updated_at: row.try_get(7)?,
    })
}

fn version_row(row: &Row) -> Result<VersionRow, StoreError> {
    Ok(VersionRow {
        model_id: row.try_get(0)?,
        version: row.try_get(1)?,
        created_at: row.try_get(2)?,
        sha256: row.try_get(3)?,
        size: row.try_get(4)?,
        metadata: row.try_get(5)?,
    })
}
