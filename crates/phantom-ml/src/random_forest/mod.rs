//! Random forests: [`RandomForestParams`] fits a [`RandomForestClassifier`] or a
//! [`RandomForestRegressor`], bagged CART trees with random feature subsets per split.
//!
//! The data is binned once and shared by every tree; each tree draws its bootstrap sample (as
//! per-row counts, without copying rows) and its feature subsets from its own random stream
//! `rng::stream(seed, tree_index)`, so the forest is the same whatever the number of threads.

mod classifier;
mod regressor;

pub use classifier::RandomForestClassifier;
pub use regressor::RandomForestRegressor;

use rand::RngExt;
use rayon::prelude::*;

use crate::binning::BinMapper;
use crate::input::{check_classification, check_regression};
use crate::tree::builder::{GrowParams, Target, grow_tree};
use crate::tree::row_bins::RowBins;
use crate::tree::{Growth, MaxFeatures, Tree};
use crate::{Matrix, MlError, Progress, rng};

/// Hyperparameters of a random forest.
///
/// Defaults (as scikit-learn's): 100 trees, unlimited depth, `min_samples_split` 2,
/// `min_samples_leaf` 1, `max_features` sqrt(n_features) for classification and all features for
/// regression, bootstrap samples, 256 bins per feature, seed 0. Sample counts are weighted rows
/// (a row drawn twice by the bootstrap counts twice).
#[derive(Clone, Debug, PartialEq)]
pub struct RandomForestParams {
    n_trees: usize,
    growth: Growth,
    max_features: Option<MaxFeatures>,
    bootstrap: bool,
    seed: u64,
}

impl Default for RandomForestParams {
    fn default() -> Self {
        Self::new()
    }
}

impl RandomForestParams {
    /// The default hyperparameters.
    pub fn new() -> Self {
        Self {
            n_trees: 100,
            growth: Growth::default(),
            max_features: None,
            bootstrap: true,
            seed: 0,
        }
    }

    /// Number of trees (>= 1).
    pub fn n_trees(mut self, n_trees: usize) -> Self {
        self.n_trees = n_trees;
        self
    }

    /// Maximum depth of each tree (`None` = unlimited; `Some(d)`, d >= 1).
    pub fn max_depth(mut self, max_depth: Option<usize>) -> Self {
        self.growth.max_depth = max_depth;
        self
    }

    /// A node needs at least this many rows to be split (>= 2).
    pub fn min_samples_split(mut self, n: usize) -> Self {
        self.growth.min_samples_split = n;
        self
    }

    /// Each child of a split keeps at least this many rows (>= 1).
    pub fn min_samples_leaf(mut self, n: usize) -> Self {
        self.growth.min_samples_leaf = n;
        self
    }

    /// Features drawn per split (default: sqrt for classification, all for regression).
    pub fn max_features(mut self, max_features: MaxFeatures) -> Self {
        self.max_features = Some(max_features);
        self
    }

    /// Whether each tree learns from a bootstrap sample (`true`) or from every row.
    pub fn bootstrap(mut self, bootstrap: bool) -> Self {
        self.bootstrap = bootstrap;
        self
    }

    /// Bins per feature (2..=256).
    pub fn max_bins(mut self, max_bins: usize) -> Self {
        self.growth.max_bins = max_bins;
        self
    }

    /// Seed of the bootstrap samples and feature draws.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Fits a classifier of `n_classes` classes to rows `x` with class indices `y`.
    pub fn fit_classifier(
        &self,
        x: &Matrix,
        y: &[u32],
        n_classes: usize,
        progress: &dyn Progress,
    ) -> Result<RandomForestClassifier, MlError> {
        self.validate()?;
        check_classification(x, y, n_classes)?;
        let max_features = self.max_features.unwrap_or(MaxFeatures::Sqrt);
        let trees = self.fit_trees(x, Target::Classes { y, n_classes }, max_features, progress)?;
        Ok(RandomForestClassifier::new(trees, x.n_cols(), n_classes))
    }

    /// Fits a regressor to rows `x` with targets `y`.
    pub fn fit_regressor(
        &self,
        x: &Matrix,
        y: &[f64],
        progress: &dyn Progress,
    ) -> Result<RandomForestRegressor, MlError> {
        self.validate()?;
        check_regression(x, y)?;
        let max_features = self.max_features.unwrap_or(MaxFeatures::All);
        let trees = self.fit_trees(x, Target::Values(y), max_features, progress)?;
        Ok(RandomForestRegressor::new(trees, x.n_cols()))
    }

    fn validate(&self) -> Result<(), MlError> {
        if self.n_trees == 0 {
            return Err(MlError::InvalidParameter {
                name: "n_trees",
                reason: "must be at least 1, got 0".to_string(),
            });
        }
        self.growth.validate()
    }

    fn fit_trees(
        &self,
        x: &Matrix,
        target: Target<'_>,
        max_features: MaxFeatures,
        progress: &dyn Progress,
    ) -> Result<Vec<Tree>, MlError> {
        let params = GrowParams {
            max_depth: self.growth.max_depth,
            min_samples_split: self.growth.min_samples_split,
            min_samples_leaf: self.growth.min_samples_leaf,
            max_features: max_features.resolve(x.n_cols())?,
        };
        progress.start(self.n_trees as u64);
        let mapper = BinMapper::fit(x, self.growth.max_bins)?;
        let data = RowBins::from_binned(&mapper.transform(x)?);
        let n_rows = x.n_rows();
        let trees = (0..self.n_trees)
            .into_par_iter()
            .map(|t| {
                let mut rng = rng::stream(self.seed, t as u64);
                let weights = if self.bootstrap {
                    bootstrap_counts(n_rows, &mut rng)
                } else {
                    vec![1; n_rows]
                };
                let tree = grow_tree(&data, &mapper, target, &weights, &params, &mut rng);
                progress.advance(1);
                tree
            })
            .collect();
        Ok(trees)
    }
}

/// How many times each of `n_rows` rows is drawn in `n_rows` draws with replacement.
fn bootstrap_counts(n_rows: usize, rng: &mut rng::ChaCha20Rng) -> Vec<u32> {
    let mut counts = vec![0u32; n_rows];
    for _ in 0..n_rows {
        counts[rng.random_range(0..n_rows)] += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bootstrap_draws_n_rows_and_leaves_some_out() {
        let counts = bootstrap_counts(1000, &mut rng::seeded(1));
        assert_eq!(counts.iter().sum::<u32>(), 1000);
        let left_out = counts.iter().filter(|&&c| c == 0).count();
        // About 1/e of the rows are never drawn.
        assert!((300..440).contains(&left_out), "{left_out}");
    }
}
