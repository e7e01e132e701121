//! Online scoring of a numeric series: each point is scored only from the points before it,
//! with the median and MAD of a sliding window (per phase, when the series has a period), so a
//! metric stream can be watched as it arrives.
//!
//! A point is anomalous when its modified z-score exceeds the threshold. A lone anomalous point
//! is a spike; when the last [`SHIFT_RUN`] points are all anomalous on the same side, the
//! series has shifted level, and those points are reported as a level shift until the window
//! has absorbed the new level (the median moves once half the window holds it).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::{BASE_THRESHOLD, MAX_SCORE, spread};

/// Consecutive anomalous points on one side that make a level shift.
pub const SHIFT_RUN: usize = 5;

/// Settings of the online detector.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnlineSettings {
    /// Past points (per phase, with a period) the median and MAD are taken over.
    pub window: usize,
    /// Points needed before any is scored.
    pub min_history: usize,
    /// Higher flags more points: the threshold is 3.5 / sensitivity.
    pub sensitivity: f64,
    /// The season's length in points (e.g. 24 for hourly points with a daily cycle), if any.
    pub period: Option<usize>,
}

impl Default for OnlineSettings {
    fn default() -> Self {
        Self {
            window: 100,
            min_history: 10,
            sensitivity: 1.0,
            period: None,
        }
    }
}

/// What kind of anomaly a point is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnlineKind {
    /// One point away from the rest.
    Spike,
    /// The series moved to a new level.
    LevelShift,
}

/// The score of one point and what it was measured against.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OnlinePoint {
    /// The point's index (0 is the first).
    pub index: u64,
    /// The value.
    pub value: f64,
    /// Its modified z-score against the window (0 while the history is too short).
    pub score: f64,
    /// Whether it is an anomaly.
    pub is_anomaly: bool,
    /// The window's median (of the point's phase, with a period).
    pub median: f64,
    /// The window's spread: 1.4826 × MAD (or 1.2533 × mean absolute deviation when MAD is 0).
    pub scale: f64,
    /// The threshold the score was compared with.
    pub threshold: f64,
    /// Points the median and spread were taken over.
    pub history: usize,
    /// For an anomaly: spike or level shift.
    pub kind: Option<OnlineKind>,
}

/// Why a setting or value was refused.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum OnlineError {
    /// A setting cannot work.
    #[error("invalid online settings: {0}")]
    Settings(String),
    /// A value is NaN or infinite.
    #[error("point {index}: {value} is not a finite number")]
    NotFinite {
        /// The point.
        index: u64,
        /// Its value.
        value: f64,
    },
}

/// The online detector of one series.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OnlineDetector {
    settings: OnlineSettings,
    /// Past values per phase (one phase without a period), newest last.
    phases: Vec<VecDeque<f64>>,
    /// Points seen.
    seen: u64,
    /// Consecutive anomalies above (+) or below (−) the median, most recent run.
    run: i64,
}

impl OnlineDetector {
    /// A detector with `settings`.
    pub fn new(settings: OnlineSettings) -> Result<Self, OnlineError> {
        let bad = |m: &str| Err(OnlineError::Settings(m.to_owned()));
        if settings.window < 3 {
            return bad("window must be at least 3");
        }
        if settings.min_history < 3 || settings.min_history > settings.window {
            return bad("min_history must be at least 3 and at most window");
        }
        if !(settings.sensitivity.is_finite() && settings.sensitivity > 0.0) {
            return bad("sensitivity must be a number above 0");
        }
        if settings.period == Some(0) {
            return bad("period must be at least 1");
        }
        let phases = vec![VecDeque::new(); settings.period.unwrap_or(1)];
        Ok(Self {
            settings,
            phases,
            seen: 0,
            run: 0,
        })
    }

    /// Scores `value` from the points before it, then adds it to the history.
    pub fn push(&mut self, value: f64) -> Result<OnlinePoint, OnlineError> {
        let index = self.seen;
        if !value.is_finite() {
            return Err(OnlineError::NotFinite { index, value });
        }
        let threshold = BASE_THRESHOLD / self.settings.sensitivity;
        let phase = (index % self.phases.len() as u64) as usize;
        let history = &mut self.phases[phase];
        let mut point = OnlinePoint {
            index,
            value,
            score: 0.0,
            is_anomaly: false,
            median: 0.0,
            scale: 0.0,
            threshold,
            history: history.len(),
            kind: None,
        };
        if history.len() >= self.settings.min_history {
            let s = spread(history.make_contiguous());
            let (median, scale) = (s.median, s.scale);
            point.median = median;
            point.scale = scale;
            let distance = (value - median).abs();
            point.score = if scale > 0.0 {
                distance / scale
            } else if distance > 0.0 {
                MAX_SCORE
            } else {
                0.0
            };
            point.is_anomaly = point.score > threshold;
        }
        self.run = match (point.is_anomaly, value > point.median) {
            (false, _) => 0,
            (true, true) => self.run.max(0) + 1,
            (true, false) => self.run.min(0) - 1,
        };
        if point.is_anomaly {
            point.kind = Some(if self.run.unsigned_abs() as usize >= SHIFT_RUN {
                OnlineKind::LevelShift
            } else {
                OnlineKind::Spike
            });
        }
        history.push_back(value);
        if history.len() > self.settings.window {
            history.pop_front();
        }
        self.seen += 1;
        Ok(point)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn run(d: &mut OnlineDetector, values: &[f64]) -> Vec<OnlinePoint> {
        values.iter().map(|&v| d.push(v).unwrap()).collect()
    }

    #[test]
    fn a_spike_and_a_level_shift_are_told_apart() {
        let mut d = OnlineDetector::new(OnlineSettings::default()).unwrap();
        let mut values: Vec<f64> = (0..200).map(|i| 100.0 + (i % 7) as f64).collect();
        values[120] = 400.0;
        values.extend((0..40).map(|i| 300.0 + (i % 7) as f64));
        let points = run(&mut d, &values);
        let flagged: Vec<u64> = points
            .iter()
            .filter(|p| p.is_anomaly)
            .map(|p| p.index)
            .collect();
        assert_eq!(flagged[0], 120);
        assert_eq!(points[120].kind, Some(OnlineKind::Spike));
        assert!(
            points[121..200].iter().all(|p| !p.is_anomaly),
            "the spike does not linger"
        );
        assert!(
            points[200..204]
                .iter()
                .all(|p| p.kind == Some(OnlineKind::Spike))
        );
        assert_eq!(points[204].kind, Some(OnlineKind::LevelShift));
        assert!(points[200].score > points[200].threshold);
        assert!(
            points[..10].iter().all(|p| p.score == 0.0),
            "no score without history"
        );
    }

    #[test]
    fn a_seasonal_peak_is_normal_and_a_peak_out_of_season_is_not() {
        let settings = OnlineSettings {
            period: Some(24),
            window: 10,
            min_history: 3,
            ..OnlineSettings::default()
        };
        let mut d = OnlineDetector::new(settings).unwrap();
        let day = |h: usize| {
            if h == 12 {
                500.0
            } else {
                100.0 + (h % 3) as f64
            }
        };
        let mut values: Vec<f64> = (0..24 * 8).map(|i| day(i % 24)).collect();
        values[24 * 7 + 3] = 500.0;
        let points = run(&mut d, &values);
        let flagged: Vec<u64> = points
            .iter()
            .filter(|p| p.is_anomaly)
            .map(|p| p.index)
            .collect();
        assert_eq!(flagged, vec![24 * 7 + 3]);
    }

    #[test]
    fn bad_settings_and_values_are_refused() {
        let bad = OnlineSettings {
            sensitivity: 0.0,
            ..OnlineSettings::default()
        };
        assert!(OnlineDetector::new(bad).is_err());
        let mut d = OnlineDetector::new(OnlineSettings::default()).unwrap();
        assert_eq!(
            d.push(f64::NAN).unwrap_err().to_string(),
            "point 0: NaN is not a finite number"
        );
    }

    proptest! {
        #[test]
        fn scores_use_only_the_past(values in prop::collection::vec(-1e6f64..1e6, 1..200)) {
            let mut whole = OnlineDetector::new(OnlineSettings::default()).unwrap();
            let all = run(&mut whole, &values);
            let mut prefix = OnlineDetector::new(OnlineSettings::default()).unwrap();
            let cut = values.len() / 2;
            let head = run(&mut prefix, &values[..cut]);
            prop_assert_eq!(&all[..cut], &head[..]);
            prop_assert!(all.iter().all(|p| p.score >= 0.0));
        }
    }
}
