//! [`Engine`]: the long-running service that owns the store, the loaded models, the training
//! jobs, the inference log and the counters. Cheap to clone; every clone is the same engine.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use phantom_store::{ModelEvent, Storage, Store, StoreLocation};
use tokio::sync::{Semaphore, broadcast};
use tokio::task::JoinHandle;

use crate::EngineError;
use crate::auth::AuthState;
use crate::auth::quotas::StoredRowQuotas;
use crate::config::EngineConfig;
use crate::inference::cache::ModelCache;
use crate::inference::log::InferenceLogger;
use crate::inference::redis_cache::PredictionCache;
use crate::jobs::Jobs;
use crate::jobs::instance::Instance;
use crate::stats::{ProcessProbe, Stats};

/// The engine. Open one per process with [`Engine::open`]; clone it freely.
///
/// ```no_run
/// use phantom_engine::{DataSource, Engine, EngineConfig, ModelConfig, TENANT_DEFAULT};
/// # async fn demo() -> Result<(), phantom_engine::EngineError> {
/// let engine = Engine::open(EngineConfig::default()).await?;
/// let config = ModelConfig::from_json(r#"{"name": "flows", "algorithm": "random_forest"}"#)?;
/// let model = engine.create_model(TENANT_DEFAULT, config).await?;
/// let data = DataSource::Rows {
///     features: vec![vec![0.1, 1.0], vec![0.9, 0.0], vec![0.2, 1.0], vec![0.8, 0.1]],
///     labels: Some(vec![0.0.into(), 1.0.into(), 0.0.into(), 1.0.into()]),
/// };
/// let version = engine.train(TENANT_DEFAULT, &model.id, data).await?.wait().await?;
/// let answer = engine.predict(TENANT_DEFAULT, "flows", &[0.85, 0.05]).await?;
/// println!("v{}: {:?} ({:?})", version.version, answer.prediction, answer.confidence);
/// engine.close().await;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) config: EngineConfig,
    pub(crate) store: Arc<Store>,
    pub(crate) cache: ModelCache,
    pub(crate) stats: Stats,
    pub(crate) jobs: Jobs,
    pub(crate) log: InferenceLogger,
    pub(crate) redis: Option<PredictionCache>,
    pub(crate) process: ProcessProbe,
    pub(crate) training_slots: Arc<Semaphore>,
    pub(crate) auth: AuthState,
    /// The identity this engine writes as the owner of its training jobs.
    pub(crate) instance: Instance,
    /// Streams held in memory between batches.
    pub(crate) streams: crate::streams::LiveStreams,
    background: std::sync::Mutex<Vec<JoinHandle<()>>>,
}

/// The tenant used when the caller has no tenancy (the CLI, the Node.js package).
pub const TENANT_DEFAULT: &str = "default";

impl Engine {
    /// Opens the store (running migrations), connects to Redis when configured, marks failed
    /// the training jobs this engine's previous run left unfinished, and starts the
    /// background tasks (inference-log writer, change listener, job reporter).
    pub async fn open(config: EngineConfig) -> Result<Self, EngineError> {
        config.validate()?;
        let location = match &config.database_url {
            Some(url) => StoreLocation::Url(url.clone()),
            None => StoreLocation::DataDir(config.data_dir.clone()),
        };
        let store = Arc::new(Store::open(&location).await?);
        let redis = match &config.redis_url {
            Some(url) => {
                Some(PredictionCache::connect(url, config.prediction_cache.ttl_seconds).await?)
            }
            None => None,
        };
        let (log, writer) = InferenceLogger::start(
            &config.inference_log,
            store.clone(),
            Arc::new(StoredRowQuotas::default()),
        );
        let instance = claim_instance(&config.data_dir).await?;
        if instance.owns_data_dir {
            let now = now_ms();
            let reason = format!(
                "the engine running this job stopped before the job finished (it restarted at {}); train again",
                crate::time::format_utc(now)
            );
            store
                .fail_unfinished_jobs(&instance.id, now, &reason)
                .await?;
        }
        let events = store.subscribe();
        let streams = crate::streams::LiveStreams::new(config.max_live_streams);
        let inner = Arc::new(Inner {
            training_slots: Arc::new(Semaphore::new(config.max_concurrent_trainings)),
            auth: AuthState::new(&config.auth),
            config,
            store,
            cache: ModelCache::default(),
            stats: Stats::new(),
            jobs: Jobs::default(),
            log,
            redis,
            process: ProcessProbe::new(),
            instance,
            streams,
            background: std::sync::Mutex::new(Vec::new()),
        });
        let listener = tokio::spawn(listen(Arc::downgrade(&inner), events));
        let reporter = tokio::spawn(crate::jobs::report::run(Arc::downgrade(&inner)));
        if let Ok(mut tasks) = inner.background.lock() {
            tasks.push(writer);
            tasks.push(listener);
            tasks.push(reporter);
        }
        Ok(Engine { inner })
    }

    /// The configuration the engine runs with.
    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    /// Which store backend is in use: "sqlite" or "postgres".
    pub fn storage_backend(&self) -> &'static str {
        self.inner.store.backend()
    }

    /// Writes the queued inference-log records and stops the background tasks. Call before
    /// the process exits; the engine can still answer calls afterwards, without logging.
    pub async fn close(&self) {
        self.inner.log.close();
        let tasks: Vec<JoinHandle<()>> = self
            .inner
            .background
            .lock()
            .map(|mut t| t.drain(..).collect())
            .unwrap_or_default();
        let mut tasks = tasks.into_iter();
        if let Some(writer) = tasks.next() {
            let _ = writer.await;
        }
        for task in tasks {
            task.abort();
        }
    }
}

/// The identity of `data_dir` (see [`Instance::claim`]), claimed on the blocking pool.
async fn claim_instance(data_dir: &std::path::Path) -> Result<Instance, EngineError> {
    let dir = data_dir.to_owned();
    tokio::task::spawn_blocking(move || Instance::claim(&dir))
        .await
        .map_err(|e| EngineError::Internal(format!("claiming the engine identity: {e}")))
}

/// Drops cached models when any engine sharing the store changes them.
async fn listen(inner: std::sync::Weak<Inner>, mut events: broadcast::Receiver<ModelEvent>) {
    loop {
        let event = events.recv().await;
        let Some(inner) = inner.upgrade() else {
            return;
        };
        match event {
            Ok(ModelEvent::Changed { model_id }) => inner.cache.invalidate(&model_id),
            Ok(ModelEvent::Deleted { model_id }) => {
                inner.cache.invalidate(&model_id);
                inner.stats.forget_model(&model_id);
            }
            Ok(ModelEvent::Resync) | Err(broadcast::error::RecvError::Lagged(_)) => {
                inner.cache.clear();
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
