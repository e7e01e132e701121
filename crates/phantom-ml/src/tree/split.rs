//! The histogram of one feature over one node's rows and the best "bin <= b" split it allows.
//!
//! Classification and regression share one criterion. Every row adds its weight to its bin and a
//! value to one channel of its bin: for classification the channel is the row's class and the
//! value its weight; for regression there is one channel and the value is weight x target. A
//! node's score is `sum_k sums_k^2 / weight`; the weighted Gini or squared-error decrease of a
//! split is `score(left) + score(right) - score(node)`, so the best split maximises the children's
//! score sum.

use super::builder::Sample;
use crate::binning::MAX_BINS;

/// Nodes with fewer rows than `n_bins / SPARSE_RATIO` track the bins they touch instead of
/// scanning and clearing every bin.
const SPARSE_RATIO: usize = 4;

/// What the search over one feature found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum FeatureSplit {
    /// Every row of the node falls in one bin: no split, and none in any descendant.
    Constant,
    /// The feature varies but no split leaves enough weight on both sides.
    NoValidSplit,
    /// The best split sends bins `<= bin` left; `score` is the children's score sum.
    Found {
        /// The last bin that goes left.
        bin: u8,
        /// `score(left) + score(right)`.
        score: f64,
    },
}

/// Per-bin weights and channel sums, reused for every feature of every node of a tree.
pub(crate) struct Histogram {
    n_channels: usize,
    weights: Vec<f64>,
    sums: Vec<f64>,
    touched: Vec<u8>,
    left_sums: Vec<f64>,
}

impl Histogram {
    /// An empty histogram for rows that add to `n_channels` channels.
    pub(crate) fn new(n_channels: usize) -> Self {
        Self {
            n_channels,
            weights: vec![0.0; MAX_BINS],
            sums: vec![0.0; MAX_BINS * n_channels],
            touched: Vec::with_capacity(MAX_BINS),
            left_sums: vec![0.0; n_channels],
        }
    }

    /// Finds the best split of the node whose rows are `rows` (with their `samples`) on the
    /// feature whose bins are `column`, and leaves the histogram empty again.
    ///
    /// `total_weight` and `total_sums` are the node's weight and channel sums; each side of a
    /// split must keep at least `min_leaf_weight`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn best_split(
        &mut self,
        column: &[u8],
        n_bins: usize,
        rows: &[u32],
        samples: &[Sample],
        total_weight: f64,
        total_sums: &[f64],
        min_leaf_weight: f64,
    ) -> FeatureSplit {
        let sparse = rows.len() * SPARSE_RATIO < n_bins;
        if sparse {
            self.accumulate_sparse(column, rows, samples);
            self.touched.sort_unstable();
            let touched = std::mem::take(&mut self.touched);
            let found = self.sweep(
                touched.iter().map(|&b| usize::from(b)),
                total_weight,
                total_sums,
                min_leaf_weight,
            );
            for &b in &touched {
                self.clear_bin(usize::from(b));
            }
            self.touched = touched;
            self.touched.clear();
            found
        } else {
            self.accumulate_dense(column, rows, samples);
            let found = self.sweep(0..n_bins, total_weight, total_sums, min_leaf_weight);
            self.weights[..n_bins].fill(0.0);
            self.sums[..n_bins * self.n_channels].fill(0.0);
            found
        }
    }

    fn accumulate_dense(&mut self, column: &[u8], rows: &[u32], samples: &[Sample]) {
        let k = self.n_channels;
        for (&row, s) in rows.iter().zip(samples) {
            let b = usize::from(column[row as usize]);
            self.weights[b] += f64::from(s.weight);
            self.sums[b * k + s.channel as usize] += s.value;
        }
    }

    fn accumulate_sparse(&mut self, column: &[u8], rows: &[u32], samples: &[Sample]) {
        let k = self.n_channels;
        for (&row, s) in rows.iter().zip(samples) {
            let bin = column[row as usize];
            let b = usize::from(bin);
            if self.weights[b] == 0.0 {
                self.touched.push(bin);
            }
            self.weights[b] += f64::from(s.weight);
            self.sums[b * k + s.channel as usize] += s.value;
        }
    }

    fn clear_bin(&mut self, b: usize) {
        let k = self.n_channels;
        self.weights[b] = 0.0;
        self.sums[b * k..(b + 1) * k].fill(0.0);
    }

    /// Scans the candidate bins in increasing order; a split is possible after every non-empty
    /// bin except the last one.
    fn sweep(
        &mut self,
        bins: impl Iterator<Item = usize>,
        total_weight: f64,
        total_sums: &[f64],
        min_leaf_weight: f64,
    ) -> FeatureSplit {
        let k = self.n_channels;
        self.left_sums.fill(0.0);
        let mut left_weight = 0.0;
        let mut previous: Option<usize> = None;
        let mut non_empty = 0usize;
        let mut best: Option<(u8, f64)> = None;
        for b in bins {
            let w = self.weights[b];
            if w == 0.0 {
                continue;
            }
            non_empty += 1;
            if let Some(prev) = previous {
                let right_weight = total_weight - left_weight;
                if left_weight >= min_leaf_weight && right_weight >= min_leaf_weight {
                    let mut left_sq = 0.0;
                    let mut right_sq = 0.0;
                    for (l, t) in self.left_sums.iter().zip(total_sums) {
                        left_sq += l * l;
                        let r = t - l;
                        right_sq += r * r;
                    }
                    let score = left_sq / left_weight + right_sq / right_weight;
                    if best.is_none_or(|(_, s)| score > s) {
                        best = Some((prev as u8, score));
                    }
                }
            }
            left_weight += w;
            for (l, s) in self
                .left_sums
                .iter_mut()
                .zip(&self.sums[b * k..(b + 1) * k])
            {
                *l += s;
            }
            previous = Some(b);
        }
        match best {
            Some((bin, score)) => FeatureSplit::Found { bin, score },
            None if non_empty <= 1 => FeatureSplit::Constant,
            None => FeatureSplit::NoValidSplit,
        }
    }
}

/// A node's score `sum_k sums_k^2 / weight` (see the module documentation).
pub(crate) fn node_score(sums: &[f64], weight: f64) -> f64 {
    sums.iter().map(|s| s * s).sum::<f64>() / weight
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(classes: &[u32]) -> Vec<Sample> {
        classes
            .iter()
            .map(|&c| Sample {
                weight: 1,
                channel: c,
                value: 1.0,
            })
            .collect()
    }

    #[test]
    fn finds_the_separating_bin_in_dense_and_sparse_modes() {
        let column = [0u8, 1, 2, 3, 4, 5];
        let rows: Vec<u32> = (0..6).collect();
        let s = samples(&[0, 0, 0, 1, 1, 1]);
        for n_bins in [6, 256] {
            let mut h = Histogram::new(2);
            let found = h.best_split(&column, n_bins, &rows, &s, 6.0, &[3.0, 3.0], 1.0);
            assert_eq!(found, FeatureSplit::Found { bin: 2, score: 6.0 });
            assert!(h.weights.iter().chain(&h.sums).all(|&v| v == 0.0));
        }
    }

    #[test]
    fn constant_and_min_leaf() {
        let rows: Vec<u32> = (0..4).collect();
        let s = samples(&[0, 1, 0, 1]);
        let mut h = Histogram::new(2);
        let constant = h.best_split(&[7; 4], 256, &rows, &s, 4.0, &[2.0, 2.0], 1.0);
        assert_eq!(constant, FeatureSplit::Constant);
        let blocked = h.best_split(&[0, 0, 0, 1], 2, &rows, &s, 4.0, &[2.0, 2.0], 2.0);
        assert_eq!(blocked, FeatureSplit::NoValidSplit);
    }
}
