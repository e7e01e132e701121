//! Events per second over the last minute: sixty one-second slots, each stamped with the
//! second it counts, so stale slots are recognised and reset without a timer.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

const SLOTS: u64 = 60;

/// A sliding one-minute rate.
pub struct RateWindow {
    started: Instant,
    counts: [AtomicU64; SLOTS as usize],
    stamps: [AtomicU64; SLOTS as usize],
}

impl RateWindow {
    /// An empty window starting now.
    pub fn new(started: Instant) -> Self {
        Self {
            started,
            counts: std::array::from_fn(|_| AtomicU64::new(0)),
            stamps: std::array::from_fn(|_| AtomicU64::new(u64::MAX)),
        }
    }

    /// Counts `n` events now.
    pub fn add(&self, n: u64) {
        let second = self.started.elapsed().as_secs();
        let slot = (second % SLOTS) as usize;
        let (Some(stamp), Some(count)) = (self.stamps.get(slot), self.counts.get(slot)) else {
            return;
        };
        let seen = stamp.load(Ordering::Acquire);
        // The first recorder of a new second resets the slot; a record racing with the reset
        // may be lost, which shifts the rate by one event at most.
        if seen != second
            && stamp
                .compare_exchange(seen, second, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            count.store(0, Ordering::Release);
        }
        count.fetch_add(n, Ordering::Relaxed);
    }

    /// Events per second over the last minute (or since the start, if shorter), counting
    /// whole seconds only so that the current partial second does not skew it.
    pub fn per_second(&self) -> f64 {
        let now = self.started.elapsed().as_secs();
        if now == 0 {
            return 0.0;
        }
        let oldest = now.saturating_sub(SLOTS - 1);
        let mut total = 0;
        for (stamp, count) in self.stamps.iter().zip(&self.counts) {
            let s = stamp.load(Ordering::Acquire);
            if s >= oldest && s < now {
                total += count.load(Ordering::Relaxed);
            }
        }
        total as f64 / (now - oldest) as f64
    }
}
