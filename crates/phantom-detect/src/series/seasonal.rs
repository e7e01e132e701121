//! Anomalies in a series with a known period (hourly traffic with a daily cycle, say).

use super::{SeriesError, SeriesReport, check_input, median, residual};

/// Scores each point against the median of the points in the same phase (`index % period`):
/// a normal peak that recurs every period has a residual near zero, while a spike off the
/// pattern stands out. The residuals are scored like [`detect`](super::detect), with the
/// threshold `3.5 / sensitivity`.
///
/// `period` must be at least 2 and the series must hold at least two full periods; with three
/// or more, a single spike cannot move its phase's median.
pub fn detect_seasonal(
    values: &[f64],
    period: usize,
    sensitivity: f64,
) -> Result<SeriesReport, SeriesError> {
    check_input(values, sensitivity)?;
    if period < 2 || values.len() / period < 2 {
        return Err(SeriesError::Period {
            period,
            len: values.len(),
        });
    }
    let phase_medians: Vec<f64> = (0..period)
        .map(|phase| {
            let mut in_phase: Vec<f64> =
                values.iter().skip(phase).step_by(period).copied().collect();
            median(&mut in_phase)
        })
        .collect();
    let baseline: Vec<f64> = phase_medians
        .iter()
        .cycle()
        .take(values.len())
        .copied()
        .collect();
    Ok(residual::score_against(values, &baseline, sensitivity))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A daily-like cycle of `period` points: a gentle ramp with a tall peak at phases 8 and 9,
    /// repeated `cycles` times.
    fn season(period: usize, cycles: usize) -> Vec<f64> {
        (0..period * cycles)
            .map(|i| {
                let phase = i % period;
                let peak = if (8..10).contains(&phase) { 300.0 } else { 0.0 };
                100.0 + 0.5 * phase as f64 + peak
            })
            .collect()
    }

    #[test]
    fn the_pure_season_has_no_anomaly_although_its_peaks_are_far_from_the_median() {
        let series = season(24, 7);
        assert!(
            !super::super::detect(&series, 1.0)
                .unwrap()
                .anomalies
                .is_empty()
        );
        let report = detect_seasonal(&series, 24, 1.0).unwrap();
        assert!(report.anomalies.is_empty(), "{:?}", report.anomalies);
    }

    #[test]
    fn a_sine_computed_from_the_running_index_has_no_anomaly() {
        // sin(2πi/p) differs from sin(2π(i+p)/p) by rounding error only; that noise must not
        // become the spread the residuals are scored against.
        let series: Vec<f64> = (0..24 * 10)
            .map(|i| 1e3 * (std::f64::consts::TAU * i as f64 / 24.0).sin())
            .collect();
        let report = detect_seasonal(&series, 24, 1.0).unwrap();
        assert!(report.anomalies.is_empty(), "{:?}", report.anomalies);
    }

    #[test]
    fn a_spike_within_the_normal_range_is_found_off_its_phase() {
        let mut series = season(24, 7);
        // 104 is an ordinary level for the series as a whole, but at phase 8 the pattern peaks
        // at 404.
        let at = 24 * 3 + 8;
        series[at] = 104.0;
        assert!(
            super::super::detect(&series, 1.0)
                .unwrap()
                .anomalies
                .iter()
                .all(|a| a.index != at)
        );
        let report = detect_seasonal(&series, 24, 1.0).unwrap();
        let found: Vec<(usize, bool)> = report
            .anomalies
            .iter()
            .map(|a| (a.index, a.above_median))
            .collect();
        assert_eq!(found, vec![(at, false)]);
    }

    #[test]
    fn period_must_fit_twice() {
        let series = season(5, 3);
        assert_eq!(
            detect_seasonal(&series, 8, 1.0),
            Err(SeriesError::Period { period: 8, len: 15 })
        );
        assert!(matches!(
            detect_seasonal(&series, 1, 1.0),
            Err(SeriesError::Period { period: 1, .. })
        ));
        assert!(matches!(
            detect_seasonal(&series, 0, 1.0),
            Err(SeriesError::Period { period: 0, .. })
        ));
        assert!(detect_seasonal(&series, 7, 1.0).is_ok());
        assert_eq!(detect_seasonal(&[], 2, 1.0), Err(SeriesError::Empty));
    }

    proptest! {
        #[test]
        fn any_repeated_pattern_gives_no_anomaly(
            pattern in prop::collection::vec(-1e4f64..1e4, 2..30),
            cycles in 2usize..6,
        ) {
            let series: Vec<f64> = pattern.iter().cycle().take(pattern.len() * cycles).copied().collect();
            let report = detect_seasonal(&series, pattern.len(), 1.0).unwrap();
            prop_assert!(report.anomalies.is_empty());
        }

        #[test]
        fn a_large_spike_on_a_pattern_is_the_one_anomaly(
            pattern in prop::collection::vec(-100f64..100.0, 2..30),
            cycles in 3usize..6,
            at in any::<prop::sample::Index>(),
            sign in prop::bool::ANY,
        ) {
            let mut series: Vec<f64> = pattern.iter().cycle().take(pattern.len() * cycles).copied().collect();
            let at = at.index(series.len());
            series[at] += if sign { 1e4 } else { -1e4 };
            let report = detect_seasonal(&series, pattern.len(), 1.0).unwrap();
            let found: Vec<(usize, bool)> = report.anomalies.iter().map(|a| (a.index, a.above_median)).collect();
            prop_assert_eq!(found, vec![(at, sign)]);
        }
    }
}
