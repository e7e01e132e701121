//! Binned features stored row by row, so that the features a split search reads for one row
//! share a cache line or two.

use rayon::prelude::*;

use crate::binning::BinnedMatrix;

/// Rows transposed per rayon task.
const TRANSPOSE_BLOCK_ROWS: usize = 512;

/// A row-major copy of a [`BinnedMatrix`].
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RowBins {
    n_features: usize,
    bins: Vec<u8>,
    n_bins: Vec<usize>,
}

impl RowBins {
    /// Transposes `binned` into row-major order.
    pub(crate) fn from_binned(binned: &BinnedMatrix) -> Self {
        let n_rows = binned.n_rows();
        let n_features = binned.n_cols();
        let mut bins = vec![0u8; n_rows * n_features];
        if n_features > 0 {
            bins.par_chunks_mut(TRANSPOSE_BLOCK_ROWS * n_features)
                .enumerate()
                .for_each(|(block, dst)| {
                    let first = block * TRANSPOSE_BLOCK_ROWS;
                    let len = dst.len() / n_features;
                    for f in 0..n_features {
                        let column = &binned.column(f)[first..first + len];
                        for (i, &b) in column.iter().enumerate() {
                            dst[i * n_features + f] = b;
                        }
                    }
                });
        }
        Self {
            n_features,
            bins,
            n_bins: (0..n_features).map(|f| binned.n_bins(f)).collect(),
        }
    }

    /// Number of features.
    pub(crate) fn n_features(&self) -> usize {
        self.n_features
    }

    /// The bins of row `i`, one per feature.
    #[inline]
    pub(crate) fn row(&self, i: u32) -> &[u8] {
        let start = i as usize * self.n_features;
        &self.bins[start..start + self.n_features]
    }

    /// Number of bins of feature `f`.
    pub(crate) fn n_bins(&self, f: usize) -> usize {
        self.n_bins[f]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Matrix;
    use crate::binning::BinMapper;

    #[test]
    fn rows_match_the_columns() {
        let values: Vec<f32> = (0..3000).map(|i| ((i * 37) % 101) as f32).collect();
        let x = Matrix::new(1000, 3, values).unwrap();
        let binned = BinMapper::fit(&x, 16).unwrap().transform(&x).unwrap();
        let rows = RowBins::from_binned(&binned);
        for i in 0..1000u32 {
            for f in 0..3 {
                assert_eq!(rows.row(i)[f], binned.column(f)[i as usize]);
            }
        }
        assert_eq!(rows.n_bins(2), binned.n_bins(2));
    }
}
