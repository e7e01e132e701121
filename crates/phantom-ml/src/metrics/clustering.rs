//! Clustering metrics: inertia and the silhouette score.

use rand::seq::index;
use rayon::prelude::*;

use super::check_lengths;
use crate::{Matrix, MlError, rng};

/// Above this many rows, [`silhouette_score`] is computed on a seeded random sample of this many
/// rows (its cost is quadratic in the rows).
pub const SILHOUETTE_MAX_ROWS: usize = 4000;

/// Sum over rows of the squared Euclidean distance to the centre of its cluster (`labels[i]`
/// indexes a row of `centers`).
pub fn inertia(x: &Matrix, centers: &Matrix, labels: &[usize]) -> Result<f64, MlError> {
    check_lengths(x.n_rows(), labels.len())?;
    centers.check_n_features(x.n_cols())?;
    if let Some(row) = labels.iter().position(|&c| c >= centers.n_rows()) {
        return Err(MlError::ClassOutOfRange {
            row,
            index: u32::try_from(labels[row]).unwrap_or(u32::MAX),
            n_classes: centers.n_rows(),
        });
    }
    Ok(x.rows()
        .zip(labels)
        .map(|(row, &c)| squared_distance(row, centers.row(c)))
        .sum())
}

/// Mean silhouette coefficient of a clustering, in `[-1, 1]` (higher is better separated).
///
/// For row `i` with mean distance `a` to the other rows of its cluster and smallest mean
/// distance `b` to the rows of another cluster, `s(i) = (b - a) / max(a, b)`; a row alone in its
/// cluster has `s = 0` (as in scikit-learn). Distances are Euclidean. Exact for up to
/// [`SILHOUETTE_MAX_ROWS`] rows; larger data is scored on a random sample of that many rows
/// drawn with `seed`. The (sampled) rows must hold between 2 and `n_rows - 1` distinct labels.
pub fn silhouette_score(x: &Matrix, labels: &[usize], seed: u64) -> Result<f64, MlError> {
    check_lengths(x.n_rows(), labels.len())?;
    x.check_finite()?;
    let (x, labels) = if x.n_rows() > SILHOUETTE_MAX_ROWS {
        let mut rows =
            index::sample(&mut rng::seeded(seed), x.n_rows(), SILHOUETTE_MAX_ROWS).into_vec();
        rows.sort_unstable();
        let labels = rows.iter().map(|&r| labels[r]).collect();
        (x.select_rows(&rows), labels)
    } else {
        (x.clone(), labels.to_vec())
    };
    let (cluster, sizes) = compact_labels(&labels);
    let n_clusters = sizes.len();
    if n_clusters < 2 || n_clusters >= x.n_rows() {
        return Err(MlError::InvalidParameter {
            name: "labels",
            reason: format!(
                "the silhouette needs between 2 and n_rows - 1 = {} distinct labels, got {n_clusters}",
                x.n_rows().saturating_sub(1)
            ),
        });
    }
    let coefficients: Vec<f64> = (0..x.n_rows())
        .into_par_iter()
        .map(|i| {
            let own = cluster[i];
            if sizes[own] == 1 {
                return 0.0;
            }
            let mut distance_sums = vec![0.0; n_clusters];
            let row = x.row(i);
            for (other, &c) in x.rows().zip(&cluster) {
                distance_sums[c] += squared_distance(row, other).sqrt();
            }
            let a = distance_sums[own] / (sizes[own] - 1) as f64;
            let b = (0..n_clusters)
                .filter(|&c| c != own)
                .map(|c| distance_sums[c] / sizes[c] as f64)
                .fold(f64::INFINITY, f64::min);
            let spread = a.max(b);
            if spread > 0.0 { (b - a) / spread } else { 0.0 }
        })
        .collect();
    Ok(coefficients.iter().sum::<f64>() / coefficients.len() as f64)
}

/// Renumbers arbitrary labels as `0..n_distinct` and counts each cluster's rows.
fn compact_labels(labels: &[usize]) -> (Vec<usize>, Vec<usize>) {
    let mut distinct = labels.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let mut sizes = vec![0; distinct.len()];
    let cluster = labels
        .iter()
        .map(|l| {
            let c = distinct.partition_point(|d| d < l);
            sizes[c] += 1;
            c
        })
        .collect();
    (cluster, sizes)
}

/// Squared Euclidean distance, accumulated in `f64`.
fn squared_distance(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(&p, &q)| {
            let d = f64::from(p) - f64::from(q);
            d * d
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silhouette_of_two_tight_pairs() {
        let x = Matrix::new(4, 1, vec![0.0, 1.0, 10.0, 11.0]).unwrap();
        let s = silhouette_score(&x, &[7, 7, 3, 3], 0).unwrap();
        // sklearn.metrics.silhouette_score([[0], [1], [10], [11]], [7, 7, 3, 3]) (sklearn 1.9.1)
        assert!((s - 0.899_749_373_433_584).abs() < 1e-12, "{s}");
    }

    #[test]
    fn silhouette_needs_two_to_n_minus_one_labels() {
        let x = Matrix::new(3, 1, vec![0.0, 1.0, 2.0]).unwrap();
        assert!(silhouette_score(&x, &[0, 0, 0], 0).is_err());
        assert!(silhouette_score(&x, &[0, 1, 2], 0).is_err());
    }

    #[test]
    fn inertia_sums_squared_distances() {
        let x = Matrix::new(3, 1, vec![0.0, 2.0, 10.0]).unwrap();
        let centers = Matrix::new(2, 1, vec![1.0, 10.0]).unwrap();
        assert_eq!(inertia(&x, &centers, &[0, 0, 1]).unwrap(), 2.0);
        assert!(matches!(
            inertia(&x, &centers, &[0, 0, 2]),
            Err(MlError::ClassOutOfRange { row: 2, .. })
        ));
    }
}
