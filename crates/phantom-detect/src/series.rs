//! Robust anomaly detection in a numeric series.
//!
//! Each point gets the modified z-score of Iglewicz and Hoaglin (1993):
//! `score = |x - median| / (1.4826 * MAD)`, where MAD is the median absolute deviation from the
//! median. Unlike the mean and standard deviation, the median and MAD are not dragged by the
//! outliers they are meant to find: one huge spike cannot mask itself or its neighbours. When
//! more than half the points are equal (MAD = 0), the mean absolute deviation scaled by
//! 1.2533 (its ratio to the standard deviation under normality) is used instead; when every
//! point is equal, any differing point is an anomaly with an infinite score, reported as
//! [`MAX_SCORE`].
//!
//! [`detect`] scores the values themselves. For series with a repeating pattern or a drift, a
//! normal cycle or a steady climb would otherwise look anomalous, so two detectors first remove
//! the expected value and score what is left (the residual) the same way:
//! [`detect_seasonal`] subtracts the per-phase median over a known period, [`detect_trend`]
//! subtracts a robust (Theil–Sen) line.
//!
//! [`online::OnlineDetector`] scores a series as it arrives, each point only from the points
//! before it, and tells a spike from a level shift, a trend change and a noise change
//! ([`change`]).

pub mod change;
pub mod online;
mod residual;
mod seasonal;
mod trend;

use serde::Serialize;

pub use seasonal::detect_seasonal;
pub use trend::detect_trend;

/// Modified z-score above which a point is anomalous at sensitivity 1 (Iglewicz and Hoaglin).
pub const BASE_THRESHOLD: f64 = 3.5;
/// Scale that makes the MAD a consistent estimator of the standard deviation for normal data.
const MAD_TO_SIGMA: f64 = 1.4826;
/// Scale that makes the mean absolute deviation estimate the standard deviation for normal data.
const MEAN_AD_TO_SIGMA: f64 = 1.2533;
/// Score reported for a point that differs from a series whose other points are all equal.
pub const MAX_SCORE: f64 = 1e9;

/// Why a series could not be scored.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum SeriesError {
    /// The series has no points.
    #[error("the series is empty")]
    Empty,
    /// A point is NaN or infinite.
    #[error("point {index} is {value}; the series must hold finite numbers")]
    NonFinite {
        /// Zero-based index of the point.
        index: usize,
        /// The value.
        value: f64,
    },
    /// The sensitivity is not a positive finite number.
    #[error("sensitivity must be a positive number, got {0}")]
    Sensitivity(f64),
    /// The seasonal period is below 2, or the series holds fewer than two full periods.
    #[error(
        "period must be at least 2 and the series must hold at least two full periods; \
         got period {period} for {len} points"
    )]
    Period {
        /// The period that was given.
        period: usize,
        /// Number of points in the series.
        len: usize,
    },
    /// The series is too short for the detector.
    #[error("the {detector} detector needs at least {needed} points, got {got}")]
    TooShort {
        /// Which detector, e.g. "trend".
        detector: &'static str,
        /// The minimum number of points.
        needed: usize,
        /// Number of points given.
        got: usize,
    },
}

/// How far past the threshold an anomaly lies.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Score below 1.5 x threshold.
    Low,
    /// Score from 1.5 x to 2 x threshold.
    Medium,
    /// Score from 2 x to 3 x threshold.
    High,
    /// Score at least 3 x threshold.
    Critical,
}

impl Severity {
    fn of(score: f64, threshold: f64) -> Self {
        let ratio = score / threshold;
        if ratio >= 3.0 {
            Self::Critical
        } else if ratio >= 2.0 {
            Self::High
        } else if ratio >= 1.5 {
            Self::Medium
        } else {
            Self::Low
        }
    }
}

/// One anomalous point.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Anomaly {
    /// Zero-based index of the point in the series.
    pub index: usize,
    /// The point's value.
    pub value: f64,
    /// Its modified z-score.
    pub score: f64,
    /// How far past the threshold it lies.
    pub severity: Severity,
    /// Whether it lies above (`true`) or below the median; for the seasonal and trend detectors,
    /// above or below its expected value (the baseline plus the residuals' median).
    pub above_median: bool,
}

/// The result of scoring a series: the robust statistics used, every point's score, and the
/// anomalies.
///
/// For [`detect_seasonal`] and [`detect_trend`], `median`, `mad` and `scale` describe the
/// residuals (the values minus their expected values), which is what those detectors score.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeriesReport {
    /// Number of points.
    pub n_points: usize,
    /// Median of the scored values.
    pub median: f64,
    /// Median absolute deviation of the scored values from their median.
    pub mad: f64,
    /// The spread estimate the scores divide by (1.4826 x MAD, or the fallback).
    pub scale: f64,
    /// Which spread estimate was used: "mad", "mean_absolute_deviation" or "constant".
    pub scale_method: &'static str,
    /// Score above which a point is anomalous (3.5 / sensitivity).
    pub threshold: f64,
    /// The modified z-score of every point.
    #[serde(skip)]
    pub scores: Vec<f64>,
    /// The anomalous points, in series order.
    pub anomalies: Vec<Anomaly>,
}

/// Scores every point of `values` and flags those whose score exceeds `3.5 / sensitivity`
/// (a higher sensitivity flags more points).
pub fn detect(values: &[f64], sensitivity: f64) -> Result<SeriesReport, SeriesError> {
    check_input(values, sensitivity)?;
    Ok(score(values, values, sensitivity))
}

/// Checks what every detector needs: a positive sensitivity and a non-empty, finite series.
fn check_input(values: &[f64], sensitivity: f64) -> Result<(), SeriesError> {
    if !(sensitivity.is_finite() && sensitivity > 0.0) {
        return Err(SeriesError::Sensitivity(sensitivity));
    }
    if values.is_empty() {
        return Err(SeriesError::Empty);
    }
    if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(SeriesError::NonFinite { index, value });
    }
    Ok(())
}

/// Robust scores of `scored` (the values, or their residuals), reported against `values`.
/// Both are non-empty, finite and of the same length.
/// The robust centre and spread of a series.
pub(crate) struct Spread {
    /// The median.
    pub(crate) median: f64,
    /// The median absolute deviation from it.
    pub(crate) mad: f64,
    /// 1.4826 × MAD, or when the MAD is 0, 1.2533 × the mean absolute deviation, or 0 for a
    /// constant series.
    pub(crate) scale: f64,
    /// Which of the three `scale` is.
    pub(crate) method: &'static str,
}

/// The [`Spread`] of a non-empty series.
pub(crate) fn spread(values: &[f64]) -> Spread {
    let median = median(&mut values.to_vec());
    let mut deviations: Vec<f64> = values.iter().map(|v| (v - median).abs()).collect();
    let mean_ad = deviations.iter().sum::<f64>() / deviations.len() as f64;
    let mad = self::median(&mut deviations);
    let (scale, method) = if mad > 0.0 {
        (MAD_TO_SIGMA * mad, "mad")
    } else if mean_ad > 0.0 {
        (MEAN_AD_TO_SIGMA * mean_ad, "mean_absolute_deviation")
    } else {
        (0.0, "constant")
    };
    Spread {
        median,
        mad,
        scale,
        method,
    }
}

fn score(values: &[f64], scored: &[f64], sensitivity: f64) -> SeriesReport {
    let Spread {
        median,
        mad,
        scale,
        method: scale_method,
    } = spread(scored);
    let threshold = BASE_THRESHOLD / sensitivity;
    let scores: Vec<f64> = scored
        .iter()
        .map(|v| {
            let deviation = (v - median).abs();
            if scale > 0.0 {
                (deviation / scale).min(MAX_SCORE)
            } else if deviation > 0.0 {
                MAX_SCORE
            } else {
                0.0
            }
        })
        .collect();
    let anomalies = values
        .iter()
        .zip(scored)
        .zip(&scores)
        .enumerate()
        .filter(|(_, (_, score))| **score > threshold)
        .map(|(index, ((&value, &residual), &score))| Anomaly {
            index,
            value,
            score,
            severity: Severity::of(score, threshold),
            above_median: residual > median,
        })
        .collect();
    SeriesReport {
        n_points: values.len(),
        median,
        mad,
        scale,
        scale_method,
        threshold,
        scores,
        anomalies,
    }
}

/// Median of a non-empty slice (reorders it).
pub(crate) fn median(values: &mut [f64]) -> f64 {
    let n = values.len();
    let (_, upper, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    let upper = *upper;
    if n % 2 == 1 {
        upper
    } else {
        let lower = values[..n / 2]
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        (lower + upper) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_spike_is_found_and_not_masked_by_itself() {
        let mut series: Vec<f64> = (0..100).map(|i| 10.0 + (i % 5) as f64 * 0.1).collect();
        series[40] = 1000.0;
        let report = detect(&series, 1.0).unwrap();
        assert_eq!(report.anomalies.len(), 1);
        let a = &report.anomalies[0];
        assert_eq!(
            (a.index, a.value, a.severity, a.above_median),
            (40, 1000.0, Severity::Critical, true)
        );
    }

    #[test]
    fn two_spikes_do_not_hide_each_other() {
        // With mean/std, two equal spikes inflate the std so much that a third, moderate one
        // disappears; median/MAD still sees all three.
        let mut series: Vec<f64> = (0..50).map(|i| (i % 7) as f64).collect();
        series[10] = 500.0;
        series[20] = 500.0;
        series[30] = 40.0;
        let found: Vec<usize> = detect(&series, 1.0)
            .unwrap()
            .anomalies
            .iter()
            .map(|a| a.index)
            .collect();
        assert_eq!(found, vec![10, 20, 30]);
    }

    #[test]
    fn known_statistics() {
        let r = detect(&[1.0, 2.0, 3.0, 4.0, 100.0], 1.0).unwrap();
        assert_eq!((r.median, r.mad), (3.0, 1.0));
        assert!((r.scores[4] - 97.0 / 1.4826).abs() < 1e-9);
        assert_eq!(r.anomalies.len(), 1);
    }

    #[test]
    fn mostly_constant_series_falls_back_to_mean_absolute_deviation() {
        let mut series = vec![5.0; 20];
        series[3] = 9.0;
        let r = detect(&series, 1.0).unwrap();
        assert_eq!(r.scale_method, "mean_absolute_deviation");
        assert_eq!(
            r.anomalies.iter().map(|a| a.index).collect::<Vec<_>>(),
            vec![3]
        );
    }

    #[test]
    fn constant_series_has_no_anomalies() {
        let r = detect(&[2.0; 10], 1.0).unwrap();
        assert_eq!((r.scale_method, r.anomalies.len()), ("constant", 0));
    }

    #[test]
    fn sensitivity_moves_the_threshold() {
        let series = [1.0, 2.0, 3.0, 4.0, 8.0];
        assert!(detect(&series, 1.0).unwrap().anomalies.is_empty());
        assert_eq!(detect(&series, 2.0).unwrap().anomalies.len(), 1);
    }

    #[test]
    fn bad_input_is_rejected() {
        assert_eq!(detect(&[], 1.0), Err(SeriesError::Empty));
        assert!(matches!(
            detect(&[1.0, f64::NAN], 1.0),
            Err(SeriesError::NonFinite { index: 1, .. })
        ));
        assert_eq!(detect(&[1.0], 0.0), Err(SeriesError::Sensitivity(0.0)));
    }

    proptest! {
        #[test]
        fn median_matches_sorting(mut values in prop::collection::vec(-1e6f64..1e6, 1..100)) {
            let m = median(&mut values.clone());
            values.sort_by(f64::total_cmp);
            let n = values.len();
            let expected = if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 };
            prop_assert_eq!(m, expected);
        }

        #[test]
        fn scores_are_shift_and_scale_invariant(values in prop::collection::vec(-1e3f64..1e3, 3..60), shift in -1e3f64..1e3, scale in 0.1f64..10.0) {
            let a = detect(&values, 1.0).unwrap();
            let moved: Vec<f64> = values.iter().map(|v| v * scale + shift).collect();
            let b = detect(&moved, 1.0).unwrap();
            for (x, y) in a.scores.iter().zip(&b.scores) {
                prop_assert!((x - y).abs() <= 1e-6 * x.abs().max(1.0) || (*x == MAX_SCORE) == (*y == MAX_SCORE));
            }
        }
    }
}
