//! Scoring a series against an expected value per point.

use super::SeriesReport;

/// Residuals no larger than this fraction of the series' largest magnitude are rounding error
/// from computing the baseline (a pure season or line never subtracts to exactly zero in
/// floating point), so they are treated as exactly zero instead of as a tiny, noisy spread.
const NOISE_FRACTION: f64 = 1e-10;

/// Robust scores of `values - baseline`, reported against `values`. Both are non-empty, finite
/// and of the same length.
pub(super) fn score_against(values: &[f64], baseline: &[f64], sensitivity: f64) -> SeriesReport {
    let magnitude = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let tolerance = NOISE_FRACTION * magnitude;
    let residuals: Vec<f64> = values
        .iter()
        .zip(baseline)
        .map(|(value, expected)| {
            let residual = value - expected;
            if residual.abs() <= tolerance {
                0.0
            } else {
                residual
            }
        })
        .collect();
    super::score(values, &residuals, sensitivity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_noise_is_zeroed_but_real_residuals_are_kept() {
        let mut values = [1e6; 10];
        values[3] += 50.0;
        // Off by at most 1e-7 (relative 1e-13) except at index 3.
        let baseline: Vec<f64> = (0..10)
            .map(|i| 1e6 + 1e-7 * (i % 3) as f64 - 1e-7)
            .collect();
        let report = score_against(&values, &baseline, 1.0);
        assert_eq!(report.scale_method, "mean_absolute_deviation");
        assert_eq!(report.anomalies.len(), 1);
        assert_eq!(report.anomalies[0].index, 3);
        assert!(report.anomalies[0].above_median);
    }
}
