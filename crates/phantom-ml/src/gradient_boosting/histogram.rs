//! Gradient histograms: per bin, the sums of gradient, hessian and row count of a node's rows.

use std::ops::{AddAssign, Sub};

use rayon::prelude::*;

use super::loss::GradHess;
use super::row_bins::{DENSE_BLOCK, DenseRows, FeatureBins, RowBins};

/// Rows per chunk when a node's rows are cut into chunks built in parallel.
const CHUNK_ROWS: usize = 8192;

/// Fewest rows of a node for which its dense features are built in parallel.
const PARALLEL_DENSE_ROWS: usize = 2048;

/// Rows whose dense bins are gathered into a contiguous buffer before they are added up: the
/// gather loop is short, so many of its cache misses are in flight at once.
const GATHER_ROWS: usize = 1024;

/// Most chunks per node: each chunk has its own histogram, merged afterwards, so more chunks
/// cost more merging; four keep two cores busy on a shared machine.
const MAX_CHUNKS: usize = 4;

/// The sums of one histogram bin (or of a whole node).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct BinSums {
    /// Sum of gradients.
    pub g: f64,
    /// Sum of hessians.
    pub h: f64,
    /// Number of rows, as a float so a bin update is three plain additions.
    pub n: f64,
}

impl AddAssign for BinSums {
    #[inline]
    fn add_assign(&mut self, o: Self) {
        self.g += o.g;
        self.h += o.h;
        self.n += o.n;
    }
}

impl Sub for BinSums {
    type Output = Self;
    #[inline]
    fn sub(self, o: Self) -> Self {
        Self {
            g: self.g - o.g,
            h: self.h - o.h,
            n: self.n - o.n,
        }
    }
}

impl BinSums {
    /// The sums of a slice of gradients, added in order.
    pub fn of(grads: &[GradHess]) -> Self {
        let mut s = Self::default();
        for gh in grads {
            s.g += gh.g;
            s.h += gh.h;
        }
        s.n = grads.len() as f64;
        s
    }
}

/// Builds node histograms, with per-chunk buffers reused from node to node.
///
/// A node's rows are cut into a number of chunks that depends only on its row count; chunks
/// are built in parallel into their own buffers and merged in chunk order, so every bin is
/// summed in the same order whatever the thread count.
pub(crate) struct HistogramBuilder {
    chunk_hists: Vec<Vec<BinSums>>,
}

impl HistogramBuilder {
    /// A builder for histograms of `total_bins` bins.
    pub fn new(total_bins: usize) -> Self {
        Self {
            chunk_hists: vec![vec![BinSums::default(); total_bins]; MAX_CHUNKS],
        }
    }

    /// Builds the histogram of the node holding `rows`, whose gradients in that order are
    /// `ordered` (`ordered[i]` belongs to `rows[i]`), into `hist` (length `total_bins`).
    ///
    /// `totals` are the node's sums; they give each feature's default bin.
    pub fn build(
        &mut self,
        data: &RowBins,
        rows: &[u32],
        ordered: &[GradHess],
        totals: BinSums,
        hist: &mut [BinSums],
    ) {
        let n_chunks = (rows.len() / CHUNK_ROWS).clamp(1, MAX_CHUNKS);
        let chunk_hists = &mut self.chunk_hists[..n_chunks];
        let sparse = || {
            if data.groups.iter().all(|g| g.entries.is_empty()) {
                hist.fill(BinSums::default());
            } else if n_chunks == 1 {
                accumulate(data, rows, ordered, hist);
            } else {
                let chunk_len = rows.len().div_ceil(n_chunks);
                chunk_hists
                    .par_iter_mut()
                    .zip(rows.par_chunks(chunk_len))
                    .zip(ordered.par_chunks(chunk_len))
                    .for_each(|((chunk_hist, rows), ordered)| {
                        accumulate(data, rows, ordered, chunk_hist);
                    });
                let (first, rest) = chunk_hists.split_at(1);
                hist.copy_from_slice(&first[0]);
                for chunk_hist in rest {
                    for (h, c) in hist.iter_mut().zip(chunk_hist) {
                        *h += *c;
                    }
                }
            }
            hist
        };
        let parallel = rows.len() >= PARALLEL_DENSE_ROWS;
        let dense = || dense_sums(&data.dense, rows, ordered, parallel);
        // The sparse and the dense features are summed side by side, so a single block of dense
        // features does not leave a core idle.
        let (hist, blocks) = if parallel {
            rayon::join(sparse, dense)
        } else {
            (sparse(), dense())
        };
        for (j, &f) in data.dense.features.iter().enumerate() {
            let bins = &mut hist[data.features.range(f)];
            let sums = &blocks[j / DENSE_BLOCK][j % DENSE_BLOCK];
            bins.copy_from_slice(&sums[..bins.len()]);
        }
        fill_default_bins(&data.features, totals, hist);
    }
}

/// The histograms of one block of dense features, 256 bins each.
type BlockSums = [[BinSums; 256]; DENSE_BLOCK];

/// The histograms of the dense features over `rows`, block by block.
fn dense_sums(
    dense: &DenseRows,
    rows: &[u32],
    ordered: &[GradHess],
    parallel: bool,
) -> Vec<Box<BlockSums>> {
    let n_blocks = dense.features.len().div_ceil(DENSE_BLOCK);
    let block = |b: usize| block_sums(dense, b * DENSE_BLOCK, rows, ordered);
    if parallel {
        (0..n_blocks).into_par_iter().map(block).collect()
    } else {
        (0..n_blocks).map(block).collect()
    }
}

/// The histograms of the dense features `first..first + DENSE_BLOCK` over `rows`, summed in
/// row order in buffers that stay in the L1 cache. The last block of a row is padded: its
/// padding bins land in histograms nobody reads, and the fixed trip count unrolls the loop.
fn block_sums(
    dense: &DenseRows,
    first: usize,
    rows: &[u32],
    ordered: &[GradHess],
) -> Box<BlockSums> {
    let stride = dense.stride;
    let mut local = Box::new([[BinSums::default(); 256]; DENSE_BLOCK]);
    let mut add = |bins: &[u8; DENSE_BLOCK], gh: &GradHess| {
        for (h, &b) in local.iter_mut().zip(bins) {
            let bin = &mut h[usize::from(b)];
            bin.g += gh.g;
            bin.h += gh.h;
            bin.n += 1.0;
        }
    };
    let block_of = |row: &[u8]| -> [u8; DENSE_BLOCK] {
        let mut block = [0; DENSE_BLOCK];
        block.copy_from_slice(&row[first..first + DENSE_BLOCK]);
        block
    };
    if rows.len() * stride == dense.bins.len() {
        // Every row, and rows are distinct and ascending: the store is read in order.
        for (row, gh) in dense.bins.chunks_exact(stride).zip(ordered) {
            add(&block_of(row), gh);
        }
    } else {
        let mut gathered = [[0u8; DENSE_BLOCK]; GATHER_ROWS];
        for (rows, ordered) in rows.chunks(GATHER_ROWS).zip(ordered.chunks(GATHER_ROWS)) {
            for (g, &r) in gathered.iter_mut().zip(rows) {
                let start = r as usize * stride;
                *g = block_of(&dense.bins[start..start + stride]);
            }
            for (g, gh) in gathered.iter().zip(ordered) {
                add(g, gh);
            }
        }
    }
    local
}

/// Zeroes `hist` and adds the gradients of `rows` to their non-default bins (the hot loop of
/// training).
fn accumulate(data: &RowBins, rows: &[u32], ordered: &[GradHess], hist: &mut [BinSums]) {
    hist.fill(BinSums::default());
    let mut first_bin = 0;
    for group in &data.groups {
        let part = &mut hist[first_bin..first_bin + group.n_bins];
        for (&r, gh) in rows.iter().zip(ordered) {
            let r = r as usize;
            let entries = &group.entries[group.row_starts[r]..group.row_starts[r + 1]];
            for &e in entries {
                let bin = &mut part[usize::from(e)];
                bin.g += gh.g;
                bin.h += gh.h;
                bin.n += 1.0;
            }
        }
        first_bin += group.n_bins;
    }
}

/// Sets each feature's default bin to the node totals minus the feature's other bins.
fn fill_default_bins(features: &FeatureBins, totals: BinSums, hist: &mut [BinSums]) {
    for f in 0..features.n_features() {
        let bins = &mut hist[features.range(f)];
        let Some(default) = features.default_bin(f) else {
            continue;
        };
        let mut others = BinSums::default();
        for (b, s) in bins.iter().enumerate() {
            if b != default {
                others += *s;
            }
        }
        bins[default] = totals - others;
    }
}

/// Turns a parent's histogram into its larger child's, given the smaller child's:
/// `parent[i] -= smaller[i]`.
pub(crate) fn subtract(parent: &mut [BinSums], smaller: &[BinSums]) {
    for (p, s) in parent.iter_mut().zip(smaller) {
        *p = *p - *s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Matrix;
    use crate::binning::BinMapper;

    /// Equal up to rounding, which scales with the node totals (about 1e4 here) since default
    /// bins and subtracted histograms are differences of totals.
    fn close(a: &BinSums, b: &BinSums) -> bool {
        let near = |x: f64, y: f64| (x - y).abs() <= 1e-7;
        near(a.g, b.g) && near(a.h, b.h) && a.n == b.n
    }

    /// The histogram computed the slow way: every row, every feature.
    fn naive(x: &Matrix, rows: &[u32], grads: &[GradHess]) -> Vec<BinSums> {
        let mapper = BinMapper::fit(x, 255).unwrap();
        let binned = mapper.transform(x).unwrap();
        let mut offsets = vec![0];
        for f in 0..x.n_cols() {
            offsets.push(offsets[f] + binned.n_bins(f));
        }
        let mut hist = vec![BinSums::default(); offsets[x.n_cols()]];
        for (&r, gh) in rows.iter().zip(grads) {
            for f in 0..x.n_cols() {
                let bin = &mut hist[offsets[f] + usize::from(binned.column(f)[r as usize])];
                *bin += BinSums {
                    g: gh.g,
                    h: gh.h,
                    n: 1.0,
                };
            }
        }
        hist
    }

    #[test]
    fn sparse_build_and_subtraction_match_the_naive_histogram() {
        let n = 40_000;
        let rows_data: Vec<Vec<f32>> = (0..n)
            .map(|i| {
                // One sparse feature and ten dense ones: two blocks, the second padded.
                let mut row = vec![
                    (i % 7 == 0) as u8 as f32,
                    (i % 13) as f32,
                    ((i * 31) % 1000) as f32,
                ];
                row.extend((0..8).map(|k| ((i * (17 + k)) % (50 + 20 * k)) as f32));
                row
            })
            .collect();
        let x = Matrix::from_rows(&rows_data).unwrap();
        let binned = BinMapper::fit(&x, 255).unwrap().transform(&x).unwrap();
        let data = RowBins::new(&binned);
        assert_eq!(data.dense.features, (1..11).collect::<Vec<_>>());
        let grads: Vec<GradHess> = (0..n)
            .map(|i| GradHess {
                g: (i as f64 * 0.37).sin(),
                h: 0.25 + (i % 5) as f64 * 0.01,
            })
            .collect();
        let all: Vec<u32> = (0..n as u32).collect();
        let mut builder = HistogramBuilder::new(data.features.total_bins());
        let mut parent = vec![BinSums::default(); data.features.total_bins()];
        builder.build(&data, &all, &grads, BinSums::of(&grads), &mut parent);
        let want = naive(&x, &all, &grads);
        for (a, b) in parent.iter().zip(&want) {
            assert!(close(a, b), "{a:?} {b:?}");
        }

        let (left, right): (Vec<u32>, Vec<u32>) = all.iter().partition(|&&r| r % 3 == 0);
        let left_grads: Vec<GradHess> = left.iter().map(|&r| grads[r as usize]).collect();
        let right_grads: Vec<GradHess> = right.iter().map(|&r| grads[r as usize]).collect();
        let mut small = vec![BinSums::default(); data.features.total_bins()];
        builder.build(
            &data,
            &left,
            &left_grads,
            BinSums::of(&left_grads),
            &mut small,
        );
        subtract(&mut parent, &small);
        let want_right = naive(&x, &right, &right_grads);
        for (a, b) in parent.iter().zip(&want_right) {
            assert!(close(a, b), "{a:?} {b:?}");
        }
    }
}
