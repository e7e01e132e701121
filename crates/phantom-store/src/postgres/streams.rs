//! The statements behind the stream and anomaly methods.

use tokio_postgres::{Client, Row};

use crate::StoreError;
use crate::codec::{count_to_column, json_text};
use crate::records::Millis;
use crate::stream_records::{AnomalyFilter, AnomalyRecord, StreamRecord};
use crate::stream_rows::{
    ANOMALY_COLUMNS, AnomalyRow, STREAM_COLUMNS, StreamRow, stream_list_columns,
};

pub(super) async fn get_stream(
    client: &Client,
    tenant: &str,
    key: &str,
) -> Result<Option<StreamRecord>, StoreError> {
    let sql = format!("SELECT {STREAM_COLUMNS} FROM streams s WHERE s.tenant = $1 AND s.key = $2");
    let row = client.query_opt(&sql, &[&tenant, &key]).await?;
    row.map(|r| stream_row(&r)?.decode()).transpose()
}

pub(super) async fn list_streams(
    client: &Client,
    tenant: &str,
) -> Result<Vec<StreamRecord>, StoreError> {
    let sql = format!(
        "SELECT {} FROM streams s WHERE s.tenant = $1 ORDER BY s.key",
        stream_list_columns("NULL::BYTEA")
    );
    let rows = client.query(&sql, &[&tenant]).await?;
    rows.iter().map(|r| stream_row(r)?.decode()).collect()
}

pub(super) async fn save_stream(
    client: &mut Client,
    stream: &StreamRecord,
    expected_version: u64,
    anomalies: &[AnomalyRecord],
) -> Result<bool, StoreError> {
    let tx = client.transaction().await?;
    let next = count_to_column(expected_version + 1);
    let expected = count_to_column(expected_version);
    let settings = json_text(&stream.settings);
    let events_seen = count_to_column(stream.events_seen);
    let changed = if expected_version == 0 {
        tx.execute(
            "INSERT INTO streams (tenant, key, service, signal, settings, state, events_seen,
                                  version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
            &[
                &stream.tenant,
                &stream.key,
                &stream.service,
                &stream.signal,
                &settings,
                &stream.state,
                &events_seen,
                &next,
                &stream.created_at,
                &stream.updated_at,
            ],
        )
        .await?
    } else {
        tx.execute(
            "UPDATE streams SET settings = $1, state = $2, events_seen = $3, version = $4,
                                updated_at = $5
             WHERE tenant = $6 AND key = $7 AND version = $8",
            &[
                &settings,
                &stream.state,
                &events_seen,
                &next,
                &stream.updated_at,
                &stream.tenant,
                &stream.key,
                &expected,
            ],
        )
        .await?
    };
    if changed == 0 {
        return Ok(false);
    }
    if !anomalies.is_empty() {
        let insert = tx
            .prepare(
                "INSERT INTO anomalies (id, tenant, stream_key, service, signal, detector,
                                        first_event, last_event, event_time, detected_at, score,
                                        p_value, status, summary, explanation, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                 ON CONFLICT DO NOTHING",
            )
            .await?;
        for a in anomalies {
            tx.execute(
                &insert,
                &[
                    &a.id,
                    &a.tenant,
                    &a.stream_key,
                    &a.service,
                    &a.signal,
                    &a.detector,
                    &count_to_column(a.first_event),
                    &count_to_column(a.last_event),
                    &a.event_time,
                    &a.detected_at,
                    &a.score,
                    &a.p_value,
                    &a.status,
                    &a.summary,
                    &json_text(&a.explanation),
                    &a.updated_at,
                ],
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn get_anomaly(
    client: &Client,
    tenant: &str,
    id: &str,
) -> Result<Option<AnomalyRecord>, StoreError> {
    let sql =
        format!("SELECT {ANOMALY_COLUMNS} FROM anomalies a WHERE a.tenant = $1 AND a.id = $2");
    let row = client.query_opt(&sql, &[&tenant, &id]).await?;
    row.map(|r| anomaly_row(&r)?.decode()).transpose()
}

pub(super) async fn list_anomalies(
    client: &Client,
    tenant: &str,
    f: &AnomalyFilter,
) -> Result<Vec<AnomalyRecord>, StoreError> {
    let order = if f.oldest_first { "ASC" } else { "DESC" };
    let sql = format!(
        "SELECT {ANOMALY_COLUMNS} FROM anomalies a
         WHERE a.tenant = $1
           AND ($2::TEXT IS NULL OR a.stream_key = $2::TEXT)
           AND ($3::BIGINT IS NULL OR a.detected_at >= $3::BIGINT)
           AND ($4::BIGINT IS NULL OR a.detected_at < $4::BIGINT)
           AND ($5::DOUBLE PRECISION IS NULL OR a.score >= $5::DOUBLE PRECISION)
           AND ($6::TEXT IS NULL OR a.status = $6::TEXT)
           AND ($7::BIGINT IS NULL OR a.seq < $7::BIGINT)
           AND ($8::BIGINT IS NULL OR a.seq > $8::BIGINT)
         ORDER BY a.seq {order} LIMIT $9"
    );
    let rows = client
        .query(
            &sql,
            &[
                &tenant,
                &f.stream,
                &f.from,
                &f.to,
                &f.min_score,
                &f.status,
                &f.before_seq.map(count_to_column),
                &f.after_seq.map(count_to_column),
                &i64::from(f.limit),
            ],
        )
        .await?;
    rows.iter().map(|r| anomaly_row(r)?.decode()).collect()
}

pub(super) async fn set_anomaly_status(
    client: &Client,
    tenant: &str,
    id: &str,
    status: &str,
    at: Millis,
) -> Result<Option<AnomalyRecord>, StoreError> {
    let sql = format!(
        "UPDATE anomalies a SET status = $1, updated_at = $2 WHERE a.tenant = $3 AND a.id = $4
         RETURNING {ANOMALY_COLUMNS}"
    );
    let row = client
        .query_opt(&sql, &[&status, &at, &tenant, &id])
        .await?;
    row.map(|r| anomaly_row(&r)?.decode()).transpose()
}

fn stream_row(row: &Row) -> Result<StreamRow, StoreError> {
    Ok(StreamRow {
        tenant: row.try_get(0)?,
        key: row.try_get(1)?,
        service: row.try_get(2)?,
        signal: row.try_get(3)?,
        settings: row.try_get(4)?,
        state: row.try_get(5)?,
        events_seen: row.try_get(6)?,
        version: row.try_get(7)?,
        created_at: row.try_get(8)?,
        updated_at: row.try_get(9)?,
    })
}

fn anomaly_row(row: &Row) -> Result<AnomalyRow, StoreError> {
    Ok(AnomalyRow {
        seq: row.try_get(0)?,
        id: row.try_get(1)?,
        tenant: row.try_get(2)?,
        stream_key: row.try_get(3)?,
        service: row.try_get(4)?,
        signal: row.try_get(5)?,
        detector: row.try_get(6)?,
        first_event: row.try_get(7)?,
        last_event: row.try_get(8)?,
        event_time: row.try_get(9)?,
        detected_at: row.try_get(10)?,
        score: row.try_get(11)?,
        p_value: row.try_get(12)?,
        status: row.try_get(13)?,
        summary: row.try_get(14)?,
        explanation: row.try_get(15)?,
        updated_at: row.try_get(16)?,
    })
}
