//! The inference log: sampled predictions go into a bounded queue that a background task
//! writes to the store in batches, so logging never makes a prediction wait for the database.
//! The writer keeps each tenant within its stored-rows quota: rows beyond it are dropped and
//! counted.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use phantom_store::{InferenceRecord, Storage, Store};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

use crate::auth::quotas::StoredRowQuotas;
use crate::config::InferenceLogConfig;
use crate::stats::InferenceLogStats;

/// Records written per store transaction at most.
const BATCH: usize = 1_024;

/// Decides which predictions to log and queues them.
pub(crate) struct InferenceLogger {
    enabled: bool,
    sample_rate: f64,
    seen: AtomicU64,
    shutdown: Arc<Notify>,
    sender: mpsc::Sender<InferenceRecord>,
    counters: Arc<LogCounters>,
}

#[derive(Default)]
struct LogCounters {
    written: AtomicU64,
    dropped: AtomicU64,
    over_quota: AtomicU64,
}

impl InferenceLogger {
    /// Starts the writer task; it ends after [`InferenceLogger::close`] once the queue is
    /// drained.
    pub(crate) fn start(
        config: &InferenceLogConfig,
        store: Arc<Store>,
        quotas: Arc<StoredRowQuotas>,
    ) -> (Self, JoinHandle<()>) {
        let (sender, receiver) = mpsc::channel(config.queue_capacity);
        let counters = Arc::new(LogCounters::default());
        let shutdown = Arc::new(Notify::new());
        let writer = tokio::spawn(write_batches(
            receiver,
            Writer {
                store,
                counters: counters.clone(),
                quotas,
            },
            shutdown.clone(),
        ));
        (
            Self {
                enabled: config.enabled && config.sample_rate > 0.0,
                sample_rate: config.sample_rate,
                seen: AtomicU64::new(0),
                shutdown,
                sender,
                counters,
            },
            writer,
        )
    }

    /// Whether predictions are logged at all.
    pub(crate) fn enabled(&self) -> bool {
        self.enabled
    }

    /// Whether this prediction is to be logged. Sampling is by count, not chance: with rate
    /// r, the n-th prediction is logged when floor(n·r) moves, so exactly that share is kept.
    pub(crate) fn should_log(&self) -> bool {
        if !self.enabled {
            return false;
        }
        if self.sample_rate >= 1.0 {
            return true;
        }
        let n = self.seen.fetch_add(1, Ordering::Relaxed) as f64;
        ((n + 1.0) * self.sample_rate).floor() > (n * self.sample_rate).floor()
    }

    /// Queues a record; a full queue drops it and counts the drop.
    pub(crate) fn push(&self, record: InferenceRecord) {
        if self.sender.try_send(record).is_err() {
            self.counters.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Tells the writer to write what is queued and stop.
    pub(crate) fn close(&self) {
        self.shutdown.notify_one();
    }

    /// The logger's counters.
    pub(crate) fn stats(&self) -> InferenceLogStats {
        InferenceLogStats {
            enabled: self.enabled,
            sample_rate: self.sample_rate,
            written: self.counters.written.load(Ordering::Relaxed),
            dropped: self.counters.dropped.load(Ordering::Relaxed),
            dropped_over_quota: self.counters.over_quota.load(Ordering::Relaxed),
        }
    }
}

/// What the writer task writes with.
struct Writer {
    store: Arc<Store>,
    counters: Arc<LogCounters>,
    quotas: Arc<StoredRowQuotas>,
}

async fn write_batches(
    mut receiver: mpsc::Receiver<InferenceRecord>,
    writer: Writer,
    shutdown: Arc<Notify>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        tokio::select! {
            received = receiver.recv_many(&mut batch, BATCH) => {
                if received == 0 {
                    return;
                }
                writer.write(&mut batch).await;
            }
            () = shutdown.notified() => {
                while let Ok(record) = receiver.try_recv() {
                    batch.push(record);
                    if batch.len() == BATCH {
                        writer.write(&mut batch).await;
                    }
                }
                writer.write(&mut batch).await;
                return;
            }
        }
    }
}

impl Writer {
    /// Writes the batch's records that their tenants' quotas allow, and empties it.
    async fn write(&self, batch: &mut Vec<InferenceRecord>) {
        if batch.is_empty() {
            return;
        }
        let mut allowance: HashMap<String, u64> = HashMap::new();
        let mut kept = Vec::with_capacity(batch.len());
        let mut over_quota = 0u64;
        for record in batch.drain(..) {
            if !allowance.contains_key(&record.tenant) {
                let left = self.quotas.allowance(&self.store, &record.tenant).await;
                allowance.insert(record.tenant.clone(), left);
            }
            match allowance.get_mut(&record.tenant) {
                Some(left) if *left > 0 => {
                    *left -= 1;
                    kept.push(record);
                }
                Some(_) | None => over_quota += 1,
            }
        }
        if over_quota > 0 {
            self.counters
                .over_quota
                .fetch_add(over_quota, Ordering::Relaxed);
            self.counters
                .dropped
                .fetch_add(over_quota, Ordering::Relaxed);
        }
        if kept.is_empty() {
            return;
        }
        let n = kept.len() as u64;
        match self.store.log_inferences(&kept).await {
            Ok(()) => {
                self.counters.written.fetch_add(n, Ordering::Relaxed);
                let mut per_tenant: HashMap<&str, u64> = HashMap::new();
                for r in &kept {
                    *per_tenant.entry(r.tenant.as_str()).or_default() += 1;
                }
                for (tenant, rows) in per_tenant {
                    self.quotas.record_written(tenant, rows);
                }
            }
            Err(_) => {
                self.counters.dropped.fetch_add(n, Ordering::Relaxed);
            }
        }
    }
}
