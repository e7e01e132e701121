//! Comparing models or versions: on the metrics stored at training, and optionally on a fresh
//! evaluation of each against the same data.

use std::collections::BTreeMap;

use phantom_ml::model::{Model, Task};
use serde::{Deserialize, Serialize};

use crate::EngineError;
use crate::data::{DataSource, LoadedData};
use crate::engine::Engine;
use crate::registry::info::{VersionInfo, finite_metrics};

/// Most models or versions compared at once.
pub const MAX_COMPARED: usize = 20;

/// One model (at its active version, or at `version`) to compare.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompareTarget {
    /// Model id or name.
    pub model: String,
    /// The version (default: the active one).
    #[serde(default)]
    pub version: Option<u32>,
}

/// One compared model version.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComparisonEntry {
    /// The model's id.
    pub model_id: String,
    /// The model's name.
    pub name: String,
    /// The version compared.
    pub version: u32,
    /// Its algorithm.
    pub algorithm: phantom_ml::model::Algorithm,
    /// Its task.
    pub task: Task,
    /// Validation metrics stored at training (training metrics when it had no validation split).
    pub stored_metrics: BTreeMap<String, f64>,
    /// Metrics on the data given to the comparison.
    pub evaluated_metrics: Option<BTreeMap<String, f64>>,
}

/// The best entry on one metric.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricLeader {
    /// The model's id.
    pub model_id: String,
    /// The version.
    pub version: u32,
    /// Its value of the metric.
    pub value: f64,
}

/// The result of a comparison.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// One entry per target, in the order given.
    pub entries: Vec<ComparisonEntry>,
    /// Rows of the evaluation data, when data was given.
    pub evaluated_rows: Option<usize>,
    /// For each metric every entry has (fresh metrics when data was given, else stored
    /// ones), the best entry: highest for accuracy, precision, recall, f1, roc_auc, r2 and
    /// silhouette; lowest for rmse, mae, log_loss and inertia.
    pub best: BTreeMap<String, MetricLeader>,
}

impl Engine {
    /// Compares models or versions on their stored metrics and, given `data`, on a fresh
    /// evaluation of each on it (every target must then take the data's features).
    pub async fn compare(
        &self,
        tenant: &str,
        targets: &[CompareTarget],
        data: Option<DataSource>,
    ) -> Result<Comparison, EngineError> {
        if targets.is_empty() || targets.len() > MAX_COMPARED {
            return Err(EngineError::InvalidArgument {
                what: "targets".into(),
                reason: format!(
                    "give 1 to {MAX_COMPARED} models to compare, got {}",
                    targets.len()
                ),
            });
        }
        let mut loaded: Vec<(ComparisonEntry, Model)> = Vec::with_capacity(targets.len());
        for target in targets {
            let record = self.record(tenant, &target.model).await?;
            let stored = self
                .stored_version(tenant, &record, &target.model, target.version)
                .await?;
            let version = stored.summary.version;
            let info = VersionInfo::from_summary(stored.summary, record.active_version)?;
            let model = Model::from_bytes(&stored.artifact).map_err(|source| {
                EngineError::DamagedArtifact {
                    model: record.id.clone(),
                    version,
                    source,
                }
            })?;
            let stored_metrics = if info.metadata.validation_metrics.is_empty() {
                info.metadata.training_metrics.clone()
            } else {
                info.metadata.validation_metrics.clone()
            };
            loaded.push((
                ComparisonEntry {
                    model_id: record.id,
                    name: record.name,
                    version,
                    algorithm: info.metadata.algorithm,
                    task: info.metadata.task,
                    stored_metrics,
                    evaluated_metrics: None,
                },
                model,
            ));
        }
        let evaluated_rows = match data {
            Some(source) => {
                let (entries, rows) =
                    tokio::task::spawn_blocking(move || evaluate_all(loaded, &source))
                        .await
                        .map_err(|e| EngineError::Internal(format!("evaluation task: {e}")))??;
                return Ok(finish(entries, Some(rows)));
            }
            None => None,
        };
        Ok(finish(
            loaded.into_iter().map(|(e, _)| e).collect(),
            evaluated_rows,
        ))
    }
}

fn evaluate_all(
    loaded: Vec<(ComparisonEntry, Model)>,
    source: &DataSource,
) -> Result<(Vec<ComparisonEntry>, usize), EngineError> {
    let mut entries = Vec::with_capacity(loaded.len());
    let mut rows = 0;
    for (mut entry, model) in loaded {
        let names = model.feature_names().to_vec();
        let data = LoadedData::read(source, Some(&names), None, entry.task.needs_label())?;
        let target = data.evaluation_target(entry.task, model.class_names())?;
        rows = data.x.n_rows();
        entry.evaluated_metrics = Some(finite_metrics(model.evaluate(&data.x, &target)?));
        entries.push(entry);
    }
    Ok((entries, rows))
}

fn finish(entries: Vec<ComparisonEntry>, evaluated_rows: Option<usize>) -> Comparison {
    let metrics_of = |e: &ComparisonEntry| -> BTreeMap<String, f64> {
        e.evaluated_metrics
            .clone()
            .unwrap_or_else(|| e.stored_metrics.clone())
    };
    let mut best: BTreeMap<String, MetricLeader> = BTreeMap::new();
    if let Some(first) = entries.first() {
        for metric in metrics_of(first).keys() {
            let Some(higher_is_better) = direction(metric) else {
                continue;
            };
            let mut leader: Option<MetricLeader> = None;
            let mut everywhere = true;
            for e in &entries {
                let Some(&value) = metrics_of(e).get(metric) else {
                    everywhere = false;
                    break;
                };
                let better = leader.as_ref().is_none_or(|l| {
                    if higher_is_better {
                        value > l.value
                    } else {
                        value < l.value
                    }
                });
                if better {
                    leader = Some(MetricLeader {
                        model_id: e.model_id.clone(),
                        version: e.version,
                        value,
                    });
                }
            }
            if let (true, Some(l)) = (everywhere, leader) {
                best.insert(metric.clone(), l);
            }
        }
    }
    Comparison {
        entries,
        evaluated_rows,
        best,
    }
}

/// Whether a higher value of `metric` is better; `None` for metrics that rank nothing.
pub(crate) fn direction(metric: &str) -> Option<bool> {
    match metric {
        "accuracy" | "precision" | "recall" | "f1" | "roc_auc" | "r2" | "silhouette" => Some(true),
        "rmse" | "mae" | "log_loss" | "inertia" => Some(false),
        _ => None,
    }
}
