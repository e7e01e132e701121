//! Metrics of a model on labelled data, named as the CLI and API report them.
//!
//! - classification: `accuracy`, `precision`, `recall`, `f1` (binary: of class index 1, the
//!   second class in sorted order; multi-class: macro averages), `roc_auc` (binary: of class 1's
//!   probability; multi-class: one-vs-rest macro average), `log_loss`;
//! - regression: `rmse`, `mae`, `r2`;
//! - anomaly detection: `anomaly_rate` and `threshold`; with labels (true = anomaly) also
//!   `roc_auc` of the scores and `precision`, `recall`, `f1` of the flagged rows;
//! - clustering: `inertia` and `silhouette` (no labels needed).
//!
//! A metric that is undefined on the data given (ROC-AUC when only one class is present) is
//! left out rather than reported as NaN.

use std::collections::BTreeMap;

use super::{Estimator, Model, Predictions, Target, Task};
use crate::{Matrix, MlError, metrics};

/// Metrics of `model` on the already prepared (checked and scaled) `x`.
pub(super) fn evaluate(
    model: &Model,
    x: &Matrix,
    target: &Target,
) -> Result<BTreeMap<String, f64>, MlError> {
    if let Some(n) = target.n_rows()
        && n != x.n_rows()
    {
        return Err(MlError::DimensionMismatch {
            what: "label count",
            expected: x.n_rows(),
            got: n,
        });
    }
    let mut out = BTreeMap::new();
    let mut put = |name: &str, value: f64| {
        out.insert(name.to_owned(), value);
    };
    match (model.estimator.predict(x), target) {
        (
            Predictions::Classes {
                classes,
                probabilities,
            },
            Target::Classes { y, .. },
        ) => {
            let k = model.class_names.len();
            put("accuracy", metrics::accuracy(y, &classes)?);
            if k == 2 {
                put("precision", metrics::precision(y, &classes, 1)?);
                put("recall", metrics::recall(y, &classes, 1)?);
                put("f1", metrics::f1(y, &classes, 1)?);
                let positive: Vec<f64> = probabilities.chunks_exact(2).map(|p| p[1]).collect();
                if let Some(auc) = defined(metrics::roc_auc(y, &positive))? {
                    put("roc_auc", auc);
                }
            } else {
                put("precision", metrics::macro_precision(y, &classes, k)?);
                put("recall", metrics::macro_recall(y, &classes, k)?);
                put("f1", metrics::macro_f1(y, &classes, k)?);
                if let Some(auc) = defined(metrics::roc_auc_ovr(y, &probabilities, k))? {
                    put("roc_auc", auc);
                }
            }
            put("log_loss", metrics::log_loss(y, &probabilities, k)?);
        }
        (Predictions::Values(predicted), Target::Values(y)) => {
            put("rmse", metrics::rmse(y, &predicted)?);
            put("mae", metrics::mae(y, &predicted)?);
            put("r2", metrics::r2(y, &predicted)?);
        }
        (
            Predictions::Anomalies {
                scores,
                flags,
                threshold,
            },
            truth,
        ) => {
            let flagged = flags.iter().filter(|f| **f).count();
            put("anomaly_rate", flagged as f64 / flags.len().max(1) as f64);
            put("threshold", threshold);
            if let Target::Anomalies(truth) = truth {
                let y: Vec<u32> = truth.iter().map(|&t| u32::from(t)).collect();
                let predicted: Vec<u32> = flags.iter().map(|&f| u32::from(f)).collect();
                if let Some(auc) = defined(metrics::roc_auc(&y, &scores))? {
                    put("roc_auc", auc);
                }
                put("precision", metrics::precision(&y, &predicted, 1)?);
                put("recall", metrics::recall(&y, &predicted, 1)?);
                put("f1", metrics::f1(&y, &predicted, 1)?);
            }
        }
        (Predictions::Clusters(labels), _) => {
            if let Estimator::KMeans(kmeans) = &model.estimator {
                put("inertia", metrics::inertia(x, kmeans.centers(), &labels)?);
            }
            if let Some(s) = defined(metrics::silhouette_score(
                x,
                &labels,
                model.spec.hyperparameters.seed(),
            ))? {
                put("silhouette", s);
            }
        }
        (Predictions::Classes { .. } | Predictions::Values(_), _) => {
            return Err(MlError::InvalidParameter {
                name: "labels",
                reason: format!(
                    "evaluating a {} model needs {}",
                    model.task(),
                    match model.task() {
                        Task::Classification => "class labels",
                        Task::Regression | Task::AnomalyDetection | Task::Clustering =>
                            "numeric labels",
                    }
                ),
            });
        }
    }
    Ok(out)
}

/// `Ok(None)` for a metric that is undefined on this data (a single class, a single cluster),
/// other errors unchanged.
fn defined(result: Result<f64, MlError>) -> Result<Option<f64>, MlError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(MlError::TooFewClasses(_) | MlError::InvalidParameter { name: "labels", .. }) => {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}
