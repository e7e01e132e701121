//! Anomalies in a numeric series, with an overall risk level.

use phantom_detect::series::{self, SeriesReport, Severity};
use serde::{Deserialize, Serialize};

use super::error::AnalyticsError;
use super::series_input::check_series;
use super::stats;

/// How [`detect_anomalies`] finds anomalies.
///
/// In JSON: `"robust"`, `"trend"` or `{"seasonal": {"period": 24}}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum AnomalyMethod {
    /// Robust z-scores of the values themselves (median and MAD).
    #[default]
    Robust,
    /// Robust z-scores after subtracting, from each point, the median of the points in the same
    /// phase of `period` (at least 2; the series must hold two full periods).
    Seasonal {
        /// Length of the repeating pattern, in points (24 for hourly data with a daily cycle).
        period: usize,
    },
    /// Robust z-scores after subtracting a robust (Theil–Sen) line; needs at least 3 points.
    Trend,
}

/// Options of [`detect_anomalies`].
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnomalyOptions {
    /// Higher flags more points: a point is anomalous when its score exceeds
    /// `3.5 / sensitivity`. Must be positive; default 1.
    pub sensitivity: f64,
    /// The detector; default [`AnomalyMethod::Robust`].
    pub method: AnomalyMethod,
}

impl Default for AnomalyOptions {
    fn default() -> Self {
        AnomalyOptions {
            sensitivity: 1.0,
            method: AnomalyMethod::Robust,
        }
    }
}

/// One anomalous point.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeriesAnomaly {
    /// Zero-based index in the series.
    pub index: usize,
    /// The point's value.
    pub value: f64,
    /// Its robust z-score.
    pub score: f64,
    /// How far past the threshold the score lies: low below 1.5 x, medium below 2 x, high
    /// below 3 x, critical from 3 x.
    pub severity: Severity,
}

/// How worrying a series' anomalies are as a whole.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// No anomaly, or only low-severity ones on under 2% of the points.
    Low,
    /// A medium-severity anomaly, or anomalies on at least 2% of the points.
    Medium,
    /// A high or critical anomaly, or anomalies on at least 10% of the points.
    High,
    /// A critical anomaly with anomalies on at least 5% of the points, or anomalies on at least
    /// 20% of the points.
    Critical,
}

impl RiskLevel {
    /// The level for `n_anomalies` anomalies among `n_points` points, the worst of severity
    /// `worst`; the first rule that applies wins, from critical down (see the variants).
    fn of(n_anomalies: usize, n_points: usize, worst: Option<Severity>) -> RiskLevel {
        let Some(worst) = worst else {
            return RiskLevel::Low;
        };
        let share = n_anomalies as f64 / n_points.max(1) as f64;
        if share >= 0.20 || (worst == Severity::Critical && share >= 0.05) {
            RiskLevel::Critical
        } else if share >= 0.10 || worst >= Severity::High {
            RiskLevel::High
        } else if share >= 0.02 || worst >= Severity::Medium {
            RiskLevel::Medium
        } else {
            RiskLevel::Low
        }
    }
}

/// The numbers behind an [`AnomalyReport`].
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnomalyStatistics {
    /// Number of points.
    pub count: usize,
    /// Median of what was scored: the values (robust) or the residuals after removing the
    /// seasonal pattern or the trend.
    pub median: f64,
    /// Median absolute deviation of what was scored.
    pub mad: f64,
    /// The spread the scores divide by: `mad` (1.4826 x MAD), `mean_absolute_deviation`
    /// (1.2533 x mean absolute deviation, when more than half the scored values are equal) or
    /// `constant` (every scored value equal: any differing point is an anomaly).
    pub scale_method: &'static str,
    /// Mean of the values.
    pub mean: f64,
    /// Population standard deviation of the values.
    pub std: f64,
    /// Score above which a point is an anomaly (3.5 / sensitivity).
    pub threshold: f64,
    /// The detector used.
    pub method: AnomalyMethod,
}

/// The anomalies of a series and the statistics they were judged by.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnomalyReport {
    /// The anomalous points, in series order.
    pub anomalies: Vec<SeriesAnomaly>,
    /// Number of anomalous points.
    pub anomalies_detected: usize,
    /// Overall risk, from the share of anomalous points and the worst severity.
    pub risk_level: RiskLevel,
    /// The statistics used.
    pub statistics: AnomalyStatistics,
}

/// Finds the anomalous points of `values` with the chosen detector (see [`AnomalyMethod`]).
///
/// The series must be non-empty and finite; the sensitivity positive.
pub fn detect_anomalies(
    values: &[f64],
    options: &AnomalyOptions,
) -> Result<AnomalyReport, AnalyticsError> {
    if !(options.sensitivity.is_finite() && options.sensitivity > 0.0) {
        return Err(AnalyticsError::InvalidOption {
            field: "sensitivity",
            value: options.sensitivity.to_string(),
            expected: "a positive number (default 1)",
        });
    }
    check_series(values)?;
    let report: SeriesReport = match options.method {
        AnomalyMethod::Robust => series::detect(values, options.sensitivity)?,
        AnomalyMethod::Seasonal { period } => {
            series::detect_seasonal(values, period, options.sensitivity)?
        }
        AnomalyMethod::Trend => series::detect_trend(values, options.sensitivity)?,
    };
    let worst = report.anomalies.iter().map(|a| a.severity).max();
    let risk_level = RiskLevel::of(report.anomalies.len(), values.len(), worst);
    let anomalies: Vec<SeriesAnomaly> = report
        .anomalies
        .iter()
        .map(|a| SeriesAnomaly {
            index: a.index,
            value: a.value,
            score: a.score,
            severity: a.severity,
        })
        .collect();
    Ok(AnomalyReport {
        anomalies_detected: anomalies.len(),
        anomalies,
        risk_level,
        statistics: AnomalyStatistics {
            count: values.len(),
            median: report.median,
            mad: report.mad,
            scale_method: report.scale_method,
            mean: stats::mean(values),
            std: stats::population_variance(values).sqrt(),
            threshold: report.threshold,
            method: options.method,
        },
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn one_critical_spike_in_a_hundred_points_is_high_risk() {
        let mut series: Vec<f64> = (0..100).map(|i| 10.0 + (i % 5) as f64 * 0.1).collect();
        series[40] = 1000.0;
        let report = detect_anomalies(&series, &AnomalyOptions::default()).unwrap();
        assert_eq!(report.anomalies_detected, 1);
        assert_eq!(
            report.anomalies,
            vec![SeriesAnomaly {
                index: 40,
                value: 1000.0,
                score: report.anomalies[0].score,
                severity: Severity::Critical,
            }]
        );
        assert_eq!(report.risk_level, RiskLevel::High);
        let s = &report.statistics;
        assert_eq!((s.count, s.threshold), (100, 3.5));
        assert!((s.median - 10.2).abs() < 1e-12, "{}", s.median);
        // Mean: 99 points average 10.2 (each residue 0..4 twenty times, minus index 40's 10.0),
        // (20 * (10 + 10.1 + 10.2 + 10.3 + 10.4) - 10.0 + 1000.0) / 100.
        let mean = (20.0 * 51.0 - 10.0 + 1000.0) / 100.0;
        assert!((s.mean - mean).abs() < 1e-9, "{}", s.mean);
    }

    #[test]
    fn risk_rules() {
        use RiskLevel::*;
        use Severity as S;
        assert_eq!(RiskLevel::of(0, 100, None), Low);
        assert_eq!(RiskLevel::of(1, 100, Some(S::Low)), Low);
        assert_eq!(RiskLevel::of(2, 100, Some(S::Low)), Medium);
        assert_eq!(RiskLevel::of(1, 100, Some(S::Medium)), Medium);
        assert_eq!(RiskLevel::of(1, 100, Some(S::High)), High);
        assert_eq!(RiskLevel::of(10, 100, Some(S::Low)), High);
        assert_eq!(RiskLevel::of(4, 100, Some(S::Critical)), High);
        assert_eq!(RiskLevel::of(5, 100, Some(S::Critical)), Critical);
        assert_eq!(RiskLevel::of(20, 100, Some(S::Low)), Critical);
    }

    #[test]
    fn seasonal_and_trend_methods_remove_the_expected_shape() {
        let day: Vec<f64> = (0..24)
            .map(|h| {
                if (9..17).contains(&h) {
                    500.0
                } else {
                    50.0 + h as f64
                }
            })
            .collect();
        let mut week: Vec<f64> = day.iter().cycle().take(24 * 7).copied().collect();
        let seasonal = AnomalyOptions {
            sensitivity: 1.0,
            method: AnomalyMethod::Seasonal { period: 24 },
        };
        assert_eq!(
            detect_anomalies(&week, &seasonal)
                .unwrap()
                .anomalies_detected,
            0
        );
        week[24 * 4 + 12] = 60.0;
        let report = detect_anomalies(&week, &seasonal).unwrap();
        assert_eq!(
            report.anomalies.iter().map(|a| a.index).collect::<Vec<_>>(),
            vec![24 * 4 + 12]
        );

        let climb: Vec<f64> = (0..50).map(|i| 3.0 * i as f64).collect();
        let trend = AnomalyOptions {
            sensitivity: 1.0,
            method: AnomalyMethod::Trend,
        };
        assert_eq!(
            detect_anomalies(&climb, &trend).unwrap().anomalies_detected,
            0
        );
    }

    #[test]
    fn bad_input_names_what_is_wrong() {
        let err = detect_anomalies(
            &[1.0, 2.0],
            &AnomalyOptions {
                sensitivity: -1.0,
                method: AnomalyMethod::Robust,
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("sensitivity"), "{err}");
        assert!(matches!(
            detect_anomalies(&[1.0, f64::NAN], &AnomalyOptions::default()),
            Err(AnalyticsError::NonFinitePoint { index: 1, value }) if value.is_nan()
        ));
        let err = detect_anomalies(
            &[1.0; 5],
            &AnomalyOptions {
                sensitivity: 1.0,
                method: AnomalyMethod::Seasonal { period: 3 },
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("period 3 for 5 points"), "{err}");
        assert_eq!(
            detect_anomalies(&[], &AnomalyOptions::default()),
            Err(AnalyticsError::EmptySeries)
        );
    }

    #[test]
    fn options_parse_from_json_with_defaults_and_reject_unknown_fields() {
        let o: AnomalyOptions = serde_json::from_value(json!({})).unwrap();
        assert_eq!(o, AnomalyOptions::default());
        let o: AnomalyOptions =
            serde_json::from_value(json!({"method": {"seasonal": {"period": 24}}})).unwrap();
        assert_eq!(o.method, AnomalyMethod::Seasonal { period: 24 });
        let o: AnomalyOptions =
            serde_json::from_value(json!({"method": "trend", "sensitivity": 2.0})).unwrap();
        assert_eq!((o.method, o.sensitivity), (AnomalyMethod::Trend, 2.0));
        assert!(serde_json::from_value::<AnomalyOptions>(json!({"sensitivty": 2})).is_err());
        assert!(
            serde_json::from_value::<AnomalyOptions>(
                json!({"method": {"seasonal": {"period": 24, "x": 1}}})
            )
            .is_err()
        );
    }

    #[test]
    fn report_serializes_with_snake_case_names() {
        let report =
            detect_anomalies(&[1.0, 2.0, 3.0, 4.0, 100.0], &AnomalyOptions::default()).unwrap();
        let v = serde_json::to_value(&report).unwrap();
        assert_eq!(v["anomalies_detected"], 1);
        assert_eq!(v["risk_level"], "critical");
        assert_eq!(v["anomalies"][0]["severity"], "critical");
        assert_eq!(v["statistics"]["method"], "robust");
        assert_eq!(v["statistics"]["scale_method"], "mad");
    }
}
