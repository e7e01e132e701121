//! What every fitted classifier and regressor can do.

use rayon::prelude::*;

use crate::Matrix;

/// Rows per rayon task in batch prediction: large enough to amortise scheduling.
const PREDICT_CHUNK_ROWS: usize = 256;

/// A fitted classifier over `n_classes` classes numbered `0..n_classes`.
pub trait Classifier: Send + Sync {
    /// Number of features each row must have.
    fn n_features(&self) -> usize;
    /// Number of classes.
    fn n_classes(&self) -> usize;
    /// Writes the class probabilities of one row into `out` (length `n_classes`, sums to 1).
    fn predict_proba_row(&self, row: &[f32], out: &mut [f64]);

    /// Class probabilities for every row, row-major (`n_rows * n_classes`), computed in parallel.
    fn predict_proba(&self, x: &Matrix) -> Vec<f64> {
        let k = self.n_classes();
        let mut out = vec![0.0; x.n_rows() * k];
        out.par_chunks_mut(PREDICT_CHUNK_ROWS * k)
            .enumerate()
            .for_each(|(chunk, dst)| {
                let first = chunk * PREDICT_CHUNK_ROWS;
                for (i, probs) in dst.chunks_exact_mut(k).enumerate() {
                    self.predict_proba_row(x.row(first + i), probs);
                }
            });
        out
    }

    /// The most probable class of every row.
    fn predict(&self, x: &Matrix) -> Vec<u32> {
        self.predict_proba(x)
            .chunks_exact(self.n_classes())
            .map(argmax)
            .collect()
    }
}

/// A fitted model that predicts one real number per row.
pub trait Regressor: Send + Sync {
    /// Number of features each row must have.
    fn n_features(&self) -> usize;
    /// The prediction for one row.
    fn predict_row(&self, row: &[f32]) -> f64;

    /// Predictions for every row, computed in parallel.
    fn predict(&self, x: &Matrix) -> Vec<f64> {
        let mut out = vec![0.0; x.n_rows()];
        out.par_chunks_mut(PREDICT_CHUNK_ROWS)
            .enumerate()
            .for_each(|(chunk, dst)| {
                let first = chunk * PREDICT_CHUNK_ROWS;
                for (i, y) in dst.iter_mut().enumerate() {
                    *y = self.predict_row(x.row(first + i));
                }
            });
        out
    }
}

/// Index of the largest value (the first one on ties); 0 for an empty slice.
pub fn argmax(values: &[f64]) -> u32 {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = i;
        }
    }
    best as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argmax_takes_first_of_ties() {
        assert_eq!(argmax(&[0.2, 0.4, 0.4]), 1);
        assert_eq!(argmax(&[]), 0);
    }
}
