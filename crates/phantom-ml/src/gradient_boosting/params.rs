//! Hyperparameters of gradient boosting and their validation.

use serde::{Deserialize, Serialize};

use crate::MlError;
use crate::binning::MAX_BINS;

/// Hyperparameters of a histogram-based gradient-boosting machine.
///
/// Defaults follow LightGBM: 100 rounds, learning rate 0.1, at most 31 leaves per tree, no depth
/// limit, at least 20 rows and a hessian sum of 1e-3 per leaf, no L2 penalty, 255 bins per
/// feature, no early stopping (when enabled: 10% of the rows held out, stop after 10 rounds
/// without an improvement larger than 1e-7), seed 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradientBoostingParams {
    pub(crate) n_rounds: usize,
    pub(crate) learning_rate: f64,
    pub(crate) max_leaves: usize,
    pub(crate) max_depth: Option<usize>,
    pub(crate) min_samples_leaf: usize,
    pub(crate) min_hessian_leaf: f64,
    pub(crate) l2_regularization: f64,
    pub(crate) max_bins: usize,
    pub(crate) early_stopping: bool,
    pub(crate) validation_fraction: f64,
    pub(crate) n_iter_no_change: usize,
    pub(crate) tolerance: f64,
    pub(crate) seed: u64,
}

impl Default for GradientBoostingParams {
    fn default() -> Self {
        Self::new()
    }
}

impl GradientBoostingParams {
    /// The defaults described on the type.
    pub fn new() -> Self {
        Self {
            n_rounds: 100,
            learning_rate: 0.1,
            max_leaves: 31,
            max_depth: None,
            min_samples_leaf: 20,
            min_hessian_leaf: 1e-3,
            l2_regularization: 0.0,
            max_bins: 255,
            early_stopping: false,
            validation_fraction: 0.1,
            n_iter_no_change: 10,
            tolerance: 1e-7,
            seed: 0,
        }
    }

    /// Number of boosting rounds (at least 1); a round adds one tree per class (one for binary
    /// classification and regression).
    pub fn n_rounds(mut self, n_rounds: usize) -> Self {
        self.n_rounds = n_rounds;
        self
    }

    /// Shrinkage applied to every leaf value (greater than 0).
    pub fn learning_rate(mut self, learning_rate: f64) -> Self {
        self.learning_rate = learning_rate;
        self
    }

    /// Largest number of leaves per tree (at least 2); trees grow best-first up to it.
    pub fn max_leaves(mut self, max_leaves: usize) -> Self {
        self.max_leaves = max_leaves;
        self
    }

    /// Largest depth of a tree (at least 1), or `None` for no limit besides `max_leaves`.
    pub fn max_depth(mut self, max_depth: Option<usize>) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// Fewest training rows a leaf may hold (at least 1).
    pub fn min_samples_leaf(mut self, min_samples_leaf: usize) -> Self {
        self.min_samples_leaf = min_samples_leaf;
        self
    }

    /// Smallest hessian sum a leaf may hold (0 or more).
    pub fn min_hessian_leaf(mut self, min_hessian_leaf: f64) -> Self {
        self.min_hessian_leaf = min_hessian_leaf;
        self
    }

    /// L2 penalty `lambda` on leaf values (0 or more): a leaf's value is `-G / (H + lambda)`.
    pub fn l2_regularization(mut self, l2_regularization: f64) -> Self {
        self.l2_regularization = l2_regularization;
        self
    }

    /// Most bins per feature (2 to 256).
    pub fn max_bins(mut self, max_bins: usize) -> Self {
        self.max_bins = max_bins;
        self
    }

    /// Whether to hold out `validation_fraction` of the rows and stop when their loss stops
    /// improving; the fitted model keeps the trees up to the best round.
    pub fn early_stopping(mut self, early_stopping: bool) -> Self {
        self.early_stopping = early_stopping;
        self
    }

    /// Fraction of rows held out for early stopping (strictly between 0 and 1).
    pub fn validation_fraction(mut self, validation_fraction: f64) -> Self {
        self.validation_fraction = validation_fraction;
        self
    }

    /// Rounds without improvement after which early stopping ends the fit (at least 1).
    pub fn n_iter_no_change(mut self, n_iter_no_change: usize) -> Self {
        self.n_iter_no_change = n_iter_no_change;
        self
    }

    /// Smallest decrease of the validation loss that counts as an improvement (0 or more).
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Seed of the early-stopping validation split.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Checks every hyperparameter, naming the first one out of range.
    pub(crate) fn validate(&self) -> Result<(), MlError> {
        let invalid =
            |name: &'static str, reason: String| MlError::InvalidParameter { name, reason };
        if self.n_rounds == 0 {
            return Err(invalid("n_rounds", "must be at least 1, got 0".into()));
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(invalid(
                "learning_rate",
                format!("must be a finite number > 0, got {}", self.learning_rate),
            ));
        }
        if self.max_leaves < 2 {
            return Err(invalid(
                "max_leaves",
                format!("must be at least 2, got {}", self.max_leaves),
            ));
        }
        if self.max_depth == Some(0) {
            return Err(invalid(
                "max_depth",
                "must be at least 1 (or None), got 0".into(),
            ));
        }
        if self.min_samples_leaf == 0 {
            return Err(invalid(
                "min_samples_leaf",
                "must be at least 1, got 0".into(),
            ));
        }
        if !(self.min_hessian_leaf.is_finite() && self.min_hessian_leaf >= 0.0) {
            return Err(invalid(
                "min_hessian_leaf",
                format!(
                    "must be a finite number >= 0, got {}",
                    self.min_hessian_leaf
                ),
            ));
        }
        if !(self.l2_regularization.is_finite() && self.l2_regularization >= 0.0) {
            return Err(invalid(
                "l2_regularization",
                format!(
                    "must be a finite number >= 0, got {}",
                    self.l2_regularization
                ),
            ));
        }
        if !(2..=MAX_BINS).contains(&self.max_bins) {
            return Err(invalid(
                "max_bins",
                format!("must be between 2 and {MAX_BINS}, got {}", self.max_bins),
            ));
        }
        if !(self.validation_fraction > 0.0 && self.validation_fraction < 1.0) {
            return Err(invalid(
                "validation_fraction",
                format!(
                    "must be strictly between 0 and 1, got {}",
                    self.validation_fraction
                ),
            ));
        }
        if self.n_iter_no_change == 0 {
            return Err(invalid(
                "n_iter_no_change",
                "must be at least 1, got 0".into(),
            ));
        }
        if !(self.tolerance.is_finite() && self.tolerance >= 0.0) {
            return Err(invalid(
                "tolerance",
                format!("must be a finite number >= 0, got {}", self.tolerance),
            ));
        }
        Ok(())
    }
}
