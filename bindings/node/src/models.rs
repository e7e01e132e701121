//! What the model-management methods return: models and versions in the original package's
//! vocabulary (`model_id`, `model_type`, `status`, `accuracy`, ...), every figure read from the
//! stored version.

use std::collections::BTreeMap;

use phantom_engine::time::format_utc;
use phantom_engine::{ModelInfo, ModelStatus, VersionInfo};
use phantom_ml::model::{Algorithm, Task};
use serde_json::{Map, Value, json};

/// "archived", "trained" (it has a version that serves) or "created" (not trained yet).
pub fn status(info: &ModelInfo) -> &'static str {
    match (info.status, info.active_version) {
        (ModelStatus::Archived, _) => "archived",
        (ModelStatus::Active, Some(_)) => "trained",
        (ModelStatus::Active, None) => "created",
    }
}

/// The metrics a model is judged by: on the validation rows when it had some, else on the
/// training rows; and which of the two they are.
pub fn headline(version: &VersionInfo) -> (&'static str, &BTreeMap<String, f64>) {
    let meta = &version.metadata;
    if meta.validation_metrics.is_empty() {
        ("training", &meta.training_metrics)
    } else {
        ("validation", &meta.validation_metrics)
    }
}

/// A model as `list_models`, `create_model` and the lifecycle methods return it.
pub fn summary(info: &ModelInfo) -> Value {
    let feature_names: Option<Vec<String>> = info
        .active
        .as_ref()
        .map(|v| v.metadata.feature_names.clone())
        .or_else(|| info.settings.feature_names.clone());
    let mut out = json!({
        "model_id": info.id,
        "name": info.name,
        "model_type": info.settings.task,
        "algorithm": info.settings.algorithm,
        "status": status(info),
        "version": info.active_version,
        "version_count": info.version_count,
        "feature_count": feature_names.as_ref().map(Vec::len),
        "created_at": format_utc(info.created_at),
        "updated_at": format_utc(info.updated_at),
    });
    if let (Some(obj), Some(active)) = (out.as_object_mut(), &info.active) {
        let (source, metrics) = headline(active);
        obj.insert("metrics_source".into(), json!(source));
        insert_quality(obj, info.settings.task, metrics);
        obj.insert("last_trained".into(), json!(format_utc(active.created_at)));
    }
    out
}

/// Everything about one model, as `get_model_info` returns it.
pub fn details(info: &ModelInfo, versions: &[VersionInfo]) -> Value {
    let mut out = summary(info);
    if let Some(obj) = out.as_object_mut() {
        obj.insert("description".into(), json!(info.settings.description));
        obj.insert("settings".into(), json!(info.settings));
        if let Some(active) = &info.active {
            let meta = &active.metadata;
            obj.insert("feature_names".into(), json!(meta.feature_names));
            obj.insert("classes".into(), json!(meta.classes));
            obj.insert("hyperparameters".into(), json!(meta.hyperparameters));
            obj.insert("training_samples".into(), json!(meta.training_rows));
            obj.insert("validation_samples".into(), json!(meta.validation_rows));
            obj.insert("training_metrics".into(), json!(meta.training_metrics));
            obj.insert("validation_metrics".into(), json!(meta.validation_metrics));
            obj.insert("training_time_ms".into(), json!(meta.training_time_ms));
            obj.insert(
                "feature_importance".into(),
                named(&meta.feature_names, &meta.feature_importance),
            );
            obj.insert("sha256".into(), json!(active.sha256));
            obj.insert("size_bytes".into(), json!(active.size_bytes));
            obj.insert("origin".into(), json!(meta.origin));
        }
        obj.insert(
            "versions".into(),
            Value::Array(versions.iter().map(version).collect()),
        );
    }
    out
}

/// One version, for version listings.
pub fn version(v: &VersionInfo) -> Value {
    let (source, metrics) = headline(v);
    let mut out = json!({
        "version": v.version,
        "active": v.active,
        "created_at": format_utc(v.created_at),
        "algorithm": v.metadata.algorithm,
        "hyperparameters": v.metadata.hyperparameters,
        "training_metrics": v.metadata.training_metrics,
        "validation_metrics": v.metadata.validation_metrics,
        "metrics_source": source,
        "training_time_ms": v.metadata.training_time_ms,
        "training_samples": v.metadata.training_rows,
        "origin": v.metadata.origin,
        "sha256": v.sha256,
    });
    if let Some(obj) = out.as_object_mut() {
        insert_quality(obj, v.metadata.task, metrics);
    }
    out
}

/// What `train_model` returns for the version a training made.
pub fn trained(version: &VersionInfo, epochs: Option<u64>, job_id: &str) -> Value {
    let meta = &version.metadata;
    let train = &meta.training_metrics;
    let valid = &meta.validation_metrics;
    let has_validation = meta.validation_rows.is_some_and(|n| n > 0);
    let mut out = Map::new();
    out.insert("model_id".into(), json!(version.model_id));
    out.insert("version".into(), json!(version.version));
    out.insert("job_id".into(), json!(job_id));
    out.insert("status".into(), json!("trained"));
    out.insert("algorithm".into(), json!(meta.algorithm));
    out.insert("model_type".into(), json!(meta.task));
    let (loss_name, loss) = loss(meta.task);
    match meta.task {
        Task::Classification => {
            out.insert("training_accuracy".into(), json!(train.get("accuracy")));
            out.insert(
                "validation_accuracy".into(),
                json!(has_validation.then(|| valid.get("accuracy")).flatten()),
            );
        }
        Task::Regression | Task::AnomalyDetection | Task::Clustering => {}
    }
    if let Some(loss) = loss {
        out.insert("loss_function".into(), json!(loss_name));
        out.insert("training_loss".into(), json!(loss(train)));
        out.insert(
            "validation_loss".into(),
            json!(has_validation.then(|| loss(valid)).flatten()),
        );
    }
    out.insert("training_time_ms".into(), json!(meta.training_time_ms));
    if meta.algorithm == Algorithm::NeuralNetwork {
        out.insert("epochs_completed".into(), json!(epochs));
    }
    let (source, metrics) = headline(version);
    out.insert("metrics_source".into(), json!(source));
    insert_quality(&mut out, meta.task, metrics);
    out.insert("training_samples".into(), json!(meta.training_rows));
    out.insert("validation_samples".into(), json!(meta.validation_rows));
    out.insert(
        "samples_processed".into(),
        json!(
            meta.training_rows
                .zip(meta.validation_rows)
                .map(|(a, b)| a + b)
        ),
    );
    out.insert("training_metrics".into(), json!(train));
    out.insert("validation_metrics".into(), json!(valid));
    out.insert(
        "feature_importance".into(),
        named(&meta.feature_names, &meta.feature_importance),
    );
    out.insert("classes".into(), json!(meta.classes));
    Value::Object(out)
}

type LossOf = fn(&BTreeMap<String, f64>) -> Option<f64>;

/// The loss a task is trained against, read from its metrics: log-loss for classification,
/// mean squared error (rmse²) for regression; none for the unsupervised tasks.
fn loss(task: Task) -> (&'static str, Option<LossOf>) {
    match task {
        Task::Classification => ("log_loss", Some(|m| m.get("log_loss").copied())),
        Task::Regression => ("mse", Some(|m| m.get("rmse").map(|r| r * r))),
        Task::AnomalyDetection | Task::Clustering => ("", None),
    }
}

/// The original package's flat quality fields, when the task has them.
fn insert_quality(out: &mut Map<String, Value>, task: Task, metrics: &BTreeMap<String, f64>) {
    let keys: &[(&str, &str)] = match task {
        Task::Classification => &[
            ("accuracy", "accuracy"),
            ("precision", "precision"),
            ("recall", "recall"),
            ("f1_score", "f1"),
            ("roc_auc", "roc_auc"),
        ],
        Task::Regression => &[("r2", "r2"), ("rmse", "rmse"), ("mae", "mae")],
        Task::AnomalyDetection => &[
            ("roc_auc", "roc_auc"),
            ("precision", "precision"),
            ("recall", "recall"),
            ("f1_score", "f1"),
            ("anomaly_rate", "anomaly_rate"),
        ],
        Task::Clustering => &[("silhouette", "silhouette"), ("inertia", "inertia")],
    };
    for (name, metric) in keys {
        if let Some(v) = metrics.get(*metric) {
            out.insert((*name).into(), json!(v));
        }
    }
}

/// `{feature: value}` for parallel lists of names and values.
pub fn named(names: &[String], values: &[f64]) -> Value {
    Value::Object(
        names
            .iter()
            .zip(values)
            .map(|(n, v)| (n.clone(), json!(v)))
            .collect(),
    )
}
