//! The linear trend of a series and its forecast.

use serde::{Deserialize, Serialize};

use super::error::AnalyticsError;
use super::series_input::check_series;
use super::stats;

/// Longest forecast [`trend`] computes.
pub const MAX_HORIZON: usize = 10_000;

/// Fewest points with which a line and its residual spread can both be estimated.
const MIN_POINTS: usize = 3;

/// A fitted change over the whole series smaller than this fraction of the series' mean
/// absolute value counts as flat, however significant.
const MIN_RELATIVE_CHANGE: f64 = 0.01;

/// Two-sided 95% critical values of Student's t for 1 to 30 degrees of freedom.
const T_CRITICAL: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

/// Options of [`trend`].
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrendOptions {
    /// How many points past the end of the series to forecast (0 to 10 000); default 5.
    pub horizon: usize,
}

impl Default for TrendOptions {
    fn default() -> Self {
        TrendOptions { horizon: 5 }
    }
}

/// Which way a series goes.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendDirection {
    /// The slope is positive, significant and relevant (see [`trend`]).
    Increasing,
    /// The slope is negative, significant and relevant.
    Decreasing,
    /// Otherwise.
    Flat,
}

/// The least-squares line through a series (value against index 0, 1, ...) and its forecast.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrendReport {
    /// Number of points.
    pub count: usize,
    /// Increasing, decreasing or flat.
    pub direction: TrendDirection,
    /// Change per step.
    pub slope: f64,
    /// Fitted value at index 0.
    pub intercept: f64,
    /// R², the share of the variance the line explains, in [0, 1]; 0 for a constant series.
    pub strength: f64,
    /// Standard error of the slope.
    pub slope_std_error: f64,
    /// Residual standard error, `sqrt(sum of squared residuals / (n - 2))`: the typical
    /// distance of a point, and so of a forecast, from the line.
    pub residual_std_error: f64,
    /// The line extended past the series: entry `k` is the fitted value at index `count + k`.
    pub forecast: Vec<f64>,
}

/// Fits a least-squares line to `values` (at least 3 finite points) and forecasts
/// `options.horizon` points by extending it.
///
/// The direction is flat unless both
/// - the slope is significant: `|slope| / slope_std_error` reaches the two-sided 95% critical
///   value of Student's t with `n - 2` degrees of freedom (a perfect fit is significant when
///   its slope is not zero), and
/// - the change is relevant: the fitted change over the series, `|slope| x (n - 1)`, is at
///   least 1% of the mean absolute value of the series;
///
/// then it is increasing or decreasing by the sign of the slope.
pub fn trend(values: &[f64], options: &TrendOptions) -> Result<TrendReport, AnalyticsError> {
    if options.horizon > MAX_HORIZON {
        return Err(AnalyticsError::InvalidOption {
            field: "horizon",
            value: options.horizon.to_string(),
            expected: "a number of points from 0 to 10000 (default 5)",
        });
    }
    check_series(values)?;
    let n = values.len();
    if n < MIN_POINTS {
        return Err(AnalyticsError::TooFewPoints {
            what: "trend",
            needed: MIN_POINTS,
            got: n,
        });
    }
    let xs: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let (mx, my) = (stats::mean(&xs), stats::mean(values));
    let sxx = stats::sum_squares(&xs, mx);
    let constant = stats::is_constant(values);
    let (slope, intercept) = if constant {
        // The value itself: rounding in the mean would leave a slope and residuals of 1e-17.
        (0.0, values.first().copied().unwrap_or(my))
    } else {
        let sxy: f64 = xs
            .iter()
            .zip(values)
            .map(|(x, y)| (x - mx) * (y - my))
            .sum();
        let slope = sxy / sxx;
        (slope, my - slope * mx)
    };
    let ssr: f64 = xs
        .iter()
        .zip(values)
        .map(|(x, y)| {
            let r = y - (intercept + slope * x);
            r * r
        })
        .sum();
    let strength = if constant {
        0.0
    } else {
        (1.0 - ssr / stats::sum_squares(values, my)).clamp(0.0, 1.0)
    };
    let degrees_of_freedom = n - 2;
    let residual_std_error = (ssr / degrees_of_freedom as f64).sqrt();
    let slope_std_error = residual_std_error / sxx.sqrt();
    let significant = if slope_std_error > 0.0 {
        (slope / slope_std_error).abs() >= t_critical(degrees_of_freedom)
    } else {
        slope != 0.0
    };
    let mean_magnitude = values.iter().map(|v| v.abs()).sum::<f64>() / n as f64;
    let relevant = slope.abs() * (n - 1) as f64 >= MIN_RELATIVE_CHANGE * mean_magnitude;
    let direction = if !(significant && relevant) || slope == 0.0 {
        TrendDirection::Flat
    } else if slope > 0.0 {
        TrendDirection::Increasing
    } else {
        TrendDirection::Decreasing
    };
    let forecast = (n..n + options.horizon)
        .map(|i| intercept + slope * i as f64)
        .collect();
    Ok(TrendReport {
        count: n,
        direction,
        slope,
        intercept,
        strength,
        slope_std_error,
        residual_std_error,
        forecast,
    })
}

/// The two-sided 95% critical value of Student's t with `df` (at least 1) degrees of freedom:
/// from the table up to 30, beyond it the Cornish–Fisher expansion around the normal quantile
/// (within 1e-4 of the exact value there).
fn t_critical(df: usize) -> f64 {
    if let Some(&t) = df.checked_sub(1).and_then(|i| T_CRITICAL.get(i)) {
        return t;
    }
    let z = 1.959_963_984_540_054_f64;
    let v = df as f64;
    z + (z.powi(3) + z) / (4.0 * v)
        + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * v * v)
        + (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / (384.0 * v.powi(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_by_hand() {
        // y = [1, 3, 2, 5, 4] against x = 0..4: mean x 2, mean y 3, sxx 10,
        // sxy = (-2)(-2) + (-1)(0) + 0 + (1)(2) + (2)(1) = 8, slope 0.8, intercept 1.4.
        // Fitted [1.4, 2.2, 3.0, 3.8, 4.6], residuals [-0.4, 0.8, -1, 1.2, -0.6],
        // SSR = 0.16 + 0.64 + 1 + 1.44 + 0.36 = 3.6, SST = 10, R² = 0.64,
        // residual SE = sqrt(3.6 / 3), slope SE = that / sqrt(10), t = 2.309 < 3.182 (df 3).
        let r = trend(&[1.0, 3.0, 2.0, 5.0, 4.0], &TrendOptions { horizon: 2 }).unwrap();
        assert!((r.slope - 0.8).abs() < 1e-12);
        assert!((r.intercept - 1.4).abs() < 1e-12);
        assert!((r.strength - 0.64).abs() < 1e-12);
        assert!((r.residual_std_error - 1.2f64.sqrt()).abs() < 1e-12);
        assert!((r.slope_std_error - (1.2f64 / 10.0).sqrt()).abs() < 1e-12);
        assert_eq!(r.direction, TrendDirection::Flat);
        assert_eq!(r.forecast.len(), 2);
        assert!((r.forecast[0] - 5.4).abs() < 1e-12 && (r.forecast[1] - 6.2).abs() < 1e-12);
    }

    #[test]
    fn clear_trends_have_a_direction() {
        let up: Vec<f64> = (0..40)
            .map(|i| 100.0 + 2.0 * i as f64 + (i % 3) as f64)
            .collect();
        assert_eq!(
            trend(&up, &TrendOptions::default()).unwrap().direction,
            TrendDirection::Increasing
        );
        let down: Vec<f64> = up.iter().rev().copied().collect();
        let r = trend(&down, &TrendOptions::default()).unwrap();
        assert_eq!(r.direction, TrendDirection::Decreasing);
        assert_eq!(r.forecast.len(), 5);
        assert!(r.strength > 0.99);
    }

    #[test]
    fn a_significant_but_tiny_slope_is_flat() {
        // Rises by 0.5 over 50 points around 1000: 0.05% of the level.
        let series: Vec<f64> = (0..50).map(|i| 1000.0 + 0.01 * i as f64).collect();
        let r = trend(&series, &TrendOptions::default()).unwrap();
        assert!(r.slope > 0.0);
        assert_eq!(r.direction, TrendDirection::Flat);
    }

    #[test]
    fn constant_series_is_flat_with_zero_strength() {
        let r = trend(&[0.1; 10], &TrendOptions { horizon: 3 }).unwrap();
        assert_eq!(
            (r.direction, r.slope, r.strength, r.residual_std_error),
            (TrendDirection::Flat, 0.0, 0.0, 0.0)
        );
        assert_eq!(r.forecast, vec![r.intercept; 3]);
    }

    #[test]
    fn t_critical_values() {
        assert_eq!(t_critical(1), 12.706);
        assert_eq!(t_critical(30), 2.042);
        // Exact: 2.0211 (df 40), 1.9799 (df 120).
        assert!((t_critical(40) - 2.0211).abs() < 1e-4);
        assert!((t_critical(120) - 1.9799).abs() < 1e-4);
    }

    #[test]
    fn bad_input() {
        assert_eq!(
            trend(&[1.0, 2.0], &TrendOptions::default()),
            Err(AnalyticsError::TooFewPoints {
                what: "trend",
                needed: 3,
                got: 2
            })
        );
        let err = trend(&[1.0, 2.0, 3.0], &TrendOptions { horizon: 10_001 }).unwrap_err();
        assert!(err.to_string().contains("horizon"), "{err}");
        assert_eq!(
            trend(&[], &TrendOptions::default()),
            Err(AnalyticsError::EmptySeries)
        );
    }
}
