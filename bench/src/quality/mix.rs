//! Weights that drift, for a template mix that is never quite stationary: each base weight is
//! scaled by a slow sine (its own period and phase) and a mean-reverting random walk.

use std::f64::consts::TAU;

use rand::RngExt;
use rand_chacha::ChaCha20Rng;

use super::random::{gaussian, weighted};

/// How fast the random walk forgets (per draw) and how far it moves.
const WALK_KEEP: f64 = 0.998;
const WALK_STEP: f64 = 0.015;
/// Amplitude of the sine, in log-weight.
const WAVE: f64 = 0.35;

/// A drifting mix of weights.
pub(crate) struct Mix {
    base: Vec<f64>,
    period: Vec<f64>,
    phase: Vec<f64>,
    walk: Vec<f64>,
    current: Vec<f64>,
}

impl Mix {
    /// A mix around `base`, with periods of 2,000 to 8,000 draws.
    pub(crate) fn new(rng: &mut ChaCha20Rng, base: &[f64]) -> Self {
        Self {
            base: base.to_vec(),
            period: base
                .iter()
                .map(|_| rng.random_range(2_000.0..8_000.0))
                .collect(),
            phase: base.iter().map(|_| rng.random_range(0.0..TAU)).collect(),
            walk: vec![0.0; base.len()],
            current: vec![0.0; base.len()],
        }
    }

    /// Moves the walk one step and draws an index at time `t`; index `skip` is never drawn
    /// (the mix must hold another non-zero weight).
    pub(crate) fn draw(&mut self, rng: &mut ChaCha20Rng, t: u64, skip: Option<usize>) -> usize {
        for i in 0..self.base.len() {
            self.walk[i] = WALK_KEEP * self.walk[i] + WALK_STEP * gaussian(rng);
            let wave = WAVE * (TAU * t as f64 / self.period[i] + self.phase[i]).sin();
            self.current[i] = if skip == Some(i) {
                0.0
            } else {
                self.base[i] * (wave + self.walk[i]).exp()
            };
        }
        weighted(rng, &self.current)
    }
}

#[cfg(test)]
mod tests {
    use super::super::random::rng;
    use super::*;

    #[test]
    fn the_mix_drifts_and_skips() {
        let mut r = rng(3, 0);
        let mut mix = Mix::new(&mut r, &[1.0, 1.0]);
        let share = |mix: &mut Mix, r: &mut ChaCha20Rng, from: u64| {
            (from..from + 1_000)
                .filter(|&t| mix.draw(r, t, None) == 0)
                .count()
        };
        let shares: Vec<usize> = (0..8).map(|k| share(&mut mix, &mut r, k * 1_000)).collect();
        let (lo, hi) = (shares.iter().min(), shares.iter().max());
        assert!(hi.zip(lo).is_some_and(|(h, l)| h - l > 100), "{shares:?}");
        assert!((0..500).all(|t| mix.draw(&mut r, t, Some(1)) == 0));
    }
}
