//! Regression metrics: RMSE, MAE and R².

use super::{check_finite, check_lengths};
use crate::MlError;

/// Checks a (truth, prediction) pair of regression vectors.
fn check(y_true: &[f64], y_pred: &[f64]) -> Result<(), MlError> {
    check_lengths(y_true.len(), y_pred.len())?;
    check_finite(y_true)?;
    check_finite(y_pred)
}

/// Root mean squared error.
pub fn rmse(y_true: &[f64], y_pred: &[f64]) -> Result<f64, MlError> {
    check(y_true, y_pred)?;
    let sum: f64 = y_true
        .iter()
        .zip(y_pred)
        .map(|(t, p)| (t - p) * (t - p))
        .sum();
    Ok((sum / y_true.len() as f64).sqrt())
}

/// Mean absolute error.
pub fn mae(y_true: &[f64], y_pred: &[f64]) -> Result<f64, MlError> {
    check(y_true, y_pred)?;
    let sum: f64 = y_true.iter().zip(y_pred).map(|(t, p)| (t - p).abs()).sum();
    Ok(sum / y_true.len() as f64)
}

/// Coefficient of determination `1 - SS_res / SS_tot` (at most 1; negative when worse than
/// predicting the mean).
///
/// When `y_true` is constant (`SS_tot = 0`) it is 1 for perfect predictions and 0 otherwise, as
/// scikit-learn's `force_finite` default does.
pub fn r2(y_true: &[f64], y_pred: &[f64]) -> Result<f64, MlError> {
    check(y_true, y_pred)?;
    let mean = y_true.iter().sum::<f64>() / y_true.len() as f64;
    let ss_res: f64 = y_true
        .iter()
        .zip(y_pred)
        .map(|(t, p)| (t - p) * (t - p))
        .sum();
    let ss_tot: f64 = y_true.iter().map(|t| (t - mean) * (t - mean)).sum();
    Ok(match (ss_tot == 0.0, ss_res == 0.0) {
        (false, _) => 1.0 - ss_res / ss_tot,
        (true, true) => 1.0,
        (true, false) => 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        let t = [3.0, -0.5, 2.0, 7.0];
        let p = [2.5, 0.0, 2.0, 8.0];
        // sklearn 1.9.1: r2_score = 0.9486081370449679, mean_absolute_error = 0.5,
        // root_mean_squared_error = 0.6123724356957945
        assert!((r2(&t, &p).unwrap() - 0.948_608_137_044_967_9).abs() < 1e-15);
        assert_eq!(mae(&t, &p).unwrap(), 0.5);
        assert!((rmse(&t, &p).unwrap() - 0.612_372_435_695_794_5).abs() < 1e-15);
    }

    #[test]
    fn constant_truth_is_finite() {
        assert_eq!(r2(&[1.0, 1.0], &[1.0, 1.0]).unwrap(), 1.0);
        assert_eq!(r2(&[1.0, 1.0], &[1.0, 2.0]).unwrap(), 0.0);
        assert!(matches!(
            rmse(&[1.0], &[f64::INFINITY]),
            Err(MlError::NonFinite { row: 0, .. })
        ));
    }
}
