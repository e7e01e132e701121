//! `phantom detect --data SERIES.csv --online`: replays a series through the online detector,
//! each point scored only from the points before it.

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use phantom_detect::series::online::{OnlineDetector, OnlineSettings};
use serde_json::json;

/// Scores `values` (read from `path`, column `column`, at file lines `lines`) and prints the
/// anomalies as JSON, or with `scores` one CSV row per point.
pub fn run(
    path: &Path,
    column: &str,
    values: &[f64],
    lines: &[u64],
    settings: OnlineSettings,
    scores: bool,
) -> Result<()> {
    let mut detector = OnlineDetector::new(settings.clone())?;
    let points = values
        .iter()
        .map(|&v| detector.push(v))
        .collect::<Result<Vec<_>, _>>()?;
    if scores {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        writeln!(out, "index,value,score,is_anomaly")?;
        for p in &points {
            writeln!(
                out,
                "{},{},{:.6},{}",
                p.index, p.value, p.score, p.is_anomaly
            )?;
        }
        out.flush()?;
        return Ok(());
    }
    let anomalies: Vec<serde_json::Value> = points
        .iter()
        .filter(|p| p.is_anomaly)
        .map(|p| {
            json!({
                "index": p.index,
                "line": lines.get(p.index as usize),
                "value": p.value,
                "score": p.score,
                "median": p.median,
                "scale": p.scale,
                "threshold": p.threshold,
                "history": p.history,
                "kind": p.kind,
            })
        })
        .collect();
    super::print_json(&json!({
        "file": path.display().to_string(),
        "column": column,
        "points": points.len(),
        "settings": settings,
        "anomalies_detected": anomalies.len(),
        "anomalies": anomalies,
    }))
}
