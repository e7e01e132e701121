//! Metrics of scores and probabilities: ROC-AUC and log-loss.

use super::{check_classes, check_finite, check_lengths};
use crate::MlError;

/// Probabilities are clipped to `[LOG_LOSS_EPSILON, 1 - LOG_LOSS_EPSILON]` before the logarithm
/// (scikit-learn's choice for `f64`: machine epsilon), so a confident mistake costs about 36
/// rather than infinity.
pub const LOG_LOSS_EPSILON: f64 = f64::EPSILON;

/// Area under the ROC curve of `scores` for binary labels `y_true` (1 = positive, 0 = negative).
///
/// Computed from the rank statistic (Mann–Whitney U), tied scores sharing their average rank,
/// so it is the probability that a random positive outscores a random negative, ties counting
/// half. Errors: labels other than 0/1 ([`MlError::ClassOutOfRange`]), only one class present
/// ([`MlError::TooFewClasses`]), non-finite scores ([`MlError::NonFinite`]).
pub fn roc_auc(y_true: &[u32], scores: &[f64]) -> Result<f64, MlError> {
    check_lengths(y_true.len(), scores.len())?;
    check_classes(y_true, 2)?;
    check_finite(scores)?;
    let n_positive = y_true.iter().filter(|&&c| c == 1).count();
    let n_negative = y_true.len() - n_positive;
    if n_positive == 0 || n_negative == 0 {
        return Err(MlError::TooFewClasses(1));
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_unstable_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut positive_rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let score = scores[order[start]];
        let end = start
            + order[start..]
                .iter()
                .take_while(|&&i| scores[i] == score)
                .count();
        // Ranks are 1-based; the tied block start..end shares the mean of its ranks.
        let mean_rank = (start + end + 1) as f64 / 2.0;
        let positives = order[start..end]
            .iter()
            .filter(|&&i| y_true[i] == 1)
            .count();
        positive_rank_sum += mean_rank * positives as f64;
        start = end;
    }
    let (p, n) = (n_positive as f64, n_negative as f64);
    Ok((positive_rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

/// Macro-averaged one-vs-rest ROC-AUC: for each class, [`roc_auc`] of that class against the
/// rest scored by its probability column, averaged over classes.
///
/// `proba` is row-major, `n_rows * n_classes`. Every class must occur in `y_true` (otherwise its
/// AUC is undefined and the error of [`roc_auc`] is returned).
pub fn roc_auc_ovr(y_true: &[u32], proba: &[f64], n_classes: usize) -> Result<f64, MlError> {
    if n_classes < 2 {
        return Err(MlError::TooFewClasses(n_classes));
    }
    check_lengths(y_true.len().saturating_mul(n_classes), proba.len())?;
    check_classes(y_true, n_classes)?;
    let mut total = 0.0;
    for class in 0..n_classes {
        let is_class: Vec<u32> = y_true
            .iter()
            .map(|&c| u32::from(c as usize == class))
            .collect();
        let column: Vec<f64> = proba
            .chunks_exact(n_classes)
            .map(|row| row[class])
            .collect();
        total += roc_auc(&is_class, &column)?;
    }
    Ok(total / n_classes as f64)
}

/// Mean negative log-likelihood of the true classes: `-mean(ln p[y])`, with each probability
/// clipped to `[LOG_LOSS_EPSILON, 1 - LOG_LOSS_EPSILON]`.
///
/// `proba` is row-major, `n_rows * n_classes`; rows should sum to 1 (not renormalised).
pub fn log_loss(y_true: &[u32], proba: &[f64], n_classes: usize) -> Result<f64, MlError> {
    if n_classes == 0 {
        return Err(MlError::TooFewClasses(0));
    }
    check_lengths(y_true.len().saturating_mul(n_classes), proba.len())?;
    check_classes(y_true, n_classes)?;
    check_finite(proba)?;
    let total: f64 = y_true
        .iter()
        .zip(proba.chunks_exact(n_classes))
        .map(|(&c, row)| {
            -row[c as usize]
                .clamp(LOG_LOSS_EPSILON, 1.0 - LOG_LOSS_EPSILON)
                .ln()
        })
        .sum();
    Ok(total / y_true.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_as_half() {
        assert_eq!(roc_auc(&[0, 1], &[0.1, 0.9]).unwrap(), 1.0);
        assert_eq!(roc_auc(&[0, 1], &[0.9, 0.1]).unwrap(), 0.0);
        assert_eq!(roc_auc(&[0, 1, 0, 1], &[0.5; 4]).unwrap(), 0.5);
        // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75
        assert_eq!(
            roc_auc(&[0, 0, 1, 1], &[0.1, 0.4, 0.35, 0.8]).unwrap(),
            0.75
        );
    }

    #[test]
    fn auc_errors_instead_of_nan() {
        assert!(matches!(
            roc_auc(&[1, 1], &[0.1, 0.2]),
            Err(MlError::TooFewClasses(1))
        ));
        assert!(matches!(
            roc_auc(&[0, 2], &[0.1, 0.2]),
            Err(MlError::ClassOutOfRange { index: 2, .. })
        ));
        assert!(matches!(
            roc_auc(&[0, 1], &[0.1, f64::NAN]),
            Err(MlError::NonFinite { row: 1, .. })
        ));
    }

    #[test]
    fn log_loss_is_clipped() {
        assert_eq!(
            log_loss(&[0], &[1.0, 0.0], 2).unwrap(),
            -(1.0 - f64::EPSILON).ln()
        );
        let confident_mistake = log_loss(&[1], &[1.0, 0.0], 2).unwrap();
        assert!((confident_mistake + f64::EPSILON.ln()).abs() < 1e-12);
    }
}
