//! `phantom eval`: measure a saved model on labelled data.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;
use phantom_ml::model::Task;
use serde_json::json;

use phantom_engine::data::{FeatureColumns, read_table};

/// Arguments of `phantom eval`.
#[derive(Args)]
#[command(after_help = "Prints one JSON object of metrics:
  classification     accuracy, precision, recall, f1 (binary: of the positive class, the second
                     class in sorted order, e.g. 1; multi-class: macro averages), roc_auc, log_loss
  regression         rmse, mae, r2
  anomaly_detection  roc_auc (label 1 = anomaly), precision, recall, f1 of the flagged rows
  clustering         inertia, silhouette (no label needed)

Example:
  phantom eval --model cancer.phm --data datasets/breast_cancer.csv --label malignant")]
pub struct EvalArgs {
    /// A model written by `phantom train`.
    #[arg(long, value_name = "MODEL.phm")]
    model: PathBuf,
    /// CSV file with the model's feature columns and the label column.
    #[arg(long, value_name = "FILE.csv")]
    data: PathBuf,
    /// The label column (not needed for clustering models).
    #[arg(long, value_name = "COLUMN")]
    label: Option<String>,
}

/// Runs `phantom eval`.
pub fn run(args: &EvalArgs) -> Result<()> {
    let model = super::load_model(&args.model)?;
    let task = model.task();
    let label = match (&args.label, task) {
        (Some(label), _) => Some(label.as_str()),
        (None, Task::Clustering) => None,
        (None, _) => bail!("--label is required to evaluate a {task} model"),
    };
    let table = read_table(
        &args.data,
        FeatureColumns::Named(model.feature_names()),
        label,
        label.is_some(),
    )?;
    let target = match label {
        Some(label) => table.evaluation_target(label, task, model.class_names())?,
        None => phantom_ml::model::Target::None,
    };
    let metrics = model.evaluate(&table.x, &target)?;
    let mut report = serde_json::Map::new();
    for (name, value) in metrics {
        report.insert(name, json!(value));
    }
    report.insert("rows".into(), json!(table.x.n_rows()));
    report.insert("task".into(), json!(task));
    report.insert("algorithm".into(), json!(model.algorithm()));
    super::print_json(&serde_json::Value::Object(report))
}
