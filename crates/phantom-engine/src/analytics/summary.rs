//! Descriptive statistics of every column of a dataset.

use serde::Serialize;

use super::dataset::Dataset;
use super::error::AnalyticsError;
use super::stats;

/// Descriptive statistics of one column. Statistics are `None` when undefined: all of them
/// for a column with no values, `std` below 2 values, `skewness` and `kurtosis` for a constant
/// column.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ColumnSummary {
    /// The column's name.
    pub name: String,
    /// Number of present values.
    pub count: usize,
    /// Number of missing values.
    pub missing: usize,
    /// Mean.
    pub mean: Option<f64>,
    /// Sample standard deviation (divides by n - 1).
    pub std: Option<f64>,
    /// Smallest value.
    pub min: Option<f64>,
    /// 25th percentile (linear interpolation, as numpy's default).
    pub q1: Option<f64>,
    /// Median.
    pub median: Option<f64>,
    /// 75th percentile.
    pub q3: Option<f64>,
    /// Largest value.
    pub max: Option<f64>,
    /// Skewness `m3 / m2^1.5` from the population central moments (scipy.stats.skew's
    /// default): 0 for symmetric data, positive for a long right tail.
    pub skewness: Option<f64>,
    /// Excess kurtosis `m4 / m2² - 3` from the population central moments
    /// (scipy.stats.kurtosis's default): 0 for normal data, positive for heavy tails.
    pub kurtosis: Option<f64>,
}

/// Descriptive statistics of a dataset.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DatasetSummary {
    /// Number of rows.
    pub rows: usize,
    /// One summary per column, in the dataset's order.
    pub columns: Vec<ColumnSummary>,
}

/// Summarises each column of `dataset` over its present values, which must be finite.
pub fn summary(dataset: &Dataset) -> Result<DatasetSummary, AnalyticsError> {
    dataset.check_finite()?;
    let columns = dataset
        .names
        .iter()
        .zip(&dataset.columns)
        .map(|(name, column)| summarise(name, column))
        .collect();
    Ok(DatasetSummary {
        rows: dataset.n_rows(),
        columns,
    })
}

fn summarise(name: &str, column: &[Option<f64>]) -> ColumnSummary {
    let mut values = Dataset::present(column);
    values.sort_by(f64::total_cmp);
    let count = values.len();
    let quantile = |q| stats::sorted_quantile(&values, q);
    let mean = (count > 0).then(|| stats::mean(&values));
    let std = mean
        .filter(|_| count >= 2)
        .map(|m| (stats::sum_squares(&values, m) / (count - 1) as f64).sqrt());
    let (skewness, kurtosis) = match mean {
        Some(m) if !stats::is_constant(&values) => {
            let moment =
                |p: i32| values.iter().map(|v| (v - m).powi(p)).sum::<f64>() / count as f64;
            let m2 = moment(2);
            (
                Some(moment(3) / m2.powf(1.5)),
                Some(moment(4) / (m2 * m2) - 3.0),
            )
        }
        Some(_) | None => (None, None),
    };
    ColumnSummary {
        name: name.to_owned(),
        count,
        missing: column.len() - count,
        mean,
        std,
        min: values.first().copied(),
        q1: quantile(0.25),
        median: quantile(0.5),
        q3: quantile(0.75),
        max: values.last().copied(),
        skewness,
        kurtosis,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_by_hand() {
        let d = Dataset::from_columns(
            vec!["a".into(), "empty".into(), "flat".into()],
            vec![
                vec![Some(1.0), Some(2.0), None, Some(4.0), Some(10.0)],
                vec![None; 5],
                vec![Some(3.0), Some(3.0), Some(3.0), None, Some(3.0)],
            ],
        )
        .unwrap();
        let s = summary(&d).unwrap();
        assert_eq!(s.rows, 5);
        let a = &s.columns[0];
        assert_eq!((a.count, a.missing), (4, 1));
        assert_eq!(a.mean, Some(4.25));
        // Deviations from 4.25: -3.25, -2.25, -0.25, 5.75; squares sum 10.5625 + 5.0625 +
        // 0.0625 + 33.0625 = 48.75; sample variance 16.25.
        assert!((a.std.unwrap() - 16.25f64.sqrt()).abs() < 1e-12);
        assert_eq!(
            (a.min, a.q1, a.median, a.q3, a.max),
            (Some(1.0), Some(1.75), Some(3.0), Some(5.5), Some(10.0))
        );
        // m2 = 48.75 / 4 = 12.1875; m3 = (-34.328125 - 11.390625 - 0.015625 + 190.109375) / 4
        // = 36.09375; m4 = (111.56640625 + 25.62890625 + 0.00390625 + 1093.12890625) / 4
        // = 307.58203125.
        let m2: f64 = 12.1875;
        assert!((a.skewness.unwrap() - 36.09375 / m2.powf(1.5)).abs() < 1e-12);
        assert!((a.kurtosis.unwrap() - (307.58203125 / (m2 * m2) - 3.0)).abs() < 1e-12);

        let empty = &s.columns[1];
        assert_eq!(
            (empty.count, empty.missing, empty.mean, empty.min),
            (0, 5, None, None)
        );
        let flat = &s.columns[2];
        assert_eq!(
            (flat.std, flat.skewness, flat.kurtosis),
            (Some(0.0), None, None)
        );
    }

    #[test]
    fn one_value_has_no_std() {
        let d = Dataset::from_columns(vec!["a".into()], vec![vec![Some(2.0)]]).unwrap();
        let a = &summary(&d).unwrap().columns[0];
        assert_eq!((a.mean, a.std, a.median), (Some(2.0), None, Some(2.0)));
    }

    #[test]
    fn non_finite_values_are_rejected() {
        let d = Dataset::from_columns(vec!["a".into()], vec![vec![Some(f64::NAN)]]).unwrap();
        assert!(matches!(
            summary(&d),
            Err(AnalyticsError::NonFiniteCell { row: 0, .. })
        ));
    }
}
