//! The fitted random-forest regressor.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::classifier::PREDICT_BLOCK_ROWS;
use crate::tree::batch::add_forest_row;
use crate::tree::{Contributions, Tree, mean_importance};
use crate::{Matrix, Regressor};

/// A fitted random-forest regressor: the prediction is the mean of the trees' predictions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RandomForestRegressor {
    trees: Vec<Tree>,
    n_features: usize,
}

impl RandomForestRegressor {
    pub(super) fn new(trees: Vec<Tree>, n_features: usize) -> Self {
        Self { trees, n_features }
    }

    /// The fitted trees.
    pub fn trees(&self) -> &[Tree] {
        &self.trees
    }

    /// Impurity-based importance of each feature, averaged over the trees (sums to 1 unless no
    /// tree splits), as scikit-learn's `feature_importances_`.
    pub fn feature_importance(&self) -> Vec<f64> {
        mean_importance(&self.trees, self.n_features)
    }

    /// TreeSHAP attributions of the prediction for `row` (see [`Contributions`]).
    pub fn explain_row(&self, row: &[f32]) -> Contributions {
        Contributions::mean_over_trees(&self.trees, self.n_features, 1, row)
    }
}

impl Regressor for RandomForestRegressor {
    fn n_features(&self) -> usize {
        self.n_features
    }

    fn predict_row(&self, row: &[f32]) -> f64 {
        let mut sum = [0.0];
        add_forest_row(&self.trees, row, &mut sum);
        // Scaled as batch prediction does, so both give the same bits.
        sum[0] * (1.0 / self.trees.len() as f64)
    }

    fn predict(&self, x: &Matrix) -> Vec<f64> {
        let mut out = vec![0.0; x.n_rows()];
        let scale = 1.0 / self.trees.len() as f64;
        out.par_chunks_mut(PREDICT_BLOCK_ROWS)
            .enumerate()
            .for_each(|(block, dst)| {
                for tree in &self.trees {
                    tree.add_leaf_values(x, block * PREDICT_BLOCK_ROWS, dst);
                }
                dst.iter_mut().for_each(|o| *o *= scale);
            });
        out
    }
}
