//! Accuracy, the confusion matrix, and precision, recall and F1 (binary and macro-averaged).

use serde::{Deserialize, Serialize};

use super::{check_classes, check_lengths};
use crate::MlError;

/// The fraction of rows whose predicted class equals the true class.
pub fn accuracy(y_true: &[u32], y_pred: &[u32]) -> Result<f64, MlError> {
    check_lengths(y_true.len(), y_pred.len())?;
    let correct = y_true.iter().zip(y_pred).filter(|(t, p)| t == p).count();
    Ok(correct as f64 / y_true.len() as f64)
}

/// Counts of (true class, predicted class) pairs over `n_classes` classes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    n_classes: usize,
    counts: Vec<u64>,
}

/// The confusion matrix of `y_pred` against `y_true` (class indices in `0..n_classes`).
pub fn confusion_matrix(
    y_true: &[u32],
    y_pred: &[u32],
    n_classes: usize,
) -> Result<ConfusionMatrix, MlError> {
    check_lengths(y_true.len(), y_pred.len())?;
    check_classes(y_true, n_classes)?;
    check_classes(y_pred, n_classes)?;
    let mut counts = vec![0; n_classes * n_classes];
    for (&t, &p) in y_true.iter().zip(y_pred) {
        counts[t as usize * n_classes + p as usize] += 1;
    }
    Ok(ConfusionMatrix { n_classes, counts })
}

impl ConfusionMatrix {
    /// Number of classes (rows and columns).
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Row-major counts: entry `actual * n_classes + predicted`.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// How many rows of class `actual` were predicted as `predicted` (0 outside the matrix).
    pub fn count(&self, actual: usize, predicted: usize) -> u64 {
        if actual >= self.n_classes || predicted >= self.n_classes {
            return 0;
        }
        self.counts[actual * self.n_classes + predicted]
    }

    /// Rows predicted as `class`.
    fn predicted(&self, class: usize) -> u64 {
        (0..self.n_classes).map(|a| self.count(a, class)).sum()
    }

    /// Rows whose true class is `class`.
    fn actual(&self, class: usize) -> u64 {
        (0..self.n_classes).map(|p| self.count(class, p)).sum()
    }

    /// Precision of `class`: true positives over predicted positives (0 if none predicted).
    pub fn precision(&self, class: usize) -> f64 {
        ratio(self.count(class, class), self.predicted(class))
    }

    /// Recall of `class`: true positives over actual positives (0 if none present).
    pub fn recall(&self, class: usize) -> f64 {
        ratio(self.count(class, class), self.actual(class))
    }

    /// F1 of `class`: the harmonic mean of its precision and recall (0 if both are 0).
    pub fn f1(&self, class: usize) -> f64 {
        harmonic_mean(self.precision(class), self.recall(class))
    }

    /// The mean of `per_class` over the classes that occur in the truth or the predictions
    /// (scikit-learn's macro average over the labels present).
    fn macro_average(&self, per_class: impl Fn(&Self, usize) -> f64) -> f64 {
        let present: Vec<usize> = (0..self.n_classes)
            .filter(|&c| self.actual(c) + self.predicted(c) > 0)
            .collect();
        if present.is_empty() {
            return 0.0;
        }
        present.iter().map(|&c| per_class(self, c)).sum::<f64>() / present.len() as f64
    }
}

/// `numerator / denominator`, or 0 when the denominator is 0.
fn ratio(numerator: u64, denominator: u64) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        numerator as f64 / denominator as f64
    }
}

/// `2pr / (p + r)`, or 0 when both are 0.
fn harmonic_mean(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// The binary confusion matrix for `positive` against every other class (class 1 = positive).
fn binary(y_true: &[u32], y_pred: &[u32], positive: u32) -> Result<ConfusionMatrix, MlError> {
    check_lengths(y_true.len(), y_pred.len())?;
    let is_positive =
        |v: &[u32]| -> Vec<u32> { v.iter().map(|&c| u32::from(c == positive)).collect() };
    confusion_matrix(&is_positive(y_true), &is_positive(y_pred), 2)
}

/// Binary precision of the class `positive` (every other class is negative); 0 if no row is
/// predicted positive.
pub fn precision(y_true: &[u32], y_pred: &[u32], positive: u32) -> Result<f64, MlError> {
    Ok(binary(y_true, y_pred, positive)?.precision(1))
}

/// Binary recall of the class `positive`; 0 if no row is actually positive.
pub fn recall(y_true: &[u32], y_pred: &[u32], positive: u32) -> Result<f64, MlError> {
    Ok(binary(y_true, y_pred, positive)?.recall(1))
}

/// Binary F1 of the class `positive`: the harmonic mean of precision and recall (0 if both are 0).
pub fn f1(y_true: &[u32], y_pred: &[u32], positive: u32) -> Result<f64, MlError> {
    Ok(binary(y_true, y_pred, positive)?.f1(1))
}

/// Precision averaged over the classes present in `y_true` or `y_pred` (macro average).
pub fn macro_precision(y_true: &[u32], y_pred: &[u32], n_classes: usize) -> Result<f64, MlError> {
    Ok(confusion_matrix(y_true, y_pred, n_classes)?.macro_average(ConfusionMatrix::precision))
}

/// Recall averaged over the classes present in `y_true` or `y_pred` (macro average).
pub fn macro_recall(y_true: &[u32], y_pred: &[u32], n_classes: usize) -> Result<f64, MlError> {
    Ok(confusion_matrix(y_true, y_pred, n_classes)?.macro_average(ConfusionMatrix::recall))
}

/// Per-class F1 averaged over the classes present in `y_true` or `y_pred` (macro average, not
/// the F1 of the macro precision and recall).
pub fn macro_f1(y_true: &[u32], y_pred: &[u32], n_classes: usize) -> Result<f64, MlError> {
    Ok(confusion_matrix(y_true, y_pred, n_classes)?.macro_average(ConfusionMatrix::f1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_binary_scores() {
        let y_true = [1, 1, 1, 0, 0, 2];
        let y_pred = [1, 0, 1, 1, 0, 2];
        let cm = confusion_matrix(&y_true, &y_pred, 3).unwrap();
        assert_eq!(cm.counts(), &[1, 1, 0, 1, 2, 0, 0, 0, 1]);
        assert_eq!(precision(&y_true, &y_pred, 1).unwrap(), 2.0 / 3.0);
        assert_eq!(recall(&y_true, &y_pred, 1).unwrap(), 2.0 / 3.0);
        assert_eq!(accuracy(&y_true, &y_pred).unwrap(), 4.0 / 6.0);
    }

    #[test]
    fn zero_denominators_give_zero() {
        assert_eq!(precision(&[1, 0], &[0, 0], 1).unwrap(), 0.0);
        assert_eq!(recall(&[0, 0], &[1, 0], 1).unwrap(), 0.0);
        assert_eq!(f1(&[0, 0], &[0, 0], 1).unwrap(), 0.0);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(matches!(accuracy(&[], &[]), Err(MlError::EmptyData(_))));
        assert!(matches!(
            accuracy(&[0, 1], &[0]),
            Err(MlError::DimensionMismatch {
                expected: 2,
                got: 1,
                ..
            })
        ));
        assert!(matches!(
            macro_f1(&[0, 3], &[0, 1], 2),
            Err(MlError::ClassOutOfRange {
                row: 1,
                index: 3,
                ..
            })
        ));
    }
}
