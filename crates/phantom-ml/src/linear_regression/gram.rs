//! Column means and the centred normal equations, accumulated in parallel over fixed chunks.

use rayon::prelude::*;

use crate::Matrix;

/// Rows per parallel task; fixed so that the chunk-order reduction is thread-count independent.
const CHUNK_ROWS: usize = 1024;

/// The normal equations `gram w = rhs` of a least-squares problem.
pub(super) struct NormalEquations {
    /// `X_c^T X_c`, full symmetric `d x d`, row-major.
    pub(super) gram: Vec<f64>,
    /// `X_c^T y_c`.
    pub(super) rhs: Vec<f64>,
}

impl NormalEquations {
    /// Adds `alpha` to every diagonal entry (the ridge penalty).
    pub(super) fn add_to_diagonal(&mut self, alpha: f64) {
        let d = self.rhs.len();
        for j in 0..d {
            if let Some(v) = self.gram.get_mut(j * d + j) {
                *v += alpha;
            }
        }
    }
}

/// Column means of `x` and the mean of `y`.
pub(super) fn means(x: &Matrix, y: &[f64]) -> (Vec<f64>, f64) {
    let d = x.n_cols();
    let partials: Vec<Vec<f64>> = x
        .as_slice()
        .par_chunks(CHUNK_ROWS * d)
        .map(|rows| {
            let mut sums = vec![0.0; d];
            for row in rows.chunks_exact(d) {
                sums.iter_mut()
                    .zip(row)
                    .for_each(|(s, &v)| *s += f64::from(v));
            }
            sums
        })
        .collect();
    let n = x.n_rows() as f64;
    let mut mean = vec![0.0; d];
    for partial in &partials {
        mean.iter_mut().zip(partial).for_each(|(m, s)| *m += s);
    }
    mean.iter_mut().for_each(|m| *m /= n);
    (mean, y.iter().sum::<f64>() / n)
}

/// `X_c^T X_c` and `X_c^T y_c` with `X_c = X - x_mean`, `y_c = y - y_mean`.
pub(super) fn centred_normal_equations(
    x: &Matrix,
    y: &[f64],
    x_mean: &[f64],
    y_mean: f64,
) -> NormalEquations {
    let d = x.n_cols();
    let partials: Vec<(Vec<f64>, Vec<f64>)> = x
        .as_slice()
        .par_chunks(CHUNK_ROWS * d)
        .zip(y.par_chunks(CHUNK_ROWS))
        .map(|(rows, targets)| {
            let mut upper = vec![0.0; d * d];
            let mut rhs = vec![0.0; d];
            let mut centred = vec![0.0; d];
            for (row, &target) in rows.chunks_exact(d).zip(targets) {
                for ((c, &v), m) in centred.iter_mut().zip(row).zip(x_mean) {
                    *c = f64::from(v) - m;
                }
                let yc = target - y_mean;
                for (j, &cj) in centred.iter().enumerate() {
                    rhs[j] += cj * yc;
                    let gram_row = &mut upper[j * d + j..(j + 1) * d];
                    for (g, &ck) in gram_row.iter_mut().zip(&centred[j..]) {
                        *g += cj * ck;
                    }
                }
            }
            (upper, rhs)
        })
        .collect();
    let mut gram = vec![0.0; d * d];
    let mut rhs = vec![0.0; d];
    for (partial_gram, partial_rhs) in &partials {
        gram.iter_mut().zip(partial_gram).for_each(|(g, p)| *g += p);
        rhs.iter_mut().zip(partial_rhs).for_each(|(r, p)| *r += p);
    }
    // Only the upper triangle was accumulated; mirror it.
    for j in 0..d {
        for k in 0..j {
            gram[j * d + k] = gram[k * d + j];
        }
    }
    NormalEquations { gram, rhs }
}
