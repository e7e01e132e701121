//! The streams this engine holds in memory between batches, each behind its own lock so a
//! stream's batches apply one at a time, and the signal that anomalies were stored.
//!
//! At most `max_live_streams` are held: past it, the streams idle longest are dropped from
//! memory. That loses nothing, since every batch's state is stored before it is answered: the
//! stream's next batch reads it from the store again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::watch;

use super::Loaded;

/// One stream's slot: empty until the stream is loaded, and emptied when a write fails.
pub(super) type Slot = Arc<tokio::sync::Mutex<Option<Loaded>>>;

/// Streams held in memory, by (tenant, key).
pub(crate) struct LiveStreams {
    slots: Mutex<Slots>,
    /// Counts the batches that stored anomalies; live feeds wait on it.
    pub(super) stored: watch::Sender<u64>,
    /// The evidence signing key, read (or made) on first use.
    pub(super) evidence_key: tokio::sync::OnceCell<phantom_evidence::EvidenceKey>,
}

/// The slots with the tick of their last use.
struct Slots {
    by_stream: HashMap<(String, String), (Slot, u64)>,
    tick: u64,
    capacity: usize,
}

impl LiveStreams {
    /// Holds at most `capacity` streams in memory (at least 1).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            slots: Mutex::new(Slots {
                by_stream: HashMap::new(),
                tick: 0,
                capacity: capacity.max(1),
            }),
            stored: watch::Sender::default(),
            evidence_key: tokio::sync::OnceCell::new(),
        }
    }

    /// The slot of a stream, made on first use.
    pub(super) fn slot(&self, tenant: &str, key: &str) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots.tick += 1;
        let tick = slots.tick;
        let entry = slots
            .by_stream
            .entry((tenant.to_owned(), key.to_owned()))
            .or_insert_with(|| (Slot::default(), tick));
        entry.1 = tick;
        let slot = Arc::clone(&entry.0);
        if slots.by_stream.len() > slots.capacity {
            slots.evict_idle();
        }
        slot
    }

    /// Streams held in memory now.
    #[cfg(test)]
    fn len(&self) -> usize {
        let slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots.by_stream.len()
    }

    /// Wakes the live feeds.
    pub(super) fn announce(&self) {
        self.stored.send_modify(|n| *n += 1);
    }
}

impl Slots {
    /// Drops the streams used longest ago down to 90% of the capacity, so the scan runs once
    /// per tenth of the capacity of new streams rather than on each one. A slot someone holds
    /// (a batch applying or waiting) is kept: slots are only handed out under the map's lock,
    /// so one held by the map alone cannot be taken while it is dropped.
    fn evict_idle(&mut self) {
        let keep = self.capacity - self.capacity / 10;
        let excess = self.by_stream.len().saturating_sub(keep);
        let mut idle: Vec<(u64, (String, String))> = self
            .by_stream
            .iter()
            .filter(|(_, (slot, _))| Arc::strong_count(slot) == 1)
            .map(|(id, (_, used))| (*used, id.clone()))
            .collect();
        idle.sort_unstable_by_key(|(used, _)| *used);
        for (_, id) in idle.into_iter().take(excess) {
            self.by_stream.remove(&id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_streams_idle_longest_are_dropped_past_the_capacity() {
        let live = LiveStreams::new(10);
        for i in 0..10 {
            live.slot("t", &format!("s{i}"));
        }
        assert_eq!(live.len(), 10);
        // s0 is used again, so s1 is now the one idle longest.
        live.slot("t", "s0");
        live.slot("t", "s10");
        assert_eq!(live.len(), 9);
        let slots = live.slots.lock().unwrap();
        assert!(slots.by_stream.contains_key(&("t".into(), "s0".into())));
        assert!(!slots.by_stream.contains_key(&("t".into(), "s1".into())));
        assert!(!slots.by_stream.contains_key(&("t".into(), "s2".into())));
    }

    #[test]
    fn a_slot_in_use_is_never_dropped() {
        let live = LiveStreams::new(2);
        let held = live.slot("t", "busy");
        for i in 0..50 {
            live.slot("t", &format!("s{i}"));
        }
        let again = live.slot("t", "busy");
        assert!(Arc::ptr_eq(&held, &again), "a held slot was replaced");
        assert!(live.len() <= 3, "{}", live.len());
    }
}
