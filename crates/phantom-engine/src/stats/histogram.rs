//! A lock-free latency histogram: log-linear buckets (16 per power of two, so a reported
//! quantile is within 3.2% of the true value), recorded with one atomic add.
//!
//! Written here rather than taken from `hdrhistogram` because recording must be lock-free from
//! every thread on the prediction path (hdrhistogram needs `&mut` or a lock per record).

use std::sync::atomic::{AtomicU64, Ordering};

const SUB_BITS: u32 = 4;
const SUB: usize = 1 << SUB_BITS;
const BUCKETS: usize = 64 * SUB;

/// Durations in nanoseconds, counted in buckets.
pub struct Histogram {
    buckets: Box<[AtomicU64]>,
    count: AtomicU64,
    sum: AtomicU64,
    max: AtomicU64,
}

/// Quantiles and moments of a histogram, in microseconds.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct LatencySummary {
    /// Values recorded.
    pub count: u64,
    /// Mean.
    pub mean_us: f64,
    /// Median.
    pub p50_us: f64,
    /// 95th percentile.
    pub p95_us: f64,
    /// 99th percentile.
    pub p99_us: f64,
    /// Largest value.
    pub max_us: f64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

impl Histogram {
    /// An empty histogram.
    pub fn new() -> Self {
        Self {
            buckets: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            count: AtomicU64::new(0),
            sum: AtomicU64::new(0),
            max: AtomicU64::new(0),
        }
    }

    /// Records one duration of `nanos` nanoseconds.
    pub fn record(&self, nanos: u64) {
        if let Some(b) = self.buckets.get(bucket_of(nanos)) {
            b.fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum.fetch_add(nanos, Ordering::Relaxed);
        self.max.fetch_max(nanos, Ordering::Relaxed);
    }

    /// The value at quantile `q` in [0, 1], in nanoseconds (the middle of its bucket), or 0
    /// when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        let counts: Vec<u64> = self
            .buckets
            .iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect();
        let total: u64 = counts.iter().sum();
        if total == 0 {
            return 0.0;
        }
        let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, &c) in counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let (lo, hi) = bounds_of(i);
                let mid = (lo as f64 + hi as f64) / 2.0;
                return mid.min(self.max.load(Ordering::Relaxed) as f64);
            }
        }
        self.max.load(Ordering::Relaxed) as f64
    }

    /// Count, mean, p50, p95, p99 and max, in microseconds.
    pub fn summary(&self) -> LatencySummary {
        let count = self.count.load(Ordering::Relaxed);
        let sum = self.sum.load(Ordering::Relaxed);
        LatencySummary {
            count,
            mean_us: if count == 0 {
                0.0
            } else {
                sum as f64 / count as f64 / 1e3
            },
            p50_us: self.quantile(0.50) / 1e3,
            p95_us: self.quantile(0.95) / 1e3,
            p99_us: self.quantile(0.99) / 1e3,
            max_us: self.max.load(Ordering::Relaxed) as f64 / 1e3,
        }
    }
}

/// Values below 16 get a bucket each; above, 16 buckets per power of two.
fn bucket_of(v: u64) -> usize {
    if v < SUB as u64 {
        return v as usize;
    }
    let exp = 63 - v.leading_zeros();
    let mantissa = (v >> (exp - SUB_BITS)) as usize & (SUB - 1);
    (exp - SUB_BITS + 1) as usize * SUB + mantissa
}

/// The half-open range `[lo, hi)` of values in bucket `i`.
fn bounds_of(i: usize) -> (u64, u64) {
    if i < SUB {
        return (i as u64, i as u64 + 1);
    }
    let exp = (i / SUB) as u32 + SUB_BITS - 1;
    let mantissa = (i % SUB) as u64;
    let width = 1u64 << (exp - SUB_BITS);
    let lo = (SUB as u64 + mantissa) << (exp - SUB_BITS);
    (lo, lo.saturating_add(width))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn every_value_falls_in_its_bucket(v in any::<u64>()) {
            let (lo, hi) = bounds_of(bucket_of(v));
            prop_assert!(lo <= v && (v < hi || hi == u64::MAX), "{v} not in [{lo}, {hi})");
            prop_assert!(bucket_of(v) < BUCKETS);
        }

        #[test]
        fn quantiles_are_within_the_bucket_precision(
            mut values in prop::collection::vec(1u64..10_000_000_000, 1..500),
            q in 0.0f64..1.0,
        ) {
            let h = Histogram::new();
            for &v in &values {
                h.record(v);
            }
            values.sort_unstable();
            let rank = ((q * values.len() as f64).ceil() as usize).max(1);
            let exact = values[rank - 1] as f64;
            let got = h.quantile(q);
            prop_assert!((got - exact).abs() <= exact / 31.0 + 1.0, "q {q}: {got} vs {exact}");
        }
    }

    #[test]
    fn summary_of_known_values() {
        let h = Histogram::new();
        for us in 1..=100u64 {
            h.record(us * 1000);
        }
        let s = h.summary();
        assert_eq!(s.count, 100);
        assert!((s.mean_us - 50.5).abs() < 1e-9);
        assert!((s.p50_us - 50.0).abs() < 1.6, "{s:?}");
        assert!((s.p99_us - 99.0).abs() < 3.2, "{s:?}");
        assert_eq!(s.max_us, 100.0);
        assert_eq!(Histogram::new().summary(), LatencySummary::default());
    }
}
