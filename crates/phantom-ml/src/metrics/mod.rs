//! Evaluation metrics for classification, regression, anomaly scores and clustering.
//!
//! Every metric checks its input and returns an [`MlError`] rather than a silent NaN: empty
//! input is [`MlError::EmptyData`], slices of different lengths are
//! [`MlError::DimensionMismatch`], a non-finite score or target is [`MlError::NonFinite`] (with
//! `col` 0), and a metric undefined for the data (for example ROC-AUC when only one class is
//! present) says so. Ratios with a zero denominator (precision with no predicted positives,
//! recall with no actual positives) are defined as 0, as scikit-learn's default does.

mod classification;
mod clustering;
mod probabilistic;
mod regression;

pub use classification::{
    ConfusionMatrix, accuracy, confusion_matrix, f1, macro_f1, macro_precision, macro_recall,
    precision, recall,
};
pub use clustering::{SILHOUETTE_MAX_ROWS, inertia, silhouette_score};
pub use probabilistic::{LOG_LOSS_EPSILON, log_loss, roc_auc, roc_auc_ovr};
pub use regression::{mae, r2, rmse};

use crate::MlError;

/// Checks that a metric gets a non-empty `truth` and as many `predicted` values.
fn check_lengths(truth: usize, predicted: usize) -> Result<(), MlError> {
    if truth == 0 {
        return Err(MlError::EmptyData("no rows to evaluate"));
    }
    if truth != predicted {
        return Err(MlError::DimensionMismatch {
            what: "number of predictions",
            expected: truth,
            got: predicted,
        });
    }
    Ok(())
}

/// Checks that every value is finite, naming the first that is not.
fn check_finite(values: &[f64]) -> Result<(), MlError> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(row) => Err(MlError::NonFinite {
            row,
            col: 0,
            value: values[row],
        }),
    }
}

/// Checks that every class index is below `n_classes`.
fn check_classes(labels: &[u32], n_classes: usize) -> Result<(), MlError> {
    match labels.iter().position(|&c| c as usize >= n_classes) {
        None => Ok(()),
        Some(row) => Err(MlError::ClassOutOfRange {
            row,
            index: labels[row],
            n_classes,
        }),
    }
}
