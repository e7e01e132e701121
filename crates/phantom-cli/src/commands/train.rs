//! `phantom train`: fit a model on a CSV file, report validation metrics, save the model.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use phantom_ml::model::{Algorithm, Hyperparameters, ModelSpec, Task, split};
use phantom_ml::scaling::ScalerKind;
use serde_json::json;

use crate::progress::BarProgress;
use phantom_engine::data::{FeatureColumns, read_table};

/// Arguments of `phantom train`.
#[derive(Args)]
#[command(
    allow_negative_numbers = true,
    after_help = "Examples:
  phantom train --data datasets/iris.csv --label species \\
      --algorithm random_forest --trees 200 --out iris.phm
  phantom train --data datasets/diabetes.csv --label progression \\
      --algorithm gradient_boosting --task regression --out diabetes.phm
  phantom train --data flows.csv --label is_attack \\
      --algorithm isolation_forest --contamination 0.05 --out flows.phm
  phantom train --data datasets/wine.csv --label cultivar --algorithm kmeans --k 3 --out wine.phm

Tasks and algorithms:
  classification     decision_tree, random_forest, gradient_boosting,
                     logistic_regression, neural_network
  regression         decision_tree, random_forest, gradient_boosting,
                     linear_regression, neural_network
  anomaly_detection  isolation_forest
  clustering         kmeans

Output: one JSON object on stdout with the metrics on the validation split, training_time_ms (the
fit alone, without reading the file), the row counts and the model's path."
)]
pub struct TrainArgs {
    /// CSV file with a header row; every column but the label must be numeric.
    #[arg(long, value_name = "FILE.csv")]
    data: PathBuf,
    /// The label column: required for classification and regression; for anomaly detection and
    /// clustering it is optional and left out of the features (anomaly labels: 1 = anomaly, 0 = normal).
    #[arg(long, value_name = "COLUMN")]
    label: Option<String>,
    /// The learning algorithm.
    #[arg(long, value_name = "ALGO", value_parser = parse::<Algorithm>)]
    algorithm: Algorithm,
    /// What to learn; defaults to the algorithm's first task (classification for the supervised
    /// algorithms that do both).
    #[arg(long, value_name = "TASK", value_parser = parse::<Task>)]
    task: Option<Task>,
    /// Number of trees (random_forest, isolation_forest) or boosting rounds (gradient_boosting).
    #[arg(long, value_name = "N")]
    trees: Option<usize>,
    /// Maximum tree depth (decision_tree, random_forest, gradient_boosting).
    #[arg(long, value_name = "N")]
    max_depth: Option<usize>,
    /// Minimum rows in a leaf (decision_tree, random_forest, gradient_boosting).
    #[arg(long, value_name = "N")]
    min_samples_leaf: Option<usize>,
    /// Maximum leaves per tree (gradient_boosting).
    #[arg(long, value_name = "N")]
    max_leaves: Option<usize>,
    /// Number of clusters (kmeans).
    #[arg(long, value_name = "N")]
    k: Option<usize>,
    /// Learning rate (gradient_boosting, neural_network).
    #[arg(long, value_name = "F")]
    learning_rate: Option<f64>,
    /// L2 regularisation strength: 1/C for logistic_regression, alpha for linear_regression and
    /// neural_network, lambda on leaf values for gradient_boosting.
    #[arg(long, value_name = "F")]
    l2: Option<f64>,
    /// Maximum optimiser iterations (logistic_regression, kmeans) or epochs (neural_network).
    #[arg(long, value_name = "N")]
    max_iter: Option<usize>,
    /// Hidden layer sizes, comma-separated (neural_network), e.g. 64,32.
    #[arg(long, value_name = "N,N", value_delimiter = ',')]
    hidden_layers: Option<Vec<usize>>,
    /// Expected share of anomalies, which sets the decision threshold (isolation_forest).
    #[arg(long, value_name = "F")]
    contamination: Option<f64>,
    /// Stop when a held-out tenth of the training rows stops improving (gradient_boosting:
    /// default false; neural_network: default true from 10,000 training rows, false below).
    #[arg(long, value_name = "BOOL")]
    early_stopping: Option<bool>,
    /// Feature scaling fitted on the training rows and saved in the model: none, min_max,
    /// z_score, robust or unit_vector. Default: z_score for logistic_regression,
    /// neural_network and kmeans, none otherwise.
    #[arg(long, value_name = "KIND")]
    scaler: Option<String>,
    /// Seed for every random choice; the same seed and data give the same model.
    #[arg(long, value_name = "N", default_value_t = 42)]
    seed: u64,
    /// Share of rows held out to compute the reported metrics (0 reports training metrics).
    #[arg(long, value_name = "F", default_value_t = 0.2)]
    validation_split: f64,
    /// Where to write the model.
    #[arg(long, value_name = "MODEL.phm")]
    out: PathBuf,
}

/// Parses a value with `FromStr`, keeping the error message (it lists the valid names).
fn parse<T: std::str::FromStr<Err = phantom_ml::MlError>>(s: &str) -> Result<T, String> {
    s.parse::<T>().map_err(|e| e.to_string())
}

/// Runs `phantom train`.
pub fn run(args: &TrainArgs) -> Result<()> {
    let task = args.task.unwrap_or(args.algorithm.default_task());
    args.algorithm.check_task(task)?;
    if task.needs_label() && args.label.is_none() {
        bail!(
            "--label is required for {task}: name the column that holds what the model should predict"
        );
    }
    if !(0.0..1.0).contains(&args.validation_split) {
        bail!(
            "--validation-split must be at least 0 and below 1, got {}",
            args.validation_split
        );
    }
    let mut spec = ModelSpec::new(args.algorithm, task).hyperparameters(hyperparameters(args));
    if let Some(choice) = scaler(args)? {
        spec = spec.scaler(choice);
    }
    spec.validate()?;

    let table = read_table(
        &args.data,
        FeatureColumns::AllExcept(&[]),
        args.label.as_deref(),
        task.needs_label(),
    )?;
    let target = match &args.label {
        Some(label) => table.training_target(label, task)?,
        None => phantom_ml::model::Target::None,
    };
    let (train_rows, validation_rows) =
        split::train_validation(table.x.n_rows(), &target, args.validation_split, args.seed)?;
    let train_x = table.x.select_rows(&train_rows);
    let train_target = target.select(&train_rows);

    let progress = BarProgress::new(&format!("training {}", args.algorithm));
    let started = Instant::now();
    let model = spec.fit(&train_x, &train_target, &table.feature_names, &progress)?;
    let training_time_ms = started.elapsed().as_secs_f64() * 1e3;
    progress.finish();

    let (evaluated_on, eval_rows) = if validation_rows.is_empty() {
        ("training", &train_rows)
    } else {
        ("validation", &validation_rows)
    };
    let metrics = model.evaluate(&table.x.select_rows(eval_rows), &target.select(eval_rows))?;
    super::write_atomically(&args.out, &model.to_bytes()?)?;

    let mut report = serde_json::Map::new();
    for (name, value) in metrics {
        report.insert(name, json!(value));
    }
    report.insert("evaluated_on".into(), json!(evaluated_on));
    report.insert("training_time_ms".into(), json!(training_time_ms));
    report.insert("training_rows".into(), json!(train_rows.len()));
    report.insert("validation_rows".into(), json!(validation_rows.len()));
    report.insert("feature_count".into(), json!(table.feature_names.len()));
    report.insert("algorithm".into(), json!(args.algorithm));
    report.insert("task".into(), json!(task));
    report.insert("model".into(), json!(args.out.display().to_string()));
    super::print_json(&serde_json::Value::Object(report))
}

fn hyperparameters(args: &TrainArgs) -> Hyperparameters {
    Hyperparameters {
        seed: Some(args.seed),
        n_trees: args.trees,
        max_depth: args.max_depth,
        min_samples_leaf: args.min_samples_leaf,
        max_leaves: args.max_leaves,
        k: args.k,
        learning_rate: args.learning_rate,
        l2: args.l2,
        max_iter: args.max_iter,
        hidden_layers: args.hidden_layers.clone(),
        contamination: args.contamination,
        early_stopping: args.early_stopping,
    }
}

/// `None` keeps the algorithm's default scaler; `Some(None)` means no scaling.
fn scaler(args: &TrainArgs) -> Result<Option<Option<ScalerKind>>> {
    match args.scaler.as_deref() {
        None => Ok(None),
        Some("none") => Ok(Some(None)),
        Some(name) => Ok(Some(Some(name.parse::<ScalerKind>().with_context(
            || format!("--scaler {name}: expected none, min_max, z_score, robust or unit_vector"),
        )?))),
    }
}
