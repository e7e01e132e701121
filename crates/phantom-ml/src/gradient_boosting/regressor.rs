//! Gradient-boosted regression on squared error.

use serde::{Deserialize, Serialize};

use super::boosting::{Ensemble, Validation, boost, validation_split};
use super::loss::Objective;
use super::params::GradientBoostingParams;
use crate::input::check_regression;
use crate::tree::{Contributions, Tree};
use crate::{Matrix, MlError, Progress, Regressor};

/// A fitted gradient-boosting regressor: the mean target plus one tree per round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradientBoostingRegressor {
    ensemble: Ensemble,
}

impl GradientBoostingParams {
    /// Fits a regressor to rows `x` with real targets `y` (squared error).
    pub fn fit_regressor(
        &self,
        x: &Matrix,
        y: &[f64],
        progress: &dyn Progress,
    ) -> Result<GradientBoostingRegressor, MlError> {
        self.validate()?;
        check_regression(x, y)?;
        let ensemble = if self.early_stopping {
            let (train, held_out) =
                validation_split(x.n_rows(), self.validation_fraction, self.seed)?;
            let y_train: Vec<f64> = train.iter().map(|&i| y[i]).collect();
            let y_held_out: Vec<f64> = held_out.iter().map(|&i| y[i]).collect();
            let x_held_out = x.select_rows(&held_out);
            let validation = Validation {
                x: &x_held_out,
                objective: Objective::SquaredError(&y_held_out),
            };
            boost(
                self,
                &x.select_rows(&train),
                Objective::SquaredError(&y_train),
                Some(validation),
                progress,
            )?
        } else {
            boost(self, x, Objective::SquaredError(y), None, progress)?
        };
        Ok(GradientBoostingRegressor { ensemble })
    }
}

impl GradientBoostingRegressor {
    /// The trees in round order; leaf values already include the learning rate.
    pub fn trees(&self) -> &[Tree] {
        self.ensemble.trees()
    }

    /// The constant the trees start from: the mean training target.
    pub fn initial_score(&self) -> f64 {
        self.ensemble
            .initial_scores()
            .first()
            .copied()
            .unwrap_or(0.0)
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

    /// With early stopping, the validation loss (half mean squared error) after each round.
    pub fn validation_loss(&self) -> &[f64] {
        self.ensemble.validation_loss()
    }

    /// Total split gain per feature, normalised to sum to 1 (all zero if no tree splits).
    pub fn feature_importance(&self) -> Vec<f64> {
        self.ensemble.feature_importance()
    }

    /// Exact TreeSHAP attributions of `row`'s prediction: `base[0] + sum_f values[f]` equals it
    /// (see [`Contributions`]).
    pub fn explain_row(&self, row: &[f32]) -> Contributions {
        self.ensemble.explain_row(row)
    }
}

impl Regressor for GradientBoostingRegressor {
    fn n_features(&self) -> usize {
        self.ensemble.n_features()
    }

    fn predict_row(&self, row: &[f32]) -> f64 {
        self.ensemble.raw_score(row)
    }
}
