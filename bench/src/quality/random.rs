//! Seeded randomness for the generators: ChaCha20, one stream per generated case, so each case
//! depends only on the seed and its own number.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// The generator of case `stream` under `seed`.
pub(crate) fn rng(seed: u64, stream: u64) -> ChaCha20Rng {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// One of `items` (not empty), uniformly.
pub(crate) fn pick<'a, T>(rng: &mut ChaCha20Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// An index drawn with probability proportional to `weights` (not all zero).
pub(crate) fn weighted(rng: &mut ChaCha20Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut left = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if left < *w {
            return i;
        }
        left -= w;
    }
    weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
}

/// A standard normal number (Box–Muller).
pub(crate) fn gaussian(rng: &mut ChaCha20Rng) -> f64 {
    let u1 = 1.0 - rng.random::<f64>();
    let u2 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// An exponential number with mean `mean`.
pub(crate) fn exponential(rng: &mut ChaCha20Rng, mean: f64) -> f64 {
    -mean * (1.0 - rng.random::<f64>()).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_repeat_by_seed_and_differ_by_number() {
        let draw = |seed, stream| {
            let mut r = rng(seed, stream);
            (0..8).map(|_| r.random::<u64>()).collect::<Vec<_>>()
        };
        assert_eq!(draw(7, 1), draw(7, 1));
        assert_ne!(draw(7, 1), draw(7, 2));
        assert_ne!(draw(7, 1), draw(8, 1));
    }

    #[test]
    fn weighted_draws_follow_the_weights() {
        let mut r = rng(1, 0);
        let mut counts = [0usize; 3];
        for _ in 0..30_000 {
            counts[weighted(&mut r, &[1.0, 0.0, 3.0])] += 1;
        }
        assert_eq!(counts[1], 0);
        let share = counts[2] as f64 / 30_000.0;
        assert!((share - 0.75).abs() < 0.02, "share {share}");
    }

    #[test]
    fn gaussian_has_unit_spread() {
        let mut r = rng(2, 0);
        let xs: Vec<f64> = (0..20_000).map(|_| gaussian(&mut r)).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
        assert!(
            mean.abs() < 0.03 && (var - 1.0).abs() < 0.05,
            "{mean} {var}"
        );
    }
}
