//! `phantom predict`: apply a saved model to the rows of a CSV file.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use phantom_ml::model::Predictions;

use phantom_engine::data::{FeatureColumns, read_table};

/// Arguments of `phantom predict`.
#[derive(Args)]
#[command(
    after_help = "Output columns (CSV, one row per input row, in input order):
  classification     prediction (the class as written in training), with --proba one
                     probability_<class> column per class
  regression         prediction
  anomaly_detection  prediction (1 = anomaly, 0 = normal), score (0..1, higher = more anomalous)
  clustering         prediction (the cluster index)

The input needs the model's feature columns by name, in any order; other columns (such as the
label) are ignored.

Example:
  phantom predict --model cancer.phm --data datasets/breast_cancer.csv --proba --out predictions.csv"
)]
pub struct PredictArgs {
    /// A model written by `phantom train`.
    #[arg(long, value_name = "MODEL.phm")]
    model: PathBuf,
    /// CSV file with the model's feature columns.
    #[arg(long, value_name = "FILE.csv")]
    data: PathBuf,
    /// Write the predictions here instead of stdout.
    #[arg(long, value_name = "PRED.csv")]
    out: Option<PathBuf>,
    /// Add one probability column per class (classification models).
    #[arg(long)]
    proba: bool,
}

/// Runs `phantom predict`.
pub fn run(args: &PredictArgs) -> Result<()> {
    let model = super::load_model(&args.model)?;
    if args.proba && model.class_names().is_empty() {
        bail!(
            "--proba applies to classification models; {} is a {} model",
            args.model.display(),
            model.task()
        );
    }
    let table = read_table(
        &args.data,
        FeatureColumns::Named(model.feature_names()),
        None,
        false,
    )?;
    let predictions = model.predict(&table.x)?;
    let sink: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .with_context(|| format!("{}: cannot create the output file", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = BufWriter::new(sink);
    write_predictions(&mut out, &predictions, &model, args.proba)?;
    out.flush()?;
    Ok(())
}

fn write_predictions(
    out: &mut impl Write,
    predictions: &Predictions,
    model: &phantom_ml::model::Model,
    proba: bool,
) -> Result<()> {
    match predictions {
        Predictions::Classes {
            classes,
            probabilities,
        } => {
            let names = model.class_names();
            write!(out, "prediction")?;
            if proba {
                for name in names.as_slice() {
                    write!(out, ",probability_{name}")?;
                }
            }
            writeln!(out)?;
            let k = names.len();
            for (i, class) in classes.iter().enumerate() {
                write!(out, "{}", names.name(*class))?;
                if proba {
                    for p in &probabilities[i * k..(i + 1) * k] {
                        write!(out, ",{p}")?;
                    }
                }
                writeln!(out)?;
            }
        }
        Predictions::Values(values) => {
            writeln!(out, "prediction")?;
            for v in values {
                writeln!(out, "{v}")?;
            }
        }
        Predictions::Anomalies { scores, flags, .. } => {
            writeln!(out, "prediction,score")?;
            for (flag, score) in flags.iter().zip(scores) {
                writeln!(out, "{},{score}", u8::from(*flag))?;
            }
        }
        Predictions::Clusters(clusters) => {
            writeln!(out, "prediction")?;
            for c in clusters {
                writeln!(out, "{c}")?;
            }
        }
    }
    Ok(())
}
