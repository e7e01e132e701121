//! System health and performance figures, all measured: the store and Redis are pinged, the
//! process's memory and CPU are read from the operating system.

use std::time::Instant;

use phantom_store::Storage;
use serde::Serialize;

use crate::engine::Engine;
use crate::stats::{PerformanceStats, ProcessUsage};

/// Overall state.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    /// Everything answers.
    Healthy,
    /// The store answers but the Redis cache does not (predictions still work, uncached).
    Degraded,
    /// The store does not answer.
    Unhealthy,
}

/// A backend's reachability.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BackendHealth {
    /// "sqlite", "postgres" or "redis".
    pub backend: &'static str,
    /// Whether it answered.
    pub reachable: bool,
    /// Round-trip time of the check, in milliseconds.
    pub latency_ms: f64,
    /// The error, when unreachable.
    pub error: Option<String>,
}

/// The engine's health.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SystemHealth {
    /// Overall state.
    pub status: HealthStatus,
    /// Phantom's version.
    pub version: &'static str,
    /// Seconds since the engine started.
    pub uptime_seconds: f64,
    /// Model versions loaded in memory.
    pub models_loaded: usize,
    /// Trainings running now.
    pub trainings_running: usize,
    /// The store.
    pub storage: BackendHealth,
    /// The Redis prediction cache, when configured.
    pub redis: Option<BackendHealth>,
    /// Memory, CPU and threads of this process.
    pub process: ProcessUsage,
}

impl Engine {
    /// Checks the store and Redis and reads the process's resource use.
    pub async fn system_health(&self) -> SystemHealth {
        let started = Instant::now();
        let ping = self.inner.store.ping().await;
        let storage = BackendHealth {
            backend: self.inner.store.backend(),
            reachable: ping.is_ok(),
            latency_ms: started.elapsed().as_secs_f64() * 1e3,
            error: ping.err().map(|e| e.to_string()),
        };
        let redis = match &self.inner.redis {
            Some(r) => {
                let started = Instant::now();
                let ping = r.ping().await;
                Some(BackendHealth {
                    backend: "redis",
                    reachable: ping.is_ok(),
                    latency_ms: started.elapsed().as_secs_f64() * 1e3,
                    error: ping.err().map(|e| e.to_string()),
                })
            }
            None => None,
        };
        let status = if !storage.reachable {
            HealthStatus::Unhealthy
        } else if redis.as_ref().is_some_and(|r| !r.reachable) {
            HealthStatus::Degraded
        } else {
            HealthStatus::Healthy
        };
        SystemHealth {
            status,
            version: env!("CARGO_PKG_VERSION"),
            uptime_seconds: self.inner.stats.started().elapsed().as_secs_f64(),
            models_loaded: self.inner.cache.len(),
            trainings_running: self.inner.jobs.running(),
            storage,
            redis,
            process: self.inner.process.read(),
        }
    }

    /// Prediction, training, cache and log figures since the engine started.
    pub fn performance_stats(&self) -> PerformanceStats {
        self.inner
            .stats
            .snapshot(self.inner.redis.is_some(), self.inner.log.stats())
    }
}
