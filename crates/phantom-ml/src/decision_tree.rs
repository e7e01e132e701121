//! CART decision trees: [`DecisionTreeParams`] fits a [`DecisionTreeClassifier`] (Gini
//! impurity) or a [`DecisionTreeRegressor`] (squared error).
//!
//! Features are binned once (at most `max_bins` bins each, see [`crate::binning`]); splits are
//! searched on the bins and stored as raw thresholds, so prediction works on raw values.

use serde::{Deserialize, Serialize};

use crate::binning::BinMapper;
use crate::input::{check_classification, check_regression};
use crate::tree::builder::{GrowParams, Target, grow_tree};
use crate::tree::row_bins::RowBins;
use crate::tree::{Contributions, Growth, MaxFeatures, Tree, mean_importance};
use crate::{Classifier, Matrix, MlError, Progress, Regressor, rng};

/// Hyperparameters of a decision tree.
///
/// Defaults (as scikit-learn's): unlimited depth, `min_samples_split` 2, `min_samples_leaf` 1,
/// every feature at every split, 256 bins per feature, seed 0. Sample counts are weighted rows.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionTreeParams {
    growth: Growth,
    max_features: MaxFeatures,
    seed: u64,
}

impl Default for DecisionTreeParams {
    fn default() -> Self {
        Self::new()
    }
}

impl DecisionTreeParams {
    /// The default hyperparameters.
    pub fn new() -> Self {
        Self {
            growth: Growth::default(),
            max_features: MaxFeatures::All,
            seed: 0,
        }
    }

    /// Maximum depth (`None` = grow until leaves are pure or too small; `Some(d)`, d >= 1).
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

    /// Features considered per split (default all).
    pub fn max_features(mut self, max_features: MaxFeatures) -> Self {
        self.max_features = max_features;
        self
    }

    /// Bins per feature (2..=256).
    pub fn max_bins(mut self, max_bins: usize) -> Self {
        self.growth.max_bins = max_bins;
        self
    }

    /// Seed of the feature sampling (used only when `max_features` is below the feature count).
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
    ) -> Result<DecisionTreeClassifier, MlError> {
        self.growth.validate()?;
        check_classification(x, y, n_classes)?;
        let tree = self.fit_tree(x, Target::Classes { y, n_classes }, progress)?;
        Ok(DecisionTreeClassifier { tree, n_classes })
    }

    /// Fits a regressor to rows `x` with targets `y`.
    pub fn fit_regressor(
        &self,
        x: &Matrix,
        y: &[f64],
        progress: &dyn Progress,
    ) -> Result<DecisionTreeRegressor, MlError> {
        self.growth.validate()?;
        check_regression(x, y)?;
        let tree = self.fit_tree(x, Target::Values(y), progress)?;
        Ok(DecisionTreeRegressor { tree })
    }

    fn fit_tree(
        &self,
        x: &Matrix,
        target: Target<'_>,
        progress: &dyn Progress,
    ) -> Result<Tree, MlError> {
        let max_features = self.max_features.resolve(x.n_cols())?;
        progress.start(1);
        let mapper = BinMapper::fit(x, self.growth.max_bins)?;
        let data = RowBins::from_binned(&mapper.transform(x)?);
        let params = GrowParams {
            max_depth: self.growth.max_depth,
            min_samples_split: self.growth.min_samples_split,
            min_samples_leaf: self.growth.min_samples_leaf,
            max_features,
        };
        let weights = vec![1; x.n_rows()];
        let mut rng = rng::seeded(self.seed);
        let tree = grow_tree(&data, &mapper, target, &weights, &params, &mut rng);
        progress.advance(1);
        Ok(tree)
    }
}

/// A fitted classification tree; leaves hold class probabilities.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionTreeClassifier {
    tree: Tree,
    n_classes: usize,
}

impl DecisionTreeClassifier {
    /// The fitted tree.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// Impurity-based importance of each feature (sums to 1 unless the tree is a single leaf).
    pub fn feature_importance(&self) -> Vec<f64> {
        mean_importance(std::slice::from_ref(&self.tree), self.tree.n_features())
    }

    /// TreeSHAP attributions of each class probability of `row` (see [`Contributions`]).
    pub fn explain_row(&self, row: &[f32]) -> Contributions {
        Contributions::mean_over_trees(
            std::slice::from_ref(&self.tree),
            self.tree.n_features(),
            self.n_classes,
            row,
        )
    }
}

impl Classifier for DecisionTreeClassifier {
    fn n_features(&self) -> usize {
        self.tree.n_features()
    }

    fn n_classes(&self) -> usize {
        self.n_classes
    }

    fn predict_proba_row(&self, row: &[f32], out: &mut [f64]) {
        for (o, p) in out.iter_mut().zip(self.tree.predict_row(row)) {
            *o = *p;
        }
    }
}

/// A fitted regression tree; leaves hold the mean target of their rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionTreeRegressor {
    tree: Tree,
}

impl DecisionTreeRegressor {
    /// The fitted tree.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// Impurity-based importance of each feature (sums to 1 unless the tree is a single leaf).
    pub fn feature_importance(&self) -> Vec<f64> {
        mean_importance(std::slice::from_ref(&self.tree), self.tree.n_features())
    }

    /// TreeSHAP attributions of the prediction for `row` (see [`Contributions`]).
    pub fn explain_row(&self, row: &[f32]) -> Contributions {
        Contributions::mean_over_trees(
            std::slice::from_ref(&self.tree),
            self.tree.n_features(),
            1,
            row,
        )
    }
}

impl Regressor for DecisionTreeRegressor {
    fn n_features(&self) -> usize {
        self.tree.n_features()
    }

    fn predict_row(&self, row: &[f32]) -> f64 {
        self.tree.predict_row(row).first().copied().unwrap_or(0.0)
    }
}
