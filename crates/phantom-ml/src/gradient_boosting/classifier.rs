//! Gradient-boosted classification: log-loss for two classes, softmax for more.

use serde::{Deserialize, Serialize};

use super::boosting::{Ensemble, Validation, boost, validation_split};
use super::loss::{Objective, sigmoid, softmax_in_place};
use super::params::GradientBoostingParams;
use crate::input::check_classification;
use crate::tree::{Contributions, Tree};
use crate::{Classifier, Matrix, MlError, Progress};

/// A fitted gradient-boosting classifier.
///
/// Two classes: one tree per round on the log-odds of class 1, probability by the sigmoid.
/// More classes: one tree per class per round, probabilities by the softmax of the raw scores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradientBoostingClassifier {
    ensemble: Ensemble,
    n_classes: usize,
}

impl GradientBoostingParams {
    /// Fits a classifier of `n_classes` classes to rows `x` with class indices `y`.
    pub fn fit_classifier(
        &self,
        x: &Matrix,
        y: &[u32],
        n_classes: usize,
        progress: &dyn Progress,
    ) -> Result<GradientBoostingClassifier, MlError> {
        self.validate()?;
        check_classification(x, y, n_classes)?;
        let objective = |y| {
            if n_classes == 2 {
                Objective::Binary(y)
            } else {
                Objective::Softmax(y, n_classes)
            }
        };
        let ensemble = if self.early_stopping {
            let (train, held_out) =
                validation_split(x.n_rows(), self.validation_fraction, self.seed)?;
            let y_train: Vec<u32> = train.iter().map(|&i| y[i]).collect();
            let y_held_out: Vec<u32> = held_out.iter().map(|&i| y[i]).collect();
            let x_held_out = x.select_rows(&held_out);
            let validation = Validation {
                x: &x_held_out,
                objective: objective(&y_held_out),
            };
            boost(
                self,
                &x.select_rows(&train),
                objective(&y_train),
                Some(validation),
                progress,
            )?
        } else {
            boost(self, x, objective(y), None, progress)?
        };
        Ok(GradientBoostingClassifier {
            ensemble,
            n_classes,
        })
    }
}

impl GradientBoostingClassifier {
    /// The trees, round-major: with `k` scores per round (1 for two classes, else the class
    /// count), the tree of score `s` in round `r` is `trees()[r * k + s]`. Leaf values already
    /// include the learning rate.
    pub fn trees(&self) -> &[Tree] {
        self.ensemble.trees()
    }

    /// The constant raw scores the trees start from (log-odds of the prior, or log priors).
    pub fn initial_scores(&self) -> &[f64] {
        self.ensemble.initial_scores()
    }

    /// Number of rounds kept in the model (up to the best one with early stopping).
    pub fn n_rounds(&self) -> usize {
        self.ensemble.n_rounds()
    }

    /// Number of rounds boosted before the fit ended (more than kept with early stopping).
    pub fn n_rounds_fitted(&self) -> usize {
        self.ensemble.n_rounds_fitted()
    }

    /// With early stopping, the zero-based round whose validation loss was lowest.
    pub fn best_iteration(&self) -> Option<usize> {
        self.ensemble.best_iteration()
    }

    /// With early stopping, the mean validation loss after each fitted round.
    pub fn validation_loss(&self) -> &[f64] {
        self.ensemble.validation_loss()
    }

    /// Writes the raw scores of `row` into `out`: one log-odds for two classes, else one score
    /// per class.
    pub fn raw_scores_row(&self, row: &[f32], out: &mut [f64]) {
        self.ensemble.raw_scores(row, out);
    }

    /// Total split gain per feature, normalised to sum to 1 (all zero if no tree splits).
    pub fn feature_importance(&self) -> Vec<f64> {
        self.ensemble.feature_importance()
    }

    /// Exact TreeSHAP attributions of `row`'s raw scores (log-odds of the second class for two
    /// classes, else one softmax score per class), as XGBoost's and LightGBM's `pred_contrib`:
    /// `base[k] + sum_f values[f * n_scores + k]` equals raw score `k` (see [`Contributions`]).
    pub fn explain_row(&self, row: &[f32]) -> Contributions {
        self.ensemble.explain_row(row)
    }
}

impl Classifier for GradientBoostingClassifier {
    fn n_features(&self) -> usize {
        self.ensemble.n_features()
    }

    fn n_classes(&self) -> usize {
        self.n_classes
    }

    fn predict_proba_row(&self, row: &[f32], out: &mut [f64]) {
        if self.n_classes == 2 {
            let p = sigmoid(self.ensemble.raw_score(row));
            out[0] = 1.0 - p;
            out[1] = p;
        } else {
            self.ensemble.raw_scores(row, out);
            softmax_in_place(out);
        }
    }
}
