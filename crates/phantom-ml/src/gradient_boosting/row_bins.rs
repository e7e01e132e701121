//! The binned training data rearranged for fast histogram building.
//!
//! Histograms are built row by row: for each row of a node, its gradient is added to the bins the
//! row falls in. Most rows of security data sit in the most frequent bin of most features (a
//! one-hot column is almost always 0, a count almost always 0), so each feature's most frequent
//! bin — its *default bin* — is not stored: each row keeps only the global indices of its other
//! bins, and the default bin of a node's histogram is derived from the node's totals. On NSL-KDD
//! that leaves 11 entries per row instead of 122.
//!
//! An entry is a `u16` bin index relative to its group: features are cut into contiguous groups
//! of at most 65,536 bins, each with its own row-wise store (one group unless there are more
//! than 256 features).
//!
//! A *dense* feature, whose most frequent bin holds less than half the rows (a continuous
//! measurement), gains nothing from that. When there are at least [`DENSE_BLOCK`] of them, they
//! are kept out of the row-wise store and kept row by row as `u8` bins instead, whose
//! histograms are built a block of features at a time into buffers small enough to stay in the
//! L1 cache.

use rayon::prelude::*;

use crate::binning::BinnedMatrix;

/// Most bins one group may span, so its entries fit in `u16`.
const MAX_GROUP_BINS: usize = 1 << 16;

/// A feature is dense when its most frequent bin holds fewer than `1 / DENSE_SHARE_INVERSE` of
/// the rows: the row-wise store would then skip less than half of its values.
const DENSE_SHARE_INVERSE: usize = 2;

/// Dense features whose histograms are built together in one pass over a node's rows.
pub(crate) const DENSE_BLOCK: usize = 8;

/// Where each feature's bins sit in a histogram, and which bin of each is not stored.
#[derive(Clone, Debug)]
pub(crate) struct FeatureBins {
    /// `offsets[f]..offsets[f + 1]` are the global bins of feature `f`.
    offsets: Vec<usize>,
    /// The most frequent bin of each sparse feature (relative to the feature's first bin);
    /// `None` for a dense feature, all of whose bins are built.
    default_bins: Vec<Option<u8>>,
}

impl FeatureBins {
    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.default_bins.len()
    }

    /// Total number of bins over all features: the length of a histogram.
    pub fn total_bins(&self) -> usize {
        self.offsets.last().copied().unwrap_or(0)
    }

    /// The global bin range of feature `f`.
    #[inline]
    pub fn range(&self, f: usize) -> std::ops::Range<usize> {
        self.offsets[f]..self.offsets[f + 1]
    }

    /// The bin of feature `f` that is not stored (relative to its first bin), if it is sparse.
    #[inline]
    pub fn default_bin(&self, f: usize) -> Option<usize> {
        self.default_bins[f].map(usize::from)
    }
}

/// The non-default bins of the rows for one contiguous group of features.
#[derive(Clone, Debug)]
pub(crate) struct RowGroup {
    /// The number of global bins the group spans.
    pub n_bins: usize,
    /// Row `r`'s entries are `entries[row_starts[r]..row_starts[r + 1]]`.
    pub row_starts: Vec<usize>,
    /// Bin indices relative to the group's first global bin, feature by feature within a row.
    pub entries: Vec<u16>,
}

/// The bins of the dense features, row by row: row `r`'s are `bins[r * stride..(r + 1) * stride]`,
/// the first `features.len()` of them in feature order, then zero padding.
#[derive(Clone, Debug)]
pub(crate) struct DenseRows {
    /// The dense features, in feature order.
    pub features: Vec<usize>,
    /// Bytes per row: the feature count rounded up to a multiple of [`DENSE_BLOCK`], so every
    /// block of a row is read as one `[u8; DENSE_BLOCK]`.
    pub stride: usize,
    /// The bins.
    pub bins: Vec<u8>,
}

/// The training data: sparse features as rows of non-default bins, in feature groups; dense
/// features as columns.
#[derive(Clone, Debug)]
pub(crate) struct RowBins {
    /// Feature layout of the histograms.
    pub features: FeatureBins,
    /// The groups, in feature order; their bin ranges tile the histogram. Dense features have no
    /// entries in them.
    pub groups: Vec<RowGroup>,
    /// The dense features.
    pub dense: DenseRows,
}

impl RowBins {
    /// Rearranges `binned` (done once per fit).
    pub fn new(binned: &BinnedMatrix) -> Self {
        let n_features = binned.n_cols();
        let n_rows = binned.n_rows();
        let most_frequent: Vec<(u8, bool)> = (0..n_features)
            .into_par_iter()
            .map(|f| {
                let mut counts = [0usize; 256];
                for &b in binned.column(f) {
                    counts[usize::from(b)] += 1;
                }
                // The lowest bin wins ties, so the choice does not depend on anything but data.
                let mut best = 0;
                for (b, &c) in counts.iter().enumerate() {
                    if c > counts[best] {
                        best = b;
                    }
                }
                (best as u8, counts[best] * DENSE_SHARE_INVERSE < n_rows)
            })
            .collect();
        // Fewer dense features than a block would each cost a pass over the rows of their own
        // for little gain (measured on NSL-KDD, where 6 of 122 are dense): keep them sparse.
        let use_dense = most_frequent.iter().filter(|&&(_, dense)| dense).count() >= DENSE_BLOCK;
        let default_bins: Vec<Option<u8>> = most_frequent
            .into_iter()
            .map(|(best, dense)| (!(use_dense && dense)).then_some(best))
            .collect();
        let mut offsets = Vec::with_capacity(n_features + 1);
        offsets.push(0);
        for f in 0..n_features {
            offsets.push(offsets[f] + binned.n_bins(f));
        }
        let features = FeatureBins {
            offsets,
            default_bins,
        };
        let groups = feature_groups(&features)
            .into_par_iter()
            .map(|range| build_group(binned, &features, range))
            .collect();
        let dense_features: Vec<usize> = (0..n_features)
            .filter(|&f| features.default_bin(f).is_none())
            .collect();
        let stride = dense_features.len().next_multiple_of(DENSE_BLOCK);
        let mut dense_bins = vec![0u8; n_rows * stride];
        for (j, &f) in dense_features.iter().enumerate() {
            let column = binned.column(f);
            for (dst, &b) in dense_bins.iter_mut().skip(j).step_by(stride).zip(column) {
                *dst = b;
            }
        }
        let dense = DenseRows {
            features: dense_features,
            stride,
            bins: dense_bins,
        };
        Self {
            features,
            groups,
            dense,
        }
    }
}

/// Cuts the features into contiguous ranges of at most `MAX_GROUP_BINS` bins.
fn feature_groups(features: &FeatureBins) -> Vec<std::ops::Range<usize>> {
    let mut groups = Vec::new();
    let mut start = 0;
    for f in 0..features.n_features() {
        if features.range(f).end - features.range(start).start > MAX_GROUP_BINS {
            groups.push(start..f);
            start = f;
        }
    }
    if start < features.n_features() {
        groups.push(start..features.n_features());
    }
    groups
}

/// The row-wise store of the features in `range`, filled column by column for sequential reads.
fn build_group(
    binned: &BinnedMatrix,
    features: &FeatureBins,
    range: std::ops::Range<usize>,
) -> RowGroup {
    let n_rows = binned.n_rows();
    let first_bin = features.range(range.start).start;
    let n_bins = features.range(range.end - 1).end - first_bin;
    let mut row_starts = vec![0usize; n_rows + 1];
    let sparse: Vec<(usize, u8)> = range
        .filter_map(|f| Some((f, features.default_bin(f)? as u8)))
        .collect();
    for &(f, default) in &sparse {
        for (r, &b) in binned.column(f).iter().enumerate() {
            row_starts[r + 1] += usize::from(b != default);
        }
    }
    for r in 0..n_rows {
        row_starts[r + 1] += row_starts[r];
    }
    let mut cursor = row_starts.clone();
    let mut entries = vec![0u16; row_starts[n_rows]];
    for (f, default) in sparse {
        let feature_first = (features.range(f).start - first_bin) as u16;
        for (r, &b) in binned.column(f).iter().enumerate() {
            if b != default {
                entries[cursor[r]] = feature_first + u16::from(b);
                cursor[r] += 1;
            }
        }
    }
    RowGroup {
        n_bins,
        row_starts,
        entries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Matrix;
    use crate::binning::BinMapper;

    #[test]
    fn only_non_default_bins_are_stored_and_groups_tile_the_bins() {
        // Feature 0 is mostly 0 (default bin 0); feature 1 is mostly 5 (default bin 1).
        let x = Matrix::from_rows(&[
            vec![0.0, 5.0],
            vec![0.0, 5.0],
            vec![1.0, 5.0],
            vec![0.0, 2.0],
        ])
        .unwrap();
        let binned = BinMapper::fit(&x, 255).unwrap().transform(&x).unwrap();
        let rows = RowBins::new(&binned);
        assert_eq!(rows.features.total_bins(), 4);
        assert_eq!(rows.features.default_bin(0), Some(0));
        assert_eq!(rows.features.default_bin(1), Some(1));
        let mut next_bin = 0;
        let mut per_row: Vec<Vec<usize>> = vec![Vec::new(); 4];
        for g in &rows.groups {
            for (r, row) in per_row.iter_mut().enumerate() {
                let entries = &g.entries[g.row_starts[r]..g.row_starts[r + 1]];
                row.extend(entries.iter().map(|&e| next_bin + usize::from(e)));
            }
            next_bin += g.n_bins;
        }
        assert_eq!(next_bin, 4);
        assert_eq!(per_row, vec![vec![], vec![], vec![1], vec![2]]);
    }
}
