//! Where incidents go in a generated case: the case is cut into equal slots after a quiet
//! start, and each slot gets one incident at a random place in it, so incidents never overlap
//! and the detector has recovered from one before the next.

use rand::RngExt;
use rand_chacha::ChaCha20Rng;

use super::score::Span;

/// An injected incident of kind `K` and the events or points it affected.
#[derive(Clone, Debug, PartialEq)]
pub struct Label<K> {
    /// Its kind.
    pub kind: K,
    /// What was injected, e.g. "auth login failed (41% of events)".
    pub what: String,
    /// First affected event or point.
    pub first: u64,
    /// Last affected event or point (inclusive).
    pub last: u64,
}

impl<K> Label<K> {
    /// The affected span.
    pub fn span(&self) -> Span {
        Span {
            first: self.first,
            last: self.last,
        }
    }
}

/// A generated case: its events or points, and the incidents injected into them.
#[derive(Clone, Debug, PartialEq)]
pub struct Case<T, K> {
    /// The events (log lines) or points (values), in order.
    pub data: Vec<T>,
    /// The incidents, in order.
    pub labels: Vec<Label<K>>,
}

impl<T, K> Case<T, K> {
    /// The incidents' spans.
    pub fn spans(&self) -> Vec<Span> {
        self.labels.iter().map(Label::span).collect()
    }
}

/// The shape of a generated case, in events (logs) or points (series).
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Length of the case.
    pub length: usize,
    /// Incidents injected.
    pub incidents: usize,
    /// No incident starts before this (the detectors' warm-up).
    pub first_at: usize,
    /// Shortest incident.
    pub min_len: usize,
    /// Longest incident.
    pub max_len: usize,
}

impl Plan {
    /// Start and length of each incident, in order.
    pub(crate) fn spans(&self, rng: &mut ChaCha20Rng) -> Vec<(usize, usize)> {
        let room = self.length.saturating_sub(self.first_at + self.max_len);
        let slot = room / self.incidents.max(1);
        (0..self.incidents)
            .map(|i| {
                let start = self.first_at
                    + i * slot
                    + rng.random_range(0..=slot.saturating_sub(self.max_len));
                (start, rng.random_range(self.min_len..=self.max_len))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::random::rng;
    use super::*;

    #[test]
    fn spans_are_ordered_apart_and_inside() {
        let plan = Plan {
            length: 10_000,
            incidents: 3,
            first_at: 2_000,
            min_len: 200,
            max_len: 500,
        };
        for seed in 0..20 {
            let spans = plan.spans(&mut rng(seed, 0));
            assert_eq!(spans.len(), 3);
            assert!(spans[0].0 >= 2_000);
            assert!(spans.windows(2).all(|w| w[0].0 + w[0].1 < w[1].0));
            let (start, len) = spans[2];
            assert!(start + len <= 10_000 && (200..=500).contains(&len));
        }
    }
}
