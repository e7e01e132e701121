//! Growing one tree leaf-wise (best-first) on a round's gradients.
//!
//! The rows of every leaf are a contiguous segment of one index array, partitioned in place
//! (stably, so each segment stays in ascending row order for cache-friendly reads) when a leaf
//! splits. Only the smaller child's histogram is built, from its gradients gathered in segment
//! order; the larger child's is the parent's minus the smaller's, computed in the parent's
//! buffer. Buffers live in the grower and are reused by every node of every tree.

use rayon::prelude::*;

use super::histogram::{self, BinSums, HistogramBuilder};
use super::loss::GradHess;
use super::row_bins::RowBins;
use super::split::{Split, SplitRules, best_split};
use crate::binning::{BinMapper, BinnedMatrix};
use crate::tree::Tree;

/// Rows per rayon task when a node's gradients are gathered or its rows partitioned; smaller
/// nodes are handled on one thread.
const PARALLEL_CHUNK_ROWS: usize = 16_384;

/// The shape limits of a tree and the shrinkage of its leaves.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TreeShape {
    /// Most leaves.
    pub max_leaves: usize,
    /// Most depth (`usize::MAX` for no limit).
    pub max_depth: usize,
    /// Factor applied to every leaf value.
    pub learning_rate: f64,
}

/// A leaf of the tree being grown.
struct GrowingLeaf {
    /// Its rows are `rows[start..start + len]`.
    start: usize,
    len: usize,
    depth: usize,
    totals: BinSums,
    /// Its histogram, kept while it may still be split.
    hist: Option<Vec<BinSums>>,
    best: Option<Split>,
    /// Its index in `nodes`.
    node: usize,
}

/// A node of the tree being grown; converted to a [`Tree`] at the end.
enum GrownNode {
    Leaf {
        value: f64,
        cover: f64,
    },
    Split {
        split: Split,
        cover: f64,
        left: usize,
        right: usize,
    },
}

/// Grows trees on one training set, reusing its buffers from tree to tree.
pub(crate) struct TreeGrower<'a> {
    data: &'a RowBins,
    binned: &'a BinnedMatrix,
    mapper: &'a BinMapper,
    rules: SplitRules,
    shape: TreeShape,
    rows: Vec<u32>,
    scratch: Vec<u32>,
    ordered: Vec<GradHess>,
    free_hists: Vec<Vec<BinSums>>,
    builder: HistogramBuilder,
}

impl<'a> TreeGrower<'a> {
    /// A grower for the training data `binned` (with its row-wise form `data`).
    pub fn new(
        data: &'a RowBins,
        binned: &'a BinnedMatrix,
        mapper: &'a BinMapper,
        rules: SplitRules,
        shape: TreeShape,
    ) -> Self {
        let n = binned.n_rows();
        Self {
            data,
            binned,
            mapper,
            rules,
            shape,
            rows: Vec::with_capacity(n),
            scratch: vec![0; n],
            ordered: vec![GradHess::default(); n],
            free_hists: Vec::new(),
            builder: HistogramBuilder::new(data.features.total_bins()),
        }
    }

    /// Grows one tree on `grads` (one per training row) and adds its leaf values to `scores`.
    pub fn grow(&mut self, grads: &[GradHess], scores: &mut [f64]) -> Tree {
        let n = grads.len();
        self.rows.clear();
        self.rows.extend(0..n as u32);
        let totals = BinSums::of(grads);
        let mut nodes = vec![GrownNode::Leaf {
            value: 0.0,
            cover: totals.n,
        }];
        let mut root = GrowingLeaf {
            start: 0,
            len: n,
            depth: 0,
            totals,
            hist: None,
            best: None,
            node: 0,
        };
        if self.splittable(n, 0) {
            let mut hist = self.take_hist();
            self.builder
                .build(self.data, &self.rows, grads, totals, &mut hist);
            root.best = best_split(&self.data.features, &hist, totals, &self.rules);
            root.hist = Some(hist);
        }
        let mut leaves = vec![root];
        while leaves.len() < self.shape.max_leaves {
            let Some(i) = best_leaf(&leaves) else {
                break;
            };
            let n_leaves_after = leaves.len() + 1;
            let leaf = &mut leaves[i];
            let Some(split) = leaf.best else {
                break;
            };
            let (parent_node, cover) = (leaf.node, leaf.totals.n);
            let (mut left, mut right) = self.split_leaf(leaf, split, grads, n_leaves_after);
            left.node = nodes.len();
            right.node = nodes.len() + 1;
            nodes.push(GrownNode::Leaf {
                value: 0.0,
                cover: left.totals.n,
            });
            nodes.push(GrownNode::Leaf {
                value: 0.0,
                cover: right.totals.n,
            });
            nodes[parent_node] = GrownNode::Split {
                split,
                cover,
                left: left.node,
                right: right.node,
            };
            leaves[i] = left;
            leaves.push(right);
        }
        for leaf in &mut leaves {
            let value = leaf_value(leaf.totals, self.rules.lambda) * self.shape.learning_rate;
            for &r in &self.rows[leaf.start..leaf.start + leaf.len] {
                scores[r as usize] += value;
            }
            nodes[leaf.node] = GrownNode::Leaf {
                value,
                cover: leaf.totals.n,
            };
            if let Some(h) = leaf.hist.take() {
                self.free_hists.push(h);
            }
        }
        self.to_tree(&nodes)
    }

    /// Whether a leaf of `len` rows at `depth` may be split at all.
    fn splittable(&self, len: usize, depth: usize) -> bool {
        depth < self.shape.max_depth && len as f64 >= 2.0 * self.rules.min_samples_leaf
    }

    /// A zeroed-or-stale histogram buffer (every build overwrites all of it).
    fn take_hist(&mut self) -> Vec<BinSums> {
        self.free_hists
            .pop()
            .unwrap_or_else(|| vec![BinSums::default(); self.data.features.total_bins()])
    }

    /// Partitions `leaf`'s rows on `split` (its best) and returns the two children, with
    /// histograms and best splits when they may be split further (`n_leaves_after` is the
    /// leaf count once this split is made).
    fn split_leaf(
        &mut self,
        leaf: &mut GrowingLeaf,
        split: Split,
        grads: &[GradHess],
        n_leaves_after: usize,
    ) -> (GrowingLeaf, GrowingLeaf) {
        let n_left = self.partition(leaf.start, leaf.len, split.feature, split.bin);
        let child = |start, len, totals| GrowingLeaf {
            start,
            len,
            depth: leaf.depth + 1,
            totals,
            hist: None,
            best: None,
            node: 0,
        };
        let mut left = child(leaf.start, n_left, split.left);
        let mut right = child(
            leaf.start + n_left,
            leaf.len - n_left,
            leaf.totals - split.left,
        );
        let parent_hist = leaf.hist.take();
        let more_splits = n_leaves_after < self.shape.max_leaves;
        let left_ok = more_splits && self.splittable(left.len, left.depth);
        let right_ok = more_splits && self.splittable(right.len, right.depth);
        match parent_hist {
            Some(mut parent) if left_ok || right_ok => {
                let (small, large, small_ok, large_ok) = if left.len <= right.len {
                    (&mut left, &mut right, left_ok, right_ok)
                } else {
                    (&mut right, &mut left, right_ok, left_ok)
                };
                let mut small_hist = self.take_hist();
                let rows = &self.rows[small.start..small.start + small.len];
                let ordered = &mut self.ordered[..small.len];
                ordered
                    .par_chunks_mut(PARALLEL_CHUNK_ROWS)
                    .zip(rows.par_chunks(PARALLEL_CHUNK_ROWS))
                    .for_each(|(ordered, rows)| {
                        for (o, &r) in ordered.iter_mut().zip(rows) {
                            *o = grads[r as usize];
                        }
                    });
                self.builder
                    .build(self.data, rows, ordered, small.totals, &mut small_hist);
                if large_ok {
                    histogram::subtract(&mut parent, &small_hist);
                    large.best =
                        best_split(&self.data.features, &parent, large.totals, &self.rules);
                    large.hist = Some(parent);
                } else {
                    self.free_hists.push(parent);
                }
                if small_ok {
                    small.best =
                        best_split(&self.data.features, &small_hist, small.totals, &self.rules);
                    small.hist = Some(small_hist);
                } else {
                    self.free_hists.push(small_hist);
                }
            }
            Some(parent) => self.free_hists.push(parent),
            None => {}
        }
        // A child without a best split never needs its histogram again.
        for c in [&mut left, &mut right] {
            if c.best.is_none()
                && let Some(h) = c.hist.take()
            {
                self.free_hists.push(h);
            }
        }
        (left, right)
    }

    /// Stably moves the rows of `rows[start..start + len]` whose bin of `feature` is at most
    /// `bin` to the front; returns how many there are.
    ///
    /// Chunks of the segment are partitioned in parallel into the scratch buffer, then their
    /// left and right parts are copied back in chunk order: the same result as one pass.
    fn partition(&mut self, start: usize, len: usize, feature: usize, bin: u8) -> usize {
        let column = self.binned.column(feature);
        let segment = &mut self.rows[start..start + len];
        let scratch = &mut self.scratch[..len];
        let n_lefts: Vec<usize> = segment
            .par_chunks(PARALLEL_CHUNK_ROWS)
            .zip(scratch.par_chunks_mut(PARALLEL_CHUNK_ROWS))
            .map(|(rows, out)| partition_chunk(rows, out, column, bin))
            .collect();
        let n_left: usize = n_lefts.iter().sum();
        let (mut left_at, mut right_at) = (0, n_left);
        for (out, &chunk_left) in scratch.chunks(PARALLEL_CHUNK_ROWS).zip(&n_lefts) {
            let (lefts, rights) = out.split_at(chunk_left);
            segment[left_at..left_at + lefts.len()].copy_from_slice(lefts);
            segment[right_at..right_at + rights.len()].copy_from_slice(rights);
            left_at += lefts.len();
            right_at += rights.len();
        }
        n_left
    }

    /// The grown nodes as a shared [`Tree`] (node indices are kept).
    fn to_tree(&self, nodes: &[GrownNode]) -> Tree {
        let mut tree = Tree::new(self.binned.n_cols(), 1);
        for node in nodes {
            match node {
                GrownNode::Leaf { value, cover } => {
                    tree.push_leaf(&[*value], *cover);
                }
                GrownNode::Split { split, cover, .. } => {
                    let threshold = self
                        .mapper
                        .upper_bound(split.feature, usize::from(split.bin));
                    tree.push_split(split.feature, threshold, *cover, split.gain);
                }
            }
        }
        for (i, node) in nodes.iter().enumerate() {
            if let GrownNode::Split { left, right, .. } = node {
                tree.set_children(i as u32, *left as u32, *right as u32);
            }
        }
        tree
    }
}

/// Writes `rows` to `out` (same length), those whose bin in `column` is at most `bin` first, each
/// side in its original order; returns how many go left.
fn partition_chunk(rows: &[u32], out: &mut [u32], column: &[u8], bin: u8) -> usize {
    // Branch-free, as the direction of a row is unpredictable: each row is written to the next
    // free slot of both sides (lefts fill `out` from the front, rights from the back) and only
    // one cursor moves. Before each row `n_left + (len - right_end)` rows are placed, fewer than
    // `len`, so `right_end - 1 >= n_left`.
    let mut n_left = 0;
    let mut right_end = out.len();
    for &r in rows {
        let goes_left = column[r as usize] <= bin;
        out[n_left] = r;
        out[right_end - 1] = r;
        n_left += usize::from(goes_left);
        right_end -= usize::from(!goes_left);
    }
    out[right_end..].reverse();
    n_left
}

/// The leaf whose best split has the largest gain (the first on ties), if any can split.
fn best_leaf(leaves: &[GrowingLeaf]) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, leaf) in leaves.iter().enumerate() {
        if let Some(s) = leaf.best
            && best.is_none_or(|(_, g)| s.gain > g)
        {
            best = Some((i, s.gain));
        }
    }
    best.map(|(i, _)| i)
}

/// The loss-minimising value of a leaf, `-G / (H + lambda)`, or 0 when that is undefined.
fn leaf_value(totals: BinSums, lambda: f64) -> f64 {
    let denominator = totals.h + lambda;
    if denominator > 0.0 {
        -totals.g / denominator
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn chunk_partition_is_stable(
            column in prop::collection::vec(0u8..8, 1..300),
            bin in 0u8..8,
        ) {
            let rows: Vec<u32> = (0..column.len() as u32).filter(|r| r % 3 != 1).collect();
            let mut out = vec![0; rows.len()];
            let n_left = partition_chunk(&rows, &mut out, &column, bin);
            let (want_left, want_right): (Vec<u32>, Vec<u32>) =
                rows.iter().partition(|&&r| column[r as usize] <= bin);
            prop_assert_eq!(n_left, want_left.len());
            prop_assert_eq!(&out[..n_left], &want_left[..]);
            prop_assert_eq!(&out[n_left..], &want_right[..]);
        }
    }
}
