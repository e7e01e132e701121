//! The inference log: sampled predictions go into a bounded queue that a background task
//! writes to the store in batches, so logging never makes a prediction wait for the database.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use phantom_store::{InferenceRecord, Storage, Store};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

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
}

impl InferenceLogger {
    /// Starts the writer task; it ends after [`InferenceLogger::close`] once the queue is
    /// drained.
    pub(crate) fn start(config: &InferenceLogConfig, store: Arc<Store>) -> (Self, JoinHandle<()>) {
        let (sender, receiver) = mpsc::channel(config.queue_capacity);
        let counters = Arc::new(LogCounters::default());
        let shutdown = Arc::new(Notify::new());
        let writer = tokio::spawn(write_batches(
            receiver,
            store,
            counters.clone(),
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
        }
    }
}

async fn write_batches(
    mut receiver: mpsc::Receiver<InferenceRecord>,
    store: Arc<Store>,
    counters: Arc<LogCounters>,
    shutdown: Arc<Notify>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        tokio::select! {
            received = receiver.recv_many(&mut batch, BATCH) => {
                if received == 0 {
                    return;
                }
                write(&store, &counters, &mut batch).await;
            }
            () = shutdown.notified() => {
                while let Ok(record) = receiver.try_recv() {
                    batch.push(record);
                    if batch.len() == BATCH {
                        write(&store, &counters, &mut batch).await;
                    }
                }
                write(&store, &counters, &mut batch).await;
                return;
            }
        }
    }
}

async fn write(store: &Store, counters: &LogCounters, batch: &mut Vec<InferenceRecord>) {
    if batch.is_empty() {
        return;
    }
    let n = batch.len() as u64;
    match store.log_inferences(batch).await {
        Ok(()) => counters.written.fetch_add(n, Ordering::Relaxed),
        Err(_) => counters.dropped.fetch_add(n, Ordering::Relaxed),
    };
    batch.clear();
}
