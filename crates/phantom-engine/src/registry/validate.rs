//! Validating a stored version: its artifact matches its checksum, loads, agrees with its
//! metadata, and predicts finite values on probe rows.

use phantom_ml::Matrix;
use phantom_ml::model::{Model, Predictions};
use phantom_store::{Storage, StoreError, sha256_hex};
use rand::{RngExt, SeedableRng};
use serde::Serialize;

use crate::EngineError;
use crate::engine::Engine;
use crate::registry::info::VersionMetadata;

/// Probe rows predicted by a validation.
const PROBE_ROWS: usize = 64;

/// One check of a validation.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValidationCheck {
    /// What was checked: "checksum", "loads", "metadata" or "probe".
    pub name: &'static str,
    /// Whether it passed.
    pub passed: bool,
    /// What was found.
    pub detail: String,
}

/// The result of validating a version.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValidationReport {
    /// The model.
    pub model_id: String,
    /// The version validated.
    pub version: u32,
    /// Whether every check passed.
    pub valid: bool,
    /// The checks, in the order run; a failed check stops the ones that depend on it.
    pub checks: Vec<ValidationCheck>,
}

impl Engine {
    /// Validates a version (default: the active one) of a model.
    pub async fn validate(
        &self,
        tenant: &str,
        model: &str,
        version: Option<u32>,
    ) -> Result<ValidationReport, EngineError> {
        let record = self.record(tenant, model).await?;
        let Some(version) = version.or(record.active_version) else {
            return Err(EngineError::NotTrained {
                model: model.to_owned(),
            });
        };
        let mut checks = Vec::new();
        let stored = match self
            .inner
            .store
            .get_version(tenant, &record.id, version)
            .await
        {
            Ok(Some(v)) => v,
            Ok(None) => {
                return Err(self
                    .version_not_found(tenant, &record.id, model, version)
                    .await);
            }
            Err(StoreError::Corrupt {
                expected, actual, ..
            }) => {
                checks.push(ValidationCheck {
                    name: "checksum",
                    passed: false,
                    detail: format!("stored SHA-256 {expected}, artifact hashes to {actual}"),
                });
                return Ok(report(record.id, version, checks));
            }
            Err(e) => return Err(e.into()),
        };
        let actual = sha256_hex(&stored.artifact);
        checks.push(ValidationCheck {
            name: "checksum",
            passed: actual == stored.summary.sha256,
            detail: format!("SHA-256 {actual}"),
        });
        let metadata: Result<VersionMetadata, _> =
            serde_json::from_value(stored.summary.metadata.clone());
        let artifact = stored.artifact;
        let checks = tokio::task::spawn_blocking(move || {
            let mut checks = checks;
            let model = match Model::from_bytes(&artifact) {
                Ok(m) => {
                    checks.push(ValidationCheck {
                        name: "loads",
                        passed: true,
                        detail: format!(
                            "{} {} with {} features",
                            m.algorithm(),
                            m.task(),
                            m.feature_names().len()
                        ),
                    });
                    m
                }
                Err(e) => {
                    checks.push(ValidationCheck {
                        name: "loads",
                        passed: false,
                        detail: e.to_string(),
                    });
                    return checks;
                }
            };
            checks.push(match metadata {
                Ok(meta) => check_metadata(&model, &meta),
                Err(e) => ValidationCheck {
                    name: "metadata",
                    passed: false,
                    detail: format!("unreadable: {e}"),
                },
            });
            checks.push(probe(&model));
            checks
        })
        .await
        .map_err(|e| EngineError::Internal(format!("validation task: {e}")))?;
        Ok(report(record.id, version, checks))
    }
}

fn report(model_id: String, version: u32, checks: Vec<ValidationCheck>) -> ValidationReport {
    ValidationReport {
        model_id,
        version,
        valid: checks.iter().all(|c| c.passed),
        checks,
    }
}

fn check_metadata(model: &Model, meta: &VersionMetadata) -> ValidationCheck {
    let mut problems = Vec::new();
    if model.algorithm() != meta.algorithm {
        problems.push(format!(
            "algorithm {} in the artifact, {} in the metadata",
            model.algorithm(),
            meta.algorithm
        ));
    }
    if model.task() != meta.task {
        problems.push(format!(
            "task {} in the artifact, {} in the metadata",
            model.task(),
            meta.task
        ));
    }
    if model.feature_names() != meta.feature_names.as_slice() {
        problems.push("feature names differ".to_owned());
    }
    if model.class_names().as_slice() != meta.classes.as_slice() {
        problems.push("class labels differ".to_owned());
    }
    ValidationCheck {
        name: "metadata",
        passed: problems.is_empty(),
        detail: if problems.is_empty() {
            "algorithm, task, features and classes match".to_owned()
        } else {
            problems.join("; ")
        },
    }
}

/// Predicts zeros, ones and seeded random rows at several scales; every output must be
/// finite and probabilities must sum to 1.
fn probe(model: &Model) -> ValidationCheck {
    let n = model.feature_names().len();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(0);
    let mut data = Vec::with_capacity(PROBE_ROWS * n);
    for row in 0..PROBE_ROWS {
        for _ in 0..n {
            data.push(match row {
                0 => 0.0,
                1 => 1.0,
                _ => {
                    let scale = 10f32.powi((row % 7) as i32 - 2);
                    rng.random_range(-1.0f32..1.0) * scale
                }
            });
        }
    }
    let fail = |detail: String| ValidationCheck {
        name: "probe",
        passed: false,
        detail,
    };
    let Ok(x) = Matrix::new(PROBE_ROWS, n, data) else {
        return fail("could not build probe rows".into());
    };
    let predictions = match model.predict(&x) {
        Ok(p) => p,
        Err(e) => return fail(e.to_string()),
    };
    let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
    let problem = match &predictions {
        Predictions::Classes { probabilities, .. } => {
            let k = model.class_names().len().max(1);
            if !finite(probabilities) {
                Some("a class probability is not finite".to_owned())
            } else {
                probabilities
                    .chunks(k)
                    .position(|p| (p.iter().sum::<f64>() - 1.0).abs() > 1e-6)
                    .map(|row| format!("probabilities of probe row {row} do not sum to 1"))
            }
        }
        Predictions::Values(v) => (!finite(v)).then(|| "a predicted value is not finite".into()),
        Predictions::Anomalies { scores, .. } => {
            (!finite(scores)).then(|| "an anomaly score is not finite".into())
        }
        Predictions::Clusters(c) => c
            .iter()
            .any(|&c| c >= model_clusters(model))
            .then(|| "a cluster index is out of range".into()),
    };
    match problem {
        Some(p) => fail(p),
        None => ValidationCheck {
            name: "probe",
            passed: true,
            detail: format!("{PROBE_ROWS} probe rows predicted, all finite"),
        },
    }
}

fn model_clusters(model: &Model) -> usize {
    if let phantom_ml::model::Estimator::KMeans(k) = model.estimator() {
        k.k()
    } else {
        0
    }
}
