//! Feature scaling fitted on training data: min-max, z-score, robust and unit-vector.
//!
//! [`Scaler::fit`] learns per-feature statistics for a [`ScalerKind`]; the fitted [`Scaler`]
//! transforms whole matrices or single rows in place (the same arithmetic either way).

mod column_stats;
mod kind;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{Matrix, MlError};
pub use kind::ScalerKind;

/// Rows per rayon task when transforming a matrix.
const TRANSFORM_CHUNK_ROWS: usize = 1024;

/// A spread below this (scikit-learn's `10 * eps`) counts as a constant feature, scaled by 1.
const MIN_SCALE: f64 = 10.0 * f64::EPSILON;

/// A fitted scaler: `x' = (x - offset) / scale` per feature, or a per-row L2 normalisation for
/// [`ScalerKind::UnitVector`].
///
/// A constant feature (zero range, standard deviation or IQR) gets scale 1, so it is only
/// shifted, never divided by zero.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scaler {
    kind: ScalerKind,
    n_features: usize,
    offsets: Vec<f64>,
    scales: Vec<f64>,
}

impl Scaler {
    /// Learns the statistics of `kind` from the rows of `x` (which must be non-empty and finite).
    pub fn fit(kind: ScalerKind, x: &Matrix) -> Result<Scaler, MlError> {
        x.check_fit_input()?;
        let (offsets, spreads) = match kind {
            ScalerKind::MinMax => {
                let (min, max) = column_stats::min_max(x);
                let range = max.iter().zip(&min).map(|(hi, lo)| hi - lo).collect();
                (min, range)
            }
            ScalerKind::ZScore => column_stats::mean_std(x),
            ScalerKind::Robust => column_stats::quartiles(x)
                .into_iter()
                .map(|[q1, median, q3]| (median, q3 - q1))
                .unzip(),
            ScalerKind::UnitVector => (Vec::new(), Vec::new()),
        };
        let scales = spreads
            .into_iter()
            .map(|s| if s < MIN_SCALE { 1.0 } else { s })
            .collect();
        Ok(Scaler {
            kind,
            n_features: x.n_cols(),
            offsets,
            scales,
        })
    }

    /// The kind of scaling.
    pub fn kind(&self) -> ScalerKind {
        self.kind
    }

    /// Number of features the scaler was fitted on.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Per-feature value subtracted (minimum, mean or median); empty for `UnitVector`.
    pub fn offsets(&self) -> &[f64] {
        &self.offsets
    }

    /// Per-feature divisor (range, standard deviation or IQR, 1 for constant features); empty
    /// for `UnitVector`.
    pub fn scales(&self) -> &[f64] {
        &self.scales
    }

    /// A scaled copy of `x`, which must have the fitted number of features; rows in parallel.
    pub fn transform(&self, x: &Matrix) -> Result<Matrix, MlError> {
        x.check_n_features(self.n_features)?;
        let mut out = x.clone();
        let row_len = self.n_features.max(1);
        out.as_mut_slice()
            .par_chunks_mut(TRANSFORM_CHUNK_ROWS * row_len)
            .for_each(|chunk| {
                chunk
                    .chunks_exact_mut(row_len)
                    .for_each(|row| self.transform_row_in_place(row));
            });
        Ok(out)
    }

    /// Scales one row in place, exactly as [`transform`](Self::transform) does.
    ///
    /// The row should have [`n_features`](Self::n_features) values; for the per-feature kinds,
    /// values beyond that are left unchanged.
    pub fn transform_row_in_place(&self, row: &mut [f32]) {
        if self.kind == ScalerKind::UnitVector {
            let norm = row
                .iter()
                .map(|&v| f64::from(v) * f64::from(v))
                .sum::<f64>()
                .sqrt();
            if norm > 0.0 {
                row.iter_mut()
                    .for_each(|v| *v = (f64::from(*v) / norm) as f32);
            }
            return;
        }
        for ((v, offset), scale) in row.iter_mut().zip(&self.offsets).zip(&self.scales) {
            *v = ((f64::from(*v) - offset) / scale) as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Matrix {
        Matrix::new(4, 2, vec![1.0, 5.0, 2.0, 5.0, 3.0, 5.0, 10.0, 5.0]).unwrap()
    }

    #[test]
    fn min_max_maps_training_range_to_unit_interval() {
        let scaled = Scaler::fit(ScalerKind::MinMax, &sample())
            .unwrap()
            .transform(&sample())
            .unwrap();
        assert_eq!(scaled.column(0), vec![0.0, 1.0 / 9.0, 2.0 / 9.0, 1.0]);
        // The constant column is shifted to 0, not divided by zero.
        assert_eq!(scaled.column(1), vec![0.0; 4]);
    }

    #[test]
    fn robust_uses_median_and_iqr() {
        let scaler = Scaler::fit(ScalerKind::Robust, &sample()).unwrap();
        // numpy.percentile([1, 2, 3, 10], [25, 50, 75]) = [1.75, 2.5, 4.75]
        assert_eq!(scaler.offsets(), &[2.5, 5.0]);
        assert_eq!(scaler.scales(), &[3.0, 1.0]);
    }

    #[test]
    fn unit_vector_normalises_rows_and_keeps_zero_rows() {
        let x = Matrix::new(2, 2, vec![3.0, 4.0, 0.0, 0.0]).unwrap();
        let scaled = Scaler::fit(ScalerKind::UnitVector, &x)
            .unwrap()
            .transform(&x)
            .unwrap();
        assert_eq!(scaled.as_slice(), &[0.6, 0.8, 0.0, 0.0]);
    }

    #[test]
    fn rejects_wrong_width_and_bad_input() {
        let scaler = Scaler::fit(ScalerKind::ZScore, &sample()).unwrap();
        assert!(matches!(
            scaler.transform(&Matrix::zeros(1, 3)),
            Err(MlError::DimensionMismatch {
                expected: 2,
                got: 3,
                ..
            })
        ));
        assert!(matches!(
            Scaler::fit(ScalerKind::ZScore, &Matrix::zeros(0, 2)),
            Err(MlError::EmptyData(_))
        ));
    }
}
