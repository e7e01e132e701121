//! The statements behind the training-job methods.

use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, Row};

use crate::StoreError;
use crate::codec::count_to_column;
use crate::records::{JobRecord, Millis};
use crate::rows::{JOB_COLUMNS, JobRow};

pub(super) async fn put_job(client: &Client, job: &JobRecord) -> Result<(), StoreError> {
    let inserted = client
        .execute(
            "INSERT INTO training_jobs (id, tenant, model_id, state, steps_done, steps_total,
                                        created_at, finished_at, version, error, owner,
                                        heartbeat_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            &[
                &job.id,
                &job.tenant,
                &job.model_id,
                &job.state,
                &count_to_column(job.steps_done),
                &count_to_column(job.steps_total),
                &job.created_at,
                &job.finished_at,
                &job.version.map(i64::from),
                &job.error,
                &job.owner,
                &job.heartbeat_at,
            ],
        )
        .await;
    match inserted {
        Ok(_) => Ok(()),
        Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => Err(StoreError::Conflict {
            what: format!("a training job with id '{}'", job.id),
        }),
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn update_job(client: &Client, job: &JobRecord) -> Result<bool, StoreError> {
    let changed = client
        .execute(
            "UPDATE training_jobs
             SET state = $1, steps_done = $2, steps_total = $3, finished_at = $4, version = $5,
                 error = $6, heartbeat_at = $7
             WHERE tenant = $8 AND id = $9 AND state IN ($10, $11)",
            &[
                &job.state,
                &count_to_column(job.steps_done),
                &count_to_column(job.steps_total),
                &job.finished_at,
                &job.version.map(i64::from),
                &job.error,
                &job.heartbeat_at,
                &job.tenant,
                &job.id,
                &JobRecord::QUEUED,
                &JobRecord::RUNNING,
            ],
        )
        .await?;
    Ok(changed > 0)
}

pub(super) async fn get_job(
    client: &Client,
    tenant: &str,
    id: &str,
) -> Result<Option<JobRecord>, StoreError> {
    let sql =
        format!("SELECT {JOB_COLUMNS} FROM training_jobs j WHERE j.tenant = $1 AND j.id = $2");
    let row = client.query_opt(&sql, &[&tenant, &id]).await?;
    row.map(|r| job_row(&r)?.decode()).transpose()
}

pub(super) async fn fail_unfinished_jobs(
    client: &Client,
    owner: &str,
    at: Millis,
    error: &str,
) -> Result<u64, StoreError> {
    Ok(client
        .execute(
            "UPDATE training_jobs SET state = $1, finished_at = $2, error = $3
             WHERE owner = $4 AND state IN ($5, $6)",
            &[
                &JobRecord::FAILED,
                &at,
                &error,
                &owner,
                &JobRecord::QUEUED,
                &JobRecord::RUNNING,
            ],
        )
        .await?)
}

fn job_row(row: &Row) -> Result<JobRow, StoreError> {
    Ok(JobRow {
        id: row.try_get(0)?,
        tenant: row.try_get(1)?,
        model_id: row.try_get(2)?,
        state: row.try_get(3)?,
        steps_done: row.try_get(4)?,
        steps_total: row.try_get(5)?,
        created_at: row.try_get(6)?,
        finished_at: row.try_get(7)?,
        version: row.try_get(8)?,
        error: row.try_get(9)?,
        owner: row.try_get(10)?,
        heartbeat_at: row.try_get(11)?,
    })
}
