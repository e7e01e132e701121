//! Per-feature statistics that the scalers are fitted from.

use rayon::prelude::*;

use crate::Matrix;

/// Per-feature minimum and maximum.
pub(crate) fn min_max(x: &Matrix) -> (Vec<f64>, Vec<f64>) {
    let mut min = vec![f64::INFINITY; x.n_cols()];
    let mut max = vec![f64::NEG_INFINITY; x.n_cols()];
    for row in x.rows() {
        for ((lo, hi), &v) in min.iter_mut().zip(max.iter_mut()).zip(row) {
            *lo = lo.min(f64::from(v));
            *hi = hi.max(f64::from(v));
        }
    }
    (min, max)
}

/// Per-feature mean and population standard deviation (two passes, for accuracy).
pub(crate) fn mean_std(x: &Matrix) -> (Vec<f64>, Vec<f64>) {
    let n = x.n_rows() as f64;
    let mut mean = vec![0.0; x.n_cols()];
    for row in x.rows() {
        for (m, &v) in mean.iter_mut().zip(row) {
            *m += f64::from(v);
        }
    }
    mean.iter_mut().for_each(|m| *m /= n);
    let mut var = vec![0.0; x.n_cols()];
    for row in x.rows() {
        for ((s, m), &v) in var.iter_mut().zip(&mean).zip(row) {
            let d = f64::from(v) - m;
            *s += d * d;
        }
    }
    let std = var.into_iter().map(|s| (s / n).sqrt()).collect();
    (mean, std)
}

/// Per-feature 25th, 50th and 75th percentiles (linear interpolation, as numpy's default).
pub(crate) fn quartiles(x: &Matrix) -> Vec<[f64; 3]> {
    (0..x.n_cols())
        .into_par_iter()
        .map(|j| {
            let mut column = x.column(j);
            column.sort_unstable_by(f32::total_cmp);
            [0.25, 0.5, 0.75].map(|q| sorted_quantile(&column, q))
        })
        .collect()
}

/// The `q` quantile of sorted `values` with linear interpolation; 0 for no values.
fn sorted_quantile(values: &[f32], q: f64) -> f64 {
    let Some(last) = values.len().checked_sub(1) else {
        return 0.0;
    };
    let position = q * last as f64;
    let below = position.floor() as usize;
    let above = (below + 1).min(last);
    let fraction = position - below as f64;
    let lo = f64::from(values[below]);
    lo + fraction * (f64::from(values[above]) - lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_numpy() {
        // numpy.percentile([1, 2, 3, 4, 10], [25, 50, 75]) = [2, 3, 4]
        assert_eq!(sorted_quantile(&[1.0, 2.0, 3.0, 4.0, 10.0], 0.25), 2.0);
        // numpy.percentile([1, 2, 3, 4], 25) = 1.75
        assert_eq!(sorted_quantile(&[1.0, 2.0, 3.0, 4.0], 0.25), 1.75);
        assert_eq!(sorted_quantile(&[], 0.5), 0.0);
    }

    #[test]
    fn mean_and_population_std() {
        let x = Matrix::new(4, 1, vec![2.0, 4.0, 4.0, 6.0]).unwrap();
        let (mean, std) = mean_std(&x);
        assert_eq!(mean, vec![4.0]);
        assert!((std[0] - 2.0f64.sqrt()).abs() < 1e-12);
    }
}
