//! `phantom detect`: find anomalies in a numeric series, or replay a log file through the
//! streaming log detector.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;
use serde_json::json;

use phantom_detect::series::online::OnlineSettings;
use phantom_detect::text::Preset;
use phantom_engine::data::{FeatureColumns, read_table};

/// Arguments of `phantom detect`.
#[derive(Args)]
#[command(
    allow_negative_numbers = true,
    after_help = "Series (--data): each point is scored by its modified z-score,
|x - median| / (1.4826 * MAD), where MAD is the median absolute deviation. Median and MAD are
robust: a spike cannot inflate them and hide itself or other spikes, as it does with the mean and
standard deviation. A point is an anomaly when its score exceeds 3.5 / sensitivity. Severity: low
below 1.5x the threshold, medium below 2x, high below 3x, critical from 3x. Output: one JSON
object with the median, MAD, threshold and the anomalies (index from 0 among the data rows, the
file line, value, score, severity).

Logs (--logs): each line is an event, normalised (timestamps, ids, IPs and numbers become
placeholders; secrets, e-mails and card numbers are redacted) and streamed through the
compression-based detector: every window of recent lines is compressed alone and after a
baseline of earlier lines, and is an anomaly when its normalised compression distance stands out
from recent windows and a seeded permutation test gives a p-value at or below the preset's
threshold. Presets (baseline / window lines, z, p): sensitive 200 / 50, 2.5, 0.05; balanced
400 / 100, 3.5, 0.01; strict 800 / 200, 5, 0.005. Output: JSON with each anomaly's line range,
score, NCD, p-value, measures, hashes and the templates and tokens that appeared or vanished;
with --scores, CSV line,score,is_anomaly for every line (lines of the first baseline score 0).

Online series (--data --online): each point is scored only from the points before it, against
the median and MAD of the last 100 (of the same phase with --period); the first 10 points score
0. A lone anomalous point is a spike; 5 anomalous points in a row on one side are a level
shift. Output: JSON anomalies with index, file line, value, score, median, scale, kind; with
--scores, CSV index,value,score,is_anomaly for every point.

Examples:
  phantom detect --data latency.csv --column p99_ms --sensitivity 1.5
  phantom detect --data latency.csv --column p99_ms --online --scores > scores.csv
  phantom detect --logs app.log --preset sensitive
  phantom detect --logs app.log --scores > scores.csv"
)]
pub struct DetectArgs {
    /// CSV file with a header row; the series is one numeric column.
    #[arg(
        long,
        value_name = "SERIES.csv",
        required_unless_present = "logs",
        conflicts_with = "logs"
    )]
    data: Option<PathBuf>,
    /// A log file to replay through the streaming log detector, one event per line.
    #[arg(long, value_name = "FILE.log")]
    logs: Option<PathBuf>,
    /// Log detector settings.
    #[arg(
        long,
        value_name = "PRESET",
        default_value = "balanced",
        requires = "logs"
    )]
    preset: Preset,
    /// Seed of the log detector's permutation test: the same file and seed give the same
    /// p-values.
    #[arg(long, value_name = "N", default_value_t = 0, requires = "logs")]
    seed: u64,
    /// With --logs, one CSV row per line (line,score,is_anomaly); with --online, one per
    /// point (index,value,score,is_anomaly); instead of the anomalies.
    #[arg(long)]
    scores: bool,
    /// The column holding the series; may be omitted when the file has one column or a column
    /// named `value`.
    #[arg(long, value_name = "NAME")]
    column: Option<String>,
    /// Score the series as a stream: each point only from the points before it (the median
    /// and MAD of the last 100), telling spikes from level shifts.
    #[arg(long, requires = "data")]
    online: bool,
    /// With --online, the season's length in points (e.g. 24 for hourly points): each point is
    /// compared with the same phase of earlier seasons.
    #[arg(long, value_name = "N", requires = "online")]
    period: Option<usize>,
    /// Higher flags more points: the score threshold is 3.5 / sensitivity.
    #[arg(long, value_name = "F", default_value_t = 1.0)]
    sensitivity: f64,
}

/// Runs `phantom detect`.
pub fn run(args: &DetectArgs) -> Result<()> {
    let data = match (&args.logs, &args.data) {
        (Some(logs), _) => {
            return super::detect_logs::run(logs, args.preset, args.seed, args.scores);
        }
        (None, Some(data)) => data,
        (None, None) => {
            bail!("give a series with --data SERIES.csv or a log file with --logs FILE.log")
        }
    };
    let column = match &args.column {
        Some(c) => c.clone(),
        None => default_column(data)?,
    };
    let table = read_table(
        data,
        FeatureColumns::Named(std::slice::from_ref(&column)),
        None,
        false,
    )?;
    let values: Vec<f64> = table.x.as_slice().iter().map(|&v| f64::from(v)).collect();
    if args.online {
        let settings = OnlineSettings {
            sensitivity: args.sensitivity,
            period: args.period,
            ..OnlineSettings::default()
        };
        return super::detect_online::run(
            data,
            &column,
            &values,
            &table.lines,
            settings,
            args.scores,
        );
    }
    if args.scores {
        bail!("--scores needs --online (a series scored as a stream) or --logs");
    }
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
        "file": data.display().to_string(),
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
