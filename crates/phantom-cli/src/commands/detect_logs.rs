//! `phantom detect --logs FILE.log`: replays a log file, one event per line, through the
//! streaming compression-based detector.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use anyhow::{Context, Result};
use phantom_detect::text::{CbadSettings, LogDetector, Preset, WindowVerdict};
use serde_json::json;

/// Replays `path` and prints the anomalies as JSON, or with `scores` one CSV row per line.
pub fn run(path: &Path, preset: Preset, seed: u64, scores: bool) -> Result<()> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot open the log file {}", path.display()))?;
    let settings = CbadSettings {
        seed,
        ..CbadSettings::preset(preset)
    };
    let mut detector = LogDetector::new(settings.clone())?;
    let mut verdicts = Vec::new();
    let mut line = Vec::new();
    let mut reader = BufReader::new(file);
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .with_context(|| format!("reading {}", path.display()))?;
        if n == 0 {
            break;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\n', '\r']);
        verdicts.extend(detector.push(text)?);
    }
    verdicts.extend(detector.finish()?);
    let events = detector.events_seen();
    if scores {
        print_scores(&verdicts, events)
    } else {
        print_anomalies(path, preset, &settings, &verdicts, events)
    }
}

/// `line,score,is_anomaly` for every line; lines of the first baseline are scored 0.
fn print_scores(verdicts: &[WindowVerdict], events: u64) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    writeln!(out, "line,score,is_anomaly")?;
    let mut next = 0u64;
    for v in verdicts {
        for event in next..v.new_events.0 {
            writeln!(out, "{},0,false", event + 1)?;
        }
        for event in v.new_events.0..=v.new_events.1 {
            writeln!(out, "{},{:.6},{}", event + 1, v.score, v.is_anomaly)?;
        }
        next = v.new_events.1 + 1;
    }
    for event in next..events {
        writeln!(out, "{},0,false", event + 1)?;
    }
    out.flush()?;
    Ok(())
}

fn print_anomalies(
    path: &Path,
    preset: Preset,
    settings: &CbadSettings,
    verdicts: &[WindowVerdict],
    events: u64,
) -> Result<()> {
    let anomalies: Vec<serde_json::Value> = verdicts
        .iter()
        .filter(|v| v.is_anomaly)
        .map(|v| {
            json!({
                "lines": [v.window.first + 1, v.window.last + 1],
                "baseline_lines": [v.baseline.first + 1, v.baseline.last + 1],
                "score": v.score,
                "ncd": v.measures.ncd,
                "p_value": v.decision.p_value,
                "window_sha256": v.window.sha256,
                "baseline_sha256": v.baseline.sha256,
                "measures": v.measures,
                "decision": v.decision,
                "changes": v.changes,
            })
        })
        .collect();
    super::print_json(&json!({
        "file": path.display().to_string(),
        "preset": preset,
        "settings": settings,
        "lines": events,
        "windows_scored": verdicts.len(),
        "anomalies_detected": anomalies.len(),
        "anomalies": anomalies,
    }))
}
