//! The fitted neural network regressor.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::history::TrainingHistory;
use super::network::{Network, Workspace};
use crate::logistic_regression::normalise;
use crate::{Matrix, Regressor};

/// Rows per parallel task (and per GEMM) in batch prediction.
const PREDICT_CHUNK_ROWS: usize = 256;

/// A fitted multi-layer perceptron regressor (see [`super::NeuralNetworkParams`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NeuralNetworkRegressor {
    network: Network,
    history: TrainingHistory,
}

impl NeuralNetworkRegressor {
    pub(super) fn new(network: Network, history: TrainingHistory) -> Self {
        Self { network, history }
    }

    /// How training went: epochs, loss curve, validation scores.
    pub fn history(&self) -> &TrainingHistory {
        &self.history
    }

    /// Summed absolute first-layer weights leaving each feature, normalised to sum 1 (a rough
    /// heuristic; see [`super::NeuralNetworkClassifier::feature_importance`]).
    pub fn feature_importance(&self) -> Vec<f64> {
        let mut importance = self.network.input_weight_magnitudes();
        normalise(&mut importance);
        importance
    }
}

impl Regressor for NeuralNetworkRegressor {
    fn n_features(&self) -> usize {
        self.network.n_inputs()
    }

    fn predict_row(&self, row: &[f32]) -> f64 {
        let width = self.network.max_width();
        let (mut a, mut b) = (vec![0.0; width], vec![0.0; width]);
        let output = self.network.forward_row(row, &mut a, &mut b);
        output.first().copied().map_or(0.0, f64::from)
    }

    /// Batched GEMM forward passes over chunks of rows, in parallel.
    fn predict(&self, x: &Matrix) -> Vec<f64> {
        let d = x.n_cols().max(1);
        let mut out = vec![0.0; x.n_rows()];
        if x.n_cols() != self.network.n_inputs() {
            // The GEMM path needs the trained width; the row path tolerates a mismatch.
            for (i, y) in out.iter_mut().enumerate() {
                *y = self.predict_row(x.row(i));
            }
            return out;
        }
        out.par_chunks_mut(PREDICT_CHUNK_ROWS)
            .zip(x.as_slice().par_chunks(PREDICT_CHUNK_ROWS * d))
            .for_each(|(dst, rows)| {
                let n = rows.len() / d;
                let mut ws = Workspace::new(&self.network, n);
                self.network.forward(rows, n, &mut ws);
                dst.iter_mut()
                    .zip(ws.network_output())
                    .for_each(|(y, &o)| *y = f64::from(o));
            });
        out
    }
}
