//! The fitted linear regression model.

use serde::{Deserialize, Serialize};

use crate::Regressor;
use crate::logistic_regression::normalise;

/// A fitted linear model `y = w . x + b` (see [`super::LinearRegressionParams`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearRegression {
    coefficients: Vec<f64>,
    intercept: f64,
}

impl LinearRegression {
    pub(super) fn new(coefficients: Vec<f64>, intercept: f64) -> Self {
        Self {
            coefficients,
            intercept,
        }
    }

    /// The weight of each feature.
    pub fn coefficients(&self) -> &[f64] {
        &self.coefficients
    }

    /// The intercept `b`.
    pub fn intercept(&self) -> f64 {
        self.intercept
    }

    /// Absolute coefficients normalised to sum 1.
    ///
    /// Coefficients are per unit of the feature, so this ranks features only when they share a
    /// scale (for example after z-score scaling).
    pub fn feature_importance(&self) -> Vec<f64> {
        let mut importance: Vec<f64> = self.coefficients.iter().map(|w| w.abs()).collect();
        normalise(&mut importance);
        importance
    }
}

impl Regressor for LinearRegression {
    fn n_features(&self) -> usize {
        self.coefficients.len()
    }

    fn predict_row(&self, row: &[f32]) -> f64 {
        self.intercept
            + self
                .coefficients
                .iter()
                .zip(row)
                .map(|(w, &v)| w * f64::from(v))
                .sum::<f64>()
    }
}
