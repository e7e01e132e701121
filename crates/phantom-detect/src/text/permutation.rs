//! The permutation test: how often does a random split of the baseline and window events
//! look at least as distant as the real split, by the measure that made the window stand out? Events are shuffled between the two windows
//! (sizes kept) with ChaCha20 seeded by the settings' seed and the window's number, so the
//! same data and seed always give the same p-value, `p = (1 + k) / (1 + N)`. Within each side
//! of a split, events keep their original order: logs repeat in sequences, and a split that
//! scrambled them would compress worse for that reason alone, making every real split look
//! unusually close.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha20Rng;

use super::compress::{CompressError, Compressor};
use super::decide::Measure;
use super::measures::{entropy, ncd, ratio};
use super::profile::TokenProfile;

/// The outcome of a test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TestOutcome {
    /// `(1 + k) / (1 + n)`.
    pub(crate) p_value: f64,
    /// Permutations run (`n`); fewer than asked when the p-value could no longer reach the
    /// threshold.
    pub(crate) permutations: usize,
    /// Permuted splits at least as distant as the real one (`k`).
    pub(crate) at_least_as_distant: usize,
}

/// What the real split showed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Observed {
    /// The measure tested.
    pub(crate) measure: Measure,
    /// Its value on the real split.
    pub(crate) value: f64,
    /// +1 when a split counts if its value is at least as high, −1 if at least as low.
    pub(crate) direction: f64,
}

/// How a test runs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TestPlan {
    /// Permutations at most.
    pub(crate) permutations: usize,
    /// The p-value at or below which the window is an anomaly.
    pub(crate) p_threshold: f64,
    /// The seed.
    pub(crate) seed: u64,
    /// The ChaCha20 stream (the window's number).
    pub(crate) stream: u64,
}

/// Tests the observed measure of `baseline` against `window` (events in order).
pub(crate) fn permutation_test(
    compressor: &mut Compressor,
    baseline: &[&str],
    window: &[&str],
    observed: Observed,
    plan: TestPlan,
) -> Result<TestOutcome, CompressError> {
    let TestPlan {
        permutations,
        p_threshold,
        seed,
        stream,
    } = plan;
    let pool: Vec<&str> = baseline.iter().chain(window).copied().collect();
    let mut order: Vec<usize> = (0..pool.len()).collect();
    let (mut b_side, mut w_side): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    // The test stops once even all-below remaining permutations could not bring p to the
    // threshold: k beyond this is decisive.
    let give_up_at = (p_threshold * (1.0 + permutations as f64) - 1.0)
        .floor()
        .max(0.0) as usize;
    let mut k = 0;
    let mut n = 0;
    let (mut b_bytes, mut w_bytes) = (Vec::new(), Vec::new());
    while n < permutations {
        order.shuffle(&mut rng);
        let (b, w) = order.split_at_mut(baseline.len());
        b.sort_unstable();
        w.sort_unstable();
        b_side.clear();
        b_side.extend(b.iter().map(|&i| pool[i]));
        w_side.clear();
        w_side.extend(w.iter().map(|&i| pool[i]));
        join_into(&b_side, &mut b_bytes);
        join_into(&w_side, &mut w_bytes);
        let value = statistic(
            observed.measure,
            compressor,
            (&b_side, &w_side),
            (&b_bytes, &w_bytes),
        )?;
        n += 1;
        if observed.direction * value >= observed.direction * observed.value {
            k += 1;
            if k > give_up_at {
                break;
            }
        }
    }
    Ok(TestOutcome {
        p_value: (1 + k) as f64 / (1 + n) as f64,
        permutations: n,
        at_least_as_distant: k,
    })
}

/// `measure` of one split, given as events and as their joined lines; only what the measure
/// needs is computed (the same as in `measure`, without the rest).
fn statistic(
    measure: Measure,
    compressor: &mut Compressor,
    (b_events, w_events): (&[&str], &[&str]),
    (b, w): (&[u8], &[u8]),
) -> Result<f64, CompressError> {
    Ok(match measure {
        Measure::Ncd => {
            let cb = compressor.set_baseline(b)?;
            let cw = compressor.size(w)?;
            ncd(cb, cw, compressor.size_given_baseline(w)?)
        }
        Measure::Novelty => {
            compressor.set_baseline(b)?;
            ratio(compressor.size_given_baseline(w)?, w.len())
        }
        Measure::RatioChange => {
            ratio(compressor.size(w)?, w.len()) - ratio(compressor.size(b)?, b.len())
        }
        Measure::EntropyChange => entropy(w) - entropy(b),
        Measure::TokenDivergence => {
            TokenProfile::of_events(b_events).divergence(&TokenProfile::of_events(w_events))
        }
    })
}

/// Events joined one per line, as the detector compresses them.
fn join_into(events: &[&str], out: &mut Vec<u8>) {
    out.clear();
    for e in events {
        out.extend_from_slice(e.as_bytes());
        out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::compress::CompressorKind;
    use crate::text::measures::{BaselineMeasures, Measures, measure};

    fn plan(permutations: usize, p_threshold: f64, seed: u64, stream: u64) -> TestPlan {
        TestPlan {
            permutations,
            p_threshold,
            seed,
            stream,
        }
    }

    fn lines(n: usize, f: impl Fn(usize) -> String) -> Vec<String> {
        (0..n).map(f).collect()
    }

    fn measured(c: &mut Compressor, b: &[&str], w: &[&str]) -> Measures {
        let (mut bb, mut wb) = (Vec::new(), Vec::new());
        join_into(b, &mut bb);
        join_into(w, &mut wb);
        let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
        let prepared = BaselineMeasures::prepare(c, &text(bb)).unwrap();
        measure(c, &prepared, &text(wb)).unwrap()
    }

    fn ncd_of(c: &mut Compressor, b: &[&str], w: &[&str]) -> Observed {
        Observed {
            measure: Measure::Ncd,
            value: measured(c, b, w).ncd,
            direction: 1.0,
        }
    }

    #[test]
    fn a_different_window_gets_a_small_p_and_a_like_one_does_not() {
        let mut c = Compressor::new(CompressorKind::Zstd);
        let user = |i: usize| (i * 2_654_435_761) >> 7 & 7;
        let base = lines(200, |i| {
            format!("GET /api/orders/<num> status=200 user=u{}", user(i))
        });
        let like = lines(50, |i| {
            format!("GET /api/orders/<num> status=200 user=u{}", user(i + 999))
        });
        let unlike = lines(50, |i| {
            format!("kernel: EXT4-fs error on sda{} inode {}", i % 3, i * 7)
        });
        let b: Vec<&str> = base.iter().map(String::as_str).collect();
        let l: Vec<&str> = like.iter().map(String::as_str).collect();
        let u: Vec<&str> = unlike.iter().map(String::as_str).collect();

        let observed = ncd_of(&mut c, &b, &u);
        let t = permutation_test(&mut c, &b, &u, observed, plan(99, 0.05, 7, 1)).unwrap();
        assert_eq!(t.permutations, 99);
        assert!(t.p_value <= 0.011, "{t:?}");

        let observed = ncd_of(&mut c, &b, &l);
        let t = permutation_test(&mut c, &b, &l, observed, plan(99, 0.05, 7, 1)).unwrap();
        assert!(t.p_value > 0.05, "{t:?}");
        assert!(
            t.permutations < 99,
            "stopped early once p could not reach 0.05: {t:?}"
        );
    }

    #[test]
    fn the_same_data_and_seed_give_the_same_p_value() {
        let mut c = Compressor::new(CompressorKind::Zstd);
        let base = lines(100, |i| format!("event {} ok", i % 4));
        let window = lines(25, |i| format!("event {} ok", i % 5));
        let b: Vec<&str> = base.iter().map(String::as_str).collect();
        let w: Vec<&str> = window.iter().map(String::as_str).collect();
        let observed = ncd_of(&mut c, &b, &w);
        let first = permutation_test(&mut c, &b, &w, observed, plan(49, 1.0, 3, 9)).unwrap();
        let again = permutation_test(&mut c, &b, &w, observed, plan(49, 1.0, 3, 9)).unwrap();
        assert_eq!(first, again);
        assert_eq!(first.permutations, 49);
    }
}
