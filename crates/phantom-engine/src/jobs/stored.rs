//! Reading a job another engine runs (or ran) from its stored row. An unfinished row whose
//! heartbeat is older than [`STALE_AFTER_MS`] belongs to an engine that stopped (crashed,
//! killed, or cut off from the store): it is reported failed rather than running forever.

use phantom_store::{JobRecord, Millis, StoreError};

use super::{JobState, JobStatus, progress};
use crate::EngineError;
use crate::time::format_utc;

/// An unfinished job not reported for this long (milliseconds) is reported failed; its
/// engine refreshes the heartbeat every 10 s while it runs.
pub(crate) const STALE_AFTER_MS: i64 = 30_000;

/// The status a stored job reports at `now`.
pub(crate) fn status_of(record: JobRecord, now: Millis) -> Result<JobStatus, EngineError> {
    let state = JobState::parse(&record.state).ok_or_else(|| {
        EngineError::Store(StoreError::Malformed {
            what: format!(
                "training job '{}' has state '{}', expected queued, running, succeeded or failed",
                record.id, record.state
            ),
        })
    })?;
    let stale = !state.is_finished() && now.saturating_sub(record.heartbeat_at) > STALE_AFTER_MS;
    let (state, error) = if stale {
        (
            JobState::Failed,
            Some(format!(
                "the replica running this job stopped: it last reported at {}, more than {} s ago, \
                 and the training did not finish; train again",
                format_utc(record.heartbeat_at),
                STALE_AFTER_MS / 1_000
            )),
        )
    } else {
        (state, record.error)
    };
    Ok(JobStatus {
        job_id: record.id,
        model_id: record.model_id,
        state,
        steps_done: record.steps_done,
        steps_total: record.steps_total,
        progress: progress(state, record.steps_done, record.steps_total),
        created_at: record.created_at,
        finished_at: record.finished_at,
        version: record.version,
        error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(heartbeat_at: Millis) -> JobRecord {
        JobRecord {
            id: "j".into(),
            tenant: "t".into(),
            model_id: "m".into(),
            state: "running".into(),
            steps_done: 5,
            steps_total: 10,
            created_at: 0,
            finished_at: None,
            version: None,
            error: None,
            owner: "e".into(),
            heartbeat_at,
        }
    }

    #[test]
    fn a_quiet_unfinished_job_is_reported_failed() {
        let now = 100_000;
        let fresh = status_of(running(now - STALE_AFTER_MS), now).unwrap();
        assert_eq!((fresh.state, fresh.progress), (JobState::Running, 0.5));
        assert_eq!(fresh.error, None);

        let stale = status_of(running(now - STALE_AFTER_MS - 1), now).unwrap();
        assert_eq!(stale.state, JobState::Failed);
        assert!(
            stale
                .error
                .unwrap()
                .contains("the replica running this job stopped"),
            "the error says why"
        );

        let mut done = running(0);
        done.state = "succeeded".into();
        done.version = Some(2);
        let done = status_of(done, now).unwrap();
        assert_eq!(
            (done.state, done.progress, done.version),
            (JobState::Succeeded, 1.0, Some(2)),
            "a finished job never goes stale"
        );
    }

    #[test]
    fn an_unknown_state_is_malformed() {
        let mut odd = running(0);
        odd.state = "paused".into();
        let err = status_of(odd, 0).unwrap_err();
        assert!(err.to_string().contains("paused"), "{err}");
    }
}
