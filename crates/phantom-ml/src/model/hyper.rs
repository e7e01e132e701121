//! Hyperparameters common to the command line, the API and the model file.

use serde::{Deserialize, Serialize};

use super::Algorithm;
use crate::MlError;
use crate::scaling::ScalerKind;

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 42;

/// Hyperparameters; each `None` takes the algorithm's documented default. Setting one that the
/// algorithm does not use is an error that names it, so a typo'd experiment never silently
/// trains something else.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Hyperparameters {
    /// Seed for every random choice (default 42).
    pub seed: Option<u64>,
    /// Trees (random_forest 100, isolation_forest 100) or boosting rounds (gradient_boosting 100).
    pub n_trees: Option<usize>,
    /// Maximum tree depth (decision_tree, random_forest, gradient_boosting; default unlimited).
    pub max_depth: Option<usize>,
    /// Minimum rows per leaf (decision_tree 1, random_forest 1, gradient_boosting 20).
    pub min_samples_leaf: Option<usize>,
    /// Maximum leaves per tree (gradient_boosting 31).
    pub max_leaves: Option<usize>,
    /// Number of clusters (kmeans 8).
    pub k: Option<usize>,
    /// Learning rate (gradient_boosting 0.1, neural_network 0.001).
    pub learning_rate: Option<f64>,
    /// L2 strength: 1/C for logistic_regression (1.0), alpha for linear_regression (1.0) and
    /// neural_network (0.0001), lambda on leaf values for gradient_boosting (0).
    pub l2: Option<f64>,
    /// Iterations (logistic_regression 100, kmeans 300) or epochs (neural_network 200).
    pub max_iter: Option<usize>,
    /// Hidden layer sizes (neural_network: one layer of 100).
    pub hidden_layers: Option<Vec<usize>>,
    /// Expected share of anomalies, which sets the decision threshold (isolation_forest 0.1).
    pub contamination: Option<f64>,
    /// Early stopping on a held-out part of the training rows (gradient_boosting: off;
    /// neural_network: on from 10,000 training rows, off below).
    pub early_stopping: Option<bool>,
}

impl Hyperparameters {
    /// The seed, or the default.
    pub fn seed(&self) -> u64 {
        self.seed.unwrap_or(DEFAULT_SEED)
    }

    /// Checks that every hyperparameter that is set is one `algorithm` uses.
    pub fn check_applies_to(&self, algorithm: Algorithm) -> Result<(), MlError> {
        use Algorithm::{
            DecisionTree as Dt, GradientBoosting as Gb, IsolationForest as If, KMeans as Km,
            LinearRegression as Lin, LogisticRegression as Log, NeuralNetwork as Nn,
            RandomForest as Rf,
        };
        let uses: [(&'static str, bool, &[Algorithm]); 11] = [
            ("n_trees", self.n_trees.is_some(), &[Rf, Gb, If]),
            ("max_depth", self.max_depth.is_some(), &[Dt, Rf, Gb]),
            (
                "min_samples_leaf",
                self.min_samples_leaf.is_some(),
                &[Dt, Rf, Gb],
            ),
            ("max_leaves", self.max_leaves.is_some(), &[Gb]),
            ("k", self.k.is_some(), &[Km]),
            ("learning_rate", self.learning_rate.is_some(), &[Gb, Nn]),
            ("l2", self.l2.is_some(), &[Log, Lin, Nn, Gb]),
            ("max_iter", self.max_iter.is_some(), &[Log, Km, Nn]),
            ("hidden_layers", self.hidden_layers.is_some(), &[Nn]),
            ("contamination", self.contamination.is_some(), &[If]),
            ("early_stopping", self.early_stopping.is_some(), &[Gb, Nn]),
        ];
        for (name, set, algorithms) in uses {
            if set && !algorithms.contains(&algorithm) {
                let users: Vec<&str> = algorithms.iter().map(|a| a.name()).collect();
                return Err(MlError::InvalidParameter {
                    name,
                    reason: format!(
                        "{algorithm} does not use it; it applies to: {}",
                        users.join(", ")
                    ),
                });
            }
        }
        Ok(())
    }
}

impl Hyperparameters {
    /// Checks that every value set is in its valid range, so a bad value is refused when a
    /// model is configured rather than when it is trained.
    pub fn check_values(&self, algorithm: Algorithm) -> Result<(), MlError> {
        let bad = |name: &'static str, reason: String| MlError::InvalidParameter { name, reason };
        let at_least = |name: &'static str, value: Option<usize>, min: usize| match value {
            Some(v) if v < min => Err(bad(name, format!("must be at least {min}, got {v}"))),
            Some(_) | None => Ok(()),
        };
        at_least("n_trees", self.n_trees, 1)?;
        at_least("max_depth", self.max_depth, 1)?;
        at_least("min_samples_leaf", self.min_samples_leaf, 1)?;
        at_least("max_leaves", self.max_leaves, 2)?;
        at_least("k", self.k, 1)?;
        at_least("max_iter", self.max_iter, 1)?;
        if let Some(v) = self.learning_rate
            && !(v > 0.0 && v.is_finite())
        {
            return Err(bad(
                "learning_rate",
                format!("must be a positive number, got {v}"),
            ));
        }
        if let Some(v) = self.l2 {
            let positive = algorithm == Algorithm::LogisticRegression;
            if !v.is_finite() || v < 0.0 || (positive && v == 0.0) {
                let what = if positive {
                    "a positive number (it is 1/C)"
                } else {
                    "a number >= 0"
                };
                return Err(bad("l2", format!("must be {what}, got {v}")));
            }
        }
        if let Some(layers) = &self.hidden_layers
            && let Some(i) = layers.iter().position(|&w| w == 0)
        {
            return Err(bad(
                "hidden_layers",
                format!("layer {i} has width 0; each layer needs at least 1 unit"),
            ));
        }
        if let Some(v) = self.contamination
            && !(v > 0.0 && v <= 0.5)
        {
            return Err(bad(
                "contamination",
                format!("must be above 0 and at most 0.5, got {v}"),
            ));
        }
        Ok(())
    }
}

/// The scaler an algorithm gets when none is chosen: z-score for the gradient-based and
/// distance-based algorithms, whose fit depends on feature scale; none for trees.
pub fn default_scaler(algorithm: Algorithm) -> Option<ScalerKind> {
    match algorithm {
        Algorithm::LogisticRegression | Algorithm::NeuralNetwork | Algorithm::KMeans => {
            Some(ScalerKind::ZScore)
        }
        Algorithm::DecisionTree
        | Algorithm::RandomForest
        | Algorithm::GradientBoosting
        | Algorithm::LinearRegression
        | Algorithm::IsolationForest => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hyperparameter_the_algorithm_ignores_is_named() {
        let h = Hyperparameters {
            k: Some(3),
            ..Hyperparameters::default()
        };
        assert!(h.check_applies_to(Algorithm::KMeans).is_ok());
        let err = h
            .check_applies_to(Algorithm::RandomForest)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`k`: random_forest does not use it; it applies to: kmeans"),
            "{err}"
        );
    }

    #[test]
    fn unknown_json_fields_are_rejected() {
        assert!(serde_json::from_str::<Hyperparameters>(r#"{"n_trees": 5}"#).is_ok());
        assert!(serde_json::from_str::<Hyperparameters>(r#"{"n_tree": 5}"#).is_err());
    }
}
