//! Hyperparameters of the isolation forest.

use serde::{Deserialize, Serialize};

use crate::MlError;

/// Hyperparameters of an [`IsolationForest`](super::IsolationForest), built with chained setters.
///
/// Defaults (those of Liu, Ting & Zhou 2008 and scikit-learn): `n_trees` 100, `max_samples` 256
/// (each tree sees `min(256, n_rows)` rows), `contamination` 0.1, `max_features` 1.0, `seed` 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IsolationForestParams {
    pub(crate) n_trees: usize,
    pub(crate) max_samples: usize,
    pub(crate) contamination: f64,
    pub(crate) max_features: f64,
    pub(crate) seed: u64,
}

impl Default for IsolationForestParams {
    fn default() -> Self {
        Self::new()
    }
}

impl IsolationForestParams {
    /// The default hyperparameters.
    pub fn new() -> Self {
        Self {
            n_trees: 100,
            max_samples: 256,
            contamination: 0.1,
            max_features: 1.0,
            seed: 0,
        }
    }

    /// Number of isolation trees (at least 1).
    pub fn n_trees(mut self, n_trees: usize) -> Self {
        self.n_trees = n_trees;
        self
    }

    /// Rows sub-sampled (without replacement) for each tree, capped at the number of rows
    /// (at least 1).
    pub fn max_samples(mut self, max_samples: usize) -> Self {
        self.max_samples = max_samples;
        self
    }

    /// Expected fraction of anomalies in the training data, in `(0, 0.5]`: the decision
    /// threshold is the `1 - contamination` quantile of the training scores.
    pub fn contamination(mut self, contamination: f64) -> Self {
        self.contamination = contamination;
        self
    }

    /// Fraction of the features each tree may split on, in `(0, 1]` (at least one feature).
    pub fn max_features(mut self, max_features: f64) -> Self {
        self.max_features = max_features;
        self
    }

    /// Seed of the random sub-samples, features and thresholds.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Checks every hyperparameter against its allowed range.
    pub(crate) fn validate(&self) -> Result<(), MlError> {
        if self.n_trees == 0 {
            return Err(invalid("n_trees", "must be at least 1, got 0".into()));
        }
        if self.max_samples == 0 {
            return Err(invalid("max_samples", "must be at least 1, got 0".into()));
        }
        if !(self.contamination > 0.0 && self.contamination <= 0.5) {
            return Err(invalid(
                "contamination",
                format!("must be in (0, 0.5], got {}", self.contamination),
            ));
        }
        if !(self.max_features > 0.0 && self.max_features <= 1.0) {
            return Err(invalid(
                "max_features",
                format!("must be in (0, 1], got {}", self.max_features),
            ));
        }
        Ok(())
    }
}

fn invalid(name: &'static str, reason: String) -> MlError {
    MlError::InvalidParameter { name, reason }
}
