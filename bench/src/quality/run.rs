//! Replays the generated cases through Phantom's detectors and scores them: log streams
//! through `LogDetector` at each preset, series through `OnlineDetector`.

use std::collections::BTreeMap;

use phantom_detect::series::online::{OnlineDetector, OnlineError, OnlineKind, OnlineSettings};
use phantom_detect::text::{CbadError, CbadSettings, LogDetector, Preset, WindowVerdict};

use super::incidents::LogIncident;
use super::logs::{LogStream, default_log_plan, log_stream};
use super::plan::{Case, Plan};
use super::score::{Flag, Rule, Span, Tally, peak_scores, score};
use super::series::{PERIOD, SeriesIncident, default_series_plan, series_case};

/// Log windows: an anomalous window counts for an incident it overlaps or that ended at most
/// 100 events before it; only touching windows form one alarm.
pub const LOG_RULE: Rule = Rule {
    grace: 100,
    merge_gap: 0,
};

/// Series points: an anomalous point counts for an incident it falls in or that ended at most
/// 10 points before it (the return to normal is often flagged); anomalies at most 5 points
/// apart form one alarm.
pub const SERIES_RULE: Rule = Rule {
    grace: 10,
    merge_gap: 5,
};

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// The seed every case is drawn from.
    pub seed: u64,
    /// Cases (streams or series) per incident kind.
    pub cases: usize,
    /// Cases without incidents.
    pub clean_cases: usize,
    /// Shape of a log stream.
    pub log_plan: Plan,
    /// Shape of a series.
    pub series_plan: Plan,
}

impl Options {
    /// The full run: five cases per kind (15 incidents), five clean cases.
    pub fn full(seed: u64) -> Self {
        Self {
            seed,
            cases: 5,
            clean_cases: 5,
            log_plan: default_log_plan(),
            series_plan: default_series_plan(),
        }
    }

    /// A quick run: two cases per kind, two clean cases.
    pub fn quick(seed: u64) -> Self {
        Self {
            cases: 2,
            clean_cases: 2,
            ..Self::full(seed)
        }
    }

    fn cases_of<K>(&self, kind: Option<K>) -> u64 {
        let n = if kind.is_some() {
            self.cases
        } else {
            self.clean_cases
        };
        n as u64
    }
}

/// One row of the report: a detector configuration on the cases of one incident kind (or the
/// clean cases).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// "logs" or "series".
    pub data: &'static str,
    /// The detector's configuration, e.g. "balanced".
    pub detector: String,
    /// The incident kind, or "none" for the clean cases.
    pub incident: &'static str,
    /// Cases scored.
    pub cases: usize,
    /// The counts.
    pub tally: Tally,
    /// Per incident, the highest score of a window or point overlapping it (see
    /// [`peak_scores`]); per clean case, its highest score.
    pub peaks: Vec<f64>,
    /// Anomalies by the kind the detector gave them (series only).
    pub kinds: BTreeMap<String, usize>,
}

impl Row {
    fn new(data: &'static str, detector: &str, incident: &'static str) -> Self {
        Self {
            data,
            detector: detector.to_owned(),
            incident,
            cases: 0,
            tally: Tally::default(),
            peaks: Vec::new(),
            kinds: BTreeMap::new(),
        }
    }

    /// Adds one case and what the detector reported on it.
    fn add<T, K>(&mut self, case: &Case<T, K>, seen: Observed, rule: Rule) {
        let incidents = case.spans();
        let units = case.data.len() as u64;
        self.cases += 1;
        self.tally.add(score(&incidents, &seen.flags, units, rule));
        self.peaks
            .extend(peak_scores(&incidents, &seen.scored, rule.grace));
        for k in seen.kinds {
            *self.kinds.entry(k).or_insert(0) += 1;
        }
    }

    /// The median of [`Row::peaks`].
    pub fn median_peak(&self) -> Option<f64> {
        let mut p = self.peaks.clone();
        p.sort_by(f64::total_cmp);
        p.get(p.len().saturating_sub(1) / 2).copied()
    }
}

/// What a detector reported on one case.
#[derive(Default)]
struct Observed {
    /// The anomalies.
    flags: Vec<Flag>,
    /// Every scored window or point with its score.
    scored: Vec<(Span, f64)>,
    /// The kind of each anomaly, where the detector gives one.
    kinds: Vec<String>,
}

impl Observed {
    fn record(&mut self, span: Span, at: u64, score: f64, anomaly: bool) {
        self.scored.push((span, score));
        if anomaly {
            self.flags.push(Flag { span, at });
        }
    }
}

/// The log presets, with their names.
pub const PRESETS: [(Preset, &str); 3] = [
    (Preset::Sensitive, "sensitive"),
    (Preset::Balanced, "balanced"),
    (Preset::Strict, "strict"),
];

/// Rows for the log streams: each preset on each incident kind, then on the clean streams.
pub fn log_rows(options: &Options) -> Result<Vec<Row>, CbadError> {
    let groups: Vec<(Option<LogIncident>, Vec<LogStream>)> = LogIncident::ALL
        .map(Some)
        .into_iter()
        .chain([None])
        .map(|kind| {
            let streams = (0..options.cases_of(kind))
                .map(|case| log_stream(kind, options.seed, case, &options.log_plan))
                .collect();
            (kind, streams)
        })
        .collect();
    let mut rows = Vec::new();
    for (preset, name) in PRESETS {
        let settings = CbadSettings::preset(preset);
        for (kind, streams) in &groups {
            let mut row = Row::new("logs", name, kind.map_or("none", LogIncident::name));
            for stream in streams {
                row.add(stream, replay_log(&stream.data, &settings)?, LOG_RULE);
            }
            rows.push(row);
        }
    }
    Ok(rows)
}

/// Every verdict on `lines` under `settings`.
fn replay_log(lines: &[String], settings: &CbadSettings) -> Result<Observed, CbadError> {
    let mut detector = LogDetector::new(settings.clone())?;
    let mut seen = Observed::default();
    let mut keep = |v: WindowVerdict| {
        let span = Span {
            first: v.window.first,
            last: v.window.last,
        };
        seen.record(span, v.window.last, v.score, v.is_anomaly);
    };
    for line in lines {
        if let Some(v) = detector.push(line)? {
            keep(v);
        }
    }
    if let Some(v) = detector.finish()? {
        keep(v);
    }
    Ok(seen)
}

/// The online detector's settings for the benchmark's series: the defaults, with the period.
pub fn series_settings() -> OnlineSettings {
    OnlineSettings {
        period: Some(PERIOD),
        ..OnlineSettings::default()
    }
}

/// Rows for the series: each incident kind, then the clean series.
pub fn series_rows(options: &Options) -> Result<Vec<Row>, OnlineError> {
    let settings = series_settings();
    let detector = format!(
        "online (window {}, period {PERIOD}, sensitivity {})",
        settings.window, settings.sensitivity
    );
    let mut rows = Vec::new();
    for kind in SeriesIncident::ALL.map(Some).into_iter().chain([None]) {
        let mut row = Row::new(
            "series",
            &detector,
            kind.map_or("none", SeriesIncident::name),
        );
        for case in 0..options.cases_of(kind) {
            let series = series_case(kind, options.seed, case, &options.series_plan);
            row.add(
                &series,
                replay_series(&series.data, &settings)?,
                SERIES_RULE,
            );
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Every point of `values` through the online detector.
fn replay_series(values: &[f64], settings: &OnlineSettings) -> Result<Observed, OnlineError> {
    let mut detector = OnlineDetector::new(settings.clone())?;
    let mut seen = Observed::default();
    for &v in values {
        let p = detector.push(v)?;
        let span = Span {
            first: p.index,
            last: p.index,
        };
        seen.record(span, p.index, p.score, p.is_anomaly);
        if p.is_anomaly {
            seen.kinds.push(kind_name(p.kind));
        }
    }
    Ok(seen)
}

/// The kind's name as the detector serialises it.
fn kind_name(kind: Option<OnlineKind>) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "none".to_owned())
}
