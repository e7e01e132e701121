//! L2-regularised logistic regression fitted by L-BFGS.
//!
//! [`LogisticRegressionParams`] fits a [`LogisticRegression`]. Two classes use the single-logit
//! (sigmoid) form, `P(class 1) = sigmoid(w . x + b)`; more classes use the multinomial softmax
//! with one weight row per class. Both match scikit-learn's `LogisticRegression(solver="lbfgs")`.

mod model;
mod objective;

use crate::input::check_classification;
use crate::optim::lbfgs::{self, LbfgsSettings};
use crate::{Matrix, MlError, Progress};

pub use model::LogisticRegression;
pub(crate) use model::normalise;
use objective::LogLoss;

/// Hyperparameters of [`LogisticRegression`]; the defaults are scikit-learn's.
#[derive(Clone, Debug, PartialEq)]
pub struct LogisticRegressionParams {
    c: f64,
    max_iter: usize,
    tol: f64,
}

impl Default for LogisticRegressionParams {
    fn default() -> Self {
        Self::new()
    }
}

impl LogisticRegressionParams {
    /// Defaults: `c = 1.0`, `max_iter = 100`, `tol = 1e-4`.
    pub fn new() -> Self {
        Self {
            c: 1.0,
            max_iter: 100,
            tol: 1e-4,
        }
    }

    /// Inverse L2 strength (scikit-learn's `C`, > 0): the fit minimises the summed per-row
    /// log-loss plus `||W||^2 / (2 C)`; intercepts are not penalised. Smaller is stronger.
    pub fn c(mut self, c: f64) -> Self {
        self.c = c;
        self
    }

    /// Most L-BFGS iterations (>= 1).
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// Convergence tolerance (>= 0) on the largest gradient component of the objective divided
    /// by the number of rows (scikit-learn's `tol` for lbfgs, whose `gtol` bounds the projected
    /// gradient, equal to the gradient here, of the loss scaled the same way). A fit also stops
    /// when the relative objective change falls to `64 * f64::EPSILON`, as scikit-learn's does.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    fn validate(&self) -> Result<(), MlError> {
        if !(self.c > 0.0 && self.c.is_finite()) {
            return Err(MlError::InvalidParameter {
                name: "c",
                reason: format!("must be a finite number > 0, got {}", self.c),
            });
        }
        if self.max_iter == 0 {
            return Err(MlError::InvalidParameter {
                name: "max_iter",
                reason: "must be >= 1, got 0".into(),
            });
        }
        if !(self.tol >= 0.0 && self.tol.is_finite()) {
            return Err(MlError::InvalidParameter {
                name: "tol",
                reason: format!("must be a finite number >= 0, got {}", self.tol),
            });
        }
        Ok(())
    }

    /// Fits a classifier of `x` to class indices `y` in `0..n_classes`.
    ///
    /// Progress: `max_iter` steps announced, one per L-BFGS iteration. Not converging within
    /// `max_iter` is not an error: see [`LogisticRegression::converged`].
    pub fn fit_classifier(
        &self,
        x: &Matrix,
        y: &[u32],
        n_classes: usize,
        progress: &dyn Progress,
    ) -> Result<LogisticRegression, MlError> {
        self.validate()?;
        check_classification(x, y, n_classes)?;
        let loss = LogLoss::new(x, y, n_classes, self.c);
        progress.start(self.max_iter as u64);
        let settings = LbfgsSettings::new(self.max_iter, self.tol);
        let result = lbfgs::minimize(
            |w, g| loss.value_and_gradient(w, g),
            vec![0.0; loss.n_params()],
            &settings,
            || progress.advance(1),
        );
        Ok(LogisticRegression::from_parameters(
            x.n_cols(),
            n_classes,
            &result.x,
            result.value,
            result.n_iter,
            result.converged,
        ))
    }
}
