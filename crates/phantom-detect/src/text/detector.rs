//! The per-stream log detector: events in, one verdict per scored window out.
//!
//! Events are normalised and kept in order, one per line in one buffer. Once
//! `baseline_events + window_events` have arrived, every `hop_events` events the last
//! `window_events` form the window and are measured against the prepared baseline (the
//! `baseline_events` before some recent window): two compressions of the window, none of the
//! baseline. The baseline is prepared again only once it lags the window by
//! `baseline_refresh_events`. A window's NCD is compared with the NCDs of recent windows (median
//! and MAD); only when it stands out does the permutation test run, and the window is an
//! anomaly when the test's p-value is at most the threshold. Only then are the SHA-256 of its
//! event ranges computed and what changed listed: the evidence is for anomalies.
//!
//! The detector's state serialises (serde) with the events it still needs, so a restarted
//! process resumes with the same baseline and gives the same verdicts.

use std::collections::{BTreeMap, HashMap, VecDeque};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::compress::{CompressError, Compressor};
use super::decide::{Measure, MeasureScore, score, upper_bound};
use super::events::{Event, EventLog};
use super::measures::{BaselineMeasures, Measures, measure};
use super::normalize::normalize_into;
use super::permutation::{Observed, TestPlan, permutation_test};
use super::profile::Profiler;
use super::settings::CbadSettings;

/// Templates and tokens listed in an explanation, at most.
const MAX_LISTED: usize = 10;

/// Why the detector failed.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum CbadError {
    /// The settings cannot work.
    #[error("invalid detector settings: {0}")]
    Settings(String),
    /// A compression failed.
    #[error(transparent)]
    Compress(#[from] CompressError),
}

/// A range of events by their sequence numbers (0 is the stream's first event), with the
/// SHA-256 of their normalised text, one event per line, when the window is an anomaly.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventRange {
    /// First event.
    pub first: u64,
    /// Last event (inclusive).
    pub last: u64,
    /// SHA-256 of the normalised events, each followed by a newline, hexadecimal. Computed
    /// for the ranges of an anomaly, the evidence to keep; `None` for other windows, which
    /// would pay for a hash of every event that nobody asks for.
    pub sha256: Option<String>,
}

/// A template (a normalised event) or token with its count.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Counted {
    /// The template or token.
    pub text: String,
    /// Occurrences (in the window for new ones, in the baseline for vanished ones).
    pub count: usize,
}

/// What decided a window's verdict.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Median NCD of recent windows.
    pub history_median: f64,
    /// Median absolute deviation of those NCDs.
    pub history_mad: f64,
    /// Robust z-score of this window's NCD against them.
    pub ncd_z: f64,
    /// The NCD above which the permutation test runs: the larger of `min_ncd` and
    /// `median + ncd_z_threshold × 1.4826 × MAD`.
    pub ncd_threshold: f64,
    /// The permutation test's p-value, when it ran.
    pub p_value: Option<f64>,
    /// Permutations run.
    pub permutations: usize,
    /// Permuted splits at least as distant as the real one.
    pub at_least_as_distant: usize,
    /// The p-value at or below which a window is an anomaly.
    pub p_value_threshold: f64,
    /// The test's seed and stream (the window's number).
    pub seed: u64,
    /// The window's number (0 is the first scored window).
    pub window_index: u64,
    /// Every measure's z-score against recent normal windows, with its threshold.
    #[serde(default)]
    pub scores: Vec<MeasureScore>,
    /// The measure the permutation test ran on: the one furthest past its threshold.
    #[serde(default)]
    pub tested: Option<Measure>,
}

/// The verdict on one window.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WindowVerdict {
    /// The baseline it was measured against.
    pub baseline: EventRange,
    /// The window.
    pub window: EventRange,
    /// The events first scored by this window (those since the previous one).
    pub new_events: (u64, u64),
    /// The measures.
    pub measures: Measures,
    /// How the verdict was reached.
    pub decision: Decision,
    /// The score: the largest excess of a measure's z-score over its threshold, in the
    /// measure's direction, in units of the NCD's z threshold (so a score above
    /// `ncd_z_threshold` stands out); 0 while warming up.
    pub score: f64,
    /// Whether the window is an anomaly.
    pub is_anomaly: bool,
    /// For an anomaly: what changed.
    pub changes: Option<Changes>,
}

/// What is new in an anomalous window, and what vanished from it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Changes {
    /// Templates in the window that the baseline does not have, most frequent first.
    pub new_templates: Vec<Counted>,
    /// Templates of the baseline missing from the window, most frequent first.
    pub vanished_templates: Vec<Counted>,
    /// Tokens in the window that the baseline does not have.
    pub new_tokens: Vec<Counted>,
    /// Tokens of the baseline missing from the window.
    pub vanished_tokens: Vec<Counted>,
}

/// A stream's detector.
#[derive(Debug, Serialize, Deserialize)]
pub struct LogDetector {
    settings: CbadSettings,
    /// Normalised events from the oldest still needed; the first has number `first_seq`.
    events: EventLog,
    first_seq: u64,
    /// Events seen.
    next_seq: u64,
    /// Events since the last scored window.
    since_scored: usize,
    /// First event of the prepared baseline, once there is one.
    baseline_first: Option<u64>,
    /// NCDs of recent windows that were not anomalies.
    history: VecDeque<f64>,
    /// The other measures of those windows.
    #[serde(default)]
    histories: BTreeMap<Measure, VecDeque<f64>>,
    /// Whether the last window was an anomaly: the baseline is then kept (see
    /// `CbadSettings::max_frozen_events`).
    #[serde(default)]
    frozen: bool,
    /// Windows scored.
    windows: u64,
    /// The compressor that scores windows, made on first use and kept.
    #[serde(skip)]
    compressor: Option<Compressor>,
    /// The measures of the baseline prepared in `compressor`, if it is prepared.
    #[serde(skip)]
    prepared: Option<BaselineMeasures>,
    /// The permutation test's compressor, made on first use and kept.
    #[serde(skip)]
    test_compressor: Option<Compressor>,
    /// The buffers that windows' token profiles are counted in.
    #[serde(skip)]
    profiler: Profiler,
}

impl LogDetector {
    /// A detector with `settings`.
    pub fn new(settings: CbadSettings) -> Result<Self, CbadError> {
        settings.check().map_err(CbadError::Settings)?;
        Ok(Self {
            settings,
            events: EventLog::default(),
            first_seq: 0,
            next_seq: 0,
            since_scored: 0,
            baseline_first: None,
            history: VecDeque::new(),
            histories: BTreeMap::new(),
            frozen: false,
            windows: 0,
            compressor: None,
            prepared: None,
            test_compressor: None,
            profiler: Profiler::default(),
        })
    }

    /// The settings.
    pub fn settings(&self) -> &CbadSettings {
        &self.settings
    }

    /// Events seen so far.
    pub fn events_seen(&self) -> u64 {
        self.next_seq
    }

    /// Takes one raw event; when it completes a hop, the verdict on the window it ends.
    pub fn push(&mut self, event: &str) -> Result<Option<WindowVerdict>, CbadError> {
        self.events.push_with(|text| normalize_into(event, text));
        self.pushed()
    }

    /// Like [`LogDetector::push`] for an event already normalised.
    pub fn push_normalized(&mut self, event: String) -> Result<Option<WindowVerdict>, CbadError> {
        self.events.push(&event);
        self.pushed()
    }

    /// Counts the event just added; when it completes a hop, the verdict.
    fn pushed(&mut self) -> Result<Option<WindowVerdict>, CbadError> {
        self.next_seq += 1;
        self.since_scored += 1;
        let s = &self.settings;
        let needed = (s.baseline_events + s.window_events) as u64;
        if self.next_seq < needed || self.since_scored < s.hop_events {
            return Ok(None);
        }
        self.score_window().map(Some)
    }

    /// Scores the last window if events arrived since the last verdict (at the end of a
    /// replay); `None` if there are none or too few events for a first window.
    pub fn finish(&mut self) -> Result<Option<WindowVerdict>, CbadError> {
        let needed = (self.settings.baseline_events + self.settings.window_events) as u64;
        if self.since_scored == 0 || self.next_seq < needed {
            return Ok(None);
        }
        self.score_window().map(Some)
    }

    fn score_window(&mut self) -> Result<WindowVerdict, CbadError> {
        let s = self.settings.clone();
        let window_first = self.next_seq - s.window_events as u64;
        let wanted_baseline = window_first - s.baseline_events as u64;
        let lag = self
            .baseline_first
            .map(|b| wanted_baseline.saturating_sub(b));
        // While windows are anomalies the baseline is kept, so the incident does not become
        // the reference it is measured against, up to `max_frozen_events` more lag.
        let refresh_at = s.baseline_refresh_events as u64
            + if self.frozen {
                s.max_frozen_events as u64
            } else {
                0
            };
        if lag.is_none_or(|l| l >= refresh_at) {
            self.baseline_first = Some(wanted_baseline);
            self.prepared = None;
        }
        let baseline_first = self.baseline_first.unwrap_or(wanted_baseline);
        let baseline_at = (baseline_first - self.first_seq) as usize;
        let window_at = (window_first - self.first_seq) as usize;
        let baseline_lines = self.events.lines(baseline_at, s.baseline_events);
        let window_lines = self.events.lines(window_at, s.window_events);
        let compressor = self
            .compressor
            .get_or_insert_with(|| Compressor::new(s.compressor));
        let prepared = match self.prepared.take() {
            Some(p) => p,
            None => BaselineMeasures::prepare(
                compressor,
                baseline_lines,
                self.events.tokens(baseline_at, s.baseline_events),
            )?,
        };
        let window_tokens = self
            .profiler
            .window(self.events.tokens(window_at, s.window_events));
        let measures = measure(compressor, &prepared, window_lines, &window_tokens)?;
        self.prepared = Some(prepared);
        let scores: Vec<MeasureScore> = Measure::ALL
            .iter()
            .map(|&m| {
                let history = history_of(&mut self.history, &mut self.histories, m);
                score(
                    m,
                    m.value(&measures),
                    history,
                    s.ncd_z_threshold * s.z_scale(m),
                )
            })
            .collect();
        let ncd_score = &scores[0];
        let ncd_threshold = upper_bound(ncd_score).max(s.min_ncd);
        let warmed_up = self.windows >= s.warmup_windows as u64;
        // The measure furthest past its threshold; the NCD also has to pass `min_ncd`.
        let standing_out = scores
            .iter()
            .filter(|m| m.measure != Measure::Ncd || measures.ncd > ncd_threshold)
            .max_by(|a, b| a.excess().total_cmp(&b.excess()))
            .filter(|m| warmed_up && m.excess() > 1.0);
        let mut decision = Decision {
            history_median: ncd_score.median,
            history_mad: ncd_score.mad,
            ncd_z: ncd_score.z,
            ncd_threshold,
            p_value: None,
            permutations: 0,
            at_least_as_distant: 0,
            p_value_threshold: s.p_value_threshold,
            seed: s.seed,
            window_index: self.windows,
            scores: Vec::new(),
            tested: standing_out.map(|m| m.measure),
        };
        let mut changed = None;
        if let Some(m) = standing_out {
            let baseline_events = self.events.events(baseline_at, s.baseline_events);
            let window_events = self.events.events(window_at, s.window_events);
            let t = permutation_test(
                self.test_compressor
                    .get_or_insert_with(|| Compressor::new(s.compressor)),
                &baseline_events,
                &window_events,
                Observed {
                    measure: m.measure,
                    value: m.value,
                    direction: m.direction(),
                },
                TestPlan {
                    permutations: s.permutations,
                    p_threshold: s.p_value_threshold,
                    seed: s.seed,
                    stream: self.windows,
                },
            )?;
            decision.p_value = Some(t.p_value);
            decision.permutations = t.permutations;
            decision.at_least_as_distant = t.at_least_as_distant;
            if t.p_value <= s.p_value_threshold {
                changed = Some(changes(&baseline_events, &window_events));
            }
        }
        let score = if warmed_up {
            scores
                .iter()
                .map(MeasureScore::excess)
                .fold(f64::MIN, f64::max)
                * s.ncd_z_threshold
        } else {
            0.0
        };
        decision.scores = scores;
        let is_anomaly = changed.is_some();
        let verdict = WindowVerdict {
            baseline: range_of(
                baseline_first,
                s.baseline_events,
                baseline_lines.as_bytes(),
                is_anomaly,
            ),
            window: range_of(
                window_first,
                s.window_events,
                window_lines.as_bytes(),
                is_anomaly,
            ),
            // The first window's baseline events are never scored: they are the baseline.
            new_events: (
                (self.next_seq - self.since_scored as u64).max(window_first),
                self.next_seq - 1,
            ),
            score,
            measures,
            decision,
            is_anomaly,
            changes: changed,
        };
        // An anomalous window stays out of the histories, so an incident does not become the
        // norm it is measured against.
        if !is_anomaly {
            for m in Measure::ALL {
                let history = history_of(&mut self.history, &mut self.histories, m);
                history.push_back(m.value(&verdict.measures));
                if history.len() > s.history_windows {
                    history.pop_front();
                }
            }
        }
        self.frozen = is_anomaly;
        self.windows += 1;
        self.since_scored = 0;
        self.forget_unneeded();
        Ok(verdict)
    }

    /// Drops events older than both the prepared baseline and the next one.
    fn forget_unneeded(&mut self) {
        let s = &self.settings;
        let next_window_first =
            (self.next_seq + s.hop_events as u64).saturating_sub(s.window_events as u64);
        let next_baseline = next_window_first.saturating_sub(s.baseline_events as u64);
        let keep_from = self
            .baseline_first
            .map_or(next_baseline, |b| b.min(next_baseline));
        let forget = keep_from
            .saturating_sub(self.first_seq)
            .min(self.events.len() as u64);
        self.events.forget(forget as usize);
        self.first_seq += forget;
    }
}

/// The values of `m` in recent normal windows: the NCD's history, or one of the others.
fn history_of<'a>(
    ncd: &'a mut VecDeque<f64>,
    others: &'a mut BTreeMap<Measure, VecDeque<f64>>,
    m: Measure,
) -> &'a mut VecDeque<f64> {
    match m {
        Measure::Ncd => ncd,
        Measure::Novelty
        | Measure::RatioChange
        | Measure::EntropyChange
        | Measure::TokenDivergence => others.entry(m).or_default(),
    }
}

/// The range of `count` events from `first`, whose lines are `bytes`, hashed if `hash`.
fn range_of(first: u64, count: usize, bytes: &[u8], hash: bool) -> EventRange {
    EventRange {
        first,
        last: first + count as u64 - 1,
        sha256: hash.then(|| {
            Sha256::digest(bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        }),
    }
}

/// Counts of each template (whole normalised event) and each token of `events`.
type TemplateAndTokenCounts<'a> = (HashMap<&'a str, usize>, HashMap<&'a str, usize>);

fn count_templates_and_tokens<'a>(events: &[Event<'a>]) -> TemplateAndTokenCounts<'a> {
    let mut templates: HashMap<&str, usize> = HashMap::new();
    let mut tokens: HashMap<&str, usize> = HashMap::new();
    for e in events {
        *templates.entry(e.text).or_default() += 1;
        for t in e.text.split_whitespace() {
            *tokens.entry(t).or_default() += 1;
        }
    }
    (templates, tokens)
}

/// Templates and tokens new in the window or vanished from it.
fn changes(baseline: &[Event<'_>], window: &[Event<'_>]) -> Changes {
    let count = count_templates_and_tokens;
    let (bt, bk) = count(baseline);
    let (wt, wk) = count(window);
    Changes {
        new_templates: only_in(&wt, &bt),
        vanished_templates: only_in(&bt, &wt),
        new_tokens: only_in(&wk, &bk),
        vanished_tokens: only_in(&bk, &wk),
    }
}

/// Entries of `a` missing from `b`, most frequent first (ties in text order).
fn only_in(a: &HashMap<&str, usize>, b: &HashMap<&str, usize>) -> Vec<Counted> {
    let mut out: Vec<Counted> = a
        .iter()
        .filter(|(k, _)| !b.contains_key(*k))
        .map(|(k, &count)| Counted {
            text: (*k).to_owned(),
            count,
        })
        .collect();
    out.sort_by(|x, y| y.count.cmp(&x.count).then_with(|| x.text.cmp(&y.text)));
    out.truncate(MAX_LISTED);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize::normalize;
    use crate::text::settings::Preset;

    fn normal(i: usize) -> String {
        let paths = ["orders", "users", "cart", "search"];
        format!(
            "2026-11-22T05:{:02}:{:02}Z INFO GET /api/{} status=200 took {} ms from 10.0.{}.{}",
            i / 60 % 60,
            i % 60,
            paths[i * 7 % 4],
            i * 13 % 97,
            i % 5,
            i % 200
        )
    }

    fn incident(i: usize) -> String {
        format!(
            "2026-11-22T06:00:{:02}Z ERROR payment gateway timeout after {} ms; retry {} of 3",
            i % 60,
            i * 31 % 5000,
            i % 3
        )
    }

    /// 1,500 normal events, then 100 of an incident.
    fn quiet_then_incident() -> Vec<String> {
        (0..1_500)
            .map(normal)
            .chain((0..100).map(incident))
            .collect()
    }

    fn settings() -> CbadSettings {
        CbadSettings {
            seed: 42,
            ..CbadSettings::preset(Preset::Sensitive)
        }
    }

    fn run(detector: &mut LogDetector, events: impl Iterator<Item = String>) -> Vec<WindowVerdict> {
        events.filter_map(|e| detector.push(&e).unwrap()).collect()
    }

    #[test]
    fn normal_traffic_raises_nothing_and_an_incident_is_caught_and_explained() {
        let mut d = LogDetector::new(settings()).unwrap();
        let quiet = run(&mut d, (0..2_000).map(normal));
        assert!(!quiet.is_empty());
        let false_alarms = quiet.iter().filter(|v| v.is_anomaly).count();
        assert!(
            false_alarms <= 1,
            "{false_alarms} false alarms in normal traffic"
        );

        let loud = run(&mut d, (0..100).map(incident));
        let hit = loud
            .iter()
            .find(|v| v.is_anomaly)
            .expect("the incident was not caught");
        let p = hit.decision.p_value.unwrap();
        assert!(p <= 0.05, "{p}");
        assert!(hit.window.last >= 2_000);
        let changes = hit.changes.as_ref().unwrap();
        assert!(
            changes.new_tokens.iter().any(|t| t.text == "ERROR"),
            "{changes:?}"
        );
        assert!(!changes.new_templates.is_empty());
        assert_eq!(hit.window.sha256.as_ref().unwrap().len(), 64);
        assert!(hit.measures.ncd > hit.decision.ncd_threshold);
    }

    #[test]
    fn only_anomalies_carry_the_hashes_of_their_ranges() {
        let events = quiet_then_incident();
        let mut d = LogDetector::new(settings()).unwrap();
        let verdicts = run(&mut d, events.iter().cloned());
        let lines = |r: &EventRange| -> String {
            (r.first..=r.last)
                .map(|i| normalize(&events[i as usize]) + "\n")
                .collect()
        };
        let sha = |text: String| -> Option<String> {
            Some(
                Sha256::digest(text.as_bytes())
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect(),
            )
        };
        let mut anomalies = 0;
        for v in &verdicts {
            if v.is_anomaly {
                anomalies += 1;
                assert_eq!(v.window.sha256, sha(lines(&v.window)));
                assert_eq!(v.baseline.sha256, sha(lines(&v.baseline)));
            } else {
                assert_eq!((&v.window.sha256, &v.baseline.sha256), (&None, &None));
            }
        }
        assert!(anomalies > 0);
    }

    #[test]
    fn verdicts_are_reproducible_and_survive_a_restart() {
        let events = quiet_then_incident();
        let mut straight = LogDetector::new(settings()).unwrap();
        let expected = run(&mut straight, events.iter().cloned());

        let mut first = LogDetector::new(settings()).unwrap();
        let mut got = run(&mut first, events[..1_234].iter().cloned());
        let saved = serde_json::to_string(&first).unwrap();
        let mut resumed: LogDetector = serde_json::from_str(&saved).unwrap();
        got.extend(run(&mut resumed, events[1_234..].iter().cloned()));
        assert_eq!(got, expected);
    }

    #[test]
    fn every_event_is_scored_once() {
        let mut d = LogDetector::new(settings()).unwrap();
        let mut verdicts = run(&mut d, (0..1_013).map(normal));
        verdicts.extend(d.finish().unwrap());
        let s = settings();
        let first_scored = s.baseline_events as u64;
        let mut next = verdicts[0].new_events.0;
        assert_eq!(next, first_scored);
        for v in &verdicts {
            assert_eq!(v.new_events.0, next);
            next = v.new_events.1 + 1;
        }
        assert_eq!(next, 1_013);
        assert!(d.finish().unwrap().is_none());
    }

    #[test]
    fn memory_holds_only_what_the_next_windows_need() {
        // Every event has a word of its own, so every event is a template of its own.
        let word = |i: usize| -> String {
            (0..4)
                .map(|d| char::from(b'a' + (i / 26usize.pow(d) % 26) as u8))
                .collect()
        };
        let mut d = LogDetector::new(settings()).unwrap();
        run(
            &mut d,
            (0..5_000).map(|i| format!("{} user {}", normal(i), word(i))),
        );
        let s = settings();
        let kept = d.events.len();
        assert!(
            kept <= s.baseline_events * 2 + s.window_events + s.hop_events,
            "{kept} events kept"
        );
        let (templates, tokens) = d.events.templates_held();
        assert_eq!(templates, kept);
        assert!(
            tokens <= kept + 20,
            "{tokens} tokens held for {kept} events"
        );
    }
}
