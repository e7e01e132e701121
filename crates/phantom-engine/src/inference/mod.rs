//! Serving: single-row and batch predictions from the cached active version, feature
//! importance and per-prediction explanations, with latency counted and predictions logged.

pub(crate) mod cache;
pub(crate) mod log;
mod output;
pub(crate) mod redis_cache;

use std::sync::Arc;
use std::time::Instant;

use phantom_ml::Matrix;
use phantom_ml::model::{Model, Predictions};
use phantom_store::{InferenceRecord, ModelStatus};
use rayon::prelude::*;
use serde::Serialize;

pub use output::{BatchPrediction, BatchRow, ClassProbability, PredictedValue, Prediction};

use crate::EngineError;
use crate::data::{DataError, rows_to_matrix};
use crate::engine::{Engine, now_ms};
use cache::ServingModel;
use redis_cache::PredictionCache;

/// Most rows in one batch prediction.
pub const MAX_BATCH_ROWS: usize = 1_000_000;

/// A feature's global importance.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FeatureWeight {
    /// The feature.
    pub feature: String,
    /// Its importance (non-negative; all sum to 1 unless all are 0).
    pub importance: f64,
}

/// The global feature importance of a model's active version.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FeatureImportance {
    /// The model.
    pub model_id: String,
    /// The version.
    pub version: u32,
    /// How it was computed (depends on the algorithm; see docs/MODELS.md).
    pub method: &'static str,
    /// Features, most important first.
    pub features: Vec<FeatureWeight>,
}

/// One feature's part in one prediction.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FeatureContribution {
    /// The feature.
    pub feature: String,
    /// Its value in the row.
    pub value: f64,
    /// Its contribution to each output (in the order of `outputs`).
    pub contributions: Vec<f64>,
}

/// Why a model predicted what it did for one row.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PredictionExplanation {
    /// The model.
    pub model_id: String,
    /// The version.
    pub version: u32,
    /// The prediction explained.
    pub prediction: Prediction,
    /// "tree_shap" (exact path-dependent TreeSHAP) or "linear" (weight times scaled value).
    pub method: &'static str,
    /// What is attributed: "probability" per class, "raw_score" or "prediction".
    pub output: &'static str,
    /// The outputs attributed (class labels, or one entry for a single output).
    pub outputs: Vec<PredictedValue>,
    /// Expected output over the training data, per output; base + the sum of contributions
    /// equals the model's output.
    pub base: Vec<f64>,
    /// Per feature, largest total absolute contribution first.
    pub features: Vec<FeatureContribution>,
}

impl Engine {
    /// Predicts one row with a model's active version.
    pub async fn predict(
        &self,
        tenant: &str,
        model: &str,
        row: &[f64],
    ) -> Result<Prediction, EngineError> {
        let started = Instant::now();
        let serving = self.serving(tenant, model).await?;
        let result = self.predict_serving(&serving, tenant, row).await;
        let nanos = started.elapsed().as_nanos() as u64;
        match &result {
            Ok(prediction) => {
                self.inner.stats.record(&serving.counters, 1, nanos, false);
                if self.inner.log.should_log() {
                    self.inner.log.push(InferenceRecord {
                        tenant: tenant.to_owned(),
                        model_id: serving.model_id.clone(),
                        version: serving.version,
                        at: now_ms(),
                        input: serde_json::json!(row),
                        output: serde_json::to_value(prediction).unwrap_or_default(),
                        latency_us: nanos / 1_000,
                    });
                }
            }
            Err(_) => self.inner.stats.record_error(Some(&serving.counters)),
        }
        result
    }

    async fn predict_serving(
        &self,
        serving: &ServingModel,
        tenant: &str,
        row: &[f64],
    ) -> Result<Prediction, EngineError> {
        let x = single_row(serving, row)?;
        let Some(redis) = &self.inner.redis else {
            return predict_one(serving, &x);
        };
        let key = PredictionCache::key(tenant, &serving.model_id, serving.version, row);
        match redis.get(&key).await {
            Ok(Some(mut hit)) => {
                self.inner.stats.record_cache(Some(true));
                hit.cached = true;
                return Ok(hit);
            }
            Ok(None) => self.inner.stats.record_cache(Some(false)),
            Err(_) => self.inner.stats.record_cache(None),
        }
        let prediction = predict_one(serving, &x)?;
        if redis.put(&key, &prediction).await.is_err() {
            self.inner.stats.record_cache(None);
        }
        Ok(prediction)
    }

    /// Predicts many rows with a model's active version, in parallel on a blocking thread.
    pub async fn predict_batch(
        &self,
        tenant: &str,
        model: &str,
        rows: Vec<Vec<f64>>,
    ) -> Result<BatchPrediction, EngineError> {
        let started = Instant::now();
        if rows.len() > MAX_BATCH_ROWS {
            return Err(EngineError::InvalidArgument {
                what: "batch".into(),
                reason: format!(
                    "{} rows is more than the limit of {MAX_BATCH_ROWS}; split the batch",
                    rows.len()
                ),
            });
        }
        let serving = self.serving(tenant, model).await?;
        let worker = serving.clone();
        let log = self.inner.log.enabled();
        let outcome = tokio::task::spawn_blocking(move || {
            let x = batch_matrix(&worker, &rows)?;
            let results = predict_many(&worker, &x)?;
            let kept = if log {
                Some(rows)
            } else {
                // Freeing a large batch's rows one by one on this thread would delay the answer.
                rows.into_par_iter().for_each(drop);
                None
            };
            Ok::<_, EngineError>((results, kept))
        })
        .await
        .map_err(|e| EngineError::Internal(format!("batch prediction task: {e}")))?;
        let (results, logged_rows) = match outcome {
            Ok(r) => r,
            Err(e) => {
                self.inner.stats.record_error(Some(&serving.counters));
                return Err(e);
            }
        };
        let logged = |i: usize| {
            logged_rows
                .as_ref()
                .and_then(|r| r.get(i))
                .map(|r| serde_json::json!(r))
        };
        Ok(self.finish_batch(tenant, &serving, started, results, &logged))
    }

    /// Predicts the rows of a matrix (the model's features, in order) with a model's active
    /// version: for Rust callers that hold f32 features already, it skips the conversion and
    /// checks that [`Engine::predict_batch`] does on nested rows.
    pub async fn predict_matrix(
        &self,
        tenant: &str,
        model: &str,
        x: Matrix,
    ) -> Result<BatchPrediction, EngineError> {
        let started = Instant::now();
        if x.n_rows() > MAX_BATCH_ROWS {
            return Err(EngineError::InvalidArgument {
                what: "batch".into(),
                reason: format!(
                    "{} rows is more than the limit of {MAX_BATCH_ROWS}; split the batch",
                    x.n_rows()
                ),
            });
        }
        let serving = self.serving(tenant, model).await?;
        if x.n_cols() != serving.model.feature_names().len() {
            self.inner.stats.record_error(Some(&serving.counters));
            return Err(feature_count_error(&serving, x.n_cols()));
        }
        let worker = serving.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            let results = predict_many(&worker, &x)?;
            Ok::<_, EngineError>((results, x))
        })
        .await
        .map_err(|e| EngineError::Internal(format!("batch prediction task: {e}")))?;
        let (results, x) = match outcome {
            Ok(r) => r,
            Err(e) => {
                self.inner.stats.record_error(Some(&serving.counters));
                return Err(e);
            }
        };
        let logged = |i: usize| (i < x.n_rows()).then(|| serde_json::json!(x.row(i)));
        Ok(self.finish_batch(tenant, &serving, started, results, &logged))
    }

    /// Counts, logs and packages the answer of a batch.
    fn finish_batch(
        &self,
        tenant: &str,
        serving: &ServingModel,
        started: Instant,
        results: Vec<BatchRow>,
        input: &dyn Fn(usize) -> Option<serde_json::Value>,
    ) -> BatchPrediction {
        let elapsed = started.elapsed();
        let n = results.len();
        self.inner
            .stats
            .record(&serving.counters, n as u64, elapsed.as_nanos() as u64, true);
        if self.inner.log.enabled() {
            let at = now_ms();
            let latency_us = elapsed.as_micros() as u64 / n.max(1) as u64;
            for (i, result) in results.iter().enumerate() {
                if self.inner.log.should_log()
                    && let Some(row) = input(i)
                {
                    self.inner.log.push(InferenceRecord {
                        tenant: tenant.to_owned(),
                        model_id: serving.model_id.clone(),
                        version: serving.version,
                        at,
                        input: row,
                        output: serde_json::to_value(result).unwrap_or_default(),
                        latency_us,
                    });
                }
            }
        }
        let elapsed_s = elapsed.as_secs_f64();
        BatchPrediction {
            model_id: serving.model_id.clone(),
            version: serving.version,
            classes: serving.classes.clone(),
            total_predictions: n,
            elapsed_ms: elapsed_s * 1e3,
            throughput_per_second: if elapsed_s > 0.0 {
                n as f64 / elapsed_s
            } else {
                0.0
            },
            results,
        }
    }

    /// The global feature importance of a model's active version.
    pub async fn feature_importance(
        &self,
        tenant: &str,
        model: &str,
    ) -> Result<FeatureImportance, EngineError> {
        let serving = self.serving(tenant, model).await?;
        let m = &serving.model;
        let mut features: Vec<FeatureWeight> = m
            .feature_names()
            .iter()
            .zip(m.feature_importance())
            .map(|(f, importance)| FeatureWeight {
                feature: f.clone(),
                importance,
            })
            .collect();
        features.sort_by(|a, b| b.importance.total_cmp(&a.importance));
        Ok(FeatureImportance {
            model_id: serving.model_id.clone(),
            version: serving.version,
            method: importance_method(m),
            features,
        })
    }

    /// Explains one prediction of a tree model (exact TreeSHAP) or a linear model (weight times
    /// scaled value, base = intercept).
    pub async fn explain(
        &self,
        tenant: &str,
        model: &str,
        row: &[f64],
    ) -> Result<PredictionExplanation, EngineError> {
        let serving = self.serving(tenant, model).await?;
        let x = single_row(&serving, row)?;
        let prediction = predict_one(&serving, &x)?;
        let explanation = serving.model.explain_row(x.row(0))?;
        let n_outputs = explanation.base.len().max(1);
        let outputs = if explanation.output == "probability" || n_outputs == serving.classes.len() {
            serving.classes.clone()
        } else if n_outputs == 1 && serving.classes.len() == 2 {
            serving.classes.get(1).cloned().into_iter().collect()
        } else {
            vec![PredictedValue::Label(explanation.output.to_owned())]
        };
        let mut features: Vec<FeatureContribution> = serving
            .model
            .feature_names()
            .iter()
            .enumerate()
            .map(|(f, name)| FeatureContribution {
                feature: name.clone(),
                value: row.get(f).copied().unwrap_or_default(),
                contributions: explanation
                    .contributions
                    .get(f * n_outputs..(f + 1) * n_outputs)
                    .map(<[f64]>::to_vec)
                    .unwrap_or_default(),
            })
            .collect();
        let weight = |c: &FeatureContribution| c.contributions.iter().map(|v| v.abs()).sum::<f64>();
        features.sort_by(|a, b| weight(b).total_cmp(&weight(a)));
        Ok(PredictionExplanation {
            model_id: serving.model_id.clone(),
            version: serving.version,
            prediction,
            method: explanation.method,
            output: explanation.output,
            outputs,
            base: explanation.base,
            features,
        })
    }

    /// The active version of a model, loaded once and cached until it changes.
    pub(crate) async fn serving(
        &self,
        tenant: &str,
        model: &str,
    ) -> Result<Arc<ServingModel>, EngineError> {
        if let Some(m) = self.inner.cache.get(tenant, model) {
            return Ok(m);
        }
        let generation = self.inner.cache.generation();
        let record = self.record(tenant, model).await?;
        if record.status == ModelStatus::Archived {
            return Err(EngineError::Archived {
                model: model.to_owned(),
            });
        }
        let stored = self.stored_version(tenant, &record, model, None).await?;
        let version = stored.summary.version;
        let id = record.id.clone();
        let loaded = tokio::task::spawn_blocking(move || Model::from_bytes(&stored.artifact))
            .await
            .map_err(|e| EngineError::Internal(format!("model loading task: {e}")))?
            .map_err(|source| EngineError::DamagedArtifact {
                model: id,
                version,
                source,
            })?;
        let classes = loaded
            .class_names()
            .as_slice()
            .iter()
            .map(|c| PredictedValue::of_class(c))
            .collect();
        let serving = Arc::new(ServingModel {
            counters: self.inner.stats.model(&record.id, &record.name),
            tenant: tenant.to_owned(),
            model_id: record.id,
            name: record.name,
            version,
            model: loaded,
            classes,
        });
        self.inner.cache.insert(serving.clone(), generation);
        Ok(serving)
    }
}

fn importance_method(model: &Model) -> &'static str {
    use phantom_ml::model::Algorithm;
    match model.algorithm() {
        Algorithm::DecisionTree | Algorithm::RandomForest => "impurity_decrease",
        Algorithm::GradientBoosting => "split_gain",
        Algorithm::LogisticRegression | Algorithm::LinearRegression => "coefficient_magnitude",
        Algorithm::NeuralNetwork => "first_layer_weight_magnitude",
        Algorithm::IsolationForest => "isolation_work",
        Algorithm::KMeans => "between_cluster_variance_share",
    }
}

fn feature_count_error(serving: &ServingModel, got: usize) -> EngineError {
    EngineError::FeatureCount {
        model: serving.name.clone(),
        expected: serving.model.feature_names().len(),
        got,
    }
}

/// Checks one row and converts it to the model's f32 features.
fn single_row(serving: &ServingModel, row: &[f64]) -> Result<Matrix, EngineError> {
    let expected = serving.model.feature_names().len();
    if row.len() != expected {
        return Err(feature_count_error(serving, row.len()));
    }
    let mut data = Vec::with_capacity(row.len());
    for (c, &v) in row.iter().enumerate() {
        let f = v as f32;
        if !v.is_finite() || !f.is_finite() {
            return Err(DataError::NonFinite {
                row: 0,
                column: c,
                name: serving
                    .model
                    .feature_names()
                    .get(c)
                    .cloned()
                    .unwrap_or_default(),
                value: v,
            }
            .into());
        }
        data.push(f);
    }
    Ok(Matrix::new(1, row.len(), data)?)
}

/// Rows from which a batch is converted, checked and answered on all cores: below it, the
/// rayon hand-off costs more than it saves.
const PARALLEL_ROWS: usize = 4_096;

fn batch_matrix(serving: &ServingModel, rows: &[Vec<f64>]) -> Result<Matrix, EngineError> {
    let names = serving.model.feature_names();
    if let Some(first) = rows.first()
        && first.len() != names.len()
    {
        return Err(feature_count_error(serving, first.len()));
    }
    if rows.len() < PARALLEL_ROWS {
        return Ok(rows_to_matrix(rows, Some(names))?);
    }
    // The same checks as rows_to_matrix, in parallel; the first bad row (lowest index) is
    // reported, as the serial path would.
    if let Some((r, got)) = rows
        .par_iter()
        .enumerate()
        .find_map_first(|(r, row)| (row.len() != names.len()).then_some((r, row.len())))
    {
        return Err(DataError::RaggedRow {
            row: r,
            expected: names.len(),
            got,
        }
        .into());
    }
    if let Some((r, c, value)) = rows.par_iter().enumerate().find_map_first(|(r, row)| {
        row.iter()
            .position(|&v| !v.is_finite() || !(v as f32).is_finite())
            .map(|c| (r, c, row[c]))
    }) {
        return Err(DataError::NonFinite {
            row: r,
            column: c,
            name: names.get(c).cloned().unwrap_or_default(),
            value,
        }
        .into());
    }
    let data: Vec<f32> = rows
        .par_iter()
        .flat_map_iter(|row| row.iter().map(|&v| v as f32))
        .collect();
    Ok(Matrix::new(rows.len(), names.len(), data)?)
}

fn predict_one(serving: &ServingModel, x: &Matrix) -> Result<Prediction, EngineError> {
    let model = &serving.model;
    let base = |prediction| Prediction {
        model_id: serving.model_id.clone(),
        version: serving.version,
        prediction,
        confidence: None,
        probabilities: None,
        anomaly_score: None,
        threshold: None,
        cached: false,
    };
    if model.estimator().classifier().is_some() {
        let mut probabilities = vec![0.0; serving.classes.len()];
        model.predict_proba_row(x.row(0), &mut probabilities)?;
        let best = phantom_ml::argmax(&probabilities) as usize;
        let confidence = probabilities.get(best).copied().unwrap_or_default();
        let label = serving
            .classes
            .get(best)
            .cloned()
            .unwrap_or(PredictedValue::Number(best as f64));
        let mut p = base(label);
        p.confidence = Some(confidence);
        p.probabilities = Some(
            serving
                .classes
                .iter()
                .zip(probabilities)
                .map(|(label, probability)| ClassProbability {
                    label: label.clone(),
                    probability,
                })
                .collect(),
        );
        return Ok(p);
    }
    let mut rows = predict_many(serving, x)?;
    let row = rows
        .pop()
        .ok_or_else(|| EngineError::Internal("no prediction".into()))?;
    let mut p = base(row.prediction);
    p.anomaly_score = row.anomaly_score;
    if let Predictions::Anomalies { threshold, .. } = model.predict(x)? {
        p.threshold = Some(threshold);
    }
    Ok(p)
}

fn predict_many(serving: &ServingModel, x: &Matrix) -> Result<Vec<BatchRow>, EngineError> {
    let rows = match serving.model.predict(x)? {
        Predictions::Classes {
            classes,
            probabilities,
        } => {
            let k = serving.classes.len().max(1);
            let row = |(&c, p): (&u32, &[f64])| BatchRow {
                prediction: serving
                    .classes
                    .get(c as usize)
                    .cloned()
                    .unwrap_or(PredictedValue::Number(f64::from(c))),
                confidence: p.get(c as usize).copied(),
                probabilities: Some(p.to_vec()),
                anomaly_score: None,
            };
            if classes.len() < PARALLEL_ROWS {
                classes
                    .iter()
                    .zip(probabilities.chunks(k))
                    .map(row)
                    .collect()
            } else {
                classes
                    .par_iter()
                    .zip(probabilities.par_chunks(k))
                    .map(row)
                    .collect()
            }
        }
        Predictions::Values(values) => values
            .into_iter()
            .map(|v| BatchRow {
                prediction: PredictedValue::Number(v),
                confidence: None,
                probabilities: None,
                anomaly_score: None,
            })
            .collect(),
        Predictions::Anomalies { scores, flags, .. } => scores
            .into_iter()
            .zip(flags)
            .map(|(score, flag)| BatchRow {
                prediction: PredictedValue::Flag(flag),
                confidence: None,
                probabilities: None,
                anomaly_score: Some(score),
            })
            .collect(),
        Predictions::Clusters(clusters) => clusters
            .into_iter()
            .map(|c| BatchRow {
                prediction: PredictedValue::Number(c as f64),
                confidence: None,
                probabilities: None,
                anomaly_score: None,
            })
            .collect(),
    };
    Ok(rows)
}
