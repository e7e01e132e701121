//! The statements behind the evidence bundle methods.

use tokio_postgres::{Client, Row};

use crate::StoreError;
use crate::checksum::sha256_hex;
use crate::codec::count_to_column;
use crate::evidence_records::{EvidenceRecord, EvidenceSummary, NewEvidence};
use crate::evidence_rows::{EVIDENCE_COLUMNS, EvidenceRow, checked_evidence};

pub(super) async fn put_evidence(
    client: &Client,
    new: &NewEvidence,
) -> Result<EvidenceSummary, StoreError> {
    let sha256 = sha256_hex(&new.bundle);
    let size = count_to_column(new.bundle.len() as u64);
    let anomaly_count = count_to_column(new.anomaly_count);
    let row = client
        .query_opt(
            "INSERT INTO evidence_bundles (id, tenant, created_at, query_from, query_to,
                                           query_stream, anomaly_count, sha256, size, bundle)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (id) DO NOTHING RETURNING seq",
            &[
                &new.id,
                &new.tenant,
                &new.created_at,
                &new.query_from,
                &new.query_to,
                &new.query_stream,
                &anomaly_count,
                &sha256,
                &size,
                &new.bundle,
            ],
        )
        .await?;
    let Some(row) = row else {
        return Err(StoreError::Conflict {
            what: format!("an evidence bundle with id '{}'", new.id),
        });
    };
    EvidenceRow {
        seq: row.try_get(0)?,
        id: new.id.clone(),
        tenant: new.tenant.clone(),
        created_at: new.created_at,
        query_from: new.query_from,
        query_to: new.query_to,
        query_stream: new.query_stream.clone(),
        anomaly_count,
        sha256,
        size,
    }
    .decode()
}

pub(super) async fn get_evidence(
    client: &Client,
    tenant: &str,
    id: &str,
) -> Result<Option<EvidenceRecord>, StoreError> {
    let sql = format!(
        "SELECT {EVIDENCE_COLUMNS}, e.bundle FROM evidence_bundles e
         WHERE e.tenant = $1 AND e.id = $2"
    );
    let Some(row) = client.query_opt(&sql, &[&tenant, &id]).await? else {
        return Ok(None);
    };
    let bundle: Vec<u8> = row.try_get(10)?;
    checked_evidence(evidence_row(&row)?.decode()?, bundle).map(Some)
}

pub(super) async fn list_evidence(
    client: &Client,
    tenant: &str,
    limit: u32,
    before_seq: Option<u64>,
) -> Result<Vec<EvidenceSummary>, StoreError> {
    let sql = format!(
        "SELECT {EVIDENCE_COLUMNS} FROM evidence_bundles e
         WHERE e.tenant = $1 AND ($2::BIGINT IS NULL OR e.seq < $2::BIGINT)
         ORDER BY e.seq DESC LIMIT $3"
    );
    let rows = client
        .query(
            &sql,
            &[&tenant, &before_seq.map(count_to_column), &i64::from(limit)],
        )
        .await?;
    rows.iter().map(|r| evidence_row(r)?.decode()).collect()
}

fn evidence_row(row: &Row) -> Result<EvidenceRow, StoreError> {
    Ok(EvidenceRow {
        seq: row.try_get(0)?,
        id: row.try_get(1)?,
        tenant: row.try_get(2)?,
        created_at: row.try_get(3)?,
        query_from: row.try_get(4)?,
        query_to: row.try_get(5)?,
        query_stream: row.try_get(6)?,
        anomaly_count: row.try_get(7)?,
        sha256: row.try_get(8)?,
        size: row.try_get(9)?,
    })
}
