//! Anomalies in a series that drifts (disk usage, a growing user count).

use super::{SeriesError, SeriesReport, check_input, median, residual};

/// Above this many points the Theil–Sen slope is computed from this many evenly spaced points,
/// which bounds the pairwise slopes to about half a million (4 MB) however long the series.
const MAX_PAIRWISE_POINTS: usize = 1000;

/// Fewest points for which a line and a spread around it can both be estimated.
const MIN_POINTS: usize = 3;

/// Scores each point against a robust straight line through the series, so a steady climb is
/// normal and only departures from it are anomalies. The line is the Theil–Sen estimator: the
/// slope is the median of the slopes between pairs of points and the intercept the median of
/// `value - slope * index`; up to 29% of the points can be arbitrary without moving it far,
/// unlike a least-squares fit, which one spike tilts. The residuals are scored like
/// [`detect`](super::detect), with the threshold `3.5 / sensitivity`.
///
/// The series needs at least 3 points. Above 1000 points, the slope is taken from 1000 evenly
/// spaced points (the first and last included); the residuals are still those of every point.
pub fn detect_trend(values: &[f64], sensitivity: f64) -> Result<SeriesReport, SeriesError> {
    check_input(values, sensitivity)?;
    if values.len() < MIN_POINTS {
        return Err(SeriesError::TooShort {
            detector: "trend",
            needed: MIN_POINTS,
            got: values.len(),
        });
    }
    let (slope, intercept) = theil_sen(values);
    let baseline: Vec<f64> = (0..values.len())
        .map(|i| intercept + slope * i as f64)
        .collect();
    Ok(residual::score_against(values, &baseline, sensitivity))
}

/// The Theil–Sen line `(slope, intercept)` of `values` against their index; `values` holds at
/// least two points.
fn theil_sen(values: &[f64]) -> (f64, f64) {
    let n = values.len();
    let sample: Vec<(f64, f64)> = if n <= MAX_PAIRWISE_POINTS {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| (i as f64, v))
            .collect()
    } else {
        (0..MAX_PAIRWISE_POINTS)
            .filter_map(|k| {
                let i = k * (n - 1) / (MAX_PAIRWISE_POINTS - 1);
                values.get(i).map(|&v| (i as f64, v))
            })
            .collect()
    };
    let mut slopes: Vec<f64> = sample
        .iter()
        .enumerate()
        .flat_map(|(a, &(xa, ya))| {
            sample
                .iter()
                .skip(a + 1)
                .map(move |&(xb, yb)| (yb - ya) / (xb - xa))
        })
        .collect();
    let slope = median(&mut slopes);
    let mut intercepts: Vec<f64> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| v - slope * i as f64)
        .collect();
    (slope, median(&mut intercepts))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn theil_sen_recovers_a_line_despite_outliers() {
        let mut series: Vec<f64> = (0..50).map(|i| 3.0 + 0.5 * i as f64).collect();
        series[10] = 500.0;
        series[40] = -500.0;
        let (slope, intercept) = theil_sen(&series);
        assert!((slope - 0.5).abs() < 1e-12, "{slope}");
        assert!((intercept - 3.0).abs() < 1e-12, "{intercept}");
    }

    #[test]
    fn theil_sen_by_hand() {
        // Slopes between pairs of (0,1), (1,3), (2,2): 2, 0.5, -1; median 0.5.
        // Intercepts 1 - 0, 3 - 0.5, 2 - 1 = 1, 2.5, 1; median 1.
        assert_eq!(theil_sen(&[1.0, 3.0, 2.0]), (0.5, 1.0));
    }

    #[test]
    fn long_series_use_a_sample_for_the_slope() {
        let series: Vec<f64> = (0..5000).map(|i| -2.0 + 0.25 * i as f64).collect();
        let (slope, intercept) = theil_sen(&series);
        assert!((slope - 0.25).abs() < 1e-12 && (intercept + 2.0).abs() < 1e-9);
    }

    #[test]
    fn a_steady_climb_is_not_anomalous_but_a_spike_on_it_is() {
        let climb: Vec<f64> = (0..200)
            .map(|i| 50.0 + 2.0 * i as f64 + (i % 4) as f64)
            .collect();
        assert!(
            !super::super::detect(&climb, 3.0)
                .unwrap()
                .anomalies
                .is_empty()
        );
        assert!(detect_trend(&climb, 3.0).unwrap().anomalies.is_empty());
        let mut spiked = climb.clone();
        // 250 is well inside the series' range, but 150 below the line at index 150.
        spiked[150] = 250.0;
        let report = detect_trend(&spiked, 1.0).unwrap();
        let found: Vec<(usize, bool)> = report
            .anomalies
            .iter()
            .map(|a| (a.index, a.above_median))
            .collect();
        assert_eq!(found, vec![(150, false)]);
    }

    #[test]
    fn too_short_is_an_error() {
        assert_eq!(
            detect_trend(&[1.0, 2.0], 1.0),
            Err(SeriesError::TooShort {
                detector: "trend",
                needed: 3,
                got: 2
            })
        );
    }

    proptest! {
        #[test]
        fn a_pure_line_gives_no_anomaly(
            intercept in -1e6f64..1e6,
            slope in -1e3f64..1e3,
            n in 3usize..300,
        ) {
            let series: Vec<f64> = (0..n).map(|i| intercept + slope * i as f64).collect();
            let report = detect_trend(&series, 1.0).unwrap();
            prop_assert!(report.anomalies.is_empty(), "{:?}", report.anomalies);
        }

        #[test]
        fn a_large_spike_on_a_line_is_the_one_anomaly(
            intercept in -1e3f64..1e3,
            slope in -10f64..10.0,
            n in 10usize..300,
            at in any::<prop::sample::Index>(),
            sign in prop::bool::ANY,
        ) {
            let mut series: Vec<f64> = (0..n).map(|i| intercept + slope * i as f64).collect();
            let at = at.index(n);
            series[at] += if sign { 1e5 } else { -1e5 };
            let report = detect_trend(&series, 1.0).unwrap();
            let found: Vec<(usize, bool)> = report.anomalies.iter().map(|a| (a.index, a.above_median)).collect();
            prop_assert_eq!(found, vec![(at, sign)]);
        }
    }
}
