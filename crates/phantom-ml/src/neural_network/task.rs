//! What the network is trained to do: the output layer's loss and the validation score.

use crate::argmax;

/// Smallest probability fed to the logarithm (the `f32` epsilon, as scikit-learn clips).
const MIN_PROBABILITY: f64 = f32::EPSILON as f64;

/// The loss on the network's raw outputs and how validation is scored.
pub(super) trait Task: Sync {
    /// Number of network outputs.
    fn n_outputs(&self) -> usize;

    /// For a batch of raw outputs (`rows.len() x n_outputs`) of the given training rows, writes
    /// `dLoss/dOutput` divided by the batch size into `delta` and returns the summed loss.
    fn loss_and_delta(&self, outputs: &[f32], rows: &[usize], delta: &mut [f32]) -> f64;

    /// Validation score of raw outputs for the given rows; higher is better.
    fn score(&self, outputs: &[f32], rows: &[usize]) -> f64;

    /// Class index of each row, for stratified splits (`None` for regression).
    fn strata(&self) -> Option<(&[u32], usize)>;
}

/// Softmax outputs with the cross-entropy loss; scored by accuracy.
pub(super) struct Classification<'a> {
    pub(super) labels: &'a [u32],
    pub(super) n_classes: usize,
}

/// Writes the softmax of `logits` into `out` (`f32` logits, `f64` probabilities).
pub(super) fn softmax(logits: &[f32], out: &mut [f64]) {
    let max = logits.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    let mut sum = 0.0;
    for (o, &z) in out.iter_mut().zip(logits) {
        *o = f64::from(z - max).exp();
        sum += *o;
    }
    out.iter_mut().for_each(|o| *o /= sum);
}

impl Task for Classification<'_> {
    fn n_outputs(&self) -> usize {
        self.n_classes
    }

    fn loss_and_delta(&self, outputs: &[f32], rows: &[usize], delta: &mut [f32]) -> f64 {
        let k = self.n_classes;
        let scale = 1.0 / rows.len() as f64;
        let mut probabilities = vec![0.0; k];
        let mut loss = 0.0;
        for ((logits, d), &row) in outputs
            .chunks_exact(k)
            .zip(delta.chunks_exact_mut(k))
            .zip(rows)
        {
            softmax(logits, &mut probabilities);
            let label = self.labels.get(row).map_or(0, |&c| c as usize);
            for (class, (di, &p)) in d.iter_mut().zip(&probabilities).enumerate() {
                let target = if class == label { 1.0 } else { 0.0 };
                *di = ((p - target) * scale) as f32;
            }
            loss -= probabilities
                .get(label)
                .map_or(MIN_PROBABILITY, |&p| p.clamp(MIN_PROBABILITY, 1.0))
                .ln();
        }
        loss
    }

    fn score(&self, outputs: &[f32], rows: &[usize]) -> f64 {
        let k = self.n_classes;
        let mut logits = vec![0.0; k];
        let correct = outputs
            .chunks_exact(k)
            .zip(rows)
            .filter(|(out, row)| {
                logits
                    .iter_mut()
                    .zip(out.iter())
                    .for_each(|(l, &o)| *l = f64::from(o));
                self.labels
                    .get(**row)
                    .is_some_and(|&c| argmax(&logits) == c)
            })
            .count();
        correct as f64 / rows.len().max(1) as f64
    }

    fn strata(&self) -> Option<(&[u32], usize)> {
        Some((self.labels, self.n_classes))
    }
}

/// One identity output with half the squared error as loss; scored by R^2.
pub(super) struct Regression<'a> {
    pub(super) targets: &'a [f64],
}

impl Task for Regression<'_> {
    fn n_outputs(&self) -> usize {
        1
    }

    fn loss_and_delta(&self, outputs: &[f32], rows: &[usize], delta: &mut [f32]) -> f64 {
        let scale = 1.0 / rows.len() as f64;
        let mut loss = 0.0;
        for ((&out, d), &row) in outputs.iter().zip(delta.iter_mut()).zip(rows) {
            let error = f64::from(out) - self.targets.get(row).copied().unwrap_or(0.0);
            *d = (error * scale) as f32;
            loss += 0.5 * error * error;
        }
        loss
    }

    fn score(&self, outputs: &[f32], rows: &[usize]) -> f64 {
        let targets: Vec<f64> = rows
            .iter()
            .map(|&r| self.targets.get(r).copied().unwrap_or(0.0))
            .collect();
        let mean = targets.iter().sum::<f64>() / targets.len().max(1) as f64;
        let total: f64 = targets.iter().map(|t| (t - mean).powi(2)).sum();
        let residual: f64 = targets
            .iter()
            .zip(outputs)
            .map(|(t, &o)| (t - f64::from(o)).powi(2))
            .sum();
        if total > 0.0 {
            1.0 - residual / total
        } else if residual == 0.0 {
            1.0
        } else {
            0.0
        }
    }

    fn strata(&self) -> Option<(&[u32], usize)> {
        None
    }
}
