//! The statements behind the stream and anomaly methods.

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use crate::StoreError;
use crate::codec::{count_to_column, json_text};
use crate::records::Millis;
use crate::stream_records::{AnomalyFilter, AnomalyRecord, StreamRecord};
use crate::stream_rows::{
    ANOMALY_COLUMNS, AnomalyRow, STREAM_COLUMNS, StreamRow, stream_list_columns,
};

pub(super) fn get_stream(
    conn: &Connection,
    tenant: &str,
    key: &str,
) -> Result<Option<StreamRecord>, StoreError> {
    let sql = format!("SELECT {STREAM_COLUMNS} FROM streams s WHERE s.tenant = ?1 AND s.key = ?2");
    let row = conn
        .query_row(&sql, params![tenant, key], stream_row)
        .optional()?;
    row.map(StreamRow::decode).transpose()
}

pub(super) fn list_streams(
    conn: &Connection,
    tenant: &str,
) -> Result<Vec<StreamRecord>, StoreError> {
    let sql = format!(
        "SELECT {} FROM streams s WHERE s.tenant = ?1 ORDER BY s.key",
        stream_list_columns("NULL")
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![tenant], stream_row)?;
    rows.map(|row| row?.decode()).collect()
}

pub(super) fn save_stream(
    conn: &mut Connection,
    stream: &StreamRecord,
    expected_version: u64,
    anomalies: &[AnomalyRecord],
) -> Result<bool, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let next = count_to_column(expected_version + 1);
    let expected = count_to_column(expected_version);
    let changed = if expected_version == 0 {
        tx.execute(
            "INSERT INTO streams (tenant, key, service, signal, settings, state, events_seen,
                                  version, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT DO NOTHING",
            params![
                stream.tenant,
                stream.key,
                stream.service,
                stream.signal,
                json_text(&stream.settings),
                stream.state,
                count_to_column(stream.events_seen),
                next,
                stream.created_at,
                stream.updated_at,
            ],
        )?
    } else {
        tx.execute(
            "UPDATE streams SET settings = ?1, state = ?2, events_seen = ?3, version = ?4,
                                updated_at = ?5
             WHERE tenant = ?6 AND key = ?7 AND version = ?8",
            params![
                json_text(&stream.settings),
                stream.state,
                count_to_column(stream.events_seen),
                next,
                stream.updated_at,
                stream.tenant,
                stream.key,
                expected,
            ],
        )?
    };
    if changed == 0 {
        return Ok(false);
    }
    {
        let mut insert = tx.prepare(
            "INSERT INTO anomalies (id, tenant, stream_key, service, signal, detector,
                                    first_event, last_event, event_time, detected_at, score,
                                    p_value, status, summary, explanation, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
             ON CONFLICT DO NOTHING",
        )?;
        for a in anomalies {
            insert.execute(params![
                a.id,
                a.tenant,
                a.stream_key,
                a.service,
                a.signal,
                a.detector,
                count_to_column(a.first_event),
                count_to_column(a.last_event),
                a.event_time,
                a.detected_at,
                a.score,
                a.p_value,
                a.status,
                a.summary,
                json_text(&a.explanation),
                a.updated_at,
            ])?;
        }
    }
    tx.commit()?;
    Ok(true)
}

pub(super) fn get_anomaly(
    conn: &Connection,
    tenant: &str,
    id: &str,
) -> Result<Option<AnomalyRecord>, StoreError> {
    let sql =
        format!("SELECT {ANOMALY_COLUMNS} FROM anomalies a WHERE a.tenant = ?1 AND a.id = ?2");
    let row = conn
        .query_row(&sql, params![tenant, id], anomaly_row)
        .optional()?;
    row.map(AnomalyRow::decode).transpose()
}

pub(super) fn list_anomalies(
    conn: &Connection,
    tenant: &str,
    f: &AnomalyFilter,
) -> Result<Vec<AnomalyRecord>, StoreError> {
    let order = if f.oldest_first { "ASC" } else { "DESC" };
    let sql = format!(
        "SELECT {ANOMALY_COLUMNS} FROM anomalies a
         WHERE a.tenant = ?1
           AND (?2 IS NULL OR a.stream_key = ?2)
           AND (?3 IS NULL OR a.detected_at >= ?3)
           AND (?4 IS NULL OR a.detected_at < ?4)
           AND (?5 IS NULL OR a.score >= ?5)
           AND (?6 IS NULL OR a.status = ?6)
           AND (?7 IS NULL OR a.seq < ?7)
           AND (?8 IS NULL OR a.seq > ?8)
         ORDER BY a.seq {order} LIMIT ?9"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(
        params![
            tenant,
            f.stream,
            f.from,
            f.to,
            f.min_score,
            f.status,
            f.before_seq.map(count_to_column),
            f.after_seq.map(count_to_column),
            f.limit,
        ],
        anomaly_row,
    )?;
    rows.map(|row| row?.decode()).collect()
}

pub(super) fn set_anomaly_status(
    conn: &Connection,
    tenant: &str,
    id: &str,
    status: &str,
    at: Millis,
) -> Result<Option<AnomalyRecord>, StoreError> {
    conn.execute(
        "UPDATE anomalies SET status = ?1, updated_at = ?2 WHERE tenant = ?3 AND id = ?4",
        params![status, at, tenant, id],
    )?;
    get_anomaly(conn, tenant, id)
}

fn stream_row(row: &Row<'_>) -> rusqlite::Result<StreamRow> {
    Ok(StreamRow {
        tenant: row.get(0)?,
        key: row.get(1)?,
        service: row.get(2)?,
        signal: row.get(3)?,
        settings: row.get(4)?,
        state: row.get(5)?,
        events_seen: row.get(6)?,
        version: row.get(7)?,
        created_at: row.get(8)?,
        updated_at: row.get(9)?,
    })
}

fn anomaly_row(row: &Row<'_>) -> rusqlite::Result<AnomalyRow> {
    Ok(AnomalyRow {
        seq: row.get(0)?,
        id: row.get(1)?,
        tenant: row.get(2)?,
        stream_key: row.get(3)?,
        service: row.get(4)?,
        signal: row.get(5)?,
        detector: row.get(6)?,
        first_event: row.get(7)?,
        last_event: row.get(8)?,
        event_time: row.get(9)?,
        detected_at: row.get(10)?,
        score: row.get(11)?,
        p_value: row.get(12)?,
        status: row.get(13)?,
        summary: row.get(14)?,
        explanation: row.get(15)?,
        updated_at: row.get(16)?,
    })
}
