//! The regularised log-loss and its gradient, evaluated in parallel over fixed row chunks.

use rayon::prelude::*;

use crate::Matrix;

/// Rows per parallel task. Fixed (not derived from the thread count) so that the partial sums,
/// reduced in chunk order, are bit-identical on any number of threads.
const CHUNK_ROWS: usize = 2048;

/// The objective `(sum_i loss_i + ||W||^2 / (2C)) / n` of a logistic model.
///
/// Parameters are laid out as one block of `n_features + 1` per logit (weights, then the
/// intercept). Two classes use one logit (sigmoid); more use one per class (softmax). Dividing
/// by `n` does not move the minimiser and makes the gradient tolerance independent of the row
/// count, as in scikit-learn.
pub(super) struct LogLoss<'a> {
    x: &'a Matrix,
    y: &'a [u32],
    n_logits: usize,
    inverse_c: f64,
}

impl<'a> LogLoss<'a> {
    /// The objective for `n_classes >= 2` classes and inverse L2 strength `c`.
    pub(super) fn new(x: &'a Matrix, y: &'a [u32], n_classes: usize, c: f64) -> Self {
        Self {
            x,
            y,
            n_logits: logit_count(n_classes),
            inverse_c: 1.0 / c,
        }
    }

    /// Length of the parameter vector.
    pub(super) fn n_params(&self) -> usize {
        self.n_logits * (self.x.n_cols() + 1)
    }

    /// Returns the objective at `params` and writes its gradient into `gradient`.
    pub(super) fn value_and_gradient(&self, params: &[f64], gradient: &mut [f64]) -> f64 {
        let d = self.x.n_cols();
        let partials: Vec<(f64, Vec<f64>)> = self
            .x
            .as_slice()
            .par_chunks(CHUNK_ROWS * d)
            .zip(self.y.par_chunks(CHUNK_ROWS))
            .map(|(rows, labels)| self.chunk_loss(params, rows, labels))
            .collect();
        gradient.iter_mut().for_each(|g| *g = 0.0);
        let mut loss = 0.0;
        for (chunk_loss, chunk_gradient) in &partials {
            loss += chunk_loss;
            gradient
                .iter_mut()
                .zip(chunk_gradient)
                .for_each(|(g, c)| *g += c);
        }
        let mut penalty = 0.0;
        for (block_params, block_gradient) in params
            .chunks_exact(d + 1)
            .zip(gradient.chunks_exact_mut(d + 1))
        {
            for (w, g) in block_params[..d].iter().zip(&mut block_gradient[..d]) {
                penalty += w * w;
                *g += self.inverse_c * w;
            }
        }
        let n = self.x.n_rows() as f64;
        gradient.iter_mut().for_each(|g| *g /= n);
        (loss + 0.5 * self.inverse_c * penalty) / n
    }

    /// Summed log-loss and its gradient over one chunk of rows (no penalty, not divided by n).
    fn chunk_loss(&self, params: &[f64], rows: &[f32], labels: &[u32]) -> (f64, Vec<f64>) {
        let d = self.x.n_cols();
        let mut gradient = vec![0.0; params.len()];
        let mut logits = vec![0.0; self.n_logits];
        let mut loss = 0.0;
        for (row, &label) in rows.chunks_exact(d).zip(labels) {
            for (z, block) in logits.iter_mut().zip(params.chunks_exact(d + 1)) {
                *z = linear_score(block, row);
            }
            if let [z] = logits.as_mut_slice() {
                // Binary: loss = softplus(z) - y z, dloss/dz = sigmoid(z) - y.
                let target = f64::from(label);
                let (softplus, sigmoid) = softplus_and_sigmoid(*z);
                loss += softplus - target * *z;
                *z = sigmoid - target;
            } else {
                // Multinomial: loss = logsumexp(z) - z_y, dloss/dz = softmax(z) - onehot(y).
                let true_logit = logits.get(label as usize).copied().unwrap_or(0.0);
                loss += softmax_in_place(&mut logits) - true_logit;
                if let Some(p) = logits.get_mut(label as usize) {
                    *p -= 1.0;
                }
            }
            for (block, &residual) in gradient.chunks_exact_mut(d + 1).zip(&logits) {
                for (g, &v) in block.iter_mut().zip(row) {
                    *g += residual * f64::from(v);
                }
                if let Some(bias) = block.last_mut() {
                    *bias += residual;
                }
            }
        }
        (loss, gradient)
    }
}

/// One logit for two classes, one per class otherwise.
pub(super) fn logit_count(n_classes: usize) -> usize {
    if n_classes == 2 { 1 } else { n_classes }
}

/// `w . x + b` for a block of `x.len()` weights followed by the intercept `b`.
pub(super) fn linear_score(block: &[f64], x: &[f32]) -> f64 {
    let (weights, intercept) = block.split_at(x.len().min(block.len()));
    dot(weights, x) + intercept.first().copied().unwrap_or(0.0)
}

/// Lanes of independent partial sums in [`dot`].
const DOT_LANES: usize = 8;

/// `w . x` in `f64` with [`DOT_LANES`] independent accumulators: a single running sum is a chain
/// of dependent additions that the compiler may not reorder, which made this the fit's
/// bottleneck; the lanes let it vectorise. The summation order is fixed, so results are
/// deterministic.
fn dot(w: &[f64], x: &[f32]) -> f64 {
    let mut lanes = [0.0; DOT_LANES];
    let w_chunks = w.chunks_exact(DOT_LANES);
    let x_chunks = x.chunks_exact(DOT_LANES);
    let tail: f64 = w_chunks
        .remainder()
        .iter()
        .zip(x_chunks.remainder())
        .map(|(a, &b)| a * f64::from(b))
        .sum();
    for (wc, xc) in w_chunks.zip(x_chunks) {
        for ((lane, a), &b) in lanes.iter_mut().zip(wc).zip(xc) {
            *lane += a * f64::from(b);
        }
    }
    lanes.iter().sum::<f64>() + tail
}

/// `log(1 + e^z)` and `1 / (1 + e^-z)` without overflow, sharing one exponential (the loss
/// spends much of its time in `exp` and `ln_1p`).
fn softplus_and_sigmoid(z: f64) -> (f64, f64) {
    let e = (-z.abs()).exp();
    let softplus = z.max(0.0) + e.ln_1p();
    let sigmoid = if z >= 0.0 {
        1.0 / (1.0 + e)
    } else {
        e / (1.0 + e)
    };
    (softplus, sigmoid)
}

/// The logistic function without overflow.
pub(super) fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Replaces `values` by their softmax and returns their log-sum-exp (shifted by the maximum so
/// that nothing overflows).
pub(super) fn softmax_in_place(values: &mut [f64]) -> f64 {
    let max = values.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
    let mut sum = 0.0;
    for v in values.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    values.iter_mut().for_each(|v| *v /= sum);
    max + sum.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Central differences of the objective agree with its analytic gradient.
    fn check_gradient(n_classes: usize) {
        let x = Matrix::new(
            5,
            2,
            vec![0.5, -1.0, 1.5, 2.0, -0.3, 0.7, 2.2, -1.1, 0.0, 0.4],
        )
        .unwrap();
        let y: Vec<u32> = (0..5).map(|i| (i % n_classes) as u32).collect();
        let loss = LogLoss::new(&x, &y, n_classes, 0.7);
        let params: Vec<f64> = (0..loss.n_params()).map(|i| 0.1 * i as f64 - 0.3).collect();
        let mut gradient = vec![0.0; params.len()];
        loss.value_and_gradient(&params, &mut gradient);
        let mut scratch = vec![0.0; params.len()];
        for i in 0..params.len() {
            let h = 1e-6;
            let mut plus = params.clone();
            plus[i] += h;
            let mut minus = params.clone();
            minus[i] -= h;
            let numeric = (loss.value_and_gradient(&plus, &mut scratch)
                - loss.value_and_gradient(&minus, &mut scratch))
                / (2.0 * h);
            assert!(
                (numeric - gradient[i]).abs() < 1e-7,
                "param {i}: {numeric} vs {}",
                gradient[i]
            );
        }
    }

    #[test]
    fn binary_gradient_matches_finite_differences() {
        check_gradient(2);
    }

    #[test]
    fn multinomial_gradient_matches_finite_differences() {
        check_gradient(3);
    }

    #[test]
    fn zero_parameters_give_log_k_loss() {
        let x = Matrix::new(2, 1, vec![1.0, 2.0]).unwrap();
        let loss = LogLoss::new(&x, &[0, 2], 3, 1.0);
        let mut g = vec![0.0; loss.n_params()];
        let v = loss.value_and_gradient(&vec![0.0; loss.n_params()], &mut g);
        assert!((v - 3f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn extreme_logits_stay_finite() {
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert_eq!(sigmoid(1000.0), 1.0);
        let (softplus, sigmoid_of_large) = softplus_and_sigmoid(1000.0);
        assert!((softplus - 1000.0).abs() < 1e-9 && sigmoid_of_large == 1.0);
        assert_eq!(softplus_and_sigmoid(-1000.0), (0.0, 0.0));
        let mut v = [1000.0, 0.0];
        assert!(softmax_in_place(&mut v).is_finite() && v[0] == 1.0);
    }
}
