//! Writing jobs to the store, so that every engine sharing it can answer for them: the row is
//! created with the job, rewritten at once on every change of state, and rewritten by a
//! background task at most once a second while the job progresses. The task also refreshes
//! an unfinished job's heartbeat every [`HEARTBEAT_EVERY_MS`], progress or not (a job waiting
//! for a training slot, or a long step of a fit), so that only a job whose engine stopped
//! goes quiet.

use std::sync::Weak;
use std::sync::atomic::Ordering;
use std::time::Duration;

use phantom_store::{JobRecord, Millis, Storage, StoreError};
use tokio::time::MissedTickBehavior;

use super::{JobShared, JobState, JobStatus};
use crate::engine::{Inner, now_ms};

/// How often the background task writes the progress of running jobs.
pub(crate) const PROGRESS_EVERY: Duration = Duration::from_secs(1);

/// An unfinished job's heartbeat is refreshed at least this often (milliseconds).
pub(crate) const HEARTBEAT_EVERY_MS: i64 = 10_000;

/// What the store last acknowledged for a job.
#[derive(Default)]
pub(crate) struct Reported {
    state: Option<JobState>,
    done: u64,
    total: u64,
    at: Millis,
}

/// The row of `job` as it is now, run by `owner`, with its heartbeat at `now`.
fn record(job: &JobShared, owner: &str, now: Millis) -> (JobStatus, JobRecord) {
    let status = job.status();
    let record = JobRecord {
        id: status.job_id.clone(),
        tenant: job.tenant.clone(),
        model_id: status.model_id.clone(),
        state: status.state.as_str().to_owned(),
        steps_done: status.steps_done,
        steps_total: status.steps_total,
        created_at: status.created_at,
        finished_at: status.finished_at,
        version: status.version,
        error: status.error.clone(),
        owner: owner.to_owned(),
        heartbeat_at: now,
    };
    (status, record)
}

fn remember(job: &JobShared, status: &JobStatus, now: Millis) {
    if let Ok(mut reported) = job.reported.lock() {
        *reported = Reported {
            state: Some(status.state),
            done: status.steps_done,
            total: status.steps_total,
            at: now,
        };
    }
}

/// Creates the job's row.
pub(crate) async fn create(
    store: &impl Storage,
    job: &JobShared,
    owner: &str,
) -> Result<(), StoreError> {
    let now = now_ms();
    let (status, record) = record(job, owner, now);
    store.put_job(&record).await?;
    remember(job, &status, now);
    Ok(())
}

/// Rewrites the job's row if its state or steps changed since the last write or its
/// heartbeat is due. Once the store holds its final state (or refuses the write because the
/// row is already final), the job is settled and never written again.
pub(crate) async fn sync(
    store: &impl Storage,
    job: &JobShared,
    owner: &str,
    now: Millis,
) -> Result<(), StoreError> {
    let (status, record) = record(job, owner, now);
    let due = job.reported.lock().map_or(true, |r| {
        r.state != Some(status.state)
            || r.done != status.steps_done
            || r.total != status.steps_total
            || now.saturating_sub(r.at) >= HEARTBEAT_EVERY_MS
    });
    if !due {
        return Ok(());
    }
    let changed = store.update_job(&record).await?;
    remember(job, &status, now);
    if !changed || status.state.is_finished() {
        job.settled.store(true, Ordering::Release);
    }
    Ok(())
}

/// The background task: every [`PROGRESS_EVERY`], writes what changed in this engine's
/// unsettled jobs. Stops when the engine is dropped.
pub(crate) async fn run(inner: Weak<Inner>) {
    let mut tick = tokio::time::interval(PROGRESS_EVERY);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(inner) = inner.upgrade() else {
            return;
        };
        let now = now_ms();
        for job in inner.jobs.unsettled() {
            // A failed write is tried again on the next tick; until then readers elsewhere
            // see the previous report, and the heartbeat keeps the job from looking stopped
            // for 30 s.
            sync(inner.store.as_ref(), &job, &inner.instance.id, now)
                .await
                .ok();
        }
    }
}
