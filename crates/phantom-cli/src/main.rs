//! `phantom`: train, evaluate and serve security ML models, and find anomalies, from the shell,
//! or serve them all over a REST API (`phantom serve`).
//!
//! Machine-readable results go to stdout (JSON or CSV); progress bars and errors go to stderr.
//! Exit codes: 0 success, 1 the command failed (the message says why), 2 bad usage (including a
//! file that cannot be read or a key that is not one, see `commands::evidence::UsageError`).

mod commands;
mod progress;
mod table_output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Phantom: machine learning for security and observability data.
///
/// Train a model on a CSV file, evaluate it, predict with it, or find anomalies in a series.
/// CSV files have a header row and numeric feature columns; the label column (named with
/// --label) may hold any text. Run `phantom <command> --help` for each command's options.
#[derive(Parser)]
#[command(name = "phantom", version, about, long_about, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

const EXAMPLES: &str = "Examples:
  phantom train --data datasets/breast_cancer.csv --label malignant \\
      --algorithm random_forest --out cancer.phm
  phantom eval --model cancer.phm --data datasets/breast_cancer.csv --label malignant
  phantom predict --model cancer.phm --data datasets/breast_cancer.csv --proba \\
      --out predictions.csv
  phantom detect --data latency.csv --column value
  phantom models import cancer.phm --name cancer && phantom models list
  phantom admin keys create ci --role developer
  phantom evidence verify bundle.json --public-key key.json
  phantom serve --addr 127.0.0.1:8080
  phantom worker --nats-url nats://127.0.0.1:4222 --database-url postgres://phantom@db/phantom";

#[derive(Subcommand)]
enum Command {
    /// Train a model on a CSV file and save it; prints validation metrics as JSON.
    Train(Box<commands::train::TrainArgs>),
    /// Predict with a saved model; writes one CSV row per input row.
    Predict(commands::predict::PredictArgs),
    /// Evaluate a saved model on labelled data; prints metrics as JSON.
    Eval(commands::eval::EvalArgs),
    /// Find anomalies in a numeric series with a robust (median/MAD) score; prints JSON.
    Detect(commands::detect::DetectArgs),
    /// Manage the models stored in the data directory or a database: list, show, versions,
    /// activate, delete, export, import.
    Models(commands::models::ModelsArgs),
    /// Manage access: tenants, users, API keys, and read the audit log.
    Admin(commands::admin::AdminArgs),
    /// Serve the REST API (docs/API.md) until SIGINT or SIGTERM.
    Serve(commands::serve::ServeArgs),
    /// Check a signed evidence bundle against the deployment's public key, or render it as a
    /// PDF report.
    Evidence(commands::evidence::EvidenceArgs),
    /// Apply stream events from the NATS event bus, sharing the work with other workers,
    /// until SIGINT or SIGTERM (docs/SCALE-OUT.md).
    Worker(commands::worker::WorkerArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(args) => commands::train::run(&args),
        Command::Predict(args) => commands::predict::run(&args),
        Command::Eval(args) => commands::eval::run(&args),
        Command::Detect(args) => commands::detect::run(&args),
        Command::Models(args) => commands::models::run(&args),
        Command::Admin(args) => commands::admin::run(&args),
        Command::Serve(args) => commands::serve::run(&args),
        Command::Evidence(args) => commands::evidence::run(&args),
        Command::Worker(args) => commands::worker::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) if commands::evidence::is_usage_error(&err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// A closed stdout (for example `phantom predict ... | head`) is not a failure.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
