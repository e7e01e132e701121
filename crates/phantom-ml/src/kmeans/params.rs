//! Hyperparameters of k-means.

use serde::{Deserialize, Serialize};

use crate::MlError;

/// Hyperparameters of [`KMeans`](super::KMeans), built with chained setters.
///
/// Defaults (scikit-learn's): `k` 8, `max_iter` 300, `tol` 1e-4 (relative to the mean
/// per-feature variance of the data), `n_init` 1, `seed` 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KMeansParams {
    pub(crate) k: usize,
    pub(crate) max_iter: usize,
    pub(crate) tol: f64,
    pub(crate) n_init: usize,
    pub(crate) seed: u64,
}

impl Default for KMeansParams {
    fn default() -> Self {
        Self::new()
    }
}

impl KMeansParams {
    /// The default hyperparameters.
    pub fn new() -> Self {
        Self {
            k: 8,
            max_iter: 300,
            tol: 1e-4,
            n_init: 1,
            seed: 0,
        }
    }

    /// Number of clusters, from 1 to the number of rows.
    pub fn k(mut self, k: usize) -> Self {
        self.k = k;
        self
    }

    /// Most Lloyd iterations per initialisation (at least 1).
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// Convergence tolerance (finite, at least 0): iterations stop once the centres move by at
    /// most `tol` times the mean per-feature variance, in total squared distance.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// Number of k-means++ initialisations (at least 1); the run with the lowest inertia wins.
    pub fn n_init(mut self, n_init: usize) -> Self {
        self.n_init = n_init;
        self
    }

    /// Seed of the k-means++ initialisation.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Checks the hyperparameters that do not depend on the data.
    pub(crate) fn validate(&self) -> Result<(), MlError> {
        let invalid = |name, reason: &str| {
            Err(MlError::InvalidParameter {
                name,
                reason: reason.to_string(),
            })
        };
        if self.k == 0 {
            return invalid("k", "must be at least 1, got 0");
        }
        if self.max_iter == 0 {
            return invalid("max_iter", "must be at least 1, got 0");
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return invalid("tol", &format!("must be finite and >= 0, got {}", self.tol));
        }
        if self.n_init == 0 {
            return invalid("n_init", "must be at least 1, got 0");
        }
        Ok(())
    }
}
