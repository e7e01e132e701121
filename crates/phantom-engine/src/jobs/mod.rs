//! Training jobs: each training runs in the background and reports its state and progress;
//! the caller gets a [`TrainingJob`] to wait on, and anyone in the tenant can read a
//! [`JobStatus`] by id, from any engine sharing the store.
//!
//! The engine running a job answers from memory; it also writes the job to the store when
//! the job is created, on every change of state, and its progress at most once a second
//! (see [`report`]), so every other engine answers from the stored row. An unfinished row
//! whose engine stopped reporting is told apart by its heartbeat (see [`stored`]).

pub(crate) mod instance;
pub(crate) mod report;
pub(crate) mod stored;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use phantom_store::Millis;
use serde::Serialize;
use tokio::task::JoinHandle;

use crate::EngineError;
use crate::registry::info::VersionInfo;

/// Finished jobs kept in memory; the oldest are forgotten beyond this (the store keeps them).
const KEEP_FINISHED: usize = 1_000;

/// Where a job is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for a training slot.
    Queued,
    /// Fitting.
    Running,
    /// Finished with a new version.
    Succeeded,
    /// Failed; see `error`.
    Failed,
}

impl JobState {
    /// The name stored in the database (and shown in JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
        }
    }

    /// Parses a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "queued" => Some(JobState::Queued),
            "running" => Some(JobState::Running),
            "succeeded" => Some(JobState::Succeeded),
            "failed" => Some(JobState::Failed),
            _ => None,
        }
    }

    /// Whether the job has ended (successfully or not).
    pub fn is_finished(self) -> bool {
        matches!(self, JobState::Succeeded | JobState::Failed)
    }
}

/// A job's state as reported to callers.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobStatus {
    /// The job's id.
    pub job_id: String,
    /// The model being trained.
    pub model_id: String,
    /// Where the job is.
    pub state: JobState,
    /// Steps done (trees, rounds, epochs or iterations, as the algorithm counts them).
    pub steps_done: u64,
    /// Steps in all (0 until the fit announces it).
    pub steps_total: u64,
    /// steps_done / steps_total, in [0, 1] (1 once succeeded).
    pub progress: f64,
    /// When the job was created.
    pub created_at: Millis,
    /// When it finished.
    pub finished_at: Option<Millis>,
    /// The version it made.
    pub version: Option<u32>,
    /// Why it failed.
    pub error: Option<String>,
}

/// steps_done / steps_total in [0, 1]; 1 once succeeded, 0 while the total is unknown.
pub(crate) fn progress(state: JobState, done: u64, total: u64) -> f64 {
    match state {
        JobState::Succeeded => 1.0,
        JobState::Queued | JobState::Running | JobState::Failed if total > 0 => {
            (done as f64 / total as f64).min(1.0)
        }
        JobState::Queued | JobState::Running | JobState::Failed => 0.0,
    }
}

/// Live state of a job, shared by the training task, status readers and the reporter.
pub(crate) struct JobShared {
    pub(crate) job_id: String,
    pub(crate) tenant: String,
    pub(crate) model_id: String,
    pub(crate) created_at: Millis,
    pub(crate) done: AtomicU64,
    pub(crate) total: AtomicU64,
    outcome: Mutex<Outcome>,
    /// What the store last acknowledged for this job, and whether its row is final.
    pub(crate) reported: Mutex<report::Reported>,
    /// Set once the job's row needs no more writes (its final state is stored).
    pub(crate) settled: AtomicBool,
}

/// State, finish time, version made and error of a job.
#[derive(Clone)]
struct Outcome {
    state: JobState,
    finished_at: Option<Millis>,
    version: Option<u32>,
    error: Option<String>,
}

impl JobShared {
    pub(crate) fn new(
        job_id: String,
        tenant: String,
        model_id: String,
        created_at: Millis,
    ) -> Self {
        Self {
            job_id,
            tenant,
            model_id,
            created_at,
            done: AtomicU64::new(0),
            total: AtomicU64::new(0),
            outcome: Mutex::new(Outcome {
                state: JobState::Queued,
                finished_at: None,
                version: None,
                error: None,
            }),
            reported: Mutex::new(report::Reported::default()),
            settled: AtomicBool::new(false),
        }
    }

    pub(crate) fn set_running(&self) {
        if let Ok(mut o) = self.outcome.lock() {
            o.state = JobState::Running;
        }
    }

    pub(crate) fn finish(&self, at: Millis, result: Result<u32, String>) {
        if let Ok(mut o) = self.outcome.lock() {
            *o = match result {
                Ok(version) => Outcome {
                    state: JobState::Succeeded,
                    finished_at: Some(at),
                    version: Some(version),
                    error: None,
                },
                Err(error) => Outcome {
                    state: JobState::Failed,
                    finished_at: Some(at),
                    version: None,
                    error: Some(error),
                },
            };
        }
    }

    pub(crate) fn status(&self) -> JobStatus {
        let Outcome {
            state,
            finished_at,
            version,
            error,
        } = self.outcome.lock().map(|o| o.clone()).unwrap_or(Outcome {
            state: JobState::Failed,
            finished_at: None,
            version: None,
            error: Some("job state lost".into()),
        });
        let done = self.done.load(Ordering::Relaxed);
        let total = self.total.load(Ordering::Relaxed);
        JobStatus {
            job_id: self.job_id.clone(),
            model_id: self.model_id.clone(),
            state,
            steps_done: done,
            steps_total: total,
            progress: progress(state, done, total),
            created_at: self.created_at,
            finished_at,
            version,
            error,
        }
    }
}

impl phantom_ml::Progress for JobShared {
    fn start(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
    }

    fn advance(&self, steps: u64) {
        self.done.fetch_add(steps, Ordering::Relaxed);
    }
}

/// The jobs this engine has run, by id.
#[derive(Default)]
pub(crate) struct Jobs {
    map: Mutex<JobTable>,
}

/// Jobs by id, and their ids in creation order.
#[derive(Default)]
struct JobTable {
    by_id: HashMap<String, Arc<JobShared>>,
    order: Vec<String>,
}

impl Jobs {
    pub(crate) fn insert(&self, job: Arc<JobShared>) {
        if let Ok(mut guard) = self.map.lock() {
            let JobTable { by_id: map, order } = &mut *guard;
            order.push(job.job_id.clone());
            map.insert(job.job_id.clone(), job);
            if order.len() > KEEP_FINISHED {
                let finished: Vec<String> = order
                    .iter()
                    .filter(|id| {
                        map.get(*id).is_some_and(|j| {
                            j.status().state.is_finished() && j.settled.load(Ordering::Acquire)
                        })
                    })
                    .take(order.len() - KEEP_FINISHED)
                    .cloned()
                    .collect();
                for id in finished {
                    map.remove(&id);
                    order.retain(|o| *o != id);
                }
            }
        }
    }

    /// The job with this id, if this engine runs (or ran) it for `tenant`.
    pub(crate) fn get(&self, tenant: &str, job_id: &str) -> Option<Arc<JobShared>> {
        self.map
            .lock()
            .ok()?
            .by_id
            .get(job_id)
            .filter(|j| j.tenant == tenant)
            .cloned()
    }

    /// Jobs whose row still needs writing.
    pub(crate) fn unsettled(&self) -> Vec<Arc<JobShared>> {
        self.map
            .lock()
            .map(|g| {
                g.by_id
                    .values()
                    .filter(|j| !j.settled.load(Ordering::Acquire))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(crate) fn running(&self) -> usize {
        self.map
            .lock()
            .map(|g| {
                g.by_id
                    .values()
                    .filter(|j| matches!(j.status().state, JobState::Running))
                    .count()
            })
            .unwrap_or(0)
    }
}

/// A training in progress: its id, and a way to wait for the version it makes.
pub struct TrainingJob {
    pub(crate) shared: Arc<JobShared>,
    pub(crate) handle: JoinHandle<Result<VersionInfo, EngineError>>,
}

impl TrainingJob {
    /// The job's id, for [`Engine::job_status`](crate::Engine::job_status).
    pub fn id(&self) -> &str {
        &self.shared.job_id
    }

    /// The job's current state and progress.
    pub fn status(&self) -> JobStatus {
        self.shared.status()
    }

    /// Whether the training has finished (successfully or not).
    pub fn is_finished(&self) -> bool {
        self.handle.is_finished()
    }

    /// Waits for the training to finish and returns the new version.
    pub async fn wait(self) -> Result<VersionInfo, EngineError> {
        self.handle
            .await
            .map_err(|e| EngineError::Internal(format!("training task: {e}")))?
    }
}
