//! Runs Phantom's side of the benchmark workloads and prints one JSON object per workload.
//!
//! Used by `bench/run.sh`, which runs the peers on the same files and prints the comparison.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use phantom_engine::data::{FeatureColumns, Table, read_table};
use phantom_ml::model::{Algorithm, Hyperparameters, Model, ModelSpec, Target, Task};
use phantom_ml::{Matrix, NoProgress};
use serde_json::{Map, Value, json};

/// Phantom's side of the benchmarks.
#[derive(Parser)]
struct Args {
    /// Folder with the CSV files written by bench/prepare_data.py.
    #[arg(long, default_value = "bench/data")]
    data: PathBuf,
    /// Workloads to run, comma-separated (default: all).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Timed repetitions of each fit and batch prediction; the median is reported.
    #[arg(long, default_value_t = 3)]
    repeats: usize,
    /// Single-row predictions timed for the latency figures.
    #[arg(long, default_value_t = 2000)]
    single_rows: usize,
}

/// A dataset split in a training and a test file.
struct Split {
    train: Table,
    test: Table,
}

/// One benchmark: a name, a dataset, an algorithm and its hyperparameters.
struct Workload {
    name: &'static str,
    dataset: &'static str,
    algorithm: Algorithm,
    hyperparameters: Hyperparameters,
}

fn workloads() -> Vec<Workload> {
    let trees = |n| Hyperparameters {
        n_trees: Some(n),
        seed: Some(0),
        ..Hyperparameters::default()
    };
    let seeded = Hyperparameters {
        seed: Some(0),
        ..Hyperparameters::default()
    };
    let mut out = Vec::new();
    for dataset in ["nslkdd", "synthetic"] {
        out.push(Workload {
            name: "random_forest",
            dataset,
            algorithm: Algorithm::RandomForest,
            hyperparameters: trees(100),
        });
        out.push(Workload {
            name: "gradient_boosting",
            dataset,
            algorithm: Algorithm::GradientBoosting,
            hyperparameters: Hyperparameters {
                early_stopping: Some(false),
                ..trees(100)
            },
        });
        out.push(Workload {
            name: "logistic_regression",
            dataset,
            algorithm: Algorithm::LogisticRegression,
            hyperparameters: seeded.clone(),
        });
        out.push(Workload {
            name: "neural_network",
            dataset,
            algorithm: Algorithm::NeuralNetwork,
            hyperparameters: Hyperparameters {
                hidden_layers: Some(vec![100]),
                ..seeded.clone()
            },
        });
    }
    out.push(Workload {
        name: "isolation_forest",
        dataset: "nslkdd",
        algorithm: Algorithm::IsolationForest,
        hyperparameters: trees(100),
    });
    out.push(Workload {
        name: "kmeans",
        dataset: "nslkdd",
        algorithm: Algorithm::KMeans,
        hyperparameters: Hyperparameters {
            k: Some(8),
            ..seeded
        },
    });
    out
}

fn main() -> Result<()> {
    let args = Args::parse();
    let mut loaded: Vec<(&str, Split)> = Vec::new();
    for w in workloads() {
        if !args.only.is_empty() && !args.only.iter().any(|o| o == w.name) {
            continue;
        }
        if !loaded.iter().any(|(d, _)| *d == w.dataset) {
            loaded.push((w.dataset, load(&args.data, w.dataset)?));
        }
        let split = loaded
            .iter()
            .find(|(d, _)| *d == w.dataset)
            .map(|(_, s)| s)
            .context("dataset was just loaded")?;
        let result = run(&w, split, &args)?;
        println!("{}", Value::Object(result));
    }
    Ok(())
}

fn load(dir: &Path, dataset: &str) -> Result<Split> {
    let read = |file: String| {
        read_table(
            &dir.join(file),
            FeatureColumns::AllExcept(&[]),
            Some("label"),
            true,
        )
        .context("run bench/run.sh, which prepares the data first")
    };
    Ok(Split {
        train: read(format!("{dataset}_train.csv"))?,
        test: read(format!("{dataset}_test.csv"))?,
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn run(w: &Workload, data: &Split, args: &Args) -> Result<Map<String, Value>> {
    let task = w.algorithm.default_task();
    let spec = ModelSpec::new(w.algorithm, task).hyperparameters(w.hyperparameters.clone());
    let train_target = match task {
        Task::Classification => data.train.training_target("label", task)?,
        Task::Regression | Task::AnomalyDetection | Task::Clustering => Target::None,
    };
    let mut fit_times = Vec::new();
    let mut model: Option<Model> = None;
    for _ in 0..args.repeats {
        let started = Instant::now();
        let fitted = spec.fit(
            &data.train.x,
            &train_target,
            &data.train.feature_names,
            &NoProgress,
        )?;
        fit_times.push(started.elapsed().as_secs_f64());
        model = Some(fitted);
    }
    let model = model.context("--repeats must be at least 1")?;

    let mut out = Map::new();
    out.insert("workload".into(), json!(w.name));
    out.insert("dataset".into(), json!(w.dataset));
    out.insert("fit_s".into(), json!(median(fit_times)));

    let (eval_x, eval_target): (&Matrix, Target) = match task {
        Task::Classification | Task::AnomalyDetection => (
            &data.test.x,
            data.test
                .evaluation_target("label", task, model.class_names())?,
        ),
        Task::Clustering | Task::Regression => (&data.train.x, Target::None),
    };
    let mut predict_times = Vec::new();
    for _ in 0..args.repeats {
        let started = Instant::now();
        std::hint::black_box(model.predict(eval_x)?);
        predict_times.push(started.elapsed().as_secs_f64());
    }
    out.insert(
        "predict_rows_per_s".into(),
        json!(eval_x.n_rows() as f64 / median(predict_times)),
    );
    if task == Task::Classification {
        let mut probabilities = vec![0.0; model.class_names().len()];
        let n = args.single_rows.min(eval_x.n_rows());
        let mut latencies: Vec<f64> = (0..n)
            .map(|i| {
                let started = Instant::now();
                let result = model.predict_proba_row(eval_x.row(i), &mut probabilities);
                let elapsed = started.elapsed().as_secs_f64() * 1e6;
                result.map(|()| elapsed)
            })
            .collect::<Result<_, _>>()?;
        latencies.sort_by(f64::total_cmp);
        out.insert(
            "single_row_p50_us".into(),
            json!(percentile(&latencies, 0.5)),
        );
        out.insert(
            "single_row_p99_us".into(),
            json!(percentile(&latencies, 0.99)),
        );
    }
    for (name, value) in model.evaluate(eval_x, &eval_target)? {
        out.insert(name, json!(value));
    }
    Ok(out)
}
