//! What happened during training, kept with the fitted model.

use serde::{Deserialize, Serialize};

/// The record of a neural network's training run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingHistory {
    pub(super) loss_curve: Vec<f64>,
    pub(super) validation_scores: Vec<f64>,
    pub(super) stopped_early: bool,
}

impl TrainingHistory {
    /// Epochs run.
    pub fn epochs(&self) -> usize {
        self.loss_curve.len()
    }

    /// Training loss after each epoch: the mean over the epoch's batches (weighted by batch
    /// size) of the data loss plus `alpha / 2 * ||W||^2 / batch_size`, as scikit-learn reports.
    pub fn loss_curve(&self) -> &[f64] {
        &self.loss_curve
    }

    /// Validation score after each epoch (accuracy for classifiers, R^2 for regressors); empty
    /// without early stopping.
    pub fn validation_scores(&self) -> &[f64] {
        &self.validation_scores
    }

    /// The best validation score, whose weights the model keeps; `None` without early stopping.
    pub fn best_validation_score(&self) -> Option<f64> {
        self.validation_scores.iter().copied().reduce(f64::max)
    }

    /// Whether training stopped before `max_epochs` because it stopped improving.
    pub fn stopped_early(&self) -> bool {
        self.stopped_early
    }
}
