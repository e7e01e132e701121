//! Feature binning for histogram-based trees: each feature is cut once into at most 256 bins.
//!
//! A [`BinMapper`] learns, per feature, a sorted list of upper bounds. Value `v` falls in bin `b`,
//! the number of upper bounds strictly below `v`; so `v <= upper_bound(b)` exactly when
//! `bin(v) <= b`, and a split "bin <= b" found on binned data is the split "v <= upper_bound(b)"
//! on raw data. Trees therefore store real thresholds and predict on raw values.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{Matrix, MlError};

/// The largest number of bins a feature can have (bins are stored as `u8`).
pub const MAX_BINS: usize = 256;

/// Features binned together: one pass over the rows reads this many adjacent values per row.
const COLUMN_GROUP: usize = 16;

/// Rows used to choose bin boundaries; larger inputs are subsampled with a fixed stride.
const FIT_SAMPLE_ROWS: usize = 200_000;

/// Per-feature bin boundaries learnt from data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BinMapper {
    upper_bounds: Vec<Vec<f32>>,
}

impl BinMapper {
    /// Learns at most `max_bins` bins per feature (2..=256) from the columns of `x`.
    ///
    /// A feature with at most `max_bins` distinct values gets one bin per value (bounds at the
    /// midpoints); otherwise bins hold roughly equal numbers of rows, and a value that alone fills
    /// more than a bin's share keeps a bin of its own.
    pub fn fit(x: &Matrix, max_bins: usize) -> Result<Self, MlError> {
        if !(2..=MAX_BINS).contains(&max_bins) {
            return Err(MlError::InvalidParameter {
                name: "max_bins",
                reason: format!("must be between 2 and {MAX_BINS}, got {max_bins}"),
            });
        }
        x.check_fit_input()?;
        let stride = x.n_rows().div_ceil(FIT_SAMPLE_ROWS);
        let n_cols = x.n_cols();
        let groups: Vec<usize> = (0..n_cols).step_by(COLUMN_GROUP).collect();
        let upper_bounds = groups
            .into_par_iter()
            .flat_map_iter(|first| {
                let last = (first + COLUMN_GROUP).min(n_cols);
                // One pass over the rows reads this group's values, contiguous in each row.
                let mut columns = vec![Vec::new(); last - first];
                for row in x.rows().step_by(stride) {
                    for (col, &v) in columns.iter_mut().zip(&row[first..last]) {
                        col.push(v);
                    }
                }
                columns
                    .into_iter()
                    .map(|values| match few_distinct(&values, max_bins) {
                        Some(distinct) => midpoints(&distinct),
                        None => bounds_for_sorted(&sorted(&values), max_bins),
                    })
            })
            .collect();
        Ok(Self { upper_bounds })
    }

    /// Number of features the mapper was fitted on.
    pub fn n_features(&self) -> usize {
        self.upper_bounds.len()
    }

    /// Number of bins of feature `f` (1..=256).
    pub fn n_bins(&self, f: usize) -> usize {
        self.upper_bounds[f].len() + 1
    }

    /// The upper bounds of feature `f`'s bins, except the last bin, which is unbounded.
    pub fn upper_bounds(&self, f: usize) -> &[f32] {
        &self.upper_bounds[f]
    }

    /// The largest value in bin `b` of feature `f`: the raw threshold of the split "bin <= b".
    pub fn upper_bound(&self, f: usize, b: usize) -> f32 {
        self.upper_bounds[f][b]
    }

    /// The bin of value `v` of feature `f`.
    pub fn bin(&self, f: usize, v: f32) -> u8 {
        self.upper_bounds[f].partition_point(|&t| t < v) as u8
    }

    /// Bins every value of `x` (which must have this mapper's feature count), column by column.
    pub fn transform(&self, x: &Matrix) -> Result<BinnedMatrix, MlError> {
        x.check_n_features(self.n_features())?;
        let n_rows = x.n_rows();
        let mut columns = vec![0u8; n_rows * self.n_features()];
        if n_rows > 0 {
            columns
                .par_chunks_mut(n_rows * COLUMN_GROUP)
                .enumerate()
                .for_each(|(group, dst)| {
                    let first = group * COLUMN_GROUP;
                    let width = dst.len() / n_rows;
                    // Row by row, so the reads are sequential; the group's columns are written
                    // in step.
                    for (i, row) in x.rows().enumerate() {
                        for (j, &v) in row[first..first + width].iter().enumerate() {
                            dst[j * n_rows + i] = self.bin(first + j, v);
                        }
                    }
                });
        }
        Ok(BinnedMatrix {
            n_rows,
            n_cols: self.n_features(),
            columns,
            n_bins: (0..self.n_features())
                .map(|f| self.n_bins(f) as u16)
                .collect(),
        })
    }
}

/// Slots of the hash table that counts a column's distinct values; twice the most values it
/// may hold, so probes stay short.
const DISTINCT_TABLE_SLOTS: usize = 2 * MAX_BINS;

/// The distinct values of `values` in ascending order when there are at most `max_bins`, else
/// `None` (found early: the count stops at `max_bins + 1`). Values are finite; `-0.0` and
/// `0.0` are one value, written `-0.0` when it occurs, as sorting then grouping equal values
/// would leave it.
fn few_distinct(values: &[f32], max_bins: usize) -> Option<Vec<f32>> {
    let mut slots: [Option<f32>; DISTINCT_TABLE_SLOTS] = [None; DISTINCT_TABLE_SLOTS];
    let mut n_distinct = 0;
    for &v in values {
        // Both zeros share a key.
        let key = if v == 0.0 { 0 } else { v.to_bits() };
        let mut slot = (key.wrapping_mul(0x9E37_79B1) >> 23) as usize % DISTINCT_TABLE_SLOTS;
        loop {
            match &mut slots[slot] {
                Some(seen) if *seen == v => {
                    if v.is_sign_negative() {
                        *seen = v;
                    }
                    break;
                }
                Some(_) => slot = (slot + 1) % DISTINCT_TABLE_SLOTS,
                empty @ None => {
                    n_distinct += 1;
                    if n_distinct > max_bins {
                        return None;
                    }
                    *empty = Some(v);
                    break;
                }
            }
        }
    }
    let mut distinct: Vec<f32> = slots.into_iter().flatten().collect();
    distinct.sort_unstable_by(f32::total_cmp);
    Some(distinct)
}

/// The bounds of one bin per distinct value: midpoints between neighbours.
fn midpoints(distinct: &[f32]) -> Vec<f32> {
    distinct.windows(2).map(|w| midpoint(w[0], w[1])).collect()
}

/// `values` in ascending [`f32::total_cmp`] order, by a least-significant-digit radix sort of
/// their bits mapped to unsigned integers of the same order.
fn sorted(values: &[f32]) -> Vec<f32> {
    let mut keys: Vec<u32> = values
        .iter()
        .map(|v| {
            let b = v.to_bits();
            if b >> 31 == 1 { !b } else { b | 1 << 31 }
        })
        .collect();
    let mut scratch = vec![0u32; keys.len()];
    for shift in [0, 8, 16, 24] {
        let mut starts = [0usize; 256];
        for &k in &keys {
            starts[((k >> shift) & 0xFF) as usize] += 1;
        }
        let mut next = 0;
        for s in &mut starts {
            let count = *s;
            *s = next;
            next += count;
        }
        for &k in &keys {
            let digit = ((k >> shift) & 0xFF) as usize;
            scratch[starts[digit]] = k;
            starts[digit] += 1;
        }
        std::mem::swap(&mut keys, &mut scratch);
    }
    keys.into_iter()
        .map(|k| f32::from_bits(if k >> 31 == 1 { k & !(1 << 31) } else { !k }))
        .collect()
}

/// Upper bounds for one feature from its sorted values.
fn bounds_for_sorted(sorted: &[f32], max_bins: usize) -> Vec<f32> {
    let mut distinct: Vec<(f32, usize)> = Vec::new();
    for &v in sorted {
        match distinct.last_mut() {
            Some((last, count)) if *last == v => *count += 1,
            _ => distinct.push((v, 1)),
        }
    }
    if distinct.len() <= max_bins {
        return distinct
            .windows(2)
            .map(|w| midpoint(w[0].0, w[1].0))
            .collect();
    }
    let mut bounds = Vec::with_capacity(max_bins - 1);
    let mut remaining_rows = sorted.len();
    let mut in_bin = 0usize;
    for (i, &(value, count)) in distinct.iter().enumerate() {
        in_bin += count;
        let bins_left = max_bins - bounds.len();
        let target = remaining_rows.div_ceil(bins_left);
        let next = distinct.get(i + 1);
        let next_alone_fills_bin = next.is_some_and(|&(_, c)| c >= target);
        if let Some(&(next_value, _)) = next
            && bins_left > 1
            && (in_bin >= target || next_alone_fills_bin)
        {
            bounds.push(midpoint(value, next_value));
            remaining_rows -= in_bin;
            in_bin = 0;
        }
    }
    bounds
}

/// A bound between two consecutive distinct values `a < b` that keeps `a` below or on it and
/// `b` above it, even when f32 rounding makes the plain midpoint equal to `b`.
fn midpoint(a: f32, b: f32) -> f32 {
    let m = a + (b - a) / 2.0;
    if m < b { m } else { a }
}

/// A matrix of bin indices, stored column by column for fast histogram building.
#[derive(Clone, Debug, PartialEq)]
pub struct BinnedMatrix {
    n_rows: usize,
    n_cols: usize,
    columns: Vec<u8>,
    n_bins: Vec<u16>,
}

impl BinnedMatrix {
    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Number of features.
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// The bins of feature `f` for every row.
    pub fn column(&self, f: usize) -> &[u8] {
        &self.columns[f * self.n_rows..(f + 1) * self.n_rows]
    }

    /// Number of bins of feature `f`.
    pub fn n_bins(&self, f: usize) -> usize {
        usize::from(self.n_bins[f])
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn few_distinct_values_get_one_bin_each() {
        let x = Matrix::new(5, 1, vec![3.0, 1.0, 2.0, 1.0, 3.0]).unwrap();
        let m = BinMapper::fit(&x, 256).unwrap();
        assert_eq!(m.n_bins(0), 3);
        assert_eq!(m.upper_bounds(0), &[1.5, 2.5]);
        assert_eq!([m.bin(0, 1.0), m.bin(0, 2.0), m.bin(0, 3.0)], [0, 1, 2]);
        assert_eq!(m.bin(0, -100.0), 0);
        assert_eq!(m.bin(0, 100.0), 2);
    }

    #[test]
    fn many_values_are_capped_and_a_heavy_value_keeps_its_own_bin() {
        let mut data: Vec<f32> = (0..10_000).map(|i| i as f32).collect();
        data.extend(std::iter::repeat_n(0.0, 90_000));
        let x = Matrix::new(data.len(), 1, data).unwrap();
        let m = BinMapper::fit(&x, 16).unwrap();
        assert!(m.n_bins(0) <= 16);
        assert_eq!(m.bin(0, 0.0), 0);
        assert_eq!(m.bin(0, 1.0), 1, "the heavy zero must not share its bin");
        assert!(
            m.n_bins(0) >= 10,
            "the rest keeps resolution: {}",
            m.n_bins(0)
        );
    }

    #[test]
    fn rejects_bad_max_bins() {
        let x = Matrix::new(1, 1, vec![1.0]).unwrap();
        assert!(BinMapper::fit(&x, 1).is_err());
        assert!(BinMapper::fit(&x, 257).is_err());
    }

    #[test]
    fn transform_is_column_major() {
        let x = Matrix::new(2, 2, vec![1.0, 10.0, 2.0, 20.0]).unwrap();
        let m = BinMapper::fit(&x, 256).unwrap();
        let b = m.transform(&x).unwrap();
        assert_eq!(b.column(0), &[0, 1]);
        assert_eq!(b.column(1), &[0, 1]);
    }

    /// The bounds the way they were first computed: sort with `total_cmp`, then group.
    fn bounds_by_comparison_sort(values: &[f32], max_bins: usize) -> Vec<f32> {
        let mut v = values.to_vec();
        v.sort_unstable_by(f32::total_cmp);
        bounds_for_sorted(&v, max_bins)
    }

    #[test]
    fn both_zeros_are_one_value_written_as_the_negative_one() {
        let values = [0.0, -0.0, 1.0, 0.0, -2.0];
        let distinct = few_distinct(&values, 256).unwrap();
        assert_eq!(distinct.len(), 3);
        assert!(distinct[1] == 0.0 && distinct[1].is_sign_negative());
        assert_eq!(few_distinct(&values, 2), None);
    }

    proptest! {
        #[test]
        fn radix_sort_matches_total_cmp(
            values in prop::collection::vec(prop::num::f32::NORMAL | prop::num::f32::ZERO, 0..500),
        ) {
            let mut want = values.clone();
            want.sort_unstable_by(f32::total_cmp);
            let got = sorted(&values);
            prop_assert_eq!(
                got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                want.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
        }

        #[test]
        fn fast_paths_give_the_bounds_of_sorting(
            picks in prop::collection::vec(0usize..40, 1..600),
            palette in prop::collection::vec(prop::num::f32::NORMAL | prop::num::f32::ZERO, 40),
            max_bins in 2usize..=256,
        ) {
            let values: Vec<f32> = picks.iter().map(|&i| palette[i]).collect();
            let want = bounds_by_comparison_sort(&values, max_bins);
            let x = Matrix::new(values.len(), 1, values).unwrap();
            let got = BinMapper::fit(&x, max_bins).unwrap();
            prop_assert_eq!(
                got.upper_bounds(0).iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                want.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
        }
        #[test]
        fn bin_order_matches_threshold_order(
            values in prop::collection::vec(-1e6f32..1e6, 1..400),
            max_bins in 2usize..=256,
            probe in -2e6f32..2e6,
        ) {
            let x = Matrix::new(values.len(), 1, values.clone()).unwrap();
            let m = BinMapper::fit(&x, max_bins).unwrap();
            prop_assert!(m.n_bins(0) <= max_bins);
            let b = usize::from(m.bin(0, probe));
            for split in 0..m.n_bins(0) - 1 {
                prop_assert_eq!(probe <= m.upper_bound(0, split), b <= split);
            }
            let bounds = m.upper_bounds(0);
            prop_assert!(bounds.windows(2).all(|w| w[0] < w[1]));
        }
    }
}
