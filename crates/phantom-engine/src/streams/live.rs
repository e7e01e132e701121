//! The streams this engine holds in memory between batches, each behind its own lock so a
//! stream's batches apply one at a time, and the signal that anomalies were stored.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::watch;

use super::Loaded;

/// One stream's slot: empty until the stream is loaded, and emptied when a write fails.
pub(super) type Slot = Arc<tokio::sync::Mutex<Option<Loaded>>>;

/// Streams held in memory, by (tenant, key).
#[derive(Default)]
pub(crate) struct LiveStreams {
    slots: Mutex<HashMap<(String, String), Slot>>,
    /// Counts the batches that stored anomalies; live feeds wait on it.
    pub(super) stored: watch::Sender<u64>,
    /// The evidence signing key, read (or made) on first use.
    pub(super) evidence_key: tokio::sync::OnceCell<phantom_evidence::EvidenceKey>,
}

impl LiveStreams {
    /// The slot of a stream, made on first use.
    pub(super) fn slot(&self, tenant: &str, key: &str) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(
            slots
                .entry((tenant.to_owned(), key.to_owned()))
                .or_default(),
        )
    }

    /// Wakes the live feeds.
    pub(super) fn announce(&self) {
        self.stored.send_modify(|n| *n += 1);
    }
}
