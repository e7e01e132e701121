//! Isolation forest anomaly detection (Liu, Ting & Zhou, "Isolation Forest", ICDM 2008).
//!
//! [`IsolationForestParams`] fits an [`IsolationForest`]: an ensemble of random trees grown on
//! small sub-samples. Anomalies are few and different, so random splits isolate them close to
//! the root; a row's score is `s(x) = 2^(-E[h(x)] / c(psi))`, where `h(x)` is its path length in
//! a tree (plus `c(size)` at a leaf that still held `size > 1` training rows), `E` the mean over
//! trees and `c(psi)` the average path length for the sub-sample size. Scores lie in `[0, 1]`;
//! higher is more anomalous, and about 0.5 or less means nothing stands out.

mod grow;
mod node;
mod params;
mod path_length;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{Matrix, MlError, Progress, rng};
use grow::{GrownTree, grow_tree};
use node::{IsolationNode, WALK_LANES, add_path_lengths};
pub use params::IsolationForestParams;
use path_length::average_path_length;

/// Rows scored per rayon task; each task walks one tree over all its rows before the next tree,
/// so the tree's nodes stay in L1 cache.
const SCORE_CHUNK_ROWS: usize = 64;

/// A fitted isolation forest.
///
/// All trees' nodes live in one compact array (12 bytes per node, children adjacent), which
/// keeps scoring cache-friendly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IsolationForest {
    nodes: Vec<IsolationNode>,
    leaf_path_lengths: Vec<f32>,
    roots: Vec<u32>,
    depth: usize,
    n_features: usize,
    sample_size: usize,
    threshold: f64,
    feature_importance: Vec<f64>,
}

impl IsolationForestParams {
    /// Fits an isolation forest on the rows of `x` (no labels), reporting one step per tree.
    ///
    /// Trees are grown in parallel, tree `t` drawing from `rng::stream(seed, t)`, so the model
    /// does not depend on the thread count. Needs at least 2 rows.
    pub fn fit(&self, x: &Matrix, progress: &dyn Progress) -> Result<IsolationForest, MlError> {
        self.validate()?;
        x.check_fit_input()?;
        if x.n_rows() < 2 {
            return Err(MlError::EmptyData(
                "an isolation forest needs at least 2 rows",
            ));
        }
        let n_features = x.n_cols();
        let sample_size = self.max_samples.min(x.n_rows());
        let height_limit = (sample_size as f64).log2().ceil() as usize;
        let n_tree_features =
            ((self.max_features * n_features as f64) as usize).clamp(1, n_features);

        progress.start(self.n_trees as u64);
        let trees: Vec<GrownTree> = (0..self.n_trees)
            .into_par_iter()
            .map(|t| {
                let mut tree_rng = rng::stream(self.seed, t as u64);
                let tree = grow_tree(x, sample_size, n_tree_features, height_limit, &mut tree_rng);
                progress.advance(1);
                tree
            })
            .collect();

        let mut forest = IsolationForest {
            nodes: Vec::with_capacity(trees.iter().map(|t| t.nodes.len()).sum()),
            leaf_path_lengths: Vec::with_capacity(trees.iter().map(|t| t.nodes.len()).sum()),
            roots: Vec::with_capacity(trees.len()),
            depth: trees.iter().map(|t| t.depth).max().unwrap_or(0),
            n_features,
            sample_size,
            threshold: 0.0,
            feature_importance: vec![0.0; n_features],
        };
        for tree in trees {
            let offset = forest.nodes.len() as u32;
            forest.roots.push(offset);
            forest.nodes.extend(tree.nodes.into_iter().map(|mut node| {
                node.left += offset;
                node
            }));
            forest.leaf_path_lengths.extend(tree.leaf_path_lengths);
            for (total, rows) in forest
                .feature_importance
                .iter_mut()
                .zip(&tree.rows_through_splits)
            {
                *total += rows;
            }
        }
        normalise(&mut forest.feature_importance);
        let training_scores = forest.scores(x);
        forest.threshold = quantile(training_scores, 1.0 - self.contamination);
        Ok(forest)
    }
}

impl IsolationForest {
    /// Number of features each row must have.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Number of trees.
    pub fn n_trees(&self) -> usize {
        self.roots.len()
    }

    /// Rows each tree was grown on (`min(max_samples, n_rows)`).
    pub fn sample_size(&self) -> usize {
        self.sample_size
    }

    /// The score above which a row is an anomaly: the `1 - contamination` quantile (linear
    /// interpolation) of the training rows' scores.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The anomaly score of one row, in `[0, 1]`; higher is more anomalous.
    ///
    /// The row must have [`n_features`](Self::n_features) values; a feature missing from a
    /// shorter row is treated as below every threshold.
    pub fn score_row(&self, row: &[f32]) -> f64 {
        let mut total = [0.0];
        for &root in &self.roots {
            add_path_lengths(
                &self.nodes,
                &self.leaf_path_lengths,
                root,
                self.depth,
                &[row],
                &mut total,
            );
        }
        self.score_from_total_path(total[0])
    }

    /// The anomaly score of every row, computed in parallel.
    pub fn scores(&self, x: &Matrix) -> Vec<f64> {
        let mut out = vec![0.0; x.n_rows()];
        out.par_chunks_mut(SCORE_CHUNK_ROWS)
            .enumerate()
            .for_each(|(chunk, totals)| {
                let first = chunk * SCORE_CHUNK_ROWS;
                let rows: Vec<&[f32]> = (first..first + totals.len()).map(|i| x.row(i)).collect();
                for &root in &self.roots {
                    for (lanes, lane_totals) in
                        rows.chunks(WALK_LANES).zip(totals.chunks_mut(WALK_LANES))
                    {
                        add_path_lengths(
                            &self.nodes,
                            &self.leaf_path_lengths,
                            root,
                            self.depth,
                            lanes,
                            lane_totals,
                        );
                    }
                }
                for total in totals.iter_mut() {
                    *total = self.score_from_total_path(*total);
                }
            });
        out
    }

    /// Whether one row scores above the [`threshold`](Self::threshold).
    pub fn is_anomaly_row(&self, row: &[f32]) -> bool {
        self.score_row(row) > self.threshold
    }

    /// Whether each row scores above the [`threshold`](Self::threshold), computed in parallel.
    pub fn predict(&self, x: &Matrix) -> Vec<bool> {
        self.scores(x)
            .into_iter()
            .map(|s| s > self.threshold)
            .collect()
    }

    /// How much of the isolation work each feature does, normalised to sum 1.
    ///
    /// Every split adds the number of sub-sampled training rows that pass through it to its
    /// feature's total, so a feature's share is the fraction of all root-to-leaf steps taken by
    /// the training sub-samples that split on it. Splits near the root, which every row passes,
    /// weigh most. All zeros when no tree could split (constant data).
    pub fn feature_importance(&self) -> Vec<f64> {
        self.feature_importance.clone()
    }

    fn score_from_total_path(&self, total: f64) -> f64 {
        let mean = total / self.roots.len() as f64;
        (-mean / average_path_length(self.sample_size)).exp2()
    }
}

/// Scales non-negative `values` to sum 1, unless they are all zero.
fn normalise(values: &mut [f64]) {
    let sum: f64 = values.iter().sum();
    if sum > 0.0 {
        values.iter_mut().for_each(|v| *v /= sum);
    }
}

/// The `q` quantile of `values` with linear interpolation between order statistics (numpy's
/// default), or 0 for no values.
fn quantile(mut values: Vec<f64>, q: f64) -> f64 {
    values.sort_unstable_by(f64::total_cmp);
    let Some(last) = values.len().checked_sub(1) else {
        return 0.0;
    };
    let position = q.clamp(0.0, 1.0) * last as f64;
    let below = position.floor() as usize;
    let above = (below + 1).min(last);
    let fraction = position - below as f64;
    values[below] + fraction * (values[above] - values[below])
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// Counts progress reported from worker threads.
    struct CountingProgress(Mutex<(u64, u64)>);

    impl Progress for CountingProgress {
        fn start(&self, total: u64) {
            self.0.lock().unwrap().0 = total;
        }
        fn advance(&self, steps: u64) {
            self.0.lock().unwrap().1 += steps;
        }
    }

    #[test]
    fn quantile_interpolates_like_numpy() {
        assert_eq!(quantile(vec![3.0, 1.0, 2.0, 4.0], 0.5), 2.5);
        assert_eq!(quantile(vec![1.0, 2.0, 3.0, 4.0, 5.0], 0.9), 4.6);
        assert_eq!(quantile(vec![], 0.9), 0.0);
    }

    #[test]
    fn reports_one_step_per_tree() {
        let x = Matrix::new(20, 1, (0..20).map(|v| v as f32).collect()).unwrap();
        let progress = CountingProgress(Mutex::new((0, 0)));
        IsolationForestParams::new()
            .n_trees(7)
            .fit(&x, &progress)
            .unwrap();
        assert_eq!(*progress.0.lock().unwrap(), (7, 7));
    }

    #[test]
    fn far_point_scores_high_and_centre_low() {
        let x = Matrix::new(
            101,
            1,
            (0..101)
                .map(|v| if v == 100 { 1000.0 } else { v as f32 / 100.0 })
                .collect(),
        )
        .unwrap();
        let forest = IsolationForestParams::new()
            .fit(&x, &crate::NoProgress)
            .unwrap();
        assert!(forest.score_row(&[1000.0]) > 0.7);
        assert!(forest.score_row(&[0.5]) < 0.5);
    }
}
