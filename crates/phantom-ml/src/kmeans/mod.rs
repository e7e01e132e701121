//! K-means clustering: k-means++ seeding and Lloyd iterations, as in scikit-learn.
//!
//! [`KMeansParams`] fits a [`KMeans`]: `k` centres minimising the inertia, the sum of squared
//! Euclidean distances from each row to its nearest centre.

mod distance;
mod init;
mod lloyd;
mod params;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{Matrix, MlError, Progress, rng};
use distance::{Centers, dot, squared_norms};
pub use params::KMeansParams;

/// Rows per rayon task in batch prediction.
const PREDICT_CHUNK_ROWS: usize = 1024;

/// A fitted k-means clustering.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KMeans {
    centers: Matrix,
    center_squared_norms: Vec<f32>,
    inertia: f64,
    n_iter: usize,
    converged: bool,
    feature_importance: Vec<f64>,
}

impl KMeansParams {
    /// Clusters the rows of `x`, reporting one progress step per Lloyd iteration (the total
    /// announced is `n_init * max_iter`; runs that converge early stop short of it).
    ///
    /// Initialisation `i` draws from `rng::stream(seed, i)`; among the initialisations the one
    /// with the lowest inertia is kept (the first on ties).
    pub fn fit(&self, x: &Matrix, progress: &dyn Progress) -> Result<KMeans, MlError> {
        self.validate()?;
        x.check_fit_input()?;
        if self.k > x.n_rows() {
            return Err(MlError::InvalidParameter {
                name: "k",
                reason: format!(
                    "must be at most the number of rows ({}), got {}",
                    x.n_rows(),
                    self.k
                ),
            });
        }
        let variances = feature_variances(x);
        let tolerance = self.tol * variances.iter().sum::<f64>() / variances.len() as f64;
        progress.start((self.n_init * self.max_iter) as u64);
        let mut best: Option<lloyd::LloydRun> = None;
        for init in 0..self.n_init {
            let mut init_rng = rng::stream(self.seed, init as u64);
            let seeds = init::kmeans_plus_plus(x, self.k, &mut init_rng);
            let run = lloyd::lloyd(x, seeds, self.max_iter, tolerance, progress);
            if best.as_ref().is_none_or(|b| run.inertia < b.inertia) {
                best = Some(run);
            }
        }
        let Some(run) = best else {
            return Err(MlError::InvalidParameter {
                name: "n_init",
                reason: "must be at least 1, got 0".into(),
            });
        };
        let centers = Matrix::new(self.k, x.n_cols(), run.centers)?;
        let feature_importance = between_cluster_share(&centers, &run.counts, &variances);
        Ok(KMeans {
            center_squared_norms: squared_norms(centers.as_slice(), centers.n_cols()),
            centers,
            inertia: run.inertia,
            n_iter: run.n_iter,
            converged: run.converged,
            feature_importance,
        })
    }
}

impl KMeans {
    /// The centres, one row per cluster.
    pub fn centers(&self) -> &Matrix {
        &self.centers
    }

    /// Number of clusters.
    pub fn k(&self) -> usize {
        self.centers.n_rows()
    }

    /// Number of features each row must have.
    pub fn n_features(&self) -> usize {
        self.centers.n_cols()
    }

    /// Sum of squared distances from each training row to its centre.
    pub fn inertia(&self) -> f64 {
        self.inertia
    }

    /// Lloyd iterations run by the kept initialisation.
    pub fn n_iter(&self) -> usize {
        self.n_iter
    }

    /// Whether the kept run converged (labels stable or centre shift within tolerance) before
    /// `max_iter`.
    pub fn converged(&self) -> bool {
        self.converged
    }

    /// The cluster of one row: its nearest centre (the lowest index on ties).
    ///
    /// The row must have [`n_features`](Self::n_features) values.
    pub fn predict_row(&self, row: &[f32]) -> usize {
        self.search().nearest(row, dot(row, row)).0
    }

    /// The cluster of every row, computed in parallel.
    pub fn predict(&self, x: &Matrix) -> Vec<usize> {
        let search = self.search();
        let mut out = vec![0; x.n_rows()];
        out.par_chunks_mut(PREDICT_CHUNK_ROWS)
            .enumerate()
            .for_each(|(chunk, dst)| {
                let first = chunk * PREDICT_CHUNK_ROWS;
                for (i, label) in dst.iter_mut().enumerate() {
                    let row = x.row(first + i);
                    *label = search.nearest(row, dot(row, row)).0;
                }
            });
        out
    }

    /// How much each feature separates the clusters, normalised to sum 1.
    ///
    /// For each feature: the variance of the centres' coordinates, weighted by cluster size
    /// (the between-cluster variance), divided by the feature's variance in the training data,
    /// i.e. the share of the feature's variance that the clustering explains. Constant features
    /// get 0.
    pub fn feature_importance(&self) -> Vec<f64> {
        self.feature_importance.clone()
    }

    fn search(&self) -> Centers<'_> {
        Centers {
            values: self.centers.as_slice(),
            squared_norms: &self.center_squared_norms,
            n_features: self.centers.n_cols(),
        }
    }
}

/// Per-feature population variance of `x`.
fn feature_variances(x: &Matrix) -> Vec<f64> {
    let n = x.n_rows() as f64;
    let mut mean = vec![0.0; x.n_cols()];
    for row in x.rows() {
        mean.iter_mut()
            .zip(row)
            .for_each(|(m, &v)| *m += f64::from(v));
    }
    mean.iter_mut().for_each(|m| *m /= n);
    let mut variance = vec![0.0; x.n_cols()];
    for row in x.rows() {
        for ((s, m), &v) in variance.iter_mut().zip(&mean).zip(row) {
            *s += (f64::from(v) - m) * (f64::from(v) - m);
        }
    }
    variance.iter_mut().for_each(|s| *s /= n);
    variance
}

/// Per feature, the size-weighted variance of the centre coordinates over the feature's
/// variance, normalised to sum 1 (all zeros if nothing varies).
fn between_cluster_share(centers: &Matrix, counts: &[u64], variances: &[f64]) -> Vec<f64> {
    let total: f64 = counts.iter().map(|&c| c as f64).sum();
    let mut share: Vec<f64> = (0..centers.n_cols())
        .map(|j| {
            if variances[j] <= 0.0 || total <= 0.0 {
                return 0.0;
            }
            let weighted = |f: &dyn Fn(f64) -> f64| -> f64 {
                centers
                    .rows()
                    .zip(counts)
                    .map(|(c, &n)| n as f64 * f(f64::from(c[j])))
                    .sum::<f64>()
                    / total
            };
            let mean = weighted(&|v| v);
            weighted(&|v| (v - mean) * (v - mean)) / variances[j]
        })
        .collect();
    let sum: f64 = share.iter().sum();
    if sum > 0.0 {
        share.iter_mut().for_each(|s| *s /= sum);
    }
    share
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoProgress;

    #[test]
    fn two_groups_on_one_feature() {
        let x = Matrix::new(
            6,
            2,
            vec![0.0, 5.0, 0.1, 1.0, 0.2, 3.0, 9.0, 5.0, 9.1, 1.0, 9.2, 3.0],
        )
        .unwrap();
        let model = KMeansParams::new().k(2).fit(&x, &NoProgress).unwrap();
        let labels = model.predict(&x);
        assert_eq!(labels[0], labels[1]);
        assert_ne!(labels[0], labels[3]);
        assert!(model.converged());
        let importance = model.feature_importance();
        assert!(importance[0] > 0.99, "{importance:?}");
        // Within-cluster: 0.02 + 0.02 on feature 0, 8 + 8 on feature 1.
        assert!(
            (model.inertia() - 16.04).abs() < 1e-4,
            "{}",
            model.inertia()
        );
    }
}
