//! The losses boosted: binary log-loss, softmax cross-entropy and squared error.
//!
//! Scores are stored class-major: the raw score of class `k` for row `i` is `scores[k * n + i]`,
//! so the trees of class `k` read and update one contiguous slice.

use rayon::prelude::*;

/// Rows per rayon task when computing gradients.
const GRADIENT_CHUNK_ROWS: usize = 8192;

/// Smallest class prior used for the initial score, so an absent class does not give `-inf`.
const MIN_PRIOR: f64 = 1e-15;

/// The gradient and hessian of the loss of one row with respect to its raw score.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct GradHess {
    /// First derivative.
    pub g: f64,
    /// Second derivative.
    pub h: f64,
}

/// A loss together with the training targets it is measured against.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Objective<'a> {
    /// Log-loss of two classes; one score per row, the log-odds of class 1.
    Binary(&'a [u32]),
    /// Softmax cross-entropy of `n_classes` classes; one score per class and row.
    Softmax(&'a [u32], usize),
    /// Squared error of real targets; one score per row.
    SquaredError(&'a [f64]),
}

impl Objective<'_> {
    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        match self {
            Objective::Binary(y) | Objective::Softmax(y, _) => y.len(),
            Objective::SquaredError(y) => y.len(),
        }
    }

    /// Trees grown per round (one per score column).
    pub fn n_scores(&self) -> usize {
        match self {
            Objective::Softmax(_, k) => *k,
            Objective::Binary(_) | Objective::SquaredError(_) => 1,
        }
    }

    /// The constant scores that minimise the loss: log-odds of the prior, log priors, or mean.
    pub fn initial_scores(&self) -> Vec<f64> {
        match self {
            Objective::Binary(y) => {
                let p = class_priors(y, 2)[1].clamp(MIN_PRIOR, 1.0 - MIN_PRIOR);
                vec![(p / (1.0 - p)).ln()]
            }
            Objective::Softmax(y, k) => class_priors(y, *k)
                .into_iter()
                .map(|p| p.max(MIN_PRIOR).ln())
                .collect(),
            Objective::SquaredError(y) => vec![y.iter().sum::<f64>() / y.len().max(1) as f64],
        }
    }

    /// Writes every row's gradient and hessian for every score column (class-major, like
    /// `scores`).
    pub fn gradients(&self, scores: &[f64], out: &mut [GradHess]) {
        let n = self.n_rows();
        match *self {
            Objective::Binary(y) => out
                .par_chunks_mut(GRADIENT_CHUNK_ROWS)
                .zip(scores.par_chunks(GRADIENT_CHUNK_ROWS))
                .zip(y.par_chunks(GRADIENT_CHUNK_ROWS))
                .for_each(|((out, scores), y)| {
                    for ((o, &s), &c) in out.iter_mut().zip(scores).zip(y) {
                        let p = sigmoid(s);
                        *o = GradHess {
                            g: p - f64::from(c),
                            h: p * (1.0 - p),
                        };
                    }
                }),
            Objective::SquaredError(y) => out
                .par_chunks_mut(GRADIENT_CHUNK_ROWS)
                .zip(scores.par_chunks(GRADIENT_CHUNK_ROWS))
                .zip(y.par_chunks(GRADIENT_CHUNK_ROWS))
                .for_each(|((out, scores), y)| {
                    for ((o, &s), &t) in out.iter_mut().zip(scores).zip(y) {
                        *o = GradHess { g: s - t, h: 1.0 };
                    }
                }),
            Objective::Softmax(y, k) => {
                // LightGBM's scaling of the diagonal hessian, k / (k - 1), keeps leaf values
                // comparable to the binary case.
                let factor = k as f64 / (k as f64 - 1.0);
                let starts: Vec<usize> = (0..n).step_by(GRADIENT_CHUNK_ROWS).collect();
                let chunks: Vec<Vec<GradHess>> = starts
                    .par_iter()
                    .map(|&start| {
                        let end = (start + GRADIENT_CHUNK_ROWS).min(n);
                        let mut local = vec![GradHess::default(); (end - start) * k];
                        let mut probs = vec![0.0; k];
                        for i in start..end {
                            for (c, p) in probs.iter_mut().enumerate() {
                                *p = scores[c * n + i];
                            }
                            softmax_in_place(&mut probs);
                            for (c, &p) in probs.iter().enumerate() {
                                let is_class = f64::from(u8::from(y[i] as usize == c));
                                local[c * (end - start) + (i - start)] = GradHess {
                                    g: p - is_class,
                                    h: factor * p * (1.0 - p),
                                };
                            }
                        }
                        local
                    })
                    .collect();
                for (&start, local) in starts.iter().zip(&chunks) {
                    let len = local.len() / k;
                    for c in 0..k {
                        out[c * n + start..c * n + start + len]
                            .copy_from_slice(&local[c * len..(c + 1) * len]);
                    }
                }
            }
        }
    }

    /// Mean loss of `scores` (class-major), summed sequentially so it is deterministic.
    pub fn mean_loss(&self, scores: &[f64]) -> f64 {
        let n = self.n_rows();
        let total: f64 = match *self {
            Objective::Binary(y) => scores
                .iter()
                .zip(y)
                .map(|(&s, &c)| {
                    // log(1 + e^s) - y s, written to stay finite for large |s|.
                    let softplus = s.max(0.0) + (-s.abs()).exp().ln_1p();
                    softplus - f64::from(c) * s
                })
                .sum(),
            Objective::SquaredError(y) => scores
                .iter()
                .zip(y)
                .map(|(&s, &t)| 0.5 * (s - t) * (s - t))
                .sum(),
            Objective::Softmax(y, k) => (0..n)
                .map(|i| {
                    let max = (0..k).map(|c| scores[c * n + i]).fold(f64::MIN, f64::max);
                    let log_sum = (0..k)
                        .map(|c| (scores[c * n + i] - max).exp())
                        .sum::<f64>()
                        .ln();
                    max + log_sum - scores[y[i] as usize * n + i]
                })
                .sum(),
        };
        total / n.max(1) as f64
    }
}

/// The fraction of rows in each of `n_classes` classes.
fn class_priors(y: &[u32], n_classes: usize) -> Vec<f64> {
    let mut counts = vec![0usize; n_classes];
    for &c in y {
        if let Some(count) = counts.get_mut(c as usize) {
            *count += 1;
        }
    }
    counts
        .into_iter()
        .map(|c| c as f64 / y.len().max(1) as f64)
        .collect()
}

/// The logistic function.
#[inline]
pub(crate) fn sigmoid(s: f64) -> f64 {
    1.0 / (1.0 + (-s).exp())
}

/// Replaces raw scores by their softmax probabilities.
#[inline]
pub(crate) fn softmax_in_place(values: &mut [f64]) {
    let max = values.iter().copied().fold(f64::MIN, f64::max);
    let mut sum = 0.0;
    for v in values.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in values.iter_mut() {
        *v /= sum;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn initial_scores_are_log_odds_log_priors_and_mean() {
        let y = [0, 1, 1, 1];
        let b = Objective::Binary(&y).initial_scores();
        assert!((b[0] - 3f64.ln()).abs() < 1e-12);
        let s = Objective::Softmax(&y, 3).initial_scores();
        assert!((s[1] - 0.75f64.ln()).abs() < 1e-12);
        assert!(s[2].is_finite(), "an absent class gets a finite score");
        let t = [1.0, 2.0, 6.0];
        assert_eq!(Objective::SquaredError(&t).initial_scores(), vec![3.0]);
    }

    proptest! {
        #[test]
        fn binary_gradient_matches_finite_difference(s in -8.0f64..8.0, c in 0u32..2) {
            let y = [c];
            let obj = Objective::Binary(&y);
            let mut out = [GradHess::default()];
            obj.gradients(&[s], &mut out);
            let eps = 1e-5;
            let numeric = (obj.mean_loss(&[s + eps]) - obj.mean_loss(&[s - eps])) / (2.0 * eps);
            prop_assert!((out[0].g - numeric).abs() < 1e-6);
            prop_assert!(out[0].h >= 0.0);
        }

        #[test]
        fn softmax_gradient_matches_finite_difference(
            s in prop::collection::vec(-5.0f64..5.0, 3),
            c in 0u32..3,
        ) {
            let y = [c];
            let obj = Objective::Softmax(&y, 3);
            let mut out = [GradHess::default(); 3];
            obj.gradients(&s, &mut out);
            for k in 0..3 {
                let eps = 1e-5;
                let mut up = s.clone();
                up[k] += eps;
                let mut down = s.clone();
                down[k] -= eps;
                let numeric = (obj.mean_loss(&up) - obj.mean_loss(&down)) / (2.0 * eps);
                prop_assert!((out[k].g - numeric).abs() < 1e-6);
            }
        }
    }
}
