//! `get_performance_stats` and `get_system_health` in the original package's vocabulary,
//! with the engine's full figures alongside.

use phantom_engine::stats::PerformanceStats;
use phantom_engine::{HealthStatus, SystemHealth};
use serde_json::{Value, json};

/// The performance figures: `total_inferences` (rows predicted), `average_inference_time_ms`
/// (mean latency of single-row predictions), batch latency, trainings and throughput.
pub fn stats(s: &PerformanceStats) -> Value {
    json!({
        "total_inferences": s.total_predictions,
        "total_requests": s.total_requests,
        "total_errors": s.total_errors,
        "average_inference_time_ms": s.single_latency.mean_us / 1e3,
        "p50_inference_time_ms": s.single_latency.p50_us / 1e3,
        "p95_inference_time_ms": s.single_latency.p95_us / 1e3,
        "p99_inference_time_ms": s.single_latency.p99_us / 1e3,
        "average_batch_time_ms": s.batch_latency.mean_us / 1e3,
        "total_trainings": s.total_trainings,
        "failed_trainings": s.failed_trainings,
        "throughput_per_second": s.rows_per_second_last_minute,
        "throughput_since_start_per_second": s.rows_per_second_since_start,
        "uptime_seconds": s.uptime_seconds,
        "models": s.models,
        "prediction_cache": s.prediction_cache,
        "inference_log": s.inference_log,
        "single_latency": s.single_latency,
        "batch_latency": s.batch_latency,
    })
}

/// The health figures: `system_health` ("healthy", "degraded" or "unhealthy"),
/// `models_loaded`, the backends and the process.
pub fn health(h: &SystemHealth) -> Value {
    let status = match h.status {
        HealthStatus::Healthy => "healthy",
        HealthStatus::Degraded => "degraded",
        HealthStatus::Unhealthy => "unhealthy",
    };
    json!({
        "system_health": status,
        "status": status,
        "models_loaded": h.models_loaded,
        "trainings_running": h.trainings_running,
        "uptime_seconds": h.uptime_seconds,
        "version": h.version,
        "storage": h.storage,
        "redis": h.redis,
        "process": h.process,
    })
}
