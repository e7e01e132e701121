//! Grows one CART tree on binned data: Gini impurity for classification, squared error for
//! regression, with integer row weights (bootstrap counts).
//!
//! Rows live in one index buffer, next to a copy of their bins (row by row) and what they add to
//! a histogram; a node owns a contiguous range of the three, and a split partitions that range
//! in place, so every node reads its rows' bins as one contiguous block. Nodes are grown depth first from an explicit stack, so deep trees do
//! not use the call stack. One histogram serves every feature of every node.

use rand::RngExt;

use super::Tree;
use super::row_bins::RowBins;
use super::split::{FeatureSplit, Histogram, Layout, NodeTotals, node_score};
use crate::binning::BinMapper;
use crate::rng::ChaCha20Rng;

/// What a tree learns to predict.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Target<'a> {
    /// Class indices in `0..n_classes`; leaves hold class probabilities.
    Classes { y: &'a [u32], n_classes: usize },
    /// Real targets; leaves hold the weighted mean.
    Values(&'a [f64]),
}

impl Target<'_> {
    fn layout(&self) -> Layout {
        match self {
            Self::Classes { n_classes, .. } => Layout::Classes(*n_classes),
            Self::Values(_) => Layout::Regression,
        }
    }

    fn n_channels(&self) -> usize {
        match self {
            Self::Classes { n_classes, .. } => *n_classes,
            Self::Values(_) => 1,
        }
    }

    fn sample(&self, row: usize, weight: u32) -> Sample {
        match self {
            Self::Classes { y, .. } => Sample {
                weight,
                channel: y[row],
                value: f64::from(weight),
            },
            Self::Values(y) => Sample {
                weight,
                channel: 0,
                value: f64::from(weight) * y[row],
            },
        }
    }
}

/// What one row adds to a histogram: its weight to its bin, and `value` to channel `channel`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Sample {
    pub(crate) weight: u32,
    pub(crate) channel: u32,
    pub(crate) value: f64,
}

/// Validated growth limits, with `max_features` resolved to a count.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GrowParams {
    pub(crate) max_depth: Option<usize>,
    pub(crate) min_samples_split: usize,
    pub(crate) min_samples_leaf: usize,
    pub(crate) max_features: usize,
}

/// A node waiting to be grown.
struct Task {
    start: usize,
    end: usize,
    depth: usize,
    /// The split that points to this node and on which side (`None` for the root).
    parent: Option<(u32, usize)>,
    /// This node's known-constant features: `constants[constants_start..constants_end]`.
    constants_start: usize,
    constants_end: usize,
}

/// The best split found so far at a node.
struct BestSplit {
    feature: usize,
    bin: u8,
    score: f64,
}

/// Grows a tree on `data` (binned by `mapper`) for `target`, where row `i` counts `weights[i]`
/// times (0 leaves it out). `weights` has one entry per row.
pub(crate) fn grow_tree(
    data: &RowBins,
    mapper: &BinMapper,
    target: Target<'_>,
    weights: &[u32],
    params: &GrowParams,
    rng: &mut ChaCha20Rng,
) -> Tree {
    let mut builder = Builder::new(data, target, weights, params);
    builder.grow(mapper, rng);
    builder.tree
}

struct Builder<'a> {
    data: &'a RowBins,
    target: Target<'a>,
    params: &'a GrowParams,
    rows: Vec<u32>,
    samples: Vec<Sample>,
    bins: Vec<u8>,
    spill_rows: Vec<u32>,
    spill_samples: Vec<Sample>,
    spill_bins: Vec<u8>,
    histogram: Histogram,
    node_sums: Vec<f64>,
    leaf_values: Vec<f64>,
    features: Vec<u32>,
    is_constant: Vec<bool>,
    found_constants: Vec<u32>,
    batch: Vec<u32>,
    results: Vec<FeatureSplit>,
    constants: Vec<u32>,
    children: Vec<[u32; 2]>,
    tree: Tree,
}

impl<'a> Builder<'a> {
    fn new(data: &'a RowBins, target: Target<'a>, weights: &[u32], params: &'a GrowParams) -> Self {
        let n_channels = target.n_channels();
        let (rows, samples): (Vec<u32>, Vec<Sample>) = weights
            .iter()
            .enumerate()
            .filter(|&(_, &w)| w > 0)
            .map(|(i, &w)| (i as u32, target.sample(i, w)))
            .unzip();
        let n_features = data.n_features();
        let mut bins = Vec::with_capacity(rows.len() * n_features);
        for &row in &rows {
            bins.extend_from_slice(data.row(row));
        }
        Self {
            data,
            target,
            params,
            spill_rows: Vec::with_capacity(rows.len()),
            spill_samples: Vec::with_capacity(rows.len()),
            spill_bins: Vec::with_capacity(bins.len()),
            rows,
            samples,
            bins,
            histogram: Histogram::new(target.layout()),
            node_sums: vec![0.0; n_channels],
            leaf_values: vec![0.0; n_channels],
            features: (0..n_features as u32).collect(),
            is_constant: vec![false; n_features],
            found_constants: Vec::new(),
            batch: Vec::new(),
            results: Vec::new(),
            constants: Vec::new(),
            children: Vec::new(),
            tree: Tree::new(n_features, n_channels),
        }
    }

    fn grow(&mut self, mapper: &BinMapper, rng: &mut ChaCha20Rng) {
        let mut stack = vec![Task {
            start: 0,
            end: self.rows.len(),
            depth: 0,
            parent: None,
            constants_start: 0,
            constants_end: 0,
        }];
        while let Some(task) = stack.pop() {
            // Everything above this node's constants belongs to subtrees already grown.
            self.constants.truncate(task.constants_end);
            let (weight, pure) = self.node_stats(task.start, task.end);
            let may_split = !pure
                && self.params.max_depth.is_none_or(|d| task.depth < d)
                && weight >= self.params.min_samples_split as f64
                && weight >= 2.0 * self.params.min_samples_leaf as f64;
            let best = if may_split {
                self.find_split(&task, weight, rng)
            } else {
                None
            };
            let id = match best {
                None => {
                    for (v, s) in self.leaf_values.iter_mut().zip(&self.node_sums) {
                        *v = s / weight;
                    }
                    self.tree.push_leaf(&self.leaf_values, weight)
                }
                Some(best) => {
                    let gain = (best.score - node_score(&self.node_sums, weight)).max(0.0);
                    let threshold = mapper.upper_bound(best.feature, usize::from(best.bin));
                    let id = self.tree.push_split(best.feature, threshold, weight, gain);
                    let mid = self.partition(task.start, task.end, best.feature, best.bin);
                    let constants_start = self.constants.len();
                    self.constants
                        .extend_from_within(task.constants_start..task.constants_end);
                    self.constants.extend_from_slice(&self.found_constants);
                    let constants_end = self.constants.len();
                    for (side, (start, end)) in [(1, (mid, task.end)), (0, (task.start, mid))] {
                        stack.push(Task {
                            start,
                            end,
                            depth: task.depth + 1,
                            parent: Some((id, side)),
                            constants_start,
                            constants_end,
                        });
                    }
                    id
                }
            };
            self.children.push([0, 0]);
            if let Some((parent, side)) = task.parent {
                self.children[parent as usize][side] = id;
            }
        }
        for (node, &[left, right]) in self.children.iter().enumerate() {
            if !self.tree.is_leaf(node as u32) {
                self.tree.set_children(node as u32, left, right);
            }
        }
    }

    /// Fills `node_sums` for rows `start..end` and returns their weight and whether every row
    /// has the same target.
    fn node_stats(&mut self, start: usize, end: usize) -> (f64, bool) {
        self.node_sums.fill(0.0);
        let mut weight = 0.0;
        for s in &self.samples[start..end] {
            weight += f64::from(s.weight);
            self.node_sums[s.channel as usize] += s.value;
        }
        let rows = &self.rows[start..end];
        let pure = match self.target {
            Target::Classes { .. } => {
                let first = self.samples.get(start).map(|s| s.channel);
                self.samples[start..end]
                    .iter()
                    .all(|s| Some(s.channel) == first)
            }
            Target::Values(y) => {
                let first = rows.first().map(|&r| y[r as usize]);
                rows.iter().all(|&r| Some(y[r as usize]) == first)
            }
        };
        (weight, pure)
    }

    /// Searches up to `max_features` features drawn without replacement (more while all drawn
    /// ones are constant) for the split with the largest impurity decrease.
    ///
    /// The first `max_features` draws are searched together in one pass over the rows; further
    /// draws, needed only while every feature drawn is constant, one at a time.
    fn find_split(&mut self, task: &Task, weight: f64, rng: &mut ChaCha20Rng) -> Option<BestSplit> {
        let n_features = self.features.len();
        let known = &self.constants[task.constants_start..task.constants_end];
        for &f in known {
            self.is_constant[f as usize] = true;
        }
        let mut non_constant_left = n_features - known.len();
        let draw_randomly = self.params.max_features < n_features;
        let node = NodeTotals {
            weight,
            sums: &self.node_sums,
            min_leaf_weight: self.params.min_samples_leaf as f64,
        };
        let block = &self.bins[task.start * n_features..task.end * n_features];
        let samples = &self.samples[task.start..task.end];
        self.found_constants.clear();
        let mut best: Option<BestSplit> = None;
        let mut constants_seen = 0;
        // `drawn` features have been drawn so far.
        let mut drawn = 0;
        while drawn < n_features
            && non_constant_left > 0
            && (drawn < self.params.max_features || drawn <= constants_seen)
        {
            let batch_end = if drawn < self.params.max_features {
                self.params.max_features
            } else {
                drawn + 1
            };
            self.batch.clear();
            while drawn < batch_end && non_constant_left > 0 {
                if draw_randomly {
                    let j = rng.random_range(drawn..n_features);
                    self.features.swap(drawn, j);
                }
                let f = self.features[drawn];
                drawn += 1;
                if self.is_constant[f as usize] {
                    constants_seen += 1;
                } else {
                    non_constant_left -= 1;
                    self.batch.push(f);
                }
            }
            self.histogram.search(
                self.data,
                &self.batch,
                block,
                samples,
                node,
                &mut self.results,
            );
            for (&f, &found) in self.batch.iter().zip(&self.results) {
                match found {
                    FeatureSplit::Constant => {
                        constants_seen += 1;
                        self.found_constants.push(f);
                    }
                    FeatureSplit::NoValidSplit => {}
                    FeatureSplit::Found { bin, score } => {
                        if best.as_ref().is_none_or(|b| score > b.score) {
                            best = Some(BestSplit {
                                feature: f as usize,
                                bin,
                                score,
                            });
                        }
                    }
                }
            }
        }
        for &f in &self.constants[task.constants_start..task.constants_end] {
            self.is_constant[f as usize] = false;
        }
        if !draw_randomly {
            // Keep the fixed order 0..n for the next node.
            for (i, f) in self.features.iter_mut().enumerate() {
                *f = i as u32;
            }
        }
        best
    }

    /// Moves the rows of `start..end` with `bin <= split_bin` on `feature` to the front, keeping
    /// order on both sides, and returns where the right side begins.
    fn partition(&mut self, start: usize, end: usize, feature: usize, split_bin: u8) -> usize {
        let n_features = self.data.n_features();
        self.spill_rows.clear();
        self.spill_samples.clear();
        self.spill_bins.clear();
        let mut write = start;
        for read in start..end {
            let bins = read * n_features..(read + 1) * n_features;
            if self.bins[bins.start + feature] <= split_bin {
                if write != read {
                    self.rows[write] = self.rows[read];
                    self.samples[write] = self.samples[read];
                    self.bins.copy_within(bins, write * n_features);
                }
                write += 1;
            } else {
                self.spill_rows.push(self.rows[read]);
                self.spill_samples.push(self.samples[read]);
                self.spill_bins.extend_from_slice(&self.bins[bins]);
            }
        }
        self.rows[write..end].copy_from_slice(&self.spill_rows);
        self.samples[write..end].copy_from_slice(&self.spill_samples);
        self.bins[write * n_features..end * n_features].copy_from_slice(&self.spill_bins);
        write
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Matrix;
    use crate::rng;

    fn grow(x: &Matrix, target: Target<'_>, max_depth: Option<usize>) -> Tree {
        let mapper = BinMapper::fit(x, 256).unwrap();
        let data = RowBins::from_binned(&mapper.transform(x).unwrap());
        let params = GrowParams {
            max_depth,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: x.n_cols(),
        };
        let weights = vec![1; x.n_rows()];
        grow_tree(
            &data,
            &mapper,
            target,
            &weights,
            &params,
            &mut rng::seeded(0),
        )
    }

    #[test]
    fn xor_is_learnt_exactly() {
        let x = Matrix::from_rows(&[
            vec![0.0, 0.0],
            vec![0.0, 1.0],
            vec![1.0, 0.0],
            vec![1.0, 1.0],
        ])
        .unwrap();
        let y = [0, 1, 1, 0];
        let tree = grow(
            &x,
            Target::Classes {
                y: &y,
                n_classes: 2,
            },
            None,
        );
        for (row, &c) in x.rows().zip(&y) {
            assert_eq!(tree.predict_row(row)[c as usize], 1.0);
        }
        assert_eq!(tree.cover(0), 4.0);
    }

    #[test]
    fn regression_leaf_is_the_mean_and_gain_is_the_sse_decrease() {
        let x = Matrix::new(4, 1, vec![0.0, 1.0, 2.0, 3.0]).unwrap();
        let y = [1.0, 3.0, 10.0, 10.0];
        let tree = grow(&x, Target::Values(&y), Some(1));
        assert_eq!(tree.predict_row(&[0.5]), &[2.0]);
        assert_eq!(tree.predict_row(&[2.5]), &[10.0]);
        // SSE of the root (mean 6) is 25 + 9 + 16 + 16 = 66; the children's is 2 + 0.
        assert!((tree.gain(0) - 64.0).abs() < 1e-9);
    }

    #[test]
    fn weights_count_rows_and_zero_weight_drops_them() {
        let x = Matrix::new(3, 1, vec![0.0, 1.0, 2.0]).unwrap();
        let y = [0, 1, 1];
        let mapper = BinMapper::fit(&x, 256).unwrap();
        let data = RowBins::from_binned(&mapper.transform(&x).unwrap());
        let params = GrowParams {
            max_depth: Some(1),
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: 1,
        };
        let target = Target::Classes {
            y: &y,
            n_classes: 2,
        };
        let tree = grow_tree(
            &data,
            &mapper,
            target,
            &[3, 0, 1],
            &params,
            &mut rng::seeded(0),
        );
        assert_eq!(tree.cover(0), 4.0);
        assert_eq!(tree.predict_row(&[0.0]), &[1.0, 0.0]);
        assert_eq!(tree.predict_row(&[1.0]), &[0.0, 1.0]);
    }
}
