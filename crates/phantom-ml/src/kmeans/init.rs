//! Greedy k-means++ seeding (Arthur & Vassilvitskii 2007, as implemented by scikit-learn).

use rand::RngExt;
use rayon::prelude::*;

use super::distance::squared_distance;
use crate::Matrix;
use crate::rng::ChaCha20Rng;

/// Rows per rayon task when measuring distances to candidate centres.
const CHUNK_ROWS: usize = 4096;

/// Picks `k` rows of `x` as initial centres (row-major, `k * n_cols` values).
///
/// The first centre is a uniformly random row. Each next one is the best of `2 + ln(k)`
/// candidates drawn with probability proportional to their squared distance to the nearest
/// centre so far, "best" meaning the candidate that most lowers the total of those distances.
/// Distances are summed sequentially so the choice does not depend on the thread count.
pub(crate) fn kmeans_plus_plus(x: &Matrix, k: usize, rng: &mut ChaCha20Rng) -> Vec<f32> {
    let n_trials = 2 + (k as f64).ln() as usize;
    let first = rng.random_range(0..x.n_rows());
    let mut centers = x.row(first).to_vec();
    let mut closest = distances_to(x, &[first]);
    let mut potential: f64 = closest.iter().map(|&d| f64::from(d)).sum();
    for _ in 1..k {
        let mut cumulative = Vec::with_capacity(closest.len());
        let mut running = 0.0f64;
        for &d in &closest {
            running += f64::from(d);
            cumulative.push(running);
        }
        let candidates: Vec<usize> = (0..n_trials)
            .map(|_| {
                let target = rng.random::<f64>() * potential;
                cumulative
                    .partition_point(|&c| c < target)
                    .min(x.n_rows() - 1)
            })
            .collect();
        let to_candidates = distances_to(x, &candidates);
        let mut best: Option<(f64, usize)> = None;
        for t in 0..n_trials {
            let candidate_potential: f64 = closest
                .iter()
                .enumerate()
                .map(|(i, &d)| f64::from(d.min(to_candidates[i * n_trials + t])))
                .sum();
            if best.is_none_or(|(p, _)| candidate_potential < p) {
                best = Some((candidate_potential, t));
            }
        }
        let Some((best_potential, t)) = best else {
            break;
        };
        potential = best_potential;
        for (i, d) in closest.iter_mut().enumerate() {
            *d = d.min(to_candidates[i * n_trials + t]);
        }
        centers.extend_from_slice(x.row(candidates[t]));
    }
    centers
}

/// Squared distances from every row to each of the `targets` rows, row-major
/// (`n_rows * targets.len()`), computed in parallel.
fn distances_to(x: &Matrix, targets: &[usize]) -> Vec<f32> {
    let n_targets = targets.len();
    let mut out = vec![0.0; x.n_rows() * n_targets];
    out.par_chunks_mut(CHUNK_ROWS * n_targets)
        .enumerate()
        .for_each(|(chunk, dst)| {
            let first = chunk * CHUNK_ROWS;
            for (i, row_out) in dst.chunks_exact_mut(n_targets).enumerate() {
                let row = x.row(first + i);
                for (d, &t) in row_out.iter_mut().zip(targets) {
                    *d = squared_distance(row, x.row(t));
                }
            }
        });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng;

    #[test]
    fn spreads_centres_over_separated_groups() {
        let values: Vec<f32> = (0..30)
            .map(|i| (i / 10) as f32 * 100.0 + (i % 10) as f32 * 0.01)
            .collect();
        let x = Matrix::new(30, 1, values).unwrap();
        let mut centers = kmeans_plus_plus(&x, 3, &mut rng::seeded(5));
        centers.sort_by(f32::total_cmp);
        assert!(centers[0] < 1.0 && (99.0..101.0).contains(&centers[1]) && centers[2] > 199.0);
    }
}
