//! The fitted neural network classifier.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::history::TrainingHistory;
use super::network::{Network, Workspace};
use super::task::softmax;
use crate::logistic_regression::normalise;
use crate::{Classifier, Matrix};

/// Rows per parallel task (and per GEMM) in batch prediction.
const PREDICT_CHUNK_ROWS: usize = 256;

/// A fitted multi-layer perceptron classifier (see [`super::NeuralNetworkParams`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NeuralNetworkClassifier {
    network: Network,
    history: TrainingHistory,
}

impl NeuralNetworkClassifier {
    pub(super) fn new(network: Network, history: TrainingHistory) -> Self {
        Self { network, history }
    }

    /// How training went: epochs, loss curve, validation scores.
    pub fn history(&self) -> &TrainingHistory {
        &self.history
    }

    /// Summed absolute first-layer weights leaving each feature, normalised to sum 1.
    ///
    /// A rough connection-weight heuristic: it ignores deeper layers and is comparable across
    /// features only when they share a scale.
    pub fn feature_importance(&self) -> Vec<f64> {
        let mut importance = self.network.input_weight_magnitudes();
        normalise(&mut importance);
        importance
    }
}

impl Classifier for NeuralNetworkClassifier {
    fn n_features(&self) -> usize {
        self.network.n_inputs()
    }

    fn n_classes(&self) -> usize {
        self.network.n_outputs()
    }

    fn predict_proba_row(&self, row: &[f32], out: &mut [f64]) {
        let width = self.network.max_width();
        let (mut a, mut b) = (vec![0.0; width], vec![0.0; width]);
        softmax(self.network.forward_row(row, &mut a, &mut b), out);
    }

    /// Batched GEMM forward passes over chunks of rows, in parallel.
    fn predict_proba(&self, x: &Matrix) -> Vec<f64> {
        let k = self.network.n_outputs();
        let d = x.n_cols().max(1);
        let mut out = vec![0.0; x.n_rows() * k];
        if x.n_cols() != self.network.n_inputs() {
            // The GEMM path needs the trained width; the row path tolerates a mismatch.
            for (i, probs) in out.chunks_exact_mut(k).enumerate() {
                self.predict_proba_row(x.row(i), probs);
            }
            return out;
        }
        out.par_chunks_mut(PREDICT_CHUNK_ROWS * k)
            .zip(x.as_slice().par_chunks(PREDICT_CHUNK_ROWS * d))
            .for_each(|(dst, rows)| {
                let n = rows.len() / d;
                let mut ws = Workspace::new(&self.network, n);
                self.network.forward(rows, n, &mut ws);
                for (probs, logits) in dst
                    .chunks_exact_mut(k)
                    .zip(ws.network_output().chunks_exact(k))
                {
                    softmax(logits, probs);
                }
            });
        out
    }
}
