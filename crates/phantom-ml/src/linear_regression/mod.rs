//! Linear least squares with an optional ridge (L2) penalty, solved exactly.
//!
//! [`LinearRegressionParams`] fits a [`LinearRegression`] by centring the data and solving the
//! normal equations `(X^T X + alpha I) w = X^T y` in `f64` with a Cholesky factorisation, as
//! scikit-learn's `Ridge(solver="cholesky")` does.

mod cholesky;
mod gram;
mod model;

use crate::input::check_regression;
use crate::{Matrix, MlError, Progress};

pub use model::LinearRegression;

/// Hyperparameters of [`LinearRegression`].
#[derive(Clone, Debug, PartialEq)]
pub struct LinearRegressionParams {
    alpha: f64,
    fit_intercept: bool,
}

impl Default for LinearRegressionParams {
    fn default() -> Self {
        Self::new()
    }
}

impl LinearRegressionParams {
    /// Defaults: `alpha = 1.0` (scikit-learn's `Ridge`), `fit_intercept = true`.
    pub fn new() -> Self {
        Self {
            alpha: 1.0,
            fit_intercept: true,
        }
    }

    /// L2 strength (>= 0): the fit minimises `||y - Xw - b||^2 + alpha ||w||^2`. `0` gives
    /// ordinary least squares, which needs linearly independent (centred) feature columns.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// Whether to fit an unpenalised intercept (otherwise the intercept is 0).
    pub fn fit_intercept(mut self, fit_intercept: bool) -> Self {
        self.fit_intercept = fit_intercept;
        self
    }

    /// Fits `y` from `x`.
    ///
    /// Progress: one step. With `alpha = 0` and collinear or constant feature columns, the
    /// solution is not unique; that is reported as an `alpha` parameter error rather than
    /// papered over with a hidden penalty.
    pub fn fit_regressor(
        &self,
        x: &Matrix,
        y: &[f64],
        progress: &dyn Progress,
    ) -> Result<LinearRegression, MlError> {
        if !(self.alpha >= 0.0 && self.alpha.is_finite()) {
            return Err(MlError::InvalidParameter {
                name: "alpha",
                reason: format!("must be a finite number >= 0, got {}", self.alpha),
            });
        }
        check_regression(x, y)?;
        progress.start(1);
        let (x_mean, y_mean) = if self.fit_intercept {
            gram::means(x, y)
        } else {
            (vec![0.0; x.n_cols()], 0.0)
        };
        let mut system = gram::centred_normal_equations(x, y, &x_mean, y_mean);
        system.add_to_diagonal(self.alpha);
        let coefficients = cholesky::solve(&system.gram, &system.rhs).ok_or_else(|| {
            MlError::InvalidParameter {
                name: "alpha",
                reason: "X^T X + alpha I is singular (collinear or constant features); \
                         use alpha > 0"
                    .into(),
            }
        })?;
        let intercept = y_mean
            - coefficients
                .iter()
                .zip(&x_mean)
                .map(|(w, m)| w * m)
                .sum::<f64>();
        progress.advance(1);
        Ok(LinearRegression::new(coefficients, intercept))
    }
}
