//! Checks shared by the functions that take a numeric series.

use super::error::AnalyticsError;

/// Checks that the series is non-empty and finite.
pub(crate) fn check_series(values: &[f64]) -> Result<(), AnalyticsError> {
    if values.is_empty() {
        return Err(AnalyticsError::EmptySeries);
    }
    match values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        Some((index, &value)) => Err(AnalyticsError::NonFinitePoint { index, value }),
        None => Ok(()),
    }
}
