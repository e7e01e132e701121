//! The histogram of one feature over one node's rows and the best "bin <= b" split it allows.
//!
//! Classification and regression share one criterion. Every row adds its weight to its bin and a
//! value to one channel of its bin: for classification the channel is the row's class and the
//! value its weight (kept as integer counts); for regression there is one channel and the value
//! is weight x target. A node's score is `sum_k sums_k^2 / weight`; the weighted Gini or squared-error decrease of a
//! split is `score(left) + score(right) - score(node)`, so the best split maximises the children's
//! score sum.

use super::builder::Sample;
use super::row_bins::RowBins;
use crate::binning::MAX_BINS;

/// A feature with fewer than `n_bins / SPARSE_RATIO` rows in the node visits only the bins its
/// rows occupy instead of scanning and clearing every bin.
const SPARSE_RATIO: usize = 2;

/// Features whose histograms are filled together in one pass over a node's rows: each row's
/// bins are read from one or two cache lines, and consecutive additions go to different
/// histograms instead of queueing on one slot.
const BATCH: usize = 16;

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

/// What a bin holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Layout {
    /// One integer count per class (weights are integers); the bin's weight is their sum.
    Classes(usize),
    /// The weight and the weighted target sum, as `f64`.
    Regression,
}

impl Layout {
    fn stride(self) -> usize {
        match self {
            Self::Classes(k) => k,
            Self::Regression => 2,
        }
    }

    fn n_channels(self) -> usize {
        match self {
            Self::Classes(k) => k,
            Self::Regression => 1,
        }
    }
}

/// Per-bin slots for up to `BATCH` features, reused for every node of a tree.
///
/// Only one of `counts` (classification) and `sums` (regression) is used.
pub(crate) struct Histogram {
    layout: Layout,
    counts: Vec<u32>,
    sums: Vec<f64>,
    left_sums: Vec<f64>,
    bin_sums: Vec<f64>,
    /// The batch being filled: (index in the caller's feature list, feature, first slot).
    dense: Vec<(usize, u32, usize)>,
}

/// A node's weight and channel sums, and the weight each side of a split must keep.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NodeTotals<'a> {
    pub(crate) weight: f64,
    pub(crate) sums: &'a [f64],
    pub(crate) min_leaf_weight: f64,
}

impl Histogram {
    /// An empty histogram for the given layout.
    pub(crate) fn new(layout: Layout) -> Self {
        let slots = BATCH * MAX_BINS * layout.stride();
        let (counts, sums) = match layout {
            Layout::Classes(_) => (vec![0; slots], Vec::new()),
            Layout::Regression => (Vec::new(), vec![0.0; slots]),
        };
        Self {
            layout,
            counts,
            sums,
            left_sums: vec![0.0; layout.n_channels()],
            bin_sums: vec![0.0; layout.n_channels()],
            dense: Vec::with_capacity(BATCH),
        }
    }

    /// Finds the best split of a node on each of `features`, writing one result per feature, in
    /// order, into `out`, and leaves the histogram empty again. `block` holds the bins of the
    /// node's rows, row by row (`data.n_features()` per row), and `samples` what each row adds.
    pub(crate) fn search(
        &mut self,
        data: &RowBins,
        features: &[u32],
        block: &[u8],
        samples: &[Sample],
        node: NodeTotals<'_>,
        out: &mut Vec<FeatureSplit>,
    ) {
        out.clear();
        out.resize(features.len(), FeatureSplit::Constant);
        self.dense.clear();
        let stride = self.layout.stride();
        let mut next_slot = 0;
        for (j, &f) in features.iter().enumerate() {
            let n_bins = data.n_bins(f as usize);
            if samples.len() * SPARSE_RATIO < n_bins {
                out[j] = self.search_sparse(data, f as usize, block, samples, node);
            } else {
                if self.dense.len() == BATCH {
                    self.search_dense(data, block, samples, node, out);
                    next_slot = 0;
                }
                self.dense.push((j, f, next_slot));
                next_slot += n_bins * stride;
            }
        }
        if !self.dense.is_empty() {
            self.search_dense(data, block, samples, node, out);
        }
    }

    /// One feature of a small node: only the bins its rows fall in are visited, found in
    /// increasing order from a bitmap of occupied bins.
    fn search_sparse(
        &mut self,
        data: &RowBins,
        f: usize,
        block: &[u8],
        samples: &[Sample],
        node: NodeTotals<'_>,
    ) -> FeatureSplit {
        let stride = self.layout.stride();
        let mut occupied = [0u64; MAX_BINS / 64];
        for (row_bins, s) in block.chunks_exact(data.n_features()).zip(samples) {
            let bin = usize::from(row_bins[f]);
            occupied[bin / 64] |= 1 << (bin % 64);
            self.add(bin * stride, s);
        }
        let found = self.sweep(0, occupied_bins(occupied), node);
        for b in occupied_bins(occupied) {
            self.clear(b * stride..(b + 1) * stride);
        }
        found
    }

    /// The features queued in `self.dense`, filled in one pass over the rows and then swept.
    fn search_dense(
        &mut self,
        data: &RowBins,
        block: &[u8],
        samples: &[Sample],
        node: NodeTotals<'_>,
        out: &mut [FeatureSplit],
    ) {
        let rows = block.chunks_exact(data.n_features());
        let stride = self.layout.stride();
        let batch = std::mem::take(&mut self.dense);
        match self.layout {
            Layout::Classes(_) => {
                let counts = &mut self.counts;
                for (bins, s) in rows.zip(samples) {
                    let channel = s.channel as usize;
                    for &(_, f, first) in &batch {
                        counts[first + usize::from(bins[f as usize]) * stride + channel] +=
                            s.weight;
                    }
                }
            }
            Layout::Regression => {
                let sums = &mut self.sums;
                for (bins, s) in rows.zip(samples) {
                    let w = f64::from(s.weight);
                    for &(_, f, first) in &batch {
                        let at = first + usize::from(bins[f as usize]) * 2;
                        sums[at] += w;
                        sums[at + 1] += s.value;
                    }
                }
            }
        }
        for &(index, f, first) in &batch {
            let n_bins = data.n_bins(f as usize);
            out[index] = self.sweep(first, 0..n_bins, node);
            self.clear(first..first + n_bins * stride);
        }
        self.dense = batch;
        self.dense.clear();
    }

    #[inline]
    fn add(&mut self, at: usize, s: &Sample) {
        match self.layout {
            Layout::Classes(_) => self.counts[at + s.channel as usize] += s.weight,
            Layout::Regression => {
                self.sums[at] += f64::from(s.weight);
                self.sums[at + 1] += s.value;
            }
        }
    }

    fn clear(&mut self, slots: std::ops::Range<usize>) {
        match self.layout {
            Layout::Classes(_) => self.counts[slots].fill(0),
            Layout::Regression => self.sums[slots].fill(0.0),
        }
    }

    /// Copies bin `at`'s channel sums into `bin_sums` and returns its weight.
    #[inline]
    fn load_bin(&mut self, at: usize) -> f64 {
        match self.layout {
            Layout::Classes(k) => {
                let mut weight = 0u64;
                for (dst, &c) in self.bin_sums.iter_mut().zip(&self.counts[at..at + k]) {
                    weight += u64::from(c);
                    *dst = f64::from(c);
                }
                weight as f64
            }
            Layout::Regression => {
                self.bin_sums[0] = self.sums[at + 1];
                self.sums[at]
            }
        }
    }

    /// Scans the candidate bins in increasing order; a split is possible after every non-empty
    /// bin except the last one.
    fn sweep(
        &mut self,
        base: usize,
        bins: impl Iterator<Item = usize>,
        node: NodeTotals<'_>,
    ) -> FeatureSplit {
        let stride = self.layout.stride();
        self.left_sums.fill(0.0);
        let mut left_weight = 0.0;
        let mut previous: Option<usize> = None;
        let mut non_empty = 0usize;
        let mut best: Option<(u8, f64)> = None;
        for b in bins {
            let w = self.load_bin(base + b * stride);
            if w == 0.0 {
                continue;
            }
            non_empty += 1;
            if let Some(prev) = previous {
                let right_weight = node.weight - left_weight;
                if left_weight >= node.min_leaf_weight && right_weight >= node.min_leaf_weight {
                    let mut left_sq = 0.0;
                    let mut right_sq = 0.0;
                    for (l, t) in self.left_sums.iter().zip(node.sums) {
                        left_sq += l * l;
                        let r = t - l;
                        right_sq += r * r;
                    }
                    // score = left_sq / left_weight + right_sq / right_weight, compared
                    // without dividing.
                    let cross = left_sq * right_weight + right_sq * left_weight;
                    let denominator = left_weight * right_weight;
                    if best.is_none_or(|(_, s)| cross > s * denominator) {
                        best = Some((prev as u8, cross / denominator));
                    }
                }
            }
            left_weight += w;
            for (l, s) in self.left_sums.iter_mut().zip(&self.bin_sums) {
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

/// The set bits of a bitmap of bins, in increasing order.
fn occupied_bins(words: [u64; MAX_BINS / 64]) -> OccupiedBins {
    OccupiedBins { words, word: 0 }
}

/// Iterator over the set bits of a bin bitmap.
struct OccupiedBins {
    words: [u64; MAX_BINS / 64],
    word: usize,
}

impl Iterator for OccupiedBins {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while let Some(bits) = self.words.get_mut(self.word) {
            if *bits != 0 {
                let b = bits.trailing_zeros() as usize;
                *bits &= *bits - 1;
                return Some(self.word * 64 + b);
            }
            self.word += 1;
        }
        None
    }
}

/// A node's score `sum_k sums_k^2 / weight` (see the module documentation).
pub(crate) fn node_score(sums: &[f64], weight: f64) -> f64 {
    sums.iter().map(|s| s * s).sum::<f64>() / weight
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Matrix;
    use crate::binning::BinMapper;

    fn class_samples(classes: &[u32]) -> Vec<Sample> {
        classes
            .iter()
            .map(|&c| Sample {
                weight: 1,
                channel: c,
                value: 1.0,
            })
            .collect()
    }

    /// Row-major bins of the given columns (each value its own bin, values 0..n).
    fn bins(columns: &[Vec<f32>]) -> RowBins {
        let n = columns[0].len();
        let rows: Vec<Vec<f32>> = (0..n)
            .map(|i| columns.iter().map(|c| c[i]).collect())
            .collect();
        let x = Matrix::from_rows(&rows).unwrap();
        RowBins::from_binned(&BinMapper::fit(&x, 256).unwrap().transform(&x).unwrap())
    }

    fn search(
        h: &mut Histogram,
        data: &RowBins,
        s: &[Sample],
        node: NodeTotals<'_>,
    ) -> Vec<FeatureSplit> {
        let features: Vec<u32> = (0..data.n_features() as u32).collect();
        let block: Vec<u8> = (0..s.len() as u32)
            .flat_map(|i| data.row(i).to_vec())
            .collect();
        let mut out = Vec::new();
        h.search(data, &features, &block, s, node, &mut out);
        assert!(h.counts.iter().all(|&v| v == 0), "histogram left dirty");
        assert!(h.sums.iter().all(|&v| v == 0.0), "histogram left dirty");
        out
    }

    #[test]
    fn finds_the_separating_bin_in_sparse_and_dense_modes() {
        let s = class_samples(&[0, 0, 0, 1, 1, 1]);
        let node = NodeTotals {
            weight: 6.0,
            sums: &[3.0, 3.0],
            min_leaf_weight: 1.0,
        };
        // Six distinct values: six bins, dense; the constant column has one bin.
        let data = bins(&[vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0], vec![7.0; 6]]);
        let mut h = Histogram::new(Layout::Classes(2));
        let found = search(&mut h, &data, &s, node);
        assert_eq!(
            found,
            vec![
                FeatureSplit::Found { bin: 2, score: 6.0 },
                FeatureSplit::Constant
            ]
        );
        // With many bins fitted on other rows, six rows are a sparse search. Values 1..=5 were
        // overwritten, so value 60 is the 56th distinct value: bin 55.
        let mut wide: Vec<f32> = (0..200).map(|i| i as f32).collect();
        wide[..6].copy_from_slice(&[0.0, 50.0, 60.0, 120.0, 150.0, 199.0]);
        let data = bins(&[wide]);
        let found = search(&mut h, &data, &s, node);
        assert_eq!(
            found,
            vec![FeatureSplit::Found {
                bin: 55,
                score: 6.0
            }]
        );
    }

    #[test]
    fn occupied_bins_come_in_order() {
        let mut words = [0u64; MAX_BINS / 64];
        for b in [255, 0, 64, 63, 130] {
            words[b / 64] |= 1 << (b % 64);
        }
        let bins: Vec<usize> = occupied_bins(words).collect();
        assert_eq!(bins, vec![0, 63, 64, 130, 255]);
    }

    #[test]
    fn regression_slots_and_min_leaf() {
        let s: Vec<Sample> = [0.0, 0.0, 1.0, 1.0]
            .iter()
            .map(|&y| Sample {
                weight: 1,
                channel: 0,
                value: y,
            })
            .collect();
        let data = bins(&[vec![0.0, 1.0, 2.0, 3.0]]);
        let mut h = Histogram::new(Layout::Regression);
        let node = NodeTotals {
            weight: 4.0,
            sums: &[2.0],
            min_leaf_weight: 1.0,
        };
        assert_eq!(
            search(&mut h, &data, &s, node),
            vec![FeatureSplit::Found { bin: 1, score: 2.0 }]
        );
        let strict = NodeTotals {
            min_leaf_weight: 3.0,
            ..node
        };
        assert_eq!(
            search(&mut h, &data, &s, strict),
            vec![FeatureSplit::NoValidSplit]
        );
    }
}
