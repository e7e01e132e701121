//! A trained model as a whole: what was asked for ([`ModelSpec`]), the feature names, the class
//! names, the fitted scaler and the fitted estimator, saved to and loaded from the model file
//! format (see [`file`](mod@file)).
//!
//! ```
//! use phantom_ml::model::{Algorithm, Model, ModelSpec, Target, Task, ClassNames};
//! use phantom_ml::{Matrix, NoProgress};
//!
//! let x = Matrix::new(4, 1, vec![0.0, 1.0, 10.0, 11.0])?;
//! let target = Target::Classes { y: vec![0, 0, 1, 1], names: ClassNames::new(vec!["benign".into(), "attack".into()]) };
//! let spec = ModelSpec::new(Algorithm::RandomForest, Task::Classification);
//! let model = spec.fit(&x, &target, &["bytes".to_string()], &NoProgress)?;
//! let bytes = model.to_bytes()?;
//! assert_eq!(Model::from_bytes(&bytes)?, model);
//! # Ok::<(), phantom_ml::MlError>(())
//! ```

mod estimator;
mod evaluate;
pub mod file;
mod hyper;
mod spec;
pub mod split;
mod target;

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use estimator::Estimator;
pub use file::FormatError;
pub use hyper::{DEFAULT_SEED, Hyperparameters, default_scaler};
pub use spec::{Algorithm, Task};
pub use target::{ClassNames, Target};

use crate::explain::linear_contributions;
use crate::scaling::{Scaler, ScalerKind};
use crate::{Matrix, MlError, Progress};

/// What to train: algorithm, task, hyperparameters and feature scaling.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// The learning algorithm.
    pub algorithm: Algorithm,
    /// What the model learns.
    pub task: Task,
    /// Hyperparameters; unset ones take the algorithm's defaults.
    pub hyperparameters: Hyperparameters,
    /// Scaling fitted on the training rows and applied before every prediction.
    pub scaler: Option<ScalerKind>,
}

impl ModelSpec {
    /// A spec with default hyperparameters and the algorithm's default scaler.
    pub fn new(algorithm: Algorithm, task: Task) -> Self {
        Self {
            algorithm,
            task,
            hyperparameters: Hyperparameters::default(),
            scaler: default_scaler(algorithm),
        }
    }

    /// Sets the hyperparameters.
    pub fn hyperparameters(mut self, hyperparameters: Hyperparameters) -> Self {
        self.hyperparameters = hyperparameters;
        self
    }

    /// Sets the scaler (`None` for no scaling).
    pub fn scaler(mut self, scaler: Option<ScalerKind>) -> Self {
        self.scaler = scaler;
        self
    }

    /// Checks that the algorithm can learn the task, uses every hyperparameter given, and that
    /// each value is in range.
    pub fn validate(&self) -> Result<(), MlError> {
        self.algorithm.check_task(self.task)?;
        self.hyperparameters.check_applies_to(self.algorithm)?;
        self.hyperparameters.check_values(self.algorithm)
    }

    /// Fits a model on `x` with `target` (class targets for classification, values for
    /// regression; anomaly detection and clustering ignore the target).
    pub fn fit(
        &self,
        x: &Matrix,
        target: &Target,
        feature_names: &[String],
        progress: &dyn Progress,
    ) -> Result<Model, MlError> {
        self.validate()?;
        x.check_fit_input()?;
        if feature_names.len() != x.n_cols() {
            return Err(MlError::DimensionMismatch {
                what: "feature names",
                expected: x.n_cols(),
                got: feature_names.len(),
            });
        }
        if let Some(n) = target.n_rows()
            && n != x.n_rows()
        {
            return Err(MlError::DimensionMismatch {
                what: "label count",
                expected: x.n_rows(),
                got: n,
            });
        }
        let scaler = self.scaler.map(|kind| Scaler::fit(kind, x)).transpose()?;
        let scaled = match &scaler {
            Some(s) => Cow::Owned(s.transform(x)?),
            None => Cow::Borrowed(x),
        };
        let estimator = estimator::fit(self, &scaled, target, progress)?;
        let class_names = match target {
            Target::Classes { names, .. } if self.task == Task::Classification => names.clone(),
            Target::Classes { .. } | Target::Values(_) | Target::Anomalies(_) | Target::None => {
                ClassNames::default()
            }
        };
        Ok(Model {
            spec: self.clone(),
            feature_names: feature_names.to_vec(),
            class_names,
            scaler,
            estimator,
        })
    }
}

/// A trained model, ready to predict, evaluate, explain and save.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    spec: ModelSpec,
    feature_names: Vec<String>,
    class_names: ClassNames,
    scaler: Option<Scaler>,
    estimator: Estimator,
}

/// What a model predicts for a batch of rows.
#[derive(Clone, Debug, PartialEq)]
pub enum Predictions {
    /// Classification: the most probable class of each row and all class probabilities
    /// (row-major, one per class).
    Classes {
        /// Class index per row.
        classes: Vec<u32>,
        /// `n_rows * n_classes` probabilities.
        probabilities: Vec<f64>,
    },
    /// Regression: one value per row.
    Values(Vec<f64>),
    /// Anomaly detection: a score in [0, 1] per row (higher = more anomalous) and whether it
    /// crosses the model's threshold.
    Anomalies {
        /// Score per row.
        scores: Vec<f64>,
        /// `true` where the score crosses the threshold.
        flags: Vec<bool>,
        /// The decision threshold.
        threshold: f64,
    },
    /// Clustering: the nearest cluster centre of each row.
    Clusters(Vec<usize>),
}

/// Feature attributions of one prediction.
///
/// For each output `k`, `base[k] + sum_f contributions[f * n_outputs + k]` equals the model's
/// output `k` for the row, where `n_outputs = base.len()`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    /// How the attributions were computed: "tree_shap" (exact path-dependent TreeSHAP) or
    /// "linear" (weight times scaled value, base = intercept; exact for linear models).
    pub method: &'static str,
    /// What the outputs are: "probability" (one per class), "raw_score" (gradient-boosting and
    /// logistic-regression classifiers: the log-odds of the second class for two classes, else
    /// one softmax score per class) or "prediction" (regression).
    pub output: &'static str,
    /// The expected output over the training data, one per output.
    pub base: Vec<f64>,
    /// Each feature's contribution to each output, feature-major.
    pub contributions: Vec<f64>,
}

impl Model {
    /// What was asked for when training.
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// What the model does.
    pub fn task(&self) -> Task {
        self.spec.task
    }

    /// The algorithm it was trained with.
    pub fn algorithm(&self) -> Algorithm {
        self.spec.algorithm
    }

    /// The feature columns it expects, in order.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// The class names (empty unless it is a classifier).
    pub fn class_names(&self) -> &ClassNames {
        &self.class_names
    }

    /// The fitted scaler, if any.
    pub fn scaler(&self) -> Option<&Scaler> {
        self.scaler.as_ref()
    }

    /// The fitted estimator.
    pub fn estimator(&self) -> &Estimator {
        &self.estimator
    }

    /// Checks the feature count and values of `x` and applies the scaler.
    fn prepare<'a>(&self, x: &'a Matrix) -> Result<Cow<'a, Matrix>, MlError> {
        x.check_n_features(self.feature_names.len())?;
        x.check_finite()?;
        Ok(match &self.scaler {
            Some(s) => Cow::Owned(s.transform(x)?),
            None => Cow::Borrowed(x),
        })
    }

    /// Predicts every row of `x` (which must have the model's features, in order).
    pub fn predict(&self, x: &Matrix) -> Result<Predictions, MlError> {
        let x = self.prepare(x)?;
        Ok(self.estimator.predict(&x))
    }

    /// Class probabilities of one row into `out` (length = number of classes), for low-latency
    /// single-row serving: no allocation unless the model scales its input.
    pub fn predict_proba_row(&self, row: &[f32], out: &mut [f64]) -> Result<(), MlError> {
        if row.len() != self.feature_names.len() {
            return Err(MlError::DimensionMismatch {
                what: "feature count",
                expected: self.feature_names.len(),
                got: row.len(),
            });
        }
        if out.len() != self.class_names.len() {
            return Err(MlError::DimensionMismatch {
                what: "probability buffer length (classes)",
                expected: self.class_names.len(),
                got: out.len(),
            });
        }
        let classifier = self
            .estimator
            .classifier()
            .ok_or(MlError::InvalidParameter {
                name: "task",
                reason: format!("a {} model has no class probabilities", self.task()),
            })?;
        match &self.scaler {
            Some(s) => {
                let mut scaled = row.to_vec();
                s.transform_row_in_place(&mut scaled);
                classifier.predict_proba_row(&scaled, out);
            }
            None => classifier.predict_proba_row(row, out),
        }
        Ok(())
    }

    /// Metrics of the model on `x` against `target`, by name:
    /// - classification: `accuracy`, `precision`, `recall`, `f1` (binary: of the second class;
    ///   multi-class: macro averages), `roc_auc`, `log_loss`;
    /// - regression: `rmse`, `mae`, `r2`;
    /// - anomaly detection: `anomaly_rate`, `threshold`, and with labels (true = anomaly)
    ///   `roc_auc`, `precision`, `recall`, `f1`;
    /// - clustering: `inertia`, `silhouette`.
    ///
    /// A metric undefined on the data (ROC-AUC with a single class present) is left out.
    pub fn evaluate(&self, x: &Matrix, target: &Target) -> Result<BTreeMap<String, f64>, MlError> {
        let prepared = self.prepare(x)?;
        evaluate::evaluate(self, &prepared, target)
    }

    /// Exact attributions of one row's prediction: TreeSHAP for tree models (decision_tree,
    /// random_forest, gradient_boosting), weight times scaled value for linear models
    /// (logistic_regression, linear_regression). See [`Explanation`] for what they add up to.
    pub fn explain_row(&self, row: &[f32]) -> Result<Explanation, MlError> {
        if row.len() != self.feature_names.len() {
            return Err(MlError::DimensionMismatch {
                what: "feature count",
                expected: self.feature_names.len(),
                got: row.len(),
            });
        }
        let mut scaled = row.to_vec();
        if let Some(s) = &self.scaler {
            s.transform_row_in_place(&mut scaled);
        }
        let tree = "tree_shap";
        let (method, output, contributions) = match &self.estimator {
            Estimator::DecisionTreeClassifier(m) => (tree, "probability", m.explain_row(&scaled)),
            Estimator::RandomForestClassifier(m) => (tree, "probability", m.explain_row(&scaled)),
            Estimator::GradientBoostingClassifier(m) => (tree, "raw_score", m.explain_row(&scaled)),
            Estimator::DecisionTreeRegressor(m) => (tree, "prediction", m.explain_row(&scaled)),
            Estimator::RandomForestRegressor(m) => (tree, "prediction", m.explain_row(&scaled)),
            Estimator::GradientBoostingRegressor(m) => (tree, "prediction", m.explain_row(&scaled)),
            Estimator::LogisticRegression(m) => (
                "linear",
                "raw_score",
                linear_contributions(&m.coefficients(), &m.intercepts(), &scaled),
            ),
            Estimator::LinearRegression(m) => (
                "linear",
                "prediction",
                linear_contributions(m.coefficients(), &[m.intercept()], &scaled),
            ),
            Estimator::NeuralNetworkClassifier(_)
            | Estimator::NeuralNetworkRegressor(_)
            | Estimator::IsolationForest(_)
            | Estimator::KMeans(_) => {
                return Err(MlError::InvalidParameter {
                    name: "algorithm",
                    reason: format!(
                        "per-prediction explanations are computed for tree models (decision_tree, random_forest, gradient_boosting) and linear models (logistic_regression, linear_regression); for {} use the global feature importance",
                        self.algorithm()
                    ),
                });
            }
        };
        Ok(Explanation {
            method,
            output,
            base: contributions.base,
            contributions: contributions.values,
        })
    }

    /// Global importance of each feature (non-negative, summing to 1 unless all are zero), in
    /// feature order. The method depends on the algorithm; see [`Estimator::feature_importance`].
    pub fn feature_importance(&self) -> Vec<f64> {
        self.estimator.feature_importance()
    }

    /// The model as a model file (header, then body).
    pub fn to_bytes(&self) -> Result<Vec<u8>, MlError> {
        let body = postcard::to_allocvec(self)
            .map_err(|e| MlError::Format(FormatError::Body(e.to_string())))?;
        Ok(file::encode(
            self.algorithm().tag(),
            self.task().tag(),
            &body,
        ))
    }

    /// Reads a model file, checking its header, checksum and version.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, MlError> {
        let (header, body) = file::decode(bytes)?;
        let algorithm = Algorithm::from_tag(header.algorithm).ok_or(FormatError::UnknownTag {
            what: "algorithm",
            tag: header.algorithm,
        })?;
        let task = Task::from_tag(header.task).ok_or(FormatError::UnknownTag {
            what: "task",
            tag: header.task,
        })?;
        let model: Model =
            postcard::from_bytes(body).map_err(|e| FormatError::Body(e.to_string()))?;
        if model.algorithm() != algorithm {
            return Err(FormatError::HeaderMismatch {
                what: "algorithm",
                header: algorithm.to_string(),
                body: model.algorithm().to_string(),
            }
            .into());
        }
        if model.task() != task {
            return Err(FormatError::HeaderMismatch {
                what: "task",
                header: task.to_string(),
                body: model.task().to_string(),
            }
            .into());
        }
        model
            .estimator
            .check_structure(model.feature_names.len(), model.class_names.len())
            .map_err(FormatError::Inconsistent)?;
        Ok(model)
    }
}
