//! A dense, row-major matrix of `f32` features.

use serde::{Deserialize, Serialize};

use crate::MlError;

/// A dense row-major matrix: `n_rows` samples of `n_cols` features each.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Matrix {
    n_rows: usize,
    n_cols: usize,
    data: Vec<f32>,
}

impl Matrix {
    /// Wraps `data` (row-major, `n_rows * n_cols` values) as a matrix.
    pub fn new(n_rows: usize, n_cols: usize, data: Vec<f32>) -> Result<Self, MlError> {
        if n_rows.checked_mul(n_cols) != Some(data.len()) {
            return Err(MlError::DimensionMismatch {
                what: "matrix data length (rows x columns)",
                expected: n_rows.saturating_mul(n_cols),
                got: data.len(),
            });
        }
        Ok(Self {
            n_rows,
            n_cols,
            data,
        })
    }

    /// Builds a matrix from equal-length rows.
    pub fn from_rows(rows: &[Vec<f32>]) -> Result<Self, MlError> {
        let n_cols = rows.first().map_or(0, Vec::len);
        let mut data = Vec::with_capacity(rows.len() * n_cols);
        for row in rows {
            if row.len() != n_cols {
                return Err(MlError::DimensionMismatch {
                    what: "row length",
                    expected: n_cols,
                    got: row.len(),
                });
            }
            data.extend_from_slice(row);
        }
        Self::new(rows.len(), n_cols, data)
    }

    /// A matrix of zeros.
    pub fn zeros(n_rows: usize, n_cols: usize) -> Self {
        Self {
            n_rows,
            n_cols,
            data: vec![0.0; n_rows * n_cols],
        }
    }

    /// Number of rows (samples).
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Number of columns (features).
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// Row `i` as a slice of `n_cols` values.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.n_cols..(i + 1) * self.n_cols]
    }

    /// Row `i` as a mutable slice.
    pub fn row_mut(&mut self, i: usize) -> &mut [f32] {
        &mut self.data[i * self.n_cols..(i + 1) * self.n_cols]
    }

    /// The value at row `i`, column `j`.
    pub fn get(&self, i: usize, j: usize) -> f32 {
        self.data[i * self.n_cols + j]
    }

    /// Iterates over the rows.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = &[f32]> + '_ {
        // `max(1)` keeps `chunks_exact` valid for zero-column matrices, which have no data.
        self.data
            .chunks_exact(self.n_cols.max(1))
            .take(if self.n_cols == 0 { 0 } else { self.n_rows })
    }

    /// All values, row-major.
    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }

    /// All values, row-major, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [f32] {
        &mut self.data
    }

    /// Column `j` copied into a vector.
    pub fn column(&self, j: usize) -> Vec<f32> {
        self.rows().map(|r| r[j]).collect()
    }

    /// A new matrix holding the given rows, in the given order (indices may repeat).
    pub fn select_rows(&self, indices: &[usize]) -> Matrix {
        let mut data = Vec::with_capacity(indices.len() * self.n_cols);
        for &i in indices {
            data.extend_from_slice(self.row(i));
        }
        Matrix {
            n_rows: indices.len(),
            n_cols: self.n_cols,
            data,
        }
    }

    /// Checks that the matrix has rows and columns and that every value is finite.
    pub fn check_fit_input(&self) -> Result<(), MlError> {
        if self.n_rows == 0 {
            return Err(MlError::EmptyData("no rows"));
        }
        if self.n_cols == 0 {
            return Err(MlError::EmptyData("no feature columns"));
        }
        self.check_finite()
    }

    /// Returns an error naming the first NaN or infinite value, if any.
    pub fn check_finite(&self) -> Result<(), MlError> {
        match self.data.iter().position(|v| !v.is_finite()) {
            None => Ok(()),
            Some(p) => Err(MlError::NonFinite {
                row: p / self.n_cols,
                col: p % self.n_cols,
                value: f64::from(self.data[p]),
            }),
        }
    }

    /// Checks that the matrix has the number of columns a model was trained with.
    pub fn check_n_features(&self, expected: usize) -> Result<(), MlError> {
        if self.n_cols == expected {
            Ok(())
        } else {
            Err(MlError::DimensionMismatch {
                what: "feature count",
                expected,
                got: self.n_cols,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_rejects_wrong_length() {
        assert!(matches!(
            Matrix::new(2, 3, vec![0.0; 5]),
            Err(MlError::DimensionMismatch {
                expected: 6,
                got: 5,
                ..
            })
        ));
    }

    #[test]
    fn from_rows_rejects_ragged_rows() {
        let err = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0]]).unwrap_err();
        assert!(matches!(
            err,
            MlError::DimensionMismatch {
                expected: 2,
                got: 1,
                ..
            }
        ));
    }

    #[test]
    fn rows_and_columns() {
        let m = Matrix::new(2, 2, vec![1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(m.row(1), &[3.0, 4.0]);
        assert_eq!(m.column(0), vec![1.0, 3.0]);
        assert_eq!(m.rows().count(), 2);
        assert_eq!(m.select_rows(&[1, 1]).as_slice(), &[3.0, 4.0, 3.0, 4.0]);
    }

    #[test]
    fn finite_check_names_the_cell() {
        let m = Matrix::new(2, 2, vec![1.0, 2.0, 3.0, f32::NAN]).unwrap();
        assert!(matches!(
            m.check_finite(),
            Err(MlError::NonFinite { row: 1, col: 1, .. })
        ));
    }
}
