//! The fitted estimator inside a model, one variant per algorithm and task, and the dispatch
//! from a [`ModelSpec`] to each algorithm's params builder.

use serde::{Deserialize, Serialize};

use super::{Algorithm, ModelSpec, Predictions, Target, Task};
use crate::decision_tree::{DecisionTreeClassifier, DecisionTreeParams, DecisionTreeRegressor};
use crate::gradient_boosting::{
    GradientBoostingClassifier, GradientBoostingParams, GradientBoostingRegressor,
};
use crate::isolation_forest::{IsolationForest, IsolationForestParams};
use crate::kmeans::{KMeans, KMeansParams};
use crate::linear_regression::{LinearRegression, LinearRegressionParams};
use crate::logistic_regression::{LogisticRegression, LogisticRegressionParams};
use crate::neural_network::{NeuralNetworkClassifier, NeuralNetworkParams, NeuralNetworkRegressor};
use crate::random_forest::{RandomForestClassifier, RandomForestParams, RandomForestRegressor};
use crate::{Classifier, Matrix, MlError, Progress, Regressor};

/// Training rows from which a neural network stops early by default. Below it the held-out
/// tenth is too small to judge progress (a dozen rows on iris) and stopping becomes erratic.
const AUTO_EARLY_STOPPING_ROWS: usize = 10_000;

/// A fitted estimator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Estimator {
    /// A decision tree classifier.
    DecisionTreeClassifier(DecisionTreeClassifier),
    /// A decision tree regressor.
    DecisionTreeRegressor(DecisionTreeRegressor),
    /// A random forest classifier.
    RandomForestClassifier(RandomForestClassifier),
    /// A random forest regressor.
    RandomForestRegressor(RandomForestRegressor),
    /// A gradient-boosting classifier.
    GradientBoostingClassifier(GradientBoostingClassifier),
    /// A gradient-boosting regressor.
    GradientBoostingRegressor(GradientBoostingRegressor),
    /// Logistic regression.
    LogisticRegression(LogisticRegression),
    /// Ridge linear regression.
    LinearRegression(LinearRegression),
    /// An MLP classifier.
    NeuralNetworkClassifier(NeuralNetworkClassifier),
    /// An MLP regressor.
    NeuralNetworkRegressor(NeuralNetworkRegressor),
    /// An isolation forest.
    IsolationForest(IsolationForest),
    /// k-means.
    KMeans(KMeans),
}

impl Estimator {
    /// The estimator as a classifier, if it is one.
    pub fn classifier(&self) -> Option<&dyn Classifier> {
        match self {
            Estimator::DecisionTreeClassifier(m) => Some(m),
            Estimator::RandomForestClassifier(m) => Some(m),
            Estimator::GradientBoostingClassifier(m) => Some(m),
            Estimator::LogisticRegression(m) => Some(m),
            Estimator::NeuralNetworkClassifier(m) => Some(m),
            Estimator::DecisionTreeRegressor(_)
            | Estimator::RandomForestRegressor(_)
            | Estimator::GradientBoostingRegressor(_)
            | Estimator::LinearRegression(_)
            | Estimator::NeuralNetworkRegressor(_)
            | Estimator::IsolationForest(_)
            | Estimator::KMeans(_) => None,
        }
    }

    /// The estimator as a regressor, if it is one.
    pub fn regressor(&self) -> Option<&dyn Regressor> {
        match self {
            Estimator::DecisionTreeRegressor(m) => Some(m),
            Estimator::RandomForestRegressor(m) => Some(m),
            Estimator::GradientBoostingRegressor(m) => Some(m),
            Estimator::LinearRegression(m) => Some(m),
            Estimator::NeuralNetworkRegressor(m) => Some(m),
            Estimator::DecisionTreeClassifier(_)
            | Estimator::RandomForestClassifier(_)
            | Estimator::GradientBoostingClassifier(_)
            | Estimator::LogisticRegression(_)
            | Estimator::NeuralNetworkClassifier(_)
            | Estimator::IsolationForest(_)
            | Estimator::KMeans(_) => None,
        }
    }

    /// Checks that a loaded estimator fits the model around it (`n_features` columns, `n_classes`
    /// class names) and, for tree models, that every tree is well formed, so that predicting
    /// with a hand-edited file is an error at load time rather than a panic later.
    pub(super) fn check_structure(
        &self,
        n_features: usize,
        n_classes: usize,
    ) -> Result<(), String> {
        let trees = |trees: &[crate::tree::Tree], n_outputs: usize| -> Result<(), String> {
            if trees.is_empty() {
                return Err("the ensemble has no trees".into());
            }
            trees
                .iter()
                .try_for_each(|t| t.check_structure(n_features, n_outputs))
        };
        let classes = |found: usize| {
            if found == n_classes {
                Ok(())
            } else {
                Err(format!(
                    "the estimator has {found} classes, the model {n_classes} class names"
                ))
            }
        };
        match self {
            Estimator::DecisionTreeClassifier(m) => {
                classes(m.n_classes())?;
                m.tree().check_structure(n_features, n_classes)
            }
            Estimator::DecisionTreeRegressor(m) => m.tree().check_structure(n_features, 1),
            Estimator::RandomForestClassifier(m) => {
                classes(m.n_classes())?;
                trees(m.trees(), n_classes)
            }
            Estimator::RandomForestRegressor(m) => trees(m.trees(), 1),
            Estimator::GradientBoostingClassifier(m) => {
                classes(m.n_classes())?;
                let n_scores = m.initial_scores().len();
                if n_scores != if n_classes == 2 { 1 } else { n_classes }
                    || !m.trees().len().is_multiple_of(n_scores.max(1))
                {
                    return Err("the boosting rounds do not match the class count".into());
                }
                trees(m.trees(), 1)
            }
            Estimator::GradientBoostingRegressor(m) => trees(m.trees(), 1),
            Estimator::LogisticRegression(m) => {
                classes(m.n_classes())?;
                same_features(Classifier::n_features(m), n_features)
            }
            Estimator::NeuralNetworkClassifier(m) => {
                classes(m.n_classes())?;
                same_features(Classifier::n_features(m), n_features)
            }
            Estimator::LinearRegression(m) => same_features(Regressor::n_features(m), n_features),
            Estimator::NeuralNetworkRegressor(m) => {
                same_features(Regressor::n_features(m), n_features)
            }
            Estimator::IsolationForest(m) => same_features(m.n_features(), n_features),
            Estimator::KMeans(m) => same_features(m.n_features(), n_features),
        }
    }

    /// Predicts every row of an already scaled matrix.
    pub(super) fn predict(&self, x: &Matrix) -> Predictions {
        match self {
            Estimator::DecisionTreeClassifier(m) => class_predictions(m, x),
            Estimator::RandomForestClassifier(m) => class_predictions(m, x),
            Estimator::GradientBoostingClassifier(m) => class_predictions(m, x),
            Estimator::LogisticRegression(m) => class_predictions(m, x),
            Estimator::NeuralNetworkClassifier(m) => class_predictions(m, x),
            Estimator::DecisionTreeRegressor(m) => Predictions::Values(Regressor::predict(m, x)),
            Estimator::RandomForestRegressor(m) => Predictions::Values(Regressor::predict(m, x)),
            Estimator::GradientBoostingRegressor(m) => {
                Predictions::Values(Regressor::predict(m, x))
            }
            Estimator::LinearRegression(m) => Predictions::Values(Regressor::predict(m, x)),
            Estimator::NeuralNetworkRegressor(m) => Predictions::Values(Regressor::predict(m, x)),
            Estimator::IsolationForest(m) => {
                let scores = m.scores(x);
                let threshold = m.threshold();
                let flags = scores.iter().map(|s| *s >= threshold).collect();
                Predictions::Anomalies {
                    scores,
                    flags,
                    threshold,
                }
            }
            Estimator::KMeans(m) => Predictions::Clusters(m.predict(x)),
        }
    }

    /// Global feature importance, normalised to sum 1 (unless all zero): impurity decrease for
    /// trees and forests, total split gain for gradient boosting, mean |coefficient| for linear
    /// models (on the scaled features), the algorithm's documented measure otherwise.
    pub fn feature_importance(&self) -> Vec<f64> {
        match self {
            Estimator::DecisionTreeClassifier(m) => m.feature_importance(),
            Estimator::DecisionTreeRegressor(m) => m.feature_importance(),
            Estimator::RandomForestClassifier(m) => m.feature_importance(),
            Estimator::RandomForestRegressor(m) => m.feature_importance(),
            Estimator::GradientBoostingClassifier(m) => m.feature_importance(),
            Estimator::GradientBoostingRegressor(m) => m.feature_importance(),
            Estimator::LogisticRegression(m) => m.feature_importance(),
            Estimator::LinearRegression(m) => m.feature_importance(),
            Estimator::NeuralNetworkClassifier(m) => m.feature_importance(),
            Estimator::NeuralNetworkRegressor(m) => m.feature_importance(),
            Estimator::IsolationForest(m) => m.feature_importance(),
            Estimator::KMeans(m) => m.feature_importance(),
        }
    }
}

/// An error unless the estimator takes as many features as the model names.
fn same_features(found: usize, n_features: usize) -> Result<(), String> {
    if found == n_features {
        Ok(())
    } else {
        Err(format!(
            "the estimator takes {found} features, the model names {n_features}"
        ))
    }
}

/// Most probable class and all probabilities of every row.
fn class_predictions(model: &dyn Classifier, x: &Matrix) -> Predictions {
    let probabilities = model.predict_proba(x);
    let classes = probabilities
        .chunks_exact(model.n_classes())
        .map(crate::argmax)
        .collect();
    Predictions::Classes {
        classes,
        probabilities,
    }
}

/// Class indices and class count of a classification target.
fn classes(target: &Target) -> Result<(&[u32], usize), MlError> {
    match target {
        Target::Classes { y, names } => Ok((y, names.len())),
        Target::Values(_) | Target::Anomalies(_) | Target::None => Err(MlError::InvalidParameter {
            name: "target",
            reason: "classification needs class labels".into(),
        }),
    }
}

/// Real-valued targets of a regression target.
fn values(target: &Target) -> Result<&[f64], MlError> {
    match target {
        Target::Values(v) => Ok(v),
        Target::Classes { .. } | Target::Anomalies(_) | Target::None => {
            Err(MlError::InvalidParameter {
                name: "target",
                reason: "regression needs numeric labels".into(),
            })
        }
    }
}

/// `params` with `set` applied when the hyperparameter was given, unchanged otherwise.
fn with<P, T>(params: P, value: Option<T>, set: impl FnOnce(P, T) -> P) -> P {
    match value {
        Some(v) => set(params, v),
        None => params,
    }
}

/// Fits the estimator `spec` asks for on already scaled features.
pub(super) fn fit(
    spec: &ModelSpec,
    x: &Matrix,
    target: &Target,
    progress: &dyn Progress,
) -> Result<Estimator, MlError> {
    let h = &spec.hyperparameters;
    let seed = h.seed();
    let classification = spec.task == Task::Classification;
    Ok(match spec.algorithm {
        Algorithm::DecisionTree => {
            let mut p = DecisionTreeParams::new().seed(seed);
            p = with(p, h.max_depth, |p, v| p.max_depth(Some(v)));
            p = with(p, h.min_samples_leaf, |p, v| p.min_samples_leaf(v));
            if classification {
                let (y, k) = classes(target)?;
                Estimator::DecisionTreeClassifier(p.fit_classifier(x, y, k, progress)?)
            } else {
                Estimator::DecisionTreeRegressor(p.fit_regressor(x, values(target)?, progress)?)
            }
        }
        Algorithm::RandomForest => {
            let mut p = RandomForestParams::new().seed(seed);
            p = with(p, h.n_trees, |p, v| p.n_trees(v));
            p = with(p, h.max_depth, |p, v| p.max_depth(Some(v)));
            p = with(p, h.min_samples_leaf, |p, v| p.min_samples_leaf(v));
            if classification {
                let (y, k) = classes(target)?;
                Estimator::RandomForestClassifier(p.fit_classifier(x, y, k, progress)?)
            } else {
                Estimator::RandomForestRegressor(p.fit_regressor(x, values(target)?, progress)?)
            }
        }
        Algorithm::GradientBoosting => {
            let mut p = GradientBoostingParams::new().seed(seed);
            p = with(p, h.n_trees, |p, v| p.n_rounds(v));
            p = with(p, h.max_depth, |p, v| p.max_depth(Some(v)));
            p = with(p, h.min_samples_leaf, |p, v| p.min_samples_leaf(v));
            p = with(p, h.max_leaves, |p, v| p.max_leaves(v));
            p = with(p, h.learning_rate, |p, v| p.learning_rate(v));
            p = with(p, h.l2, |p, v| p.l2_regularization(v));
            p = with(p, h.early_stopping, |p, v| p.early_stopping(v));
            if classification {
                let (y, k) = classes(target)?;
                Estimator::GradientBoostingClassifier(p.fit_classifier(x, y, k, progress)?)
            } else {
                Estimator::GradientBoostingRegressor(p.fit_regressor(
                    x,
                    values(target)?,
                    progress,
                )?)
            }
        }
        Algorithm::LogisticRegression => {
            let mut p = LogisticRegressionParams::new();
            if let Some(v) = h.l2 {
                if !(v > 0.0 && v.is_finite()) {
                    return Err(MlError::InvalidParameter {
                        name: "l2",
                        reason: format!("must be a positive number (it is 1/C), got {v}"),
                    });
                }
                p = p.c(1.0 / v);
            }
            p = with(p, h.max_iter, |p, v| p.max_iter(v));
            let (y, k) = classes(target)?;
            Estimator::LogisticRegression(p.fit_classifier(x, y, k, progress)?)
        }
        Algorithm::LinearRegression => {
            let mut p = LinearRegressionParams::new();
            p = with(p, h.l2, |p, v| p.alpha(v));
            Estimator::LinearRegression(p.fit_regressor(x, values(target)?, progress)?)
        }
        Algorithm::NeuralNetwork => {
            let mut p = NeuralNetworkParams::new().seed(seed);
            p = with(p, h.hidden_layers.clone(), |p, v| {
                p.hidden_layers(v.clone())
            });
            p = with(p, h.learning_rate, |p, v| p.learning_rate(v));
            p = with(p, h.l2, |p, v| p.alpha(v));
            p = with(p, h.max_iter, |p, v| p.max_epochs(v));
            p = p.early_stopping(
                h.early_stopping
                    .unwrap_or(x.n_rows() >= AUTO_EARLY_STOPPING_ROWS),
            );
            if classification {
                let (y, k) = classes(target)?;
                Estimator::NeuralNetworkClassifier(p.fit_classifier(x, y, k, progress)?)
            } else {
                Estimator::NeuralNetworkRegressor(p.fit_regressor(x, values(target)?, progress)?)
            }
        }
        Algorithm::IsolationForest => {
            let mut p = IsolationForestParams::new().seed(seed);
            p = with(p, h.n_trees, |p, v| p.n_trees(v));
            p = with(p, h.contamination, |p, v| p.contamination(v));
            Estimator::IsolationForest(p.fit(x, progress)?)
        }
        Algorithm::KMeans => {
            let mut p = KMeansParams::new().seed(seed);
            p = with(p, h.k, |p, v| p.k(v));
            p = with(p, h.max_iter, |p, v| p.max_iter(v));
            Estimator::KMeans(p.fit(x, progress)?)
        }
    })
}
