//! `generate_insights`: facts derived from the stored models and their versions' metrics —
//! the best model per task, models never trained, versions that scored worse than the one
//! before, models not retrained for a while, rolled-back models and models unused since the
//! engine started. Nothing is estimated: every figure is a stored metric or a count.

use std::collections::{BTreeMap, HashMap};

use phantom_engine::time::format_utc;
use phantom_engine::{ModelInfo, ModelStatus, VersionInfo};
use phantom_ml::model::Task;
use serde::{Deserialize, Serialize};

use crate::models::headline;

/// Thresholds of the insights.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(default)]
pub struct InsightOptions {
    /// A model whose serving version is older than this many days is stale (default 30).
    pub stale_after_days: f64,
    /// Smallest change of a metric between versions that is reported (default 0.01).
    pub min_change: f64,
}

impl Default for InsightOptions {
    fn default() -> Self {
        Self {
            stale_after_days: 30.0,
            min_change: 0.01,
        }
    }
}

/// A model's standing on its task's metric.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Standing {
    model_id: String,
    name: String,
    version: u32,
    metric: &'static str,
    value: f64,
    metrics_source: &'static str,
}

/// A metric that moved between two consecutive versions.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricChange {
    model_id: String,
    name: String,
    from_version: u32,
    to_version: u32,
    metric: &'static str,
    before: f64,
    after: f64,
    change: f64,
    worse: bool,
}

/// A model whose serving version is old.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stale {
    model_id: String,
    name: String,
    last_trained: String,
    age_days: f64,
}

/// Everything `generate_insights` reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Insights {
    total_models: usize,
    trained_models: usize,
    archived_models: Vec<String>,
    untrained_models: Vec<String>,
    best_by_task: BTreeMap<String, Standing>,
    metric_changes: Vec<MetricChange>,
    stale_models: Vec<Stale>,
    rolled_back_models: Vec<String>,
    unused_since_start: Vec<String>,
    insights: Vec<String>,
}

/// The metric a task is ranked by, and whether higher is better.
fn task_metric(task: Task) -> (&'static str, bool) {
    match task {
        Task::Classification => ("accuracy", true),
        Task::Regression => ("r2", true),
        Task::AnomalyDetection => ("roc_auc", true),
        Task::Clustering => ("silhouette", true),
    }
}

/// Derives the insights. `requests` is the predictions each model (by id) answered since the
/// engine started; `now_ms` is the current time.
pub fn derive(
    models: &[(ModelInfo, Vec<VersionInfo>)],
    requests: &HashMap<String, u64>,
    now_ms: i64,
    options: InsightOptions,
) -> Insights {
    let mut out = Insights {
        total_models: models.len(),
        trained_models: 0,
        archived_models: Vec::new(),
        untrained_models: Vec::new(),
        best_by_task: BTreeMap::new(),
        metric_changes: Vec::new(),
        stale_models: Vec::new(),
        rolled_back_models: Vec::new(),
        unused_since_start: Vec::new(),
        insights: Vec::new(),
    };
    for (info, versions) in models {
        if info.status == ModelStatus::Archived {
            out.archived_models.push(info.name.clone());
        }
        let Some(active) = &info.active else {
            out.untrained_models.push(info.name.clone());
            continue;
        };
        out.trained_models += 1;
        let (metric, higher) = task_metric(info.settings.task);
        let (source, metrics) = headline(active);
        if let Some(&value) = metrics.get(metric) {
            let task = info.settings.task.to_string();
            let better = out.best_by_task.get(&task).is_none_or(|b| {
                if higher {
                    value > b.value
                } else {
                    value < b.value
                }
            });
            if better && info.status == ModelStatus::Active {
                out.best_by_task.insert(
                    task,
                    Standing {
                        model_id: info.id.clone(),
                        name: info.name.clone(),
                        version: active.version,
                        metric,
                        value,
                        metrics_source: source,
                    },
                );
            }
        }
        for pair in versions.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let (Some(&before), Some(&after)) =
                (headline(a).1.get(metric), headline(b).1.get(metric))
            else {
                continue;
            };
            let change = after - before;
            if change.abs() >= options.min_change {
                out.metric_changes.push(MetricChange {
                    model_id: info.id.clone(),
                    name: info.name.clone(),
                    from_version: a.version,
                    to_version: b.version,
                    metric,
                    before,
                    after,
                    change,
                    worse: if higher { change < 0.0 } else { change > 0.0 },
                });
            }
        }
        let age_days = (now_ms - active.created_at) as f64 / 86_400_000.0;
        if age_days > options.stale_after_days {
            out.stale_models.push(Stale {
                model_id: info.id.clone(),
                name: info.name.clone(),
                last_trained: format_utc(active.created_at),
                age_days,
            });
        }
        if versions.last().is_some_and(|v| v.version != active.version) {
            out.rolled_back_models.push(info.name.clone());
        }
        if requests.get(&info.id).copied().unwrap_or(0) == 0 {
            out.unused_since_start.push(info.name.clone());
        }
    }
    out.insights = sentences(&out, options);
    out
}

fn sentences(i: &Insights, options: InsightOptions) -> Vec<String> {
    let mut s = Vec::new();
    for (task, best) in &i.best_by_task {
        s.push(format!(
            "best {task} model: '{}' v{} with {} {:.4} ({} rows)",
            best.name, best.version, best.metric, best.value, best.metrics_source
        ));
    }
    for c in i.metric_changes.iter().filter(|c| c.worse) {
        s.push(format!(
            "'{}': {} fell from {:.4} (v{}) to {:.4} (v{})",
            c.name, c.metric, c.before, c.from_version, c.after, c.to_version
        ));
    }
    if !i.untrained_models.is_empty() {
        s.push(format!(
            "{} model(s) never trained: {}",
            i.untrained_models.len(),
            i.untrained_models.join(", ")
        ));
    }
    for m in &i.stale_models {
        s.push(format!(
            "'{}' was last trained {:.0} days ago (over {} days)",
            m.name, m.age_days, options.stale_after_days
        ));
    }
    for name in &i.rolled_back_models {
        s.push(format!("'{name}' serves an older version than its latest"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use phantom_engine::{ModelConfig, VersionMetadata, VersionOrigin};
    use phantom_ml::model::Algorithm;

    fn version(v: u32, accuracy: f64, at: i64) -> VersionInfo {
        VersionInfo {
            model_id: "id-a".into(),
            version: v,
            active: false,
            created_at: at,
            sha256: String::new(),
            size_bytes: 0,
            metadata: VersionMetadata {
                algorithm: Algorithm::RandomForest,
                task: Task::Classification,
                hyperparameters: Default::default(),
                scaling: phantom_engine::settings::Scaling::None,
                feature_names: vec!["x".into()],
                classes: vec!["0".into(), "1".into()],
                training_metrics: BTreeMap::new(),
                validation_metrics: [("accuracy".to_owned(), accuracy)].into(),
                training_time_ms: Some(1.0),
                training_rows: Some(8),
                validation_rows: Some(2),
                feature_importance: vec![1.0],
                origin: VersionOrigin::Trained,
            },
        }
    }

    fn model(name: &str, versions: &[VersionInfo], active: Option<u32>) -> ModelInfo {
        let (_, settings) = ModelConfig::from_json(r#"{"algorithm": "random_forest"}"#)
            .and_then(ModelConfig::resolve)
            .unwrap();
        ModelInfo {
            id: format!("id-{name}"),
            name: name.into(),
            status: ModelStatus::Active,
            active_version: active,
            version_count: versions.len(),
            created_at: 0,
            updated_at: 0,
            settings,
            active: active.and_then(|a| versions.iter().find(|v| v.version == a).cloned()),
        }
    }

    #[test]
    fn drops_untrained_stale_and_best_are_found() {
        let day = 86_400_000;
        let a_versions = vec![version(1, 0.9, 0), version(2, 0.7, day)];
        let models = vec![
            (model("a", &a_versions, Some(2)), a_versions.clone()),
            (model("b", &[], None), Vec::new()),
        ];
        let i = derive(
            &models,
            &HashMap::new(),
            40 * day,
            InsightOptions::default(),
        );
        assert_eq!(i.untrained_models, vec!["b".to_owned()]);
        assert_eq!(i.best_by_task["classification"].value, 0.7);
        assert_eq!(i.metric_changes.len(), 1);
        assert!(i.metric_changes[0].worse);
        assert_eq!(i.stale_models.len(), 1);
        assert_eq!(i.unused_since_start, vec!["a".to_owned()]);
        assert!(i.insights.iter().any(|s| s.contains("fell from 0.9000")));
    }
}
