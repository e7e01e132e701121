//! The Adam optimiser (Kingma & Ba, 2015) over one flat parameter vector.

use serde::{Deserialize, Serialize};

/// Adam's hyperparameters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdamSettings {
    /// Step size.
    pub learning_rate: f64,
    /// Decay of the first-moment (mean) estimate.
    pub beta1: f64,
    /// Decay of the second-moment (uncentred variance) estimate.
    pub beta2: f64,
    /// Added to the denominator for numerical stability.
    pub epsilon: f64,
}

/// Adam state for a parameter vector of fixed length.
#[derive(Clone, Debug)]
pub struct Adam {
    settings: AdamSettings,
    step: i32,
    first_moment: Vec<f32>,
    second_moment: Vec<f32>,
}

impl Adam {
    /// Fresh state (zero moments) for `n_params` parameters.
    pub fn new(settings: AdamSettings, n_params: usize) -> Self {
        Self {
            settings,
            step: 0,
            first_moment: vec![0.0; n_params],
            second_moment: vec![0.0; n_params],
        }
    }

    /// Applies one update to `params` from `gradient` (same length as at construction).
    ///
    /// Uses the bias correction folded into the step size, as scikit-learn's MLP does:
    /// `lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)`, `p -= lr_t * m / (sqrt(v) + eps)`.
    pub fn update(&mut self, params: &mut [f32], gradient: &[f32]) {
        self.step = self.step.saturating_add(1);
        let s = &self.settings;
        let lr_t = s.learning_rate * (1.0 - s.beta2.powi(self.step)).sqrt()
            / (1.0 - s.beta1.powi(self.step));
        let (b1, b2) = (s.beta1 as f32, s.beta2 as f32);
        let (lr_t, eps) = (lr_t as f32, s.epsilon as f32);
        for (((p, g), m), v) in params
            .iter_mut()
            .zip(gradient)
            .zip(&mut self.first_moment)
            .zip(&mut self.second_moment)
        {
            *m = b1 * *m + (1.0 - b1) * g;
            *v = b2 * *v + (1.0 - b2) * g * g;
            *p -= lr_t * *m / (v.sqrt() + eps);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_step_moves_each_parameter_by_the_learning_rate() {
        let settings = AdamSettings {
            learning_rate: 0.1,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        };
        let mut adam = Adam::new(settings, 2);
        let mut p = [1.0f32, 1.0];
        adam.update(&mut p, &[3.0, -0.5]);
        assert!(
            (p[0] - 0.9).abs() < 1e-5 && (p[1] - 1.1).abs() < 1e-5,
            "{p:?}"
        );
    }

    #[test]
    fn minimises_a_quadratic() {
        let settings = AdamSettings {
            learning_rate: 0.05,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        };
        let mut adam = Adam::new(settings, 1);
        let mut p = [5.0f32];
        for _ in 0..2000 {
            let g = [2.0 * (p[0] - 2.0)];
            adam.update(&mut p, &g);
        }
        assert!((p[0] - 2.0).abs() < 1e-2, "{p:?}");
    }
}
