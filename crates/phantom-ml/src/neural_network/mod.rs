//! Multi-layer perceptron (fully connected network) for classification and regression.
//!
//! [`NeuralNetworkParams`] fits a [`NeuralNetworkClassifier`] (softmax output, cross-entropy)
//! or a [`NeuralNetworkRegressor`] (identity output, squared error). Hidden layers use ReLU;
//! training is mini-batch Adam with L2 regularisation and early stopping, following
//! scikit-learn's `MLPClassifier` / `MLPRegressor`. Dense layers are `f32` matrices multiplied
//! with `matrixmultiply`'s GEMM. Training is single-threaded and bit-identical under a seed.

mod classifier;
mod gemm;
mod history;
mod network;
mod regressor;
mod task;
mod train;

use crate::input::{check_classification, check_regression};
use crate::optim::adam::AdamSettings;
use crate::{Matrix, MlError, Progress};

pub use classifier::NeuralNetworkClassifier;
pub use history::TrainingHistory;
pub use regressor::NeuralNetworkRegressor;
use task::{Classification, Regression};

/// Hyperparameters of the neural network; defaults are scikit-learn's `MLPClassifier`'s except
/// that early stopping is on.
#[derive(Clone, Debug, PartialEq)]
pub struct NeuralNetworkParams {
    hidden_layers: Vec<usize>,
    learning_rate: f64,
    beta1: f64,
    beta2: f64,
    epsilon: f64,
    batch_size: usize,
    alpha: f64,
    max_epochs: usize,
    early_stopping: bool,
    validation_fraction: f64,
    n_iter_no_change: usize,
    tol: f64,
    seed: u64,
}

impl Default for NeuralNetworkParams {
    fn default() -> Self {
        Self::new()
    }
}

impl NeuralNetworkParams {
    /// Defaults: `hidden_layers = [100]`, `learning_rate = 1e-3`, Adam `beta1 = 0.9`,
    /// `beta2 = 0.999`, `epsilon = 1e-8`, `batch_size = 200`, `alpha = 1e-4`,
    /// `max_epochs = 200`, `early_stopping = true`, `validation_fraction = 0.1`,
    /// `n_iter_no_change = 10`, `tol = 1e-4`, `seed = 0`.
    pub fn new() -> Self {
        Self {
            hidden_layers: vec![100],
            learning_rate: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            batch_size: 200,
            alpha: 1e-4,
            max_epochs: 200,
            early_stopping: true,
            validation_fraction: 0.1,
            n_iter_no_change: 10,
            tol: 1e-4,
            seed: 0,
        }
    }

    /// Width of each hidden layer (each >= 1; an empty list gives a linear model).
    pub fn hidden_layers(mut self, hidden_layers: Vec<usize>) -> Self {
        self.hidden_layers = hidden_layers;
        self
    }

    /// Adam's step size (> 0).
    pub fn learning_rate(mut self, learning_rate: f64) -> Self {
        self.learning_rate = learning_rate;
        self
    }

    /// Adam's first-moment decay (in `[0, 1)`).
    pub fn beta1(mut self, beta1: f64) -> Self {
        self.beta1 = beta1;
        self
    }

    /// Adam's second-moment decay (in `[0, 1)`).
    pub fn beta2(mut self, beta2: f64) -> Self {
        self.beta2 = beta2;
        self
    }

    /// Adam's denominator guard (> 0).
    pub fn epsilon(mut self, epsilon: f64) -> Self {
        self.epsilon = epsilon;
        self
    }

    /// Rows per mini-batch (>= 1); capped at the number of training rows.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// L2 strength (>= 0) on the weights (not the biases): each batch's loss gets
    /// `alpha / 2 * ||W||^2 / batch_size`.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// Most passes over the training rows (>= 1).
    pub fn max_epochs(mut self, max_epochs: usize) -> Self {
        self.max_epochs = max_epochs;
        self
    }

    /// Whether to hold out `validation_fraction` of the rows (stratified for classifiers), stop
    /// when their score stops improving and keep the best-scoring weights. Without it, training
    /// stops when the training loss stops improving.
    pub fn early_stopping(mut self, early_stopping: bool) -> Self {
        self.early_stopping = early_stopping;
        self
    }

    /// Fraction of rows held out for early stopping (in `(0, 1)`).
    pub fn validation_fraction(mut self, validation_fraction: f64) -> Self {
        self.validation_fraction = validation_fraction;
        self
    }

    /// Epochs without an improvement of at least `tol` tolerated before stopping (>= 1).
    pub fn n_iter_no_change(mut self, n_iter_no_change: usize) -> Self {
        self.n_iter_no_change = n_iter_no_change;
        self
    }

    /// Smallest improvement (>= 0) of the validation score (or training loss) that counts.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// Seed of the initial weights, the validation split and the per-epoch shuffles.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    fn adam_settings(&self) -> AdamSettings {
        AdamSettings {
            learning_rate: self.learning_rate,
            beta1: self.beta1,
            beta2: self.beta2,
            epsilon: self.epsilon,
        }
    }

    fn validate(&self) -> Result<(), MlError> {
        let invalid =
            |name: &'static str, reason: String| Err(MlError::InvalidParameter { name, reason });
        if let Some(position) = self.hidden_layers.iter().position(|&w| w == 0) {
            return invalid(
                "hidden_layers",
                format!("every layer needs >= 1 unit; layer {position} has 0"),
            );
        }
        let positive = |v: f64| v > 0.0 && v.is_finite();
        let unit_interval = |v: f64| (0.0..1.0).contains(&v);
        if !positive(self.learning_rate) {
            return invalid(
                "learning_rate",
                format!("must be > 0, got {}", self.learning_rate),
            );
        }
        if !unit_interval(self.beta1) {
            return invalid("beta1", format!("must be in [0, 1), got {}", self.beta1));
        }
        if !unit_interval(self.beta2) {
            return invalid("beta2", format!("must be in [0, 1), got {}", self.beta2));
        }
        if !positive(self.epsilon) {
            return invalid("epsilon", format!("must be > 0, got {}", self.epsilon));
        }
        if self.batch_size == 0 {
            return invalid("batch_size", "must be >= 1, got 0".into());
        }
        if !(self.alpha >= 0.0 && self.alpha.is_finite()) {
            return invalid("alpha", format!("must be >= 0, got {}", self.alpha));
        }
        if self.max_epochs == 0 {
            return invalid("max_epochs", "must be >= 1, got 0".into());
        }
        if self.early_stopping
            && !(self.validation_fraction > 0.0 && self.validation_fraction < 1.0)
        {
            return invalid(
                "validation_fraction",
                format!("must be in (0, 1), got {}", self.validation_fraction),
            );
        }
        if self.n_iter_no_change == 0 {
            return invalid("n_iter_no_change", "must be >= 1, got 0".into());
        }
        if !(self.tol >= 0.0 && self.tol.is_finite()) {
            return invalid("tol", format!("must be >= 0, got {}", self.tol));
        }
        Ok(())
    }

    /// Fits a classifier of `x` to class indices `y` in `0..n_classes`.
    ///
    /// Progress: `max_epochs` steps announced, one per epoch.
    pub fn fit_classifier(
        &self,
        x: &Matrix,
        y: &[u32],
        n_classes: usize,
        progress: &dyn Progress,
    ) -> Result<NeuralNetworkClassifier, MlError> {
        self.validate()?;
        check_classification(x, y, n_classes)?;
        let task = Classification {
            labels: y,
            n_classes,
        };
        let (network, history) = train::train(self, x, &task, progress)?;
        Ok(NeuralNetworkClassifier::new(network, history))
    }

    /// Fits a regressor of `y` on `x`.
    ///
    /// Progress: `max_epochs` steps announced, one per epoch.
    pub fn fit_regressor(
        &self,
        x: &Matrix,
        y: &[f64],
        progress: &dyn Progress,
    ) -> Result<NeuralNetworkRegressor, MlError> {
        self.validate()?;
        check_regression(x, y)?;
        let task = Regression { targets: y };
        let (network, history) = train::train(self, x, &task, progress)?;
        Ok(NeuralNetworkRegressor::new(network, history))
    }
}
