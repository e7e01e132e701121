//! Lloyd iterations: assign rows to their nearest centre, move centres to their rows' mean.

use rayon::prelude::*;

use super::distance::{Centers, squared_distance, squared_norms};
use crate::{Matrix, Progress};

/// Rows per rayon task. Partial sums are made per fixed chunk and added in chunk order, so the
/// result does not depend on the thread count.
const CHUNK_ROWS: usize = 2048;

/// The outcome of one run of Lloyd's algorithm.
pub(crate) struct LloydRun {
    pub(crate) centers: Vec<f32>,
    pub(crate) counts: Vec<u64>,
    pub(crate) inertia: f64,
    pub(crate) n_iter: usize,
    pub(crate) converged: bool,
}

/// One chunk's contribution to the next centres.
struct ChunkSums {
    sums: Vec<f64>,
    counts: Vec<u64>,
    changed: bool,
}

/// Runs Lloyd's algorithm from `centers` (row-major, `k * n_cols`) as scikit-learn does.
///
/// Each iteration assigns every row to its nearest centre and replaces each centre by the mean
/// of its rows. It stops when no assignment changed or when the centres moved by at most
/// `tolerance` in total squared distance (converged), or after `max_iter` iterations. The final
/// labels are then recomputed against the final centres and the inertia is measured exactly.
///
/// A centre left with no rows is re-seeded on the row farthest from its own centre (the next
/// farthest for the next empty centre), taking that row out of its old cluster's mean, as
/// scikit-learn does; rows whose cluster would be emptied are skipped.
pub(crate) fn lloyd(
    x: &Matrix,
    mut centers: Vec<f32>,
    max_iter: usize,
    tolerance: f64,
    progress: &dyn Progress,
) -> LloydRun {
    let n_features = x.n_cols();
    let k = centers.len() / n_features;
    let row_norms = squared_norms(x.as_slice(), n_features);
    let mut labels = vec![usize::MAX; x.n_rows()];
    let mut n_iter = 0;
    let mut converged = false;
    let mut labels_stable = false;
    while n_iter < max_iter {
        n_iter += 1;
        let (mut sums, mut counts, changed) = assign(x, &row_norms, &centers, &mut labels);
        if counts.contains(&0) {
            relocate_empty_clusters(x, &centers, &labels, &mut sums, &mut counts);
        }
        let mut shift = 0.0;
        for ((center, sum), &count) in centers
            .chunks_exact_mut(n_features)
            .zip(sums.chunks_exact(n_features))
            .zip(&counts)
        {
            if count == 0 {
                continue;
            }
            for (c, s) in center.iter_mut().zip(sum) {
                let moved = (s / count as f64) as f32;
                let d = f64::from(moved) - f64::from(*c);
                shift += d * d;
                *c = moved;
            }
        }
        progress.advance(1);
        if !changed {
            labels_stable = true;
            converged = true;
            break;
        }
        if shift <= tolerance {
            converged = true;
            break;
        }
    }
    if !labels_stable {
        assign(x, &row_norms, &centers, &mut labels);
    }
    let counts = (0..k)
        .map(|c| labels.iter().filter(|&&l| l == c).count() as u64)
        .collect();
    let inertia = x
        .rows()
        .zip(&labels)
        .map(|(row, &c)| {
            let center = &centers[c * n_features..(c + 1) * n_features];
            f64::from(squared_distance(row, center))
        })
        .sum();
    LloydRun {
        centers,
        counts,
        inertia,
        n_iter,
        converged,
    }
}

/// Assigns each row to its nearest centre (updating `labels`) and returns the per-centre sums
/// and counts of the rows, and whether any label changed.
fn assign(
    x: &Matrix,
    row_norms: &[f32],
    centers: &[f32],
    labels: &mut [usize],
) -> (Vec<f64>, Vec<u64>, bool) {
    let n_features = x.n_cols();
    let k = centers.len() / n_features;
    let center_norms = squared_norms(centers, n_features);
    let search = Centers {
        values: centers,
        squared_norms: &center_norms,
        n_features,
    };
    let partials: Vec<ChunkSums> = labels
        .par_chunks_mut(CHUNK_ROWS)
        .enumerate()
        .map(|(chunk, chunk_labels)| {
            let first = chunk * CHUNK_ROWS;
            let mut part = ChunkSums {
                sums: vec![0.0; k * n_features],
                counts: vec![0; k],
                changed: false,
            };
            for (i, label) in chunk_labels.iter_mut().enumerate() {
                let row = x.row(first + i);
                let (nearest, _) = search.nearest(row, row_norms[first + i]);
                part.changed |= *label != nearest;
                *label = nearest;
                part.counts[nearest] += 1;
                let sum = &mut part.sums[nearest * n_features..(nearest + 1) * n_features];
                for (s, &v) in sum.iter_mut().zip(row) {
                    *s += f64::from(v);
                }
            }
            part
        })
        .collect();
    let mut sums = vec![0.0; k * n_features];
    let mut counts = vec![0; k];
    let mut changed = false;
    for part in partials {
        sums.iter_mut().zip(&part.sums).for_each(|(s, p)| *s += p);
        counts
            .iter_mut()
            .zip(&part.counts)
            .for_each(|(c, p)| *c += p);
        changed |= part.changed;
    }
    (sums, counts, changed)
}

/// Moves each empty centre onto one of the rows farthest from their assigned centre.
fn relocate_empty_clusters(
    x: &Matrix,
    centers: &[f32],
    labels: &[usize],
    sums: &mut [f64],
    counts: &mut [u64],
) {
    let n_features = x.n_cols();
    let distances: Vec<f32> = x
        .rows()
        .zip(labels)
        .map(|(row, &c)| squared_distance(row, &centers[c * n_features..(c + 1) * n_features]))
        .collect();
    let mut farthest: Vec<usize> = (0..x.n_rows()).collect();
    farthest.sort_by(|&a, &b| distances[b].total_cmp(&distances[a]).then(a.cmp(&b)));
    let empty: Vec<usize> = (0..counts.len()).filter(|&c| counts[c] == 0).collect();
    let mut donors = farthest.into_iter();
    for target in empty {
        let Some(row) = donors.by_ref().find(|&r| counts[labels[r]] > 1) else {
            return;
        };
        let old = labels[row];
        let values = x.row(row);
        counts[old] -= 1;
        for (s, &v) in sums[old * n_features..(old + 1) * n_features]
            .iter_mut()
            .zip(values)
        {
            *s -= f64::from(v);
        }
        counts[target] = 1;
        for (s, &v) in sums[target * n_features..(target + 1) * n_features]
            .iter_mut()
            .zip(values)
        {
            *s = f64::from(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoProgress;

    #[test]
    fn empty_centre_is_reseeded_on_the_farthest_row() {
        let x = Matrix::new(4, 1, vec![0.0, 1.0, 2.0, 50.0]).unwrap();
        // The second centre is far from every row, so it starts empty.
        let run = lloyd(&x, vec![1.0, 1000.0], 100, 0.0, &NoProgress);
        let mut centers = run.centers.clone();
        centers.sort_by(f32::total_cmp);
        assert_eq!(centers, vec![1.0, 50.0]);
        assert_eq!(run.inertia, 2.0);
        assert!(run.converged);
    }
}
