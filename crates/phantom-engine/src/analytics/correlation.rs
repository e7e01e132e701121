//! Pearson and Spearman correlations between the columns of a dataset.

use serde::{Deserialize, Serialize};

use super::dataset::Dataset;
use super::error::AnalyticsError;
use super::stats;

/// Options of [`correlation`].
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CorrelationOptions {
    /// The columns to correlate, in this order (at least 2); default every column, in the
    /// dataset's order.
    pub features: Option<Vec<String>>,
}

/// The correlations of one pair of columns.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CorrelationPair {
    /// The first column's name.
    pub feature_a: String,
    /// The second column's name.
    pub feature_b: String,
    /// Number of rows where both columns have a value (the rows the correlations use).
    pub n: usize,
    /// Pearson's r; `None` when undefined (fewer than 2 rows, or a column constant on them).
    pub pearson: Option<f64>,
    /// Spearman's rho (average ranks for ties); `None` when undefined.
    pub spearman: Option<f64>,
}

/// Correlation matrices and the pairs ranked by strength.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CorrelationReport {
    /// The columns, in matrix order.
    pub names: Vec<String>,
    /// Pearson's r for every pair of columns (symmetric; the diagonal is 1 for a column that
    /// is not constant). `None` where undefined.
    pub pearson: Vec<Vec<Option<f64>>>,
    /// Spearman's rho, laid out like `pearson`.
    pub spearman: Vec<Vec<Option<f64>>>,
    /// Each pair of distinct columns once, sorted by |Pearson's r| from strongest; pairs with
    /// an undefined r come last.
    pub pairs: Vec<CorrelationPair>,
}

/// Pearson and Spearman correlations between the chosen columns of `dataset`.
///
/// A row missing a value in either column of a pair is skipped for that pair only (pairwise
/// deletion), so each pair reports its own `n`. Values must be finite.
pub fn correlation(
    dataset: &Dataset,
    options: &CorrelationOptions,
) -> Result<CorrelationReport, AnalyticsError> {
    dataset.check_finite()?;
    let names: Vec<String> = match &options.features {
        Some(features) => features.clone(),
        None => dataset.names.clone(),
    };
    if names.len() < 2 {
        return Err(AnalyticsError::TooFewColumns {
            what: "correlation",
            needed: 2,
            got: names.len(),
        });
    }
    let columns = names
        .iter()
        .map(|name| {
            dataset
                .names
                .iter()
                .position(|n| n == name)
                .and_then(|i| dataset.columns.get(i))
                .ok_or_else(|| AnalyticsError::UnknownColumn {
                    field: "features",
                    name: name.clone(),
                    available: dataset.names.join(", "),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(name) = names
        .iter()
        .enumerate()
        .find_map(|(i, name)| names.iter().skip(i + 1).find(|other| *other == name))
    {
        return Err(AnalyticsError::DuplicateName { name: name.clone() });
    }

    let k = columns.len();
    let mut pairs = Vec::with_capacity(k * (k - 1) / 2);
    let mut pearson = vec![vec![None; k]; k];
    let mut spearman = vec![vec![None; k]; k];
    for (i, (name_a, a)) in names.iter().zip(&columns).enumerate() {
        for (j, (name_b, b)) in names.iter().zip(&columns).enumerate().skip(i) {
            let (x, y): (Vec<f64>, Vec<f64>) = a
                .iter()
                .zip(b.iter())
                .filter_map(|(x, y)| Some(((*x)?, (*y)?)))
                .unzip();
            let (mut r, mut rho) = (stats::pearson(&x, &y), stats::spearman(&x, &y));
            if i == j {
                // Exactly 1, not 1 minus rounding.
                r = r.map(|_| 1.0);
                rho = rho.map(|_| 1.0);
            } else {
                pairs.push(CorrelationPair {
                    feature_a: name_a.clone(),
                    feature_b: name_b.clone(),
                    n: x.len(),
                    pearson: r,
                    spearman: rho,
                });
            }
            for (matrix, value) in [(&mut pearson, r), (&mut spearman, rho)] {
                for (row, col) in [(i, j), (j, i)] {
                    if let Some(cell) = matrix.get_mut(row).and_then(|m| m.get_mut(col)) {
                        *cell = value;
                    }
                }
            }
        }
    }
    // Stable: equally strong pairs keep matrix order.
    pairs.sort_by(|p, q| {
        let strength = |c: &CorrelationPair| c.pearson.map(f64::abs);
        strength(q)
            .partial_cmp(&strength(p))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(CorrelationReport {
        names,
        pearson,
        spearman,
        pairs,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn sample() -> Dataset {
        Dataset::from_json_rows(&json!([
            {"x": 1, "y": 2, "z": 5, "zc": 7},
            {"x": 2, "y": 4, "z": 4, "zc": 7},
            {"x": 3, "y": 5, "z": 3, "zc": 7},
            {"x": 4, "y": 4, "z": null, "zc": 7},
            {"x": 5, "y": 5, "z": 1, "zc": 7},
        ]))
        .unwrap()
    }

    #[test]
    fn matrices_and_pairs_by_hand() {
        let r = correlation(&sample(), &CorrelationOptions::default()).unwrap();
        assert_eq!(r.names, vec!["x", "y", "z", "zc"]);
        // x, y: r = 6 / sqrt(60), rho = 7 / sqrt(90) (see stats::tests).
        let xy = r.pearson[0][1].unwrap();
        assert!((xy - 6.0 / 60f64.sqrt()).abs() < 1e-12);
        assert_eq!(r.pearson[1][0], r.pearson[0][1]);
        assert!((r.spearman[0][1].unwrap() - 7.0 / 90f64.sqrt()).abs() < 1e-12);
        // x, z skip row 3: x = [1, 2, 3, 5], z = [5, 4, 3, 1]; mean x 2.75, mean z 3.25,
        // sxz = (-1.75)(1.75) + (-0.75)(0.75) + (0.25)(-0.25) + (2.25)(-2.25) = -8.75,
        // sxx = szz = 8.75: r = -1; ranks are exactly reversed: rho = -1.
        assert!((r.pearson[0][2].unwrap() + 1.0).abs() < 1e-12);
        assert!((r.spearman[0][2].unwrap() + 1.0).abs() < 1e-12);
        // The constant column has no correlation with anything, not even itself.
        assert!(r.pearson[3].iter().all(Option::is_none));
        assert!(r.spearman.iter().all(|row| row[3].is_none()));
        assert_eq!(r.pearson[0][0], Some(1.0));

        let order: Vec<(&str, &str, usize)> = r
            .pairs
            .iter()
            .map(|p| (p.feature_a.as_str(), p.feature_b.as_str(), p.n))
            .collect();
        assert_eq!(order[0], ("x", "z", 4));
        assert_eq!(r.pairs.len(), 6);
        assert!(r.pairs[3..].iter().all(|p| p.pearson.is_none()));
    }

    #[test]
    fn a_subset_in_the_given_order() {
        let options = CorrelationOptions {
            features: Some(vec!["z".into(), "x".into()]),
        };
        let r = correlation(&sample(), &options).unwrap();
        assert_eq!(r.names, vec!["z", "x"]);
        assert_eq!(r.pairs.len(), 1);
        assert_eq!(r.pairs[0].feature_a, "z");
    }

    #[test]
    fn bad_options_and_data() {
        let unknown = CorrelationOptions {
            features: Some(vec!["x".into(), "w".into()]),
        };
        let err = correlation(&sample(), &unknown).unwrap_err();
        assert!(matches!(&err, AnalyticsError::UnknownColumn { name, .. } if name == "w"));
        assert!(err.to_string().contains("x, y, z, zc"), "{err}");
        let one = CorrelationOptions {
            features: Some(vec!["x".into()]),
        };
        assert!(matches!(
            correlation(&sample(), &one),
            Err(AnalyticsError::TooFewColumns { got: 1, .. })
        ));
        let twice = CorrelationOptions {
            features: Some(vec!["x".into(), "x".into()]),
        };
        assert!(matches!(
            correlation(&sample(), &twice),
            Err(AnalyticsError::DuplicateName { .. })
        ));
        let mut nan = sample();
        nan.columns[1][2] = Some(f64::NAN);
        assert!(matches!(
            correlation(&nan, &CorrelationOptions::default()),
            Err(AnalyticsError::NonFiniteCell { row: 2, .. })
        ));
    }

    #[test]
    fn the_report_serializes_undefined_correlations_as_null() {
        let r = correlation(&sample(), &CorrelationOptions::default()).unwrap();
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["pearson"][3][3], serde_json::Value::Null);
        assert_eq!(v["pairs"][0]["feature_a"], "x");
        assert_eq!(v["pairs"][0]["n"], 4);
    }

    proptest! {
        #[test]
        fn every_correlation_is_in_the_unit_interval_and_matrices_are_symmetric(
            rows in prop::collection::vec(
                prop::collection::vec(prop::option::weighted(0.8, -1e3f64..1e3), 3),
                1..40,
            ),
        ) {
            let columns: Vec<Vec<Option<f64>>> =
                (0..3).map(|j| rows.iter().map(|row| row[j]).collect()).collect();
            let dataset =
                Dataset::from_columns(vec!["a".into(), "b".into(), "c".into()], columns).unwrap();
            let r = correlation(&dataset, &CorrelationOptions::default()).unwrap();
            for matrix in [&r.pearson, &r.spearman] {
                for (i, row) in matrix.iter().enumerate() {
                    for (j, &value) in row.iter().enumerate() {
                        prop_assert_eq!(value, matrix[j][i]);
                        if let Some(v) = value {
                            prop_assert!((-1.0..=1.0).contains(&v));
                        }
                    }
                }
            }
        }
    }
}
