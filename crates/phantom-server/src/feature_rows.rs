//! Batch rows decoded straight into the model's f32 feature matrix.
//!
//! Decoding `{"rows": [[...], ...]}` into nested `Vec<f64>` rows and converting them
//! afterwards costs an allocation per row and a second pass over every value; this decoder
//! writes each number into one flat buffer as it is parsed, checking as it goes that every
//! row is as long as the first and that each value is a finite number that fits an f32.
//! The same checks apply to raw little-endian f32 bodies ([`FeatureRows::from_le_bytes`]).

use std::fmt;

use phantom_engine::Matrix;
use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};

/// Rows of feature values, row-major, all of one length.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct FeatureRows {
    values: Vec<f32>,
    n_cols: usize,
    n_rows: usize,
}

impl FeatureRows {
    /// The number of rows.
    pub(crate) fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// The rows as a matrix (an empty batch is a 0 × 0 matrix).
    pub(crate) fn into_matrix(self) -> Result<Matrix, String> {
        Matrix::new(self.n_rows, self.n_cols, self.values).map_err(|e| e.to_string())
    }

    /// Rows of `n_cols` little-endian f32 values each, back to back.
    pub(crate) fn from_le_bytes(bytes: &[u8], n_cols: usize) -> Result<Self, String> {
        const WIDTH: usize = size_of::<f32>();
        if n_cols == 0 {
            return Err("columns must be at least 1".into());
        }
        let row_bytes = n_cols
            .checked_mul(WIDTH)
            .ok_or_else(|| format!("columns={n_cols} is too large"))?;
        if !bytes.len().is_multiple_of(row_bytes) {
            return Err(format!(
                "the body has {} bytes, not a whole number of rows of {n_cols} f32 values \
                 ({row_bytes} bytes each)",
                bytes.len()
            ));
        }
        let values: Vec<f32> = bytes
            .chunks_exact(WIDTH)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(format!(
                "row {}, column {}: {} is not a finite number",
                i / n_cols,
                i % n_cols,
                values[i]
            ));
        }
        Ok(Self {
            n_rows: values.len() / n_cols,
            values,
            n_cols,
        })
    }
}

impl<'de> serde::Deserialize<'de> for FeatureRows {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(RowsVisitor)
    }
}

/// Visits the outer array.
struct RowsVisitor;

impl<'de> Visitor<'de> for RowsVisitor {
    type Value = FeatureRows;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of rows, each an array of numbers")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FeatureRows, A::Error> {
        let mut rows = FeatureRows::default();
        while seq
            .next_element_seed(RowSeed { rows: &mut rows })?
            .is_some()
        {}
        Ok(rows)
    }
}

/// Appends one row to the buffer.
struct RowSeed<'a> {
    rows: &'a mut FeatureRows,
}

impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "row {} as an array of numbers", self.rows.n_rows)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let rows = self.rows;
        let row = rows.n_rows;
        let start = rows.values.len();
        if row == 0 {
            rows.values.reserve(seq.size_hint().unwrap_or(0));
        }
        while let Some(value) = seq.next_element::<f64>()? {
            let column = rows.values.len() - start;
            let narrow = value as f32;
            if !narrow.is_finite() {
                return Err(de::Error::custom(format!(
                    "row {row}, column {column}: {value:e} is outside the range of a 32-bit float"
                )));
            }
            rows.values.push(narrow);
        }
        let got = rows.values.len() - start;
        if row == 0 {
            if got == 0 {
                return Err(de::Error::custom("row 0 is empty"));
            }
            rows.n_cols = got;
            // Rows of a batch are usually of one size: room for 1,000 more of this one.
            rows.values.reserve(got * 1_000);
        } else if got != rows.n_cols {
            return Err(de::Error::custom(format!(
                "row {row} has {got} values but row 0 has {}",
                rows.n_cols
            )));
        }
        rows.n_rows += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decode(json: &str) -> Result<FeatureRows, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn rows_land_in_one_row_major_buffer() {
        let rows = decode("[[1, 2.5, -3], [4, 5, 6e3]]").unwrap();
        assert_eq!((rows.n_rows, rows.n_cols), (2, 3));
        assert_eq!(rows.values, [1.0, 2.5, -3.0, 4.0, 5.0, 6e3]);
        let m = rows.into_matrix().unwrap();
        assert_eq!(m.row(1), [4.0, 5.0, 6e3]);
    }

    #[test]
    fn bad_rows_are_named() {
        let e = decode("[[1, 2], [3]]").unwrap_err();
        assert!(e.contains("row 1 has 1 values but row 0 has 2"), "{e}");
        let e = decode("[[1, 2], [3, 1e39]]").unwrap_err();
        assert!(
            e.contains("row 1, column 1: 1e39 is outside the range of a 32-bit float"),
            "{e}"
        );
        let e = decode("[[]]").unwrap_err();
        assert!(e.contains("row 0 is empty"), "{e}");
        let e = decode("[[1, \"x\"]]").unwrap_err();
        assert!(e.contains("invalid type"), "{e}");
        let e = decode("[1, 2]").unwrap_err();
        assert!(e.contains("row 0 as an array of numbers"), "{e}");
    }

    #[test]
    fn an_empty_batch_is_an_empty_matrix() {
        let rows = decode("[]").unwrap();
        assert_eq!(rows.n_rows(), 0);
        assert_eq!(rows.into_matrix().unwrap().n_rows(), 0);
    }

    #[test]
    fn binary_rows_are_checked() {
        let bytes: Vec<u8> = [1.0f32, 2.0, 3.0, 4.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let rows = FeatureRows::from_le_bytes(&bytes, 2).unwrap();
        assert_eq!((rows.n_rows, rows.n_cols), (2, 2));
        let e = FeatureRows::from_le_bytes(&bytes, 3).unwrap_err();
        assert!(
            e.contains("16 bytes, not a whole number of rows of 3"),
            "{e}"
        );
        let nan: Vec<u8> = [1.0f32, f32::NAN]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let e = FeatureRows::from_le_bytes(&nan, 2).unwrap_err();
        assert!(e.contains("row 0, column 1: NaN"), "{e}");
        assert!(FeatureRows::from_le_bytes(&bytes, 0).is_err());
        let e = FeatureRows::from_le_bytes(&bytes, usize::MAX).unwrap_err();
        assert!(e.contains("is too large"), "{e}");
    }

    proptest! {
        #[test]
        fn json_rows_decode_to_the_values_nested_rows_give(
            rows in prop::collection::vec(prop::collection::vec(-1e30f64..1e30, 3), 0..20)
        ) {
            let json = serde_json::to_string(&rows).unwrap();
            let decoded = decode(&json).unwrap();
            let flat: Vec<f32> = rows.iter().flatten().map(|&v| v as f32).collect();
            prop_assert_eq!(decoded.values, flat);
            prop_assert_eq!(decoded.n_rows, rows.len());
        }

        #[test]
        fn binary_rows_round_trip(values in prop::collection::vec(-1e30f32..1e30, 1..64)) {
            let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            let rows = FeatureRows::from_le_bytes(&bytes, 1).unwrap();
            prop_assert_eq!(rows.values, values);
        }
    }
}
