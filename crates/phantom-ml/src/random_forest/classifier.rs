//! The fitted random-forest classifier.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::tree::batch::add_forest_row;
use crate::tree::{Contributions, Tree, mean_importance};
use crate::{Classifier, Matrix};

/// Rows per block in batch prediction: each block goes through the forest tree by tree, so a
/// tree's nodes stay in cache while the block's rows use them.
pub(super) const PREDICT_BLOCK_ROWS: usize = 512;

/// A fitted random-forest classifier: class probabilities are the mean of the trees' leaf
/// distributions (as scikit-learn's `predict_proba`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RandomForestClassifier {
    trees: Vec<Tree>,
    n_features: usize,
    n_classes: usize,
}

impl RandomForestClassifier {
    pub(super) fn new(trees: Vec<Tree>, n_features: usize, n_classes: usize) -> Self {
        Self {
            trees,
            n_features,
            n_classes,
        }
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

    /// TreeSHAP attributions of each class probability of `row` (see [`Contributions`]).
    pub fn explain_row(&self, row: &[f32]) -> Contributions {
        Contributions::mean_over_trees(&self.trees, self.n_features, self.n_classes, row)
    }
}

impl Classifier for RandomForestClassifier {
    fn n_features(&self) -> usize {
        self.n_features
    }

    fn n_classes(&self) -> usize {
        self.n_classes
    }

    fn predict_proba_row(&self, row: &[f32], out: &mut [f64]) {
        out.fill(0.0);
        add_forest_row(&self.trees, row, out);
        let scale = 1.0 / self.trees.len() as f64;
        out.iter_mut().for_each(|o| *o *= scale);
    }

    fn predict_proba(&self, x: &Matrix) -> Vec<f64> {
        let k = self.n_classes;
        let mut out = vec![0.0; x.n_rows() * k];
        let scale = 1.0 / self.trees.len() as f64;
        out.par_chunks_mut(PREDICT_BLOCK_ROWS * k)
            .enumerate()
            .for_each(|(block, dst)| {
                let first = block * PREDICT_BLOCK_ROWS;
                for tree in &self.trees {
                    tree.add_leaf_values(x, first, dst);
                }
                dst.iter_mut().for_each(|o| *o *= scale);
            });
        out
    }
}
