//! The fitted logistic regression model.

use serde::{Deserialize, Serialize};

use super::objective::{linear_score, logit_count, sigmoid, softmax_in_place};
use crate::Classifier;

/// A fitted logistic regression classifier (see [`super::LogisticRegressionParams`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogisticRegression {
    n_features: usize,
    n_classes: usize,
    /// One block of `n_features` weights followed by the intercept per logit.
    parameters: Vec<f64>,
    objective: f64,
    n_iter: usize,
    converged: bool,
}

impl LogisticRegression {
    pub(super) fn from_parameters(
        n_features: usize,
        n_classes: usize,
        parameters: &[f64],
        objective: f64,
        n_iter: usize,
        converged: bool,
    ) -> Self {
        Self {
            n_features,
            n_classes,
            parameters: parameters.to_vec(),
            objective,
            n_iter,
            converged,
        }
    }

    /// Number of weight rows: 1 for two classes (the weights of class 1's logit), otherwise one
    /// per class.
    pub fn n_coefficient_rows(&self) -> usize {
        logit_count(self.n_classes)
    }

    /// The weights, row-major: [`Self::n_coefficient_rows`] rows of `n_features` values.
    pub fn coefficients(&self) -> Vec<f64> {
        self.blocks()
            .flat_map(|b| b.iter().take(self.n_features).copied())
            .collect()
    }

    /// The intercept of each weight row.
    pub fn intercepts(&self) -> Vec<f64> {
        self.blocks()
            .map(|b| b.get(self.n_features).copied().unwrap_or(0.0))
            .collect()
    }

    /// The minimised objective divided by the number of rows: mean log-loss plus
    /// `||W||^2 / (2 C n)`.
    pub fn objective(&self) -> f64 {
        self.objective
    }

    /// L-BFGS iterations run.
    pub fn n_iter(&self) -> usize {
        self.n_iter
    }

    /// Whether the tolerance was met within `max_iter` iterations.
    pub fn converged(&self) -> bool {
        self.converged
    }

    /// Mean absolute coefficient of each feature over the weight rows, normalised to sum 1.
    ///
    /// Coefficients are per unit of the feature, so this ranks features only when they share a
    /// scale (for example after z-score scaling).
    pub fn feature_importance(&self) -> Vec<f64> {
        let mut importance = vec![0.0; self.n_features];
        for block in self.blocks() {
            for (imp, w) in importance.iter_mut().zip(block) {
                *imp += w.abs();
            }
        }
        normalise(&mut importance);
        importance
    }

    fn blocks(&self) -> std::slice::ChunksExact<'_, f64> {
        self.parameters.chunks_exact(self.n_features + 1)
    }
}

/// Scales non-negative values to sum 1, leaving all-zero values alone.
pub(crate) fn normalise(values: &mut [f64]) {
    let total: f64 = values.iter().sum();
    if total > 0.0 {
        values.iter_mut().for_each(|v| *v /= total);
    }
}

impl Classifier for LogisticRegression {
    fn n_features(&self) -> usize {
        self.n_features
    }

    fn n_classes(&self) -> usize {
        self.n_classes
    }

    fn predict_proba_row(&self, row: &[f32], out: &mut [f64]) {
        if let [negative, positive] = out {
            let p = sigmoid(linear_score(&self.parameters, row));
            *negative = 1.0 - p;
            *positive = p;
        } else {
            for (o, block) in out.iter_mut().zip(self.blocks()) {
                *o = linear_score(block, row);
            }
            softmax_in_place(out);
        }
    }
}
