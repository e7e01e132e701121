//! The statements behind the evidence bundle methods.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::StoreError;
use crate::checksum::sha256_hex;
use crate::codec::count_to_column;
use crate::evidence_records::{EvidenceRecord, EvidenceSummary, NewEvidence};
use crate::evidence_rows::{EVIDENCE_COLUMNS, EvidenceRow, checked_evidence};

pub(super) fn put_evidence(
    conn: &Connection,
    new: &NewEvidence,
) -> Result<EvidenceSummary, StoreError> {
    let sha256 = sha256_hex(&new.bundle);
    let size = new.bundle.len() as u64;
    let seq: Option<i64> = conn
        .query_row(
            "INSERT INTO evidence_bundles (id, tenant, created_at, query_from, query_to,
                                           query_stream, anomaly_count, sha256, size, bundle)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (id) DO NOTHING RETURNING seq",
            params![
                new.id,
                new.tenant,
                new.created_at,
                new.query_from,
                new.query_to,
                new.query_stream,
                count_to_column(new.anomaly_count),
                sha256,
                count_to_column(size),
                new.bundle,
            ],
            |row| row.get(0),
        )
        .optional()?;
    let Some(seq) = seq else {
        return Err(StoreError::Conflict {
            what: format!("an evidence bundle with id '{}'", new.id),
        });
    };
    EvidenceRow {
        seq,
        id: new.id.clone(),
        tenant: new.tenant.clone(),
        created_at: new.created_at,
        query_from: new.query_from,
        query_to: new.query_to,
        query_stream: new.query_stream.clone(),
        anomaly_count: count_to_column(new.anomaly_count),
        sha256,
        size: count_to_column(size),
    }
    .decode()
}

pub(super) fn get_evidence(
    conn: &Connection,
    tenant: &str,
    id: &str,
) -> Result<Option<EvidenceRecord>, StoreError> {
    let sql = format!(
        "SELECT {EVIDENCE_COLUMNS}, e.bundle FROM evidence_bundles e
         WHERE e.tenant = ?1 AND e.id = ?2"
    );
    let row = conn
        .query_row(&sql, params![tenant, id], |row| {
            Ok((evidence_row(row)?, row.get::<_, Vec<u8>>(10)?))
        })
        .optional()?;
    row.map(|(row, bundle)| checked_evidence(row.decode()?, bundle))
        .transpose()
}

pub(super) fn list_evidence(
    conn: &Connection,
    tenant: &str,
    limit: u32,
    before_seq: Option<u64>,
) -> Result<Vec<EvidenceSummary>, StoreError> {
    let sql = format!(
        "SELECT {EVIDENCE_COLUMNS} FROM evidence_bundles e
         WHERE e.tenant = ?1 AND (?2 IS NULL OR e.seq < ?2)
         ORDER BY e.seq DESC LIMIT ?3"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(
        params![tenant, before_seq.map(count_to_column), limit],
        evidence_row,
    )?;
    rows.map(|row| row?.decode()).collect()
}

fn evidence_row(row: &Row<'_>) -> rusqlite::Result<EvidenceRow> {
    Ok(EvidenceRow {
        seq: row.get(0)?,
        id: row.get(1)?,
        tenant: row.get(2)?,
        created_at: row.get(3)?,
        query_from: row.get(4)?,
        query_to: row.get(5)?,
        query_stream: row.get(6)?,
        anomaly_count: row.get(7)?,
        sha256: row.get(8)?,
        size: row.get(9)?,
    })
}
