//! How clean a dataset is: missing, non-finite, out-of-range and duplicated data.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::dataset::Dataset;
use super::error::AnalyticsError;

/// Options of [`data_quality`].
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QualityOptions {
    /// Expected `[min, max]` (inclusive) per column name, e.g. `{"cpu": [0, 100]}`; values
    /// outside are counted as out of range. Default: no ranges.
    pub ranges: BTreeMap<String, (f64, f64)>,
}

/// The quality of one column.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ColumnQuality {
    /// The column's name.
    pub name: String,
    /// Missing values.
    pub missing: usize,
    /// NaN or infinite values.
    pub non_finite: usize,
    /// Whether the column has fewer than two distinct finite values (it carries no
    /// information; reported, not counted against the score).
    pub constant: bool,
    /// Finite values outside the column's expected range (0 without a range).
    pub out_of_range: usize,
}

/// The quality of a dataset.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QualityReport {
    /// Number of rows.
    pub rows: usize,
    /// One entry per column, in the dataset's order.
    pub columns: Vec<ColumnQuality>,
    /// Rows identical to an earlier row (missing equals missing).
    pub duplicate_rows: usize,
    /// Rows x columns.
    pub total_cells: usize,
    /// Cells that are present, finite and within their column's range.
    pub clean_cells: usize,
    /// `clean_cells / total_cells - duplicate_rows / rows`, floored at 0: 1 for a dataset
    /// with nothing wrong, lower for each dirty cell and each repeated row.
    pub quality_score: f64,
}

/// Counts what is wrong with `dataset`: missing, non-finite and out-of-range values per
/// column, constant columns and duplicated rows, and a score in [0, 1] (see
/// [`QualityReport::quality_score`]). NaN and infinities are counted, not rejected.
pub fn data_quality(
    dataset: &Dataset,
    options: &QualityOptions,
) -> Result<QualityReport, AnalyticsError> {
    dataset.check_shape()?;
    for (column, &(min, max)) in &options.ranges {
        if !dataset.names.contains(column) {
            return Err(AnalyticsError::UnknownColumn {
                field: "ranges",
                name: column.clone(),
                available: dataset.names.join(", "),
            });
        }
        // Written so that a NaN bound is rejected too.
        if min.partial_cmp(&max).is_none_or(std::cmp::Ordering::is_gt) {
            return Err(AnalyticsError::InvalidRange {
                column: column.clone(),
                min,
                max,
            });
        }
    }
    let columns: Vec<ColumnQuality> = dataset
        .names
        .iter()
        .zip(&dataset.columns)
        .map(|(name, column)| assess(name, column, options.ranges.get(name).copied()))
        .collect();
    let rows = dataset.n_rows();
    let total_cells = rows * columns.len();
    let dirty: usize = columns
        .iter()
        .map(|c| c.missing + c.non_finite + c.out_of_range)
        .sum();
    let clean_cells = total_cells - dirty;
    let duplicate_rows = count_duplicate_rows(dataset);
    let quality_score =
        (clean_cells as f64 / total_cells as f64 - duplicate_rows as f64 / rows as f64).max(0.0);
    Ok(QualityReport {
        rows,
        columns,
        duplicate_rows,
        total_cells,
        clean_cells,
        quality_score,
    })
}

fn assess(name: &str, column: &[Option<f64>], range: Option<(f64, f64)>) -> ColumnQuality {
    let finite: Vec<f64> = column
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let present = column.iter().flatten().count();
    let out_of_range = range.map_or(0, |(min, max)| {
        finite.iter().filter(|v| !(min..=max).contains(*v)).count()
    });
    ColumnQuality {
        name: name.to_owned(),
        missing: column.len() - present,
        non_finite: present - finite.len(),
        constant: finite.windows(2).all(|pair| match pair {
            [a, b] => a == b,
            _ => true,
        }),
        out_of_range,
    }
}

/// Rows equal, cell for cell, to an earlier row. Cells compare by value: 0 equals -0, any
/// NaN equals any NaN, missing equals missing.
fn count_duplicate_rows(dataset: &Dataset) -> usize {
    let key = |cell: &Option<f64>| {
        cell.map(|v| {
            if v.is_nan() {
                f64::NAN.to_bits()
            } else if v == 0.0 {
                0
            } else {
                v.to_bits()
            }
        })
    };
    let mut seen = HashSet::new();
    (0..dataset.n_rows())
        .filter(|&row| {
            let cells: Vec<Option<u64>> = dataset
                .columns
                .iter()
                .map(|column| column.get(row).and_then(key))
                .collect();
            !seen.insert(cells)
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Dataset {
        Dataset::from_columns(
            vec!["cpu".into(), "flag".into()],
            vec![
                vec![
                    Some(10.0),
                    Some(120.0),
                    None,
                    Some(f64::NAN),
                    Some(10.0),
                    Some(-0.0),
                ],
                vec![
                    Some(1.0),
                    Some(1.0),
                    Some(1.0),
                    Some(1.0),
                    Some(1.0),
                    Some(1.0),
                ],
            ],
        )
        .unwrap()
    }

    #[test]
    fn counts_and_score_by_hand() {
        let options = QualityOptions {
            ranges: BTreeMap::from([("cpu".to_owned(), (0.0, 100.0))]),
        };
        let r = data_quality(&sample(), &options).unwrap();
        assert_eq!(
            r.columns[0],
            ColumnQuality {
                name: "cpu".into(),
                missing: 1,
                non_finite: 1,
                constant: false,
                out_of_range: 1,
            }
        );
        assert!(r.columns[1].constant);
        // Row 4 repeats row 0.
        assert_eq!(
            (r.rows, r.total_cells, r.clean_cells, r.duplicate_rows),
            (6, 12, 9, 1)
        );
        assert!((r.quality_score - (9.0 / 12.0 - 1.0 / 6.0)).abs() < 1e-12);
    }

    #[test]
    fn clean_data_scores_one_and_without_ranges_nothing_is_out_of_range() {
        let d = Dataset::from_columns(
            vec!["a".into()],
            vec![vec![Some(1.0), Some(2.0), Some(1e9)]],
        )
        .unwrap();
        let r = data_quality(&d, &QualityOptions::default()).unwrap();
        assert_eq!((r.quality_score, r.columns[0].out_of_range), (1.0, 0));
    }

    #[test]
    fn duplicate_keys_treat_zero_signs_and_nans_alike() {
        let d = Dataset::from_columns(
            vec!["a".into(), "b".into()],
            vec![
                vec![Some(0.0), Some(-0.0), None, None],
                vec![Some(f64::NAN), Some(-f64::NAN), Some(1.0), Some(1.0)],
            ],
        )
        .unwrap();
        assert_eq!(count_duplicate_rows(&d), 2);
    }

    #[test]
    fn bad_ranges_are_errors() {
        let unknown = QualityOptions {
            ranges: BTreeMap::from([("mem".to_owned(), (0.0, 1.0))]),
        };
        assert!(matches!(
            data_quality(&sample(), &unknown),
            Err(AnalyticsError::UnknownColumn {
                field: "ranges",
                ..
            })
        ));
        let reversed = QualityOptions {
            ranges: BTreeMap::from([("cpu".to_owned(), (5.0, 1.0))]),
        };
        let err = data_quality(&sample(), &reversed).unwrap_err();
        assert!(err.to_string().contains("[5, 1]"), "{err}");
    }

    #[test]
    fn options_parse_ranges_as_pairs() {
        let o: QualityOptions =
            serde_json::from_value(serde_json::json!({"ranges": {"cpu": [0, 100]}})).unwrap();
        assert_eq!(o.ranges.get("cpu"), Some(&(0.0, 100.0)));
        assert!(
            serde_json::from_value::<QualityOptions>(serde_json::json!({"range": {}})).is_err()
        );
    }
}
