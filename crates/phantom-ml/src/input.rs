//! Checks of training input shared by every supervised algorithm, so each bad input gets the
//! same error whichever algorithm meets it.

use crate::{Matrix, MlError};

/// Checks classification input: non-empty finite features, one class index per row, every index
/// below `n_classes`, and at least two classes present.
pub(crate) fn check_classification(x: &Matrix, y: &[u32], n_classes: usize) -> Result<(), MlError> {
    x.check_fit_input()?;
    check_target_count(x, y.len())?;
    if n_classes < 2 {
        return Err(MlError::TooFewClasses(n_classes));
    }
    let mut present = vec![false; n_classes];
    for (row, &index) in y.iter().enumerate() {
        match present.get_mut(index as usize) {
            Some(p) => *p = true,
            None => {
                return Err(MlError::ClassOutOfRange {
                    row,
                    index,
                    n_classes,
                });
            }
        }
    }
    match present.iter().filter(|p| **p).count() {
        n if n < 2 => Err(MlError::TooFewClasses(n)),
        _ => Ok(()),
    }
}

/// Checks regression input: non-empty finite features and one finite target per row.
pub(crate) fn check_regression(x: &Matrix, y: &[f64]) -> Result<(), MlError> {
    x.check_fit_input()?;
    check_target_count(x, y.len())?;
    match y.iter().position(|v| !v.is_finite()) {
        Some(row) => Err(MlError::NonFiniteTarget { row, value: y[row] }),
        None => Ok(()),
    }
}

fn check_target_count(x: &Matrix, n_targets: usize) -> Result<(), MlError> {
    if n_targets == x.n_rows() {
        Ok(())
    } else {
        Err(MlError::DimensionMismatch {
            what: "label count (one per row)",
            expected: x.n_rows(),
            got: n_targets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x(rows: usize) -> Matrix {
        Matrix::new(rows, 1, (0..rows).map(|i| i as f32).collect()).unwrap()
    }

    #[test]
    fn classification_input_errors() {
        assert!(check_classification(&x(3), &[0, 1, 1], 2).is_ok());
        assert!(matches!(
            check_classification(&x(3), &[0, 1], 2),
            Err(MlError::DimensionMismatch {
                expected: 3,
                got: 2,
                ..
            })
        ));
        assert_eq!(
            check_classification(&x(2), &[0, 1], 1),
            Err(MlError::TooFewClasses(1))
        );
        assert_eq!(
            check_classification(&x(2), &[0, 2], 2),
            Err(MlError::ClassOutOfRange {
                row: 1,
                index: 2,
                n_classes: 2
            })
        );
        assert_eq!(
            check_classification(&x(2), &[1, 1], 3),
            Err(MlError::TooFewClasses(1))
        );
    }

    #[test]
    fn regression_input_errors() {
        assert!(check_regression(&x(2), &[0.5, 1.0]).is_ok());
        assert!(matches!(
            check_regression(&x(2), &[0.5, f64::NAN]),
            Err(MlError::NonFiniteTarget { row: 1, .. })
        ));
        assert!(matches!(
            check_regression(&x(2), &[0.5]),
            Err(MlError::DimensionMismatch { .. })
        ));
    }
}
