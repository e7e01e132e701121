//! Prometheus metrics in the text exposition format (version 0.0.4), written by hand: request
//! counts and latency histograms per route template, predictions per model, training jobs and
//! storage errors. Counting is lock-free on the request path (one set of atomics per route,
//! made when the server starts).

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use phantom_engine::stats::PerformanceStats;

use crate::routes::ROUTES;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 16] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// Status codes are counted from 100 to 599.
const STATUS_SLOTS: usize = 500;

/// The server's counters.
pub(crate) struct Metrics {
    routes: Vec<RouteMetrics>,
    unmatched: RouteMetrics,
    predictions: TenantCounters,
    ingested: TenantCounters,
    anomalies: TenantCounters,
    trainings_started: AtomicU64,
    storage_errors: AtomicU64,
    started: Instant,
}

/// Counters of one route: responses by status, and a latency histogram.
struct RouteMetrics {
    statuses: Box<[AtomicU64]>,
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_nanos: AtomicU64,
}

impl RouteMetrics {
    fn new() -> Self {
        Self {
            statuses: (0..STATUS_SLOTS).map(|_| AtomicU64::new(0)).collect(),
            buckets: std::array::from_fn(|_| AtomicU64::new(0)),
            count: AtomicU64::new(0),
            sum_nanos: AtomicU64::new(0),
        }
    }

    fn record(&self, status: StatusCode, elapsed: Duration) {
        if let Some(slot) = (status.as_u16() as usize)
            .checked_sub(100)
            .and_then(|i| self.statuses.get(i))
        {
            slot.fetch_add(1, Ordering::Relaxed);
        }
        let seconds = elapsed.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|&b| seconds <= b)
            && let Some(bucket) = self.buckets.get(i)
        {
            bucket.fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_nanos.fetch_add(
            u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }
}

impl Metrics {
    /// Counters for every route of [`ROUTES`], all zero.
    pub(crate) fn new() -> Self {
        Self {
            routes: ROUTES.iter().map(|_| RouteMetrics::new()).collect(),
            unmatched: RouteMetrics::new(),
            predictions: TenantCounters::default(),
            ingested: TenantCounters::default(),
            anomalies: TenantCounters::default(),
            trainings_started: AtomicU64::new(0),
            storage_errors: AtomicU64::new(0),
            started: Instant::now(),
        }
    }

    /// Counts one answered request of route `route` (an index into [`ROUTES`]), or of no
    /// route (an unknown path or method).
    pub(crate) fn record_request(
        &self,
        route: Option<usize>,
        status: StatusCode,
        elapsed: Duration,
    ) {
        route
            .and_then(|i| self.routes.get(i))
            .unwrap_or(&self.unmatched)
            .record(status, elapsed);
    }

    /// Counts `rows` predictions of a model.
    pub(crate) fn record_predictions(&self, tenant: &str, model_id: &str, rows: u64) {
        self.predictions.add(tenant, model_id, rows);
    }

    /// Counts telemetry records of `signal` applied to streams, and the anomalies found.
    pub(crate) fn record_ingested(&self, tenant: &str, signal: &str, records: u64, found: u64) {
        self.ingested.add(tenant, signal, records);
        if found > 0 {
            self.anomalies.add(tenant, signal, found);
        }
    }

    /// Counts a training job started.
    pub(crate) fn record_training_started(&self) {
        self.trainings_started.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a failed store operation.
    pub(crate) fn record_storage_error(&self) {
        self.storage_errors.fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition text. Per-model series are those of `tenant` only: a tenant never sees
    /// another tenant's model ids. Request, training and storage series are server-wide.
    pub(crate) fn render(&self, tenant: &str, engine: &PerformanceStats) -> String {
        let mut out = String::with_capacity(16 * 1024);
        header(
            &mut out,
            "phantom_http_requests_total",
            "counter",
            "HTTP requests answered, by route template, method and status.",
        );
        for (labels, m) in self.labelled_routes() {
            for (i, n) in m.statuses.iter().enumerate() {
                let n = n.load(Ordering::Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        out,
                        "phantom_http_requests_total{{{labels},status=\"{}\"}} {n}",
                        i + 100
                    );
                }
            }
        }
        header(
            &mut out,
            "phantom_http_request_duration_seconds",
            "histogram",
            "Time from receiving a request to its response, by route template and method.",
        );
        for (labels, m) in self.labelled_routes() {
            let count = m.count.load(Ordering::Relaxed);
            if count == 0 {
                continue;
            }
            let mut cumulative = 0;
            for (bound, bucket) in BUCKETS.iter().zip(&m.buckets) {
                cumulative += bucket.load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "phantom_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "phantom_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}"
            );
            let sum = m.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
            let _ = writeln!(
                out,
                "phantom_http_request_duration_seconds_sum{{{labels}}} {sum}"
            );
            let _ = writeln!(
                out,
                "phantom_http_request_duration_seconds_count{{{labels}}} {count}"
            );
        }
        header(
            &mut out,
            "phantom_predictions_total",
            "counter",
            "Rows predicted through the API, by model id (this tenant's models only).",
        );
        self.predictions
            .render(&mut out, tenant, "phantom_predictions_total", "model");
        header(
            &mut out,
            "phantom_ingested_records_total",
            "counter",
            "Telemetry records applied to streams, by signal (this tenant's only).",
        );
        self.ingested
            .render(&mut out, tenant, "phantom_ingested_records_total", "signal");
        header(
            &mut out,
            "phantom_anomalies_found_total",
            "counter",
            "Anomalies found in streams while ingesting through this server, by signal (this tenant's only).",
        );
        self.anomalies
            .render(&mut out, tenant, "phantom_anomalies_found_total", "signal");
        header(
            &mut out,
            "phantom_training_jobs_started_total",
            "counter",
            "Training jobs started through the API.",
        );
        let _ = writeln!(
            out,
            "phantom_training_jobs_started_total {}",
            self.trainings_started.load(Ordering::Relaxed)
        );
        header(
            &mut out,
            "phantom_training_jobs_finished_total",
            "counter",
            "Training jobs finished by this engine, by result.",
        );
        let _ = writeln!(
            out,
            "phantom_training_jobs_finished_total{{result=\"succeeded\"}} {}",
            engine.total_trainings
        );
        let _ = writeln!(
            out,
            "phantom_training_jobs_finished_total{{result=\"failed\"}} {}",
            engine.failed_trainings
        );
        header(
            &mut out,
            "phantom_storage_errors_total",
            "counter",
            "Requests and audit writes that failed because the store failed.",
        );
        let _ = writeln!(
            out,
            "phantom_storage_errors_total {}",
            self.storage_errors.load(Ordering::Relaxed)
        );
        header(
            &mut out,
            "phantom_uptime_seconds",
            "gauge",
            "Seconds since the server started.",
        );
        let _ = writeln!(
            out,
            "phantom_uptime_seconds {}",
            self.started.elapsed().as_secs_f64()
        );
        out
    }

    fn labelled_routes(&self) -> impl Iterator<Item = (String, &RouteMetrics)> {
        ROUTES
            .iter()
            .zip(&self.routes)
            .map(|(spec, m)| {
                (
                    format!(
                        "route=\"{}\",method=\"{}\"",
                        escape(spec.path),
                        spec.method.as_str()
                    ),
                    m,
                )
            })
            .chain(std::iter::once((
                "route=\"unmatched\",method=\"*\"".to_owned(),
                &self.unmatched,
            )))
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// Escapes a label value: backslash, double quote and newline.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn buckets_are_cumulative_and_end_at_the_count() {
        let m = RouteMetrics::new();
        m.record(StatusCode::OK, Duration::from_micros(50));
        m.record(StatusCode::OK, Duration::from_millis(3));
        m.record(StatusCode::NOT_FOUND, Duration::from_secs(60));
        assert_eq!(m.count.load(Ordering::Relaxed), 3);
        assert_eq!(m.statuses[100].load(Ordering::Relaxed), 2);
        assert_eq!(m.statuses[304].load(Ordering::Relaxed), 1);
        let in_buckets: u64 = m.buckets.iter().map(|b| b.load(Ordering::Relaxed)).sum();
        assert_eq!(in_buckets, 2, "60 s is only in +Inf");
    }
}

/// Counters by (tenant, label value), shown to their tenant only.
#[derive(Default)]
struct TenantCounters(RwLock<HashMap<(String, String), Arc<AtomicU64>>>);

impl TenantCounters {
    fn add(&self, tenant: &str, label: &str, n: u64) {
        if let Ok(map) = self.0.read()
            && let Some(counter) = map.get(&(tenant.to_owned(), label.to_owned()))
        {
            counter.fetch_add(n, Ordering::Relaxed);
            return;
        }
        if let Ok(mut map) = self.0.write() {
            map.entry((tenant.to_owned(), label.to_owned()))
                .or_default()
                .fetch_add(n, Ordering::Relaxed);
        }
    }

    /// One `name{label_name="..."} n` line per label value of `tenant`, sorted.
    fn render(&self, out: &mut String, tenant: &str, name: &str, label_name: &str) {
        let Ok(map) = self.0.read() else {
            return;
        };
        let mut rows: Vec<(&str, u64)> = map
            .iter()
            .filter(|((t, _), _)| t == tenant)
            .map(|((_, label), n)| (label.as_str(), n.load(Ordering::Relaxed)))
            .collect();
        rows.sort_unstable();
        for (label, n) in rows {
            let _ = writeln!(out, "{name}{{{label_name}=\"{}\"}} {n}", escape(label));
        }
    }
}
