//! Hyperparameter search: train candidates of a model's algorithm on the same training rows,
//! score each on the same held-out rows, and keep the best as a new active version only when it
//! beats the version that serves now.
//!
//! Candidates are the model's configured hyperparameters, then a seeded random sample (without
//! repetition) of a small grid over the algorithm's main hyperparameters ([`search_grid`]).
//! Hyperparameters the grid does not vary keep their configured values.

use std::collections::BTreeMap;

use phantom_ml::NoProgress;
use phantom_ml::model::{Algorithm, Hyperparameters, Model, Target, Task, split};
use phantom_store::ModelStatus;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::EngineError;
use crate::data::{DataSource, LoadedData};
use crate::engine::Engine;
use crate::registry::compare::direction;
use crate::registry::info::{VersionInfo, finite_metrics, settings_of};
use crate::settings::ModelSettings;
use crate::training::{TrainedVersion, fit_version};

/// Most candidates one search trains.
pub const MAX_TRIALS: usize = 64;

/// How to search. Every field may be left out.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OptimizeOptions {
    /// Candidates to train, the configured hyperparameters included (1 to 64; default 8).
    pub trials: usize,
    /// The metric to rank by (default: accuracy for classification, r2 for regression,
    /// roc_auc for labelled anomaly detection, silhouette for clustering).
    pub metric: Option<String>,
    /// Share of rows held out to score candidates (default: the model's validation split, or
    /// 0.2 when that is 0).
    pub validation_split: Option<f64>,
    /// Seed of the sample of candidates (default: the model's seed).
    pub seed: Option<u64>,
}

impl Default for OptimizeOptions {
    fn default() -> Self {
        Self {
            trials: 8,
            metric: None,
            validation_split: None,
            seed: None,
        }
    }
}

/// One trained candidate.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OptimizeTrial {
    /// The hyperparameters trained with.
    pub hyperparameters: Hyperparameters,
    /// Its value of the metric on the held-out rows (`None` if the fit failed).
    pub score: Option<f64>,
    /// Every metric on the held-out rows.
    pub validation_metrics: BTreeMap<String, f64>,
    /// Time spent fitting, in milliseconds.
    pub training_time_ms: Option<f64>,
    /// Why the fit failed.
    pub error: Option<String>,
}

/// What a search did.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OptimizeReport {
    /// The model.
    pub model_id: String,
    /// The metric ranked by.
    pub metric: String,
    /// Whether a higher value of the metric is better.
    pub higher_is_better: bool,
    /// Rows the candidates were trained on.
    pub training_rows: usize,
    /// Rows they were scored on.
    pub validation_rows: usize,
    /// The version that served before the search, if any.
    pub baseline_version: Option<u32>,
    /// That version's metric on the same held-out rows. It may have been trained on some of
    /// them, which favours it: a candidate must beat it clearly to replace it.
    pub baseline_score: Option<f64>,
    /// Every candidate, in the order trained (the first is the configured hyperparameters).
    pub trials: Vec<OptimizeTrial>,
    /// Index in `trials` of the best candidate.
    pub best_trial: usize,
    /// Whether the best candidate became the new active version.
    pub kept: bool,
    /// The version it became.
    pub new_version: Option<VersionInfo>,
}

impl Engine {
    /// Searches hyperparameters of `model` on `data` (see the module docs) and keeps the best
    /// candidate as a new active version if it beats the serving version on the held-out rows
    /// (or if the model has no version yet). The model's configured hyperparameters do not
    /// change; the new version records the ones it was trained with.
    pub async fn optimize(
        &self,
        tenant: &str,
        model: &str,
        data: DataSource,
        options: OptimizeOptions,
    ) -> Result<OptimizeReport, EngineError> {
        if options.trials == 0 || options.trials > MAX_TRIALS {
            return Err(invalid(
                "trials",
                format!("must be 1 to {MAX_TRIALS}, got {}", options.trials),
            ));
        }
        let record = self.record(tenant, model).await?;
        if record.status == ModelStatus::Archived {
            return Err(EngineError::Archived {
                model: model.to_owned(),
            });
        }
        let mut settings = settings_of(&record)?;
        let split = options
            .validation_split
            .unwrap_or(if settings.validation_split > 0.0 {
                settings.validation_split
            } else {
                crate::settings::DEFAULT_VALIDATION_SPLIT
            });
        if !(split > 0.0 && split < 1.0) {
            return Err(invalid(
                "validation_split",
                format!("must be above 0 and below 1 to score candidates, got {split}"),
            ));
        }
        settings.validation_split = split;
        let metric = match &options.metric {
            Some(m) => m.clone(),
            None => default_metric(settings.task).to_owned(),
        };
        let Some(higher_is_better) = direction(&metric) else {
            return Err(invalid(
                "metric",
                format!(
                    "'{metric}' does not rank models; use accuracy, precision, recall, f1, roc_auc, log_loss, r2, rmse, mae, silhouette or inertia"
                ),
            ));
        };
        let baseline = match record.active_version {
            Some(v) => {
                let stored = self.stored_version(tenant, &record, model, Some(v)).await?;
                let loaded = Model::from_bytes(&stored.artifact).map_err(|source| {
                    EngineError::DamagedArtifact {
                        model: record.id.clone(),
                        version: v,
                        source,
                    }
                })?;
                Some((v, loaded))
            }
            None => None,
        };
        let _slot = self
            .inner
            .training_slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| EngineError::Internal(format!("training slots: {e}")))?;
        let search_seed = options.seed.unwrap_or(settings.hyperparameters.seed());
        let candidates = candidates(&settings, options.trials, search_seed);
        let worker_settings = settings.clone();
        let worker_metric = metric.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            search(
                &worker_settings,
                &data,
                candidates,
                baseline,
                &worker_metric,
                higher_is_better,
            )
        })
        .await
        .map_err(|e| EngineError::Internal(format!("optimization task: {e}")))??;
        self.inner.stats.record_training(outcome.best.is_some());
        let Search {
            trials,
            best_trial,
            best,
            baseline_version,
            baseline_score,
            training_rows,
            validation_rows,
        } = outcome;
        let best_score = trials.get(best_trial).and_then(|t| t.score);
        let beats = match (best_score, baseline_score) {
            (Some(b), Some(base)) if higher_is_better => b > base,
            (Some(b), Some(base)) => b < base,
            (Some(_), None) => true,
            (None, _) => false,
        };
        let new_version = match (beats, best) {
            (true, Some(trained)) => Some(self.store_version(tenant, &record.id, trained).await?),
            (true, None) | (false, _) => None,
        };
        Ok(OptimizeReport {
            model_id: record.id,
            metric,
            higher_is_better,
            training_rows,
            validation_rows,
            baseline_version,
            baseline_score,
            trials,
            best_trial,
            kept: new_version.is_some(),
            new_version,
        })
    }
}

/// The outcome of the blocking part of a search.
struct Search {
    trials: Vec<OptimizeTrial>,
    best_trial: usize,
    best: Option<TrainedVersion>,
    baseline_version: Option<u32>,
    baseline_score: Option<f64>,
    training_rows: usize,
    validation_rows: usize,
}

fn search(
    settings: &ModelSettings,
    data: &DataSource,
    candidates: Vec<Hyperparameters>,
    baseline: Option<(u32, Model)>,
    metric: &str,
    higher_is_better: bool,
) -> Result<Search, EngineError> {
    let task = settings.task;
    let loaded = LoadedData::read(
        data,
        settings.feature_names.as_deref(),
        Some(&settings.label),
        task.needs_label(),
    )?;
    if task == Task::AnomalyDetection && loaded.labels.is_none() {
        return Err(invalid(
            "data",
            "anomaly detection candidates are ranked on labelled rows (label true = anomaly); give labels".into(),
        ));
    }
    let target = loaded.training_target(task)?;
    // Every candidate keeps the model's seed, so fit_version holds out these same rows.
    let seed = settings.hyperparameters.seed();
    let (train_rows, validation_rows) =
        split::train_validation(loaded.x.n_rows(), &target, settings.validation_split, seed)?;
    if validation_rows.is_empty() {
        return Err(invalid(
            "data",
            format!(
                "{} rows leave none to score candidates on; give more rows",
                loaded.x.n_rows()
            ),
        ));
    }
    let baseline_version = baseline.as_ref().map(|(v, _)| *v);
    let baseline_score = match baseline {
        Some((_, model)) => score_baseline(&model, &loaded, task, &validation_rows, metric),
        None => None,
    };
    let mut trials = Vec::with_capacity(candidates.len());
    let mut best: Option<(usize, f64, TrainedVersion)> = None;
    for hyperparameters in candidates {
        let candidate = ModelSettings {
            hyperparameters: hyperparameters.clone(),
            ..settings.clone()
        };
        match fit_version(&candidate, &loaded, &target, &NoProgress) {
            Ok(trained) => {
                let score = trained.metadata.validation_metrics.get(metric).copied();
                trials.push(OptimizeTrial {
                    hyperparameters,
                    score,
                    validation_metrics: trained.metadata.validation_metrics.clone(),
                    training_time_ms: trained.metadata.training_time_ms,
                    error: None,
                });
                if let Some(s) = score {
                    let better = best
                        .as_ref()
                        .is_none_or(|(_, b, _)| if higher_is_better { s > *b } else { s < *b });
                    if better {
                        best = Some((trials.len() - 1, s, trained));
                    }
                }
            }
            Err(e) => trials.push(OptimizeTrial {
                hyperparameters,
                score: None,
                validation_metrics: BTreeMap::new(),
                training_time_ms: None,
                error: Some(e.to_string()),
            }),
        }
    }
    if best.is_none()
        && let Some(first) = trials.first()
    {
        return Err(match &first.error {
            Some(e) => invalid("data", format!("no candidate could be trained: {e}")),
            None => invalid(
                "metric",
                format!("'{metric}' is not computed for this model on these rows"),
            ),
        });
    }
    let (best_trial, best) = match best {
        Some((i, _, trained)) => (i, Some(trained)),
        None => (0, None),
    };
    Ok(Search {
        trials,
        best_trial,
        best,
        baseline_version,
        baseline_score,
        training_rows: train_rows.len(),
        validation_rows: validation_rows.len(),
    })
}

/// The serving model's metric on the held-out rows, when it takes these features and labels.
fn score_baseline(
    model: &Model,
    data: &LoadedData,
    task: Task,
    rows: &[usize],
    metric: &str,
) -> Option<f64> {
    if model.feature_names().len() != data.x.n_cols() || model.task() != task {
        return None;
    }
    let target: Target = data.evaluation_target(task, model.class_names()).ok()?;
    let metrics = model
        .evaluate(&data.x.select_rows(rows), &target.select(rows))
        .ok()?;
    finite_metrics(metrics).get(metric).copied()
}

fn default_metric(task: Task) -> &'static str {
    match task {
        Task::Classification => "accuracy",
        Task::Regression => "r2",
        Task::AnomalyDetection => "roc_auc",
        Task::Clustering => "silhouette",
    }
}

/// The configured hyperparameters, then up to `trials - 1` distinct grid points in a seeded
/// random order.
fn candidates(settings: &ModelSettings, trials: usize, seed: u64) -> Vec<Hyperparameters> {
    let configured = settings.hyperparameters.clone();
    let mut grid = search_grid(settings.algorithm, &configured);
    grid.retain(|h| *h != configured);
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    for i in (1..grid.len()).rev() {
        let j = rng.random_range(0..=i);
        grid.swap(i, j);
    }
    let mut out = vec![configured];
    out.extend(grid.into_iter().take(trials - 1));
    out
}

/// Every point of the algorithm's search grid, built on `base` (whose other hyperparameters,
/// the seed included, are kept).
pub fn search_grid(algorithm: Algorithm, base: &Hyperparameters) -> Vec<Hyperparameters> {
    let mut out = Vec::new();
    let with = |f: &dyn Fn(&mut Hyperparameters)| {
        let mut h = base.clone();
        f(&mut h);
        h
    };
    match algorithm {
        Algorithm::DecisionTree => {
            for depth in [Some(2), Some(3), Some(4), Some(6), Some(8), Some(12), None] {
                for leaf in [1, 2, 5, 10, 20] {
                    out.push(with(&|h| {
                        h.max_depth = depth;
                        h.min_samples_leaf = Some(leaf);
                    }));
                }
            }
        }
        Algorithm::RandomForest => {
            for trees in [25, 50, 100, 200] {
                for depth in [Some(4), Some(8), Some(12), Some(16), None] {
                    for leaf in [1, 2, 5, 10] {
                        out.push(with(&|h| {
                            h.n_trees = Some(trees);
                            h.max_depth = depth;
                            h.min_samples_leaf = Some(leaf);
                        }));
                    }
                }
            }
        }
        Algorithm::GradientBoosting => {
            for trees in [50, 100, 200] {
                for rate in [0.03, 0.05, 0.1, 0.2] {
                    for leaves in [7, 15, 31, 63] {
                        for leaf in [5, 10, 20, 40] {
                            out.push(with(&|h| {
                                h.n_trees = Some(trees);
                                h.learning_rate = Some(rate);
                                h.max_leaves = Some(leaves);
                                h.min_samples_leaf = Some(leaf);
                            }));
                        }
                    }
                }
            }
        }
        Algorithm::LogisticRegression => {
            for l2 in [0.001, 0.01, 0.1, 1.0, 10.0, 100.0] {
                for iter in [100, 300] {
                    out.push(with(&|h| {
                        h.l2 = Some(l2);
                        h.max_iter = Some(iter);
                    }));
                }
            }
        }
        Algorithm::LinearRegression => {
            for l2 in [0.0, 0.001, 0.01, 0.1, 1.0, 10.0, 100.0] {
                out.push(with(&|h| h.l2 = Some(l2)));
            }
        }
        Algorithm::NeuralNetwork => {
            for layers in [vec![32], vec![64], vec![100], vec![64, 32]] {
                for rate in [0.0003, 0.001, 0.003, 0.01] {
                    for l2 in [0.00001, 0.0001, 0.001] {
                        out.push(with(&|h| {
                            h.hidden_layers = Some(layers.clone());
                            h.learning_rate = Some(rate);
                            h.l2 = Some(l2);
                        }));
                    }
                }
            }
        }
        Algorithm::IsolationForest => {
            for trees in [50, 100, 200] {
                for contamination in [0.01, 0.05, 0.1, 0.2] {
                    out.push(with(&|h| {
                        h.n_trees = Some(trees);
                        h.contamination = Some(contamination);
                    }));
                }
            }
        }
        Algorithm::KMeans => {
            for k in 2..=10 {
                out.push(with(&|h| h.k = Some(k)));
            }
        }
    }
    out
}

fn invalid(what: &str, reason: String) -> EngineError {
    EngineError::InvalidArgument {
        what: what.to_owned(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::ModelConfig;

    fn settings(json: &str) -> ModelSettings {
        ModelConfig::from_json(json)
            .and_then(ModelConfig::resolve)
            .map(|(_, s)| s)
            .unwrap()
    }

    #[test]
    fn every_grid_point_is_a_valid_configuration() {
        for algorithm in [
            Algorithm::DecisionTree,
            Algorithm::RandomForest,
            Algorithm::GradientBoosting,
            Algorithm::LogisticRegression,
            Algorithm::LinearRegression,
            Algorithm::NeuralNetwork,
            Algorithm::IsolationForest,
            Algorithm::KMeans,
        ] {
            let grid = search_grid(algorithm, &Hyperparameters::default());
            assert!(grid.len() >= 7, "{algorithm}: {}", grid.len());
            for h in grid {
                h.check_applies_to(algorithm).unwrap();
                h.check_values(algorithm).unwrap();
            }
        }
    }

    #[test]
    fn candidates_start_with_the_configuration_and_are_seeded_and_distinct() {
        let s = settings(r#"{"algorithm": "random_forest", "hyperparameters": {"n_trees": 10}}"#);
        let a = candidates(&s, 8, 7);
        assert_eq!(a.len(), 8);
        assert_eq!(a[0], s.hyperparameters);
        assert_eq!(a, candidates(&s, 8, 7));
        assert_ne!(a, candidates(&s, 8, 8));
        for (i, x) in a.iter().enumerate() {
            assert!(a[i + 1..].iter().all(|y| y != x));
        }
    }

    #[test]
    fn the_grid_keeps_hyperparameters_it_does_not_vary() {
        let base = Hyperparameters {
            seed: Some(9),
            early_stopping: Some(true),
            ..Default::default()
        };
        for h in search_grid(Algorithm::GradientBoosting, &base) {
            assert_eq!(h.seed, Some(9));
            assert_eq!(h.early_stopping, Some(true));
        }
    }

    #[test]
    fn a_search_scores_every_candidate_on_the_same_rows_and_finds_a_better_depth() {
        let s = settings(
            r#"{"algorithm": "decision_tree", "hyperparameters": {"max_depth": 1}, "validation_split": 0.3}"#,
        );
        let mut features = Vec::new();
        let mut labels = Vec::new();
        for i in 0..200 {
            let a = (i % 10) as f64;
            let b = ((i * 7) % 13) as f64;
            features.push(vec![a, b]);
            labels.push(f64::from(u8::from((a > 4.0) ^ (b > 6.0))).into());
        }
        let data = DataSource::Rows {
            features,
            labels: Some(labels),
        };
        let outcome = search(&s, &data, candidates(&s, 12, 1), None, "accuracy", true).unwrap();
        assert_eq!(outcome.trials.len(), 12);
        assert_eq!(outcome.training_rows + outcome.validation_rows, 200);
        let first = outcome.trials[0].score.unwrap();
        let best = outcome.trials[outcome.best_trial].score.unwrap();
        assert!(
            best > first,
            "depth 1 cannot learn an XOR: {first} vs {best}"
        );
        assert!(outcome.best.is_some());
    }
}
