//! Measured performance: prediction counts, latency quantiles per model and overall,
//! throughput, training counts, inference-log and cache counters, and the process's resource
//! use. Everything here is counted as it happens; nothing is estimated.

mod histogram;
mod process;
mod rate;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use serde::Serialize;

pub use histogram::{Histogram, LatencySummary};
pub use process::{ProcessProbe, ProcessUsage};
pub use rate::RateWindow;

/// Counters of one model, shared by the serving copy and the stats registry.
#[derive(Default)]
pub struct ModelCounters {
    /// Requests answered (a batch counts once).
    pub requests: AtomicU64,
    /// Rows predicted.
    pub rows: AtomicU64,
    /// Requests that failed after the model was found.
    pub errors: AtomicU64,
    /// Time per request.
    pub latency: Histogram,
}

/// Engine-wide counters.
pub struct Stats {
    started: Instant,
    requests: AtomicU64,
    rows: AtomicU64,
    errors: AtomicU64,
    trainings: AtomicU64,
    failed_trainings: AtomicU64,
    single_latency: Histogram,
    batch_latency: Histogram,
    rate: RateWindow,
    cache_hits: AtomicU64,
    cache_misses: AtomicU64,
    cache_errors: AtomicU64,
    models: RwLock<HashMap<String, (String, Arc<ModelCounters>)>>,
}

/// Prediction figures of one model.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize)]
pub struct ModelPerformance {
    /// The model's id.
    pub model_id: String,
    /// The model's name.
    pub name: String,
    /// Requests answered.
    pub requests: u64,
    /// Rows predicted.
    pub rows: u64,
    /// Failed requests.
    pub errors: u64,
    /// Latency per request.
    pub latency: LatencySummary,
}

/// Counters of the Redis prediction cache.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize)]
pub struct CacheStats {
    /// Predictions answered from the cache.
    pub hits: u64,
    /// Predictions computed and then cached.
    pub misses: u64,
    /// Cache reads or writes that failed (the prediction was still computed).
    pub errors: u64,
    /// hits / (hits + misses), or 0 before any lookup.
    pub hit_ratio: f64,
}

/// Counters of the inference log.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize)]
pub struct InferenceLogStats {
    /// Whether predictions are logged.
    pub enabled: bool,
    /// Share of predictions logged.
    pub sample_rate: f64,
    /// Records written to the store.
    pub written: u64,
    /// Records dropped because the write queue was full, a write failed, or their tenant's
    /// stored-rows quota was reached.
    pub dropped: u64,
    /// Of the dropped records, those refused by their tenant's stored-rows quota.
    pub dropped_over_quota: u64,
}

/// Everything measured since the engine started.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize)]
pub struct PerformanceStats {
    /// Seconds since the engine started.
    pub uptime_seconds: f64,
    /// Prediction requests answered (a batch counts once).
    pub total_requests: u64,
    /// Rows predicted (single and batch).
    pub total_predictions: u64,
    /// Prediction requests that failed.
    pub total_errors: u64,
    /// Trainings finished with a new version.
    pub total_trainings: u64,
    /// Trainings that failed.
    pub failed_trainings: u64,
    /// Latency of single-row predictions.
    pub single_latency: LatencySummary,
    /// Latency of batch predictions (per batch).
    pub batch_latency: LatencySummary,
    /// Rows predicted per second over the last minute.
    pub rows_per_second_last_minute: f64,
    /// Rows predicted per second since the start.
    pub rows_per_second_since_start: f64,
    /// Per model, for models used since the start.
    pub models: Vec<ModelPerformance>,
    /// The Redis prediction cache, when configured.
    pub prediction_cache: Option<CacheStats>,
    /// The inference log.
    pub inference_log: InferenceLogStats,
}

impl Stats {
    /// Counters starting now.
    pub fn new() -> Self {
        let started = Instant::now();
        Self {
            started,
            requests: AtomicU64::new(0),
            rows: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            trainings: AtomicU64::new(0),
            failed_trainings: AtomicU64::new(0),
            single_latency: Histogram::new(),
            batch_latency: Histogram::new(),
            rate: RateWindow::new(started),
            cache_hits: AtomicU64::new(0),
            cache_misses: AtomicU64::new(0),
            cache_errors: AtomicU64::new(0),
            models: RwLock::new(HashMap::new()),
        }
    }

    /// When the engine started.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// The counters of a model, created on first use and kept across reloads.
    pub fn model(&self, model_id: &str, name: &str) -> Arc<ModelCounters> {
        if let Ok(map) = self.models.read()
            && let Some((_, c)) = map.get(model_id)
        {
            return c.clone();
        }
        let Ok(mut map) = self.models.write() else {
            return Arc::new(ModelCounters::default());
        };
        map.entry(model_id.to_owned())
            .or_insert_with(|| (name.to_owned(), Arc::new(ModelCounters::default())))
            .1
            .clone()
    }

    /// Forgets a deleted model's counters.
    pub fn forget_model(&self, model_id: &str) {
        if let Ok(mut map) = self.models.write() {
            map.remove(model_id);
        }
    }

    /// Records an answered request of `rows` rows that took `nanos`.
    pub fn record(&self, model: &ModelCounters, rows: u64, nanos: u64, batch: bool) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.rows.fetch_add(rows, Ordering::Relaxed);
        model.requests.fetch_add(1, Ordering::Relaxed);
        model.rows.fetch_add(rows, Ordering::Relaxed);
        model.latency.record(nanos);
        if batch {
            self.batch_latency.record(nanos);
        } else {
            self.single_latency.record(nanos);
        }
        self.rate.add(rows);
    }

    /// Records a failed request (of a known model, when given).
    pub fn record_error(&self, model: Option<&ModelCounters>) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        if let Some(m) = model {
            m.errors.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Records a finished training.
    pub fn record_training(&self, ok: bool) {
        let counter = if ok {
            &self.trainings
        } else {
            &self.failed_trainings
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Records a prediction-cache lookup: `Some(true)` hit, `Some(false)` miss, `None` error.
    pub fn record_cache(&self, hit: Option<bool>) {
        let counter = match hit {
            Some(true) => &self.cache_hits,
            Some(false) => &self.cache_misses,
            None => &self.cache_errors,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// A snapshot of every figure.
    pub fn snapshot(&self, cache: bool, inference_log: InferenceLogStats) -> PerformanceStats {
        let uptime = self.started.elapsed().as_secs_f64();
        let rows = self.rows.load(Ordering::Relaxed);
        let mut models: Vec<ModelPerformance> = self
            .models
            .read()
            .map(|map| {
                map.iter()
                    .map(|(id, (name, c))| ModelPerformance {
                        model_id: id.clone(),
                        name: name.clone(),
                        requests: c.requests.load(Ordering::Relaxed),
                        rows: c.rows.load(Ordering::Relaxed),
                        errors: c.errors.load(Ordering::Relaxed),
                        latency: c.latency.summary(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        models.sort_by(|a, b| a.name.cmp(&b.name));
        let prediction_cache = cache.then(|| {
            let hits = self.cache_hits.load(Ordering::Relaxed);
            let misses = self.cache_misses.load(Ordering::Relaxed);
            CacheStats {
                hits,
                misses,
                errors: self.cache_errors.load(Ordering::Relaxed),
                hit_ratio: if hits + misses == 0 {
                    0.0
                } else {
                    hits as f64 / (hits + misses) as f64
                },
            }
        });
        PerformanceStats {
            uptime_seconds: uptime,
            total_requests: self.requests.load(Ordering::Relaxed),
            total_predictions: rows,
            total_errors: self.errors.load(Ordering::Relaxed),
            total_trainings: self.trainings.load(Ordering::Relaxed),
            failed_trainings: self.failed_trainings.load(Ordering::Relaxed),
            single_latency: self.single_latency.summary(),
            batch_latency: self.batch_latency.summary(),
            rows_per_second_last_minute: self.rate.per_second(),
            rows_per_second_since_start: if uptime > 0.0 {
                rows as f64 / uptime
            } else {
                0.0
            },
            models,
            prediction_cache,
            inference_log,
        }
    }
}

impl Default for Stats {
    fn default() -> Self {
        Self::new()
    }
}
