//! A table of named numeric columns with missing values.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::error::{AnalyticsError, json_type};

/// Named numeric columns of equal length; `None` is a missing value.
///
/// NaN and infinities are allowed in the type so that [`data_quality`](super::data_quality)
/// can count them; the other analytics functions reject them with an error naming the column
/// and row. The fields are public, so every function checks the shape first (at least one
/// column and one row, one unique name per column, equal lengths).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    /// Column names, unique.
    pub names: Vec<String>,
    /// The columns, each one value per row.
    pub columns: Vec<Vec<Option<f64>>>,
}

impl Dataset {
    /// A dataset from names and columns, checked as [`check_shape`](Self::check_shape) does.
    pub fn from_columns(
        names: Vec<String>,
        columns: Vec<Vec<Option<f64>>>,
    ) -> Result<Dataset, AnalyticsError> {
        let dataset = Dataset { names, columns };
        dataset.check_shape()?;
        Ok(dataset)
    }

    /// A dataset from a JSON array of objects (`[{"a": 1, "b": 2}, {"a": 3, "b": null}]`).
    ///
    /// Columns come in the order their names are first met; a field that is null or absent
    /// from a row is missing there. Every field must be a number or null: anything else is an
    /// error naming the row and field.
    pub fn from_json_rows(rows: &serde_json::Value) -> Result<Dataset, AnalyticsError> {
        let rows = rows
            .as_array()
            .ok_or_else(|| AnalyticsError::RowsNotArray {
                got: json_type(rows),
            })?;
        let mut names: Vec<String> = Vec::new();
        let mut index_of: HashMap<String, usize> = HashMap::new();
        let mut columns: Vec<Vec<Option<f64>>> = Vec::new();
        for (row, value) in rows.iter().enumerate() {
            let object = value.as_object().ok_or(AnalyticsError::RowNotObject {
                row,
                got: json_type(value),
            })?;
            for (field, cell) in object {
                let number = match cell {
                    serde_json::Value::Null => None,
                    serde_json::Value::Number(n) => n.as_f64(),
                    serde_json::Value::Bool(_)
                    | serde_json::Value::String(_)
                    | serde_json::Value::Array(_)
                    | serde_json::Value::Object(_) => {
                        return Err(AnalyticsError::CellNotNumber {
                            row,
                            field: field.clone(),
                            got: json_type(cell),
                        });
                    }
                };
                let column = match index_of.get(field) {
                    Some(&index) => columns.get_mut(index),
                    None => {
                        index_of.insert(field.clone(), names.len());
                        names.push(field.clone());
                        columns.push(vec![None; row]);
                        columns.last_mut()
                    }
                };
                if let Some(column) = column {
                    column.push(number);
                }
            }
            // Fields this row lacks are missing in it.
            for column in &mut columns {
                column.resize(row + 1, None);
            }
        }
        Self::from_columns(names, columns)
    }

    /// Number of rows (0 when there are no columns).
    pub fn n_rows(&self) -> usize {
        self.columns.first().map_or(0, Vec::len)
    }

    /// Checks that there is at least one column and one row, one unique name per column, and
    /// that the columns are equally long.
    pub fn check_shape(&self) -> Result<(), AnalyticsError> {
        if self.names.len() != self.columns.len() {
            return Err(AnalyticsError::NameCount {
                names: self.names.len(),
                columns: self.columns.len(),
            });
        }
        if self.columns.is_empty() {
            return Err(AnalyticsError::NoColumns);
        }
        let mut seen = HashSet::new();
        if let Some(name) = self.names.iter().find(|name| !seen.insert(name.as_str())) {
            return Err(AnalyticsError::DuplicateName { name: name.clone() });
        }
        let expected = self.n_rows();
        if let Some((name, column)) = self
            .names
            .iter()
            .zip(&self.columns)
            .find(|(_, column)| column.len() != expected)
        {
            return Err(AnalyticsError::ColumnLength {
                column: name.clone(),
                expected,
                got: column.len(),
            });
        }
        if expected == 0 {
            return Err(AnalyticsError::NoRows);
        }
        Ok(())
    }

    /// [`check_shape`](Self::check_shape), and that every present value is finite.
    pub fn check_finite(&self) -> Result<(), AnalyticsError> {
        self.check_shape()?;
        for (name, column) in self.names.iter().zip(&self.columns) {
            let bad = column
                .iter()
                .enumerate()
                .find_map(|(row, cell)| cell.filter(|v| !v.is_finite()).map(|v| (row, v)));
            if let Some((row, value)) = bad {
                return Err(AnalyticsError::NonFiniteCell {
                    column: name.clone(),
                    row,
                    value,
                });
            }
        }
        Ok(())
    }

    /// The present values of a column, in row order.
    pub(crate) fn present(column: &[Option<f64>]) -> Vec<f64> {
        column.iter().flatten().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn rows_become_columns_with_missing_values() {
        let d = Dataset::from_json_rows(&json!([
            {"a": 1, "b": 2.5},
            {"a": null, "c": -1},
            {"b": 4}
        ]))
        .unwrap();
        assert_eq!(d.names, vec!["a", "b", "c"]);
        assert_eq!(
            d.columns,
            vec![
                vec![Some(1.0), None, None],
                vec![Some(2.5), None, Some(4.0)],
                vec![None, Some(-1.0), None],
            ]
        );
        assert_eq!(d.n_rows(), 3);
    }

    #[test]
    fn json_errors_name_row_and_field() {
        assert_eq!(
            Dataset::from_json_rows(&json!([{"a": 1}, {"a": "x"}])),
            Err(AnalyticsError::CellNotNumber {
                row: 1,
                field: "a".into(),
                got: "a string"
            })
        );
        assert_eq!(
            Dataset::from_json_rows(&json!([{"a": 1}, 3])),
            Err(AnalyticsError::RowNotObject {
                row: 1,
                got: "a number"
            })
        );
        assert_eq!(
            Dataset::from_json_rows(&json!({"a": 1})),
            Err(AnalyticsError::RowsNotArray { got: "an object" })
        );
        assert_eq!(
            Dataset::from_json_rows(&json!([])),
            Err(AnalyticsError::NoColumns)
        );
    }

    #[test]
    fn shape_errors() {
        assert_eq!(
            Dataset::from_columns(vec!["a".into()], vec![]),
            Err(AnalyticsError::NameCount {
                names: 1,
                columns: 0
            })
        );
        assert_eq!(
            Dataset::from_columns(vec![], vec![]),
            Err(AnalyticsError::NoColumns)
        );
        assert_eq!(
            Dataset::from_columns(
                vec!["a".into(), "a".into()],
                vec![vec![Some(1.0)], vec![Some(2.0)]]
            ),
            Err(AnalyticsError::DuplicateName { name: "a".into() })
        );
        assert_eq!(
            Dataset::from_columns(
                vec!["a".into(), "b".into()],
                vec![vec![Some(1.0)], vec![Some(2.0), None]]
            ),
            Err(AnalyticsError::ColumnLength {
                column: "b".into(),
                expected: 1,
                got: 2
            })
        );
        assert_eq!(
            Dataset::from_columns(vec!["a".into()], vec![vec![]]),
            Err(AnalyticsError::NoRows)
        );
    }

    #[test]
    fn non_finite_values_are_kept_but_flagged_by_check_finite() {
        let d = Dataset::from_columns(
            vec!["a".into(), "b".into()],
            vec![vec![Some(1.0), None], vec![Some(2.0), Some(f64::INFINITY)]],
        )
        .unwrap();
        assert_eq!(
            d.check_finite(),
            Err(AnalyticsError::NonFiniteCell {
                column: "b".into(),
                row: 1,
                value: f64::INFINITY
            })
        );
    }
}
