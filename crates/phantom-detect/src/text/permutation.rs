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
use super::events::Event;
use super::measures::{entropy, ncd, ratio};
use super::profile::{BaselineProfile, Profiler, divergence};

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
    baseline: &[Event<'_>],
    window: &[Event<'_>],
    observed: Observed,
    plan: TestPlan,
) -> Result<TestOutcome, CompressError> {
    let TestPlan {
        permutations,
        p_threshold,
        seed,
        stream,
    } = plan;
    let pool: Vec<Event<'_>> = baseline.iter().chain(window).copied().collect();
    let mut order: Vec<usize> = (0..pool.len()).collect();
    let (mut b_side, mut w_side): (Vec<Event<'_>>, Vec<Event<'_>>) = (Vec::new(), Vec::new());
    let mut profiles = SplitProfiles::default();
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
            (compressor, &mut profiles),
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

/// The buffers of the token profiles of splits, reused from one split to the next.
#[derive(Default)]
struct SplitProfiles {
    baseline: BaselineProfile,
    window: Profiler,
}

/// `measure` of one split, given as events and as their joined lines; only what the measure
/// needs is computed (the same as in `measure`, without the rest).
fn statistic(
    measure: Measure,
    (compressor, profiles): (&mut Compressor, &mut SplitProfiles),
    (b_events, w_events): (&[Event<'_>], &[Event<'_>]),
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
            profiles.baseline.count(b_events.iter().map(|e| e.tokens));
            let window = profiles.window.window(w_events.iter().map(|e| e.tokens));
            divergence(&profiles.baseline, &window)
        }
    })
}

/// Events joined one per line, as the detector compresses them.
fn join_into(events: &[Event<'_>], out: &mut Vec<u8>) {
    out.clear();
    for e in events {
        out.extend_from_slice(e.text.as_bytes());
        out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::compress::CompressorKind;
    use crate::text::events::EventLog;
    use crate::text::measures::{BaselineMeasures, Measures, measure};
    use crate::text::profile::Profiler;

    fn plan(permutations: usize, p_threshold: f64, seed: u64, stream: u64) -> TestPlan {
        TestPlan {
            permutations,
            p_threshold,
            seed,
            stream,
        }
    }

    /// A log of `baseline` then `window` events.
    fn log(
        baseline: usize,
        window: usize,
        f: impl Fn(usize) -> String,
    ) -> (EventLog, usize, usize) {
        let mut log = EventLog::default();
        for i in 0..baseline + window {
            log.push(&f(i));
        }
        (log, baseline, window)
    }

    fn measured(c: &mut Compressor, (log, b, w): &(EventLog, usize, usize)) -> Measures {
        let prepared = BaselineMeasures::prepare(c, log.lines(0, *b), log.tokens(0, *b)).unwrap();
        let window = Profiler::default().window(log.tokens(*b, *w));
        measure(c, &prepared, log.lines(*b, *w), &window).unwrap()
    }

    fn observed(c: &mut Compressor, split: &(EventLog, usize, usize), m: Measure) -> Observed {
        Observed {
            measure: m,
            value: m.value(&measured(c, split)),
            direction: 1.0,
        }
    }

    fn test(
        c: &mut Compressor,
        split: &(EventLog, usize, usize),
        m: Measure,
        plan: TestPlan,
    ) -> TestOutcome {
        let observed = observed(c, split, m);
        let (log, b, w) = split;
        permutation_test(c, &log.events(0, *b), &log.events(*b, *w), observed, plan).unwrap()
    }

    fn orders(i: usize) -> String {
        let user = (i * 2_654_435_761) >> 7 & 7;
        format!("GET /api/orders/<num> status=200 user=u{user}")
    }

    #[test]
    fn a_different_window_gets_a_small_p_and_a_like_one_does_not() {
        let mut c = Compressor::new(CompressorKind::Zstd);
        let unlike = log(200, 50, |i| {
            if i < 200 {
                orders(i)
            } else {
                format!("kernel: EXT4-fs error on sda{} inode {}", i % 3, i * 7)
            }
        });
        let t = test(&mut c, &unlike, Measure::Ncd, plan(99, 0.05, 7, 1));
        assert_eq!(t.permutations, 99);
        assert!(t.p_value <= 0.011, "{t:?}");

        let like = log(200, 50, |i| orders(if i < 200 { i } else { i + 799 }));
        let t = test(&mut c, &like, Measure::Ncd, plan(99, 0.05, 7, 1));
        assert!(t.p_value > 0.05, "{t:?}");
        assert!(
            t.permutations < 99,
            "stopped early once p could not reach 0.05: {t:?}"
        );
    }

    #[test]
    fn a_burst_of_one_template_moves_the_token_mix() {
        let mut c = Compressor::new(CompressorKind::Zstd);
        let mixed = |i: usize| {
            let path = ["orders", "users", "cart", "search"][i * 7 % 4];
            format!("GET /api/{path} status=200")
        };
        let burst = log(200, 50, |i| if i < 200 { mixed(i) } else { mixed(0) });
        let t = test(
            &mut c,
            &burst,
            Measure::TokenDivergence,
            plan(99, 0.05, 7, 1),
        );
        assert!(t.p_value <= 0.011, "{t:?}");
        let like = log(200, 50, mixed);
        let t = test(
            &mut c,
            &like,
            Measure::TokenDivergence,
            plan(99, 0.05, 7, 1),
        );
        assert!(t.p_value > 0.05, "{t:?}");
    }

    #[test]
    fn the_same_data_and_seed_give_the_same_p_value() {
        let mut c = Compressor::new(CompressorKind::Zstd);
        let split = log(100, 25, |i| {
            if i < 100 {
                format!("event {} ok", i % 4)
            } else {
                format!("event {} ok", i % 5)
            }
        });
        for m in Measure::ALL {
            let first = test(&mut c, &split, m, plan(49, 1.0, 3, 9));
            let again = test(&mut c, &split, m, plan(49, 1.0, 3, 9));
            assert_eq!(first, again, "{m:?}");
            assert_eq!(first.permutations, 49);
        }
    }
}
