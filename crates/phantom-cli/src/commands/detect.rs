//! `phantom detect`: find anomalies in a numeric series.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;
use serde_json::json;

use phantom_engine::data::{FeatureColumns, read_table};

/// Arguments of `phantom detect`.
#[derive(Args)]
#[command(
    allow_negative_numbers = true,
    after_help = "Each point is scored by its modified z-score, |x - median| / (1.4826 * MAD),
where MAD is the median absolute deviation. Median and MAD are robust: a spike cannot inflate
them and hide itself or other spikes, as it does with the mean and standard deviation. A point
is an anomaly when its score exceeds 3.5 / sensitivity. Severity: low below 1.5x the threshold,
medium below 2x, high below 3x, critical from 3x.

Output: one JSON object with the median, MAD, threshold and the anomalies (index from 0 among the
data rows, the file line, value, score, severity).

Example:
  phantom detect --data latency.csv --column p99_ms --sensitivity 1.5"
)]
pub struct DetectArgs {
    /// CSV file with a header row; the series is one numeric column.
    #[arg(long, value_name = "SERIES.csv")]
    data: PathBuf,
    /// The column holding the series; may be omitted when the file has one column or a column
    /// named `value`.
    #[arg(long, value_name = "NAME")]
    column: Option<String>,
    /// Higher flags more points: the score threshold is 3.5 / sensitivity.
    #[arg(long, value_name = "F", default_value_t = 1.0)]
    sensitivity: f64,
}

/// Runs `phantom detect`.
pub fn run(args: &DetectArgs) -> Result<()> {
    let column = match &args.column {
        Some(c) => c.clone(),
        None => default_column(&args.data)?,
    };
    let table = read_table(
        &args.data,
        FeatureColumns::Named(std::slice::from_ref(&column)),
        None,
        false,
    )?;
    let values: Vec<f64> = table.x.as_slice().iter().map(|&v| f64::from(v)).collect();
    let report = phantom_detect::series::detect(&values, args.sensitivity)?;
    let anomalies: Vec<serde_json::Value> = report
        .anomalies
        .iter()
        .map(|a| {
            json!({
                "index": a.index,
                "line": table.lines[a.index],
                "value": a.value,
                "score": a.score,
                "severity": a.severity,
                "direction": if a.above_median { "above" } else { "below" },
            })
        })
        .collect();
    super::print_json(&json!({
        "file": args.data.display().to_string(),
        "column": column,
        "points": report.n_points,
        "median": report.median,
        "mad": report.mad,
        "scale": report.scale,
        "scale_method": report.scale_method,
        "threshold": report.threshold,
        "anomalies_detected": anomalies.len(),
        "anomalies": anomalies,
    }))
}

/// The only column, or the one named `value`.
fn default_column(path: &std::path::Path) -> Result<String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| anyhow::anyhow!("{}: cannot read the file: {e}", path.display()))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| anyhow::anyhow!("{}: cannot read the header: {e}", path.display()))?
        .iter()
        .map(str::to_owned)
        .collect();
    match header.as_slice() {
        [only] => Ok(only.clone()),
        _ if header.iter().any(|h| h == "value") => Ok("value".to_owned()),
        _ => bail!(
            "{}: the file has several columns ({}); choose the series with --column",
            path.display(),
            header.join(", ")
        ),
    }
}
