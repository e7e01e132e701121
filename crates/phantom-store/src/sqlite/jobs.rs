//! The statements behind the training-job methods.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::StoreError;
use crate::codec::count_to_column;
use crate::records::{JobRecord, Millis};
use crate::rows::{JOB_COLUMNS, JobRow};

pub(super) fn put_job(conn: &Connection, job: &JobRecord) -> Result<(), StoreError> {
    let inserted = conn.execute(
        "INSERT INTO training_jobs (id, tenant, model_id, state, steps_done, steps_total,
                                    created_at, finished_at, version, error, owner, heartbeat_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (id) DO NOTHING",
        params![
            job.id,
            job.tenant,
            job.model_id,
            job.state,
            count_to_column(job.steps_done),
            count_to_column(job.steps_total),
            job.created_at,
            job.finished_at,
            job.version,
            job.error,
            job.owner,
            job.heartbeat_at,
        ],
    )?;
    if inserted == 0 {
        return Err(StoreError::Conflict {
            what: format!("a training job with id '{}'", job.id),
        });
    }
    Ok(())
}

pub(super) fn update_job(conn: &Connection, job: &JobRecord) -> Result<bool, StoreError> {
    let changed = conn.execute(
        "UPDATE training_jobs
         SET state = ?1, steps_done = ?2, steps_total = ?3, finished_at = ?4, version = ?5,
             error = ?6, heartbeat_at = ?7
         WHERE tenant = ?8 AND id = ?9 AND state IN (?10, ?11)",
        params![
            job.state,
            count_to_column(job.steps_done),
            count_to_column(job.steps_total),
            job.finished_at,
            job.version,
            job.error,
            job.heartbeat_at,
            job.tenant,
            job.id,
            JobRecord::QUEUED,
            JobRecord::RUNNING,
        ],
    )?;
    Ok(changed > 0)
}

pub(super) fn get_job(
    conn: &Connection,
    tenant: &str,
    id: &str,
) -> Result<Option<JobRecord>, StoreError> {
    let sql =
        format!("SELECT {JOB_COLUMNS} FROM training_jobs j WHERE j.tenant = ?1 AND j.id = ?2");
    let row = conn
        .query_row(&sql, params![tenant, id], job_row)
        .optional()?;
    row.map(JobRow::decode).transpose()
}

pub(super) fn fail_unfinished_jobs(
    conn: &Connection,
    owner: &str,
    at: Millis,
    error: &str,
) -> Result<u64, StoreError> {
    let changed = conn.execute(
        "UPDATE training_jobs SET state = ?1, finished_at = ?2, error = ?3
         WHERE owner = ?4 AND state IN (?5, ?6)",
        params![
            JobRecord::FAILED,
            at,
            error,
            owner,
            JobRecord::QUEUED,
            JobRecord::RUNNING,
        ],
    )?;
    Ok(changed as u64)
}

fn job_row(row: &Row<'_>) -> rusqlite::Result<JobRow> {
    Ok(JobRow {
        id: row.get(0)?,
        tenant: row.get(1)?,
        model_id: row.get(2)?,
        state: row.get(3)?,
        steps_done: row.get(4)?,
        steps_total: row.get(5)?,
        created_at: row.get(6)?,
        finished_at: row.get(7)?,
        version: row.get(8)?,
        error: row.get(9)?,
        owner: row.get(10)?,
        heartbeat_at: row.get(11)?,
    })
}
