//! Features of many objects of one shape, optionally scaled together.

use phantom_ml::Matrix;
use phantom_ml::scaling::{Scaler, ScalerKind};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use super::error::FeatureError;
use super::options::{FeatureOptions, compile_keywords};
use super::{EngineeredFeatures, engineer_unscaled};

/// A field of one row that gave no features, and why.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RowIssue {
    /// Zero-based row index.
    pub row: usize,
    /// The (dotted) field name.
    pub field: String,
    /// The field's value.
    pub value: Value,
    /// What is wrong with it.
    pub problem: String,
}

/// The features of a batch of objects.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EngineeredBatch {
    /// Feature names, the same for every row.
    pub feature_names: Vec<String>,
    /// One vector of values per input object, in input order (scaled if asked).
    pub rows: Vec<Vec<f64>>,
    /// Fields that gave no features, by row.
    pub issues: Vec<RowIssue>,
    /// The scaler fitted on the batch, to scale later rows the same way; `None` without
    /// scaling, or when the rows have no features.
    pub scaler: Option<Scaler>,
}

/// Engineers the features of every object (in parallel) as
/// [`engineer_features`](super::engineer_features) does, and, with `options.scaling`, fits
/// that scaler on the batch and returns the scaled rows.
///
/// Every row must give the same feature names as row 0 (the same fields, with values of the
/// same kinds, and no field dropped by an issue); otherwise the error names the row and the
/// differing features. Scaling works in 32-bit floats, as the models do: a value beyond their
/// range is an error naming the row and feature.
pub fn engineer_batch(
    inputs: &[Value],
    options: &FeatureOptions,
) -> Result<EngineeredBatch, FeatureError> {
    if inputs.is_empty() {
        return Err(FeatureError::EmptyBatch);
    }
    let keywords = compile_keywords(&options.suspicious_keywords)?;
    let results: Vec<Result<EngineeredFeatures, FeatureError>> = inputs
        .par_iter()
        .map(|input| engineer_unscaled(input, options, &keywords))
        .collect();
    let mut feature_names: Option<Vec<String>> = None;
    let mut rows = Vec::with_capacity(inputs.len());
    let mut issues = Vec::new();
    for (row, result) in results.into_iter().enumerate() {
        let features = result.map_err(|source| FeatureError::Row {
            row,
            source: Box::new(source),
        })?;
        match &feature_names {
            None => feature_names = Some(features.feature_names),
            Some(first) if *first == features.feature_names => {}
            Some(first) => {
                let missing = first
                    .iter()
                    .filter(|name| !features.feature_names.contains(name))
                    .cloned()
                    .collect();
                let extra = features
                    .feature_names
                    .iter()
                    .filter(|name| !first.contains(name))
                    .cloned()
                    .collect();
                return Err(FeatureError::ShapeMismatch {
                    row,
                    missing,
                    extra,
                });
            }
        }
        rows.push(features.values);
        issues.extend(features.issues.into_iter().map(|issue| RowIssue {
            row,
            field: issue.field,
            value: issue.value,
            problem: issue.problem,
        }));
    }
    let feature_names = feature_names.unwrap_or_default();
    let scaler = match options.scaling {
        Some(kind) => scale_rows(kind, &feature_names, &mut rows)?,
        None => None,
    };
    Ok(EngineeredBatch {
        feature_names,
        rows,
        issues,
        scaler,
    })
}

/// Fits a `kind` scaler on `rows` (each with one value per name) and scales them in place;
/// `None` when there are no features to scale.
pub(crate) fn scale_rows(
    kind: ScalerKind,
    names: &[String],
    rows: &mut [Vec<f64>],
) -> Result<Option<Scaler>, FeatureError> {
    if names.is_empty() {
        return Ok(None);
    }
    let mut data = Vec::with_capacity(rows.len() * names.len());
    for (row, values) in rows.iter().enumerate() {
        for (name, &value) in names.iter().zip(values) {
            data.push(to_f32(value, row, name)?);
        }
    }
    let matrix = Matrix::new(rows.len(), names.len(), data)?;
    let scaler = Scaler::fit(kind, &matrix)?;
    let scaled = scaler.transform(&matrix)?;
    for ((row, values), scaled_row) in rows.iter_mut().enumerate().zip(scaled.rows()) {
        for ((name, value), &s) in names.iter().zip(values.iter_mut()).zip(scaled_row) {
            if !s.is_finite() {
                return Err(FeatureError::NotRepresentable {
                    row,
                    feature: name.clone(),
                    value: *value,
                });
            }
            *value = f64::from(s);
        }
    }
    Ok(Some(scaler))
}

fn to_f32(value: f64, row: usize, name: &str) -> Result<f32, FeatureError> {
    let narrowed = value as f32;
    if narrowed.is_finite() {
        Ok(narrowed)
    } else {
        Err(FeatureError::NotRepresentable {
            row,
            feature: name.to_owned(),
            value,
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn options(scaling: Option<ScalerKind>) -> FeatureOptions {
        FeatureOptions {
            scaling,
            suspicious_keywords: Vec::new(),
            ..FeatureOptions::default()
        }
    }

    #[test]
    fn rows_share_names_and_issues_carry_the_row() {
        let inputs = [
            json!({"bytes": 10, "note": "a"}),
            json!({"bytes": 30, "note": "bb"}),
        ];
        let b = engineer_batch(&inputs, &options(None)).unwrap();
        assert_eq!(b.feature_names[0], "bytes");
        assert_eq!(b.rows.len(), 2);
        assert_eq!((b.rows[0][0], b.rows[1][0]), (10.0, 30.0));
        assert_eq!(b.scaler, None);
        assert!(b.issues.is_empty());
    }

    #[test]
    fn min_max_scaling_is_fitted_on_the_batch() {
        let inputs = [
            json!({"a": 0, "b": 5}),
            json!({"a": 5, "b": 5}),
            json!({"a": 10, "b": 5}),
        ];
        let b = engineer_batch(&inputs, &options(Some(ScalerKind::MinMax))).unwrap();
        let column: Vec<f64> = b.rows.iter().map(|r| r[0]).collect();
        assert_eq!(column, vec![0.0, 0.5, 1.0]);
        // The constant column is shifted to 0, not divided by zero.
        assert!(b.rows.iter().all(|r| r[1] == 0.0));
        let scaler = b.scaler.unwrap();
        assert_eq!(
            (scaler.offsets(), scaler.scales()),
            (&[0.0, 5.0][..], &[10.0, 1.0][..])
        );
    }

    #[test]
    fn a_row_of_another_shape_is_named() {
        let inputs = [
            json!({"ip": "10.0.0.1"}),
            json!({"ip": "10.0.0.2"}),
            json!({"ip": "fe80::1"}),
        ];
        let err = engineer_batch(&inputs, &options(None)).unwrap_err();
        let FeatureError::ShapeMismatch {
            row,
            missing,
            extra,
        } = &err
        else {
            panic!("{err}");
        };
        assert_eq!(*row, 2);
        assert_eq!(missing.len(), 4);
        assert!(missing.contains(&"ip.octet_1".to_owned()));
        assert!(extra.is_empty());
        assert!(err.to_string().contains("row 2"), "{err}");

        let with_null = [json!({"a": 1}), json!({"a": null})];
        assert!(matches!(
            engineer_batch(&with_null, &options(None)),
            Err(FeatureError::ShapeMismatch { row: 1, .. })
        ));
    }

    #[test]
    fn bad_rows_and_empty_batches() {
        assert_eq!(
            engineer_batch(&[], &options(None)),
            Err(FeatureError::EmptyBatch)
        );
        let err = engineer_batch(&[json!({"a": 1}), json!("x")], &options(None)).unwrap_err();
        assert!(matches!(err, FeatureError::Row { row: 1, .. }));
        assert!(
            err.to_string()
                .starts_with("row 1: the input must be a JSON object"),
            "{err}"
        );
        let huge = [json!({"a": 1e300}), json!({"a": 1})];
        assert!(matches!(
            engineer_batch(&huge, &options(Some(ScalerKind::ZScore))),
            Err(FeatureError::NotRepresentable { row: 0, .. })
        ));
    }

    #[test]
    fn a_batch_of_rows_without_features_scales_nothing() {
        let inputs = [json!({"a": null}), json!({"a": null})];
        let b = engineer_batch(&inputs, &options(Some(ScalerKind::ZScore))).unwrap();
        assert_eq!(
            (b.rows, b.scaler, b.issues.len()),
            (vec![vec![], vec![]], None, 2)
        );
    }

    proptest! {
        #[test]
        fn scaled_features_are_finite(
            rows in prop::collection::vec((-1e6f64..1e6, "\\PC{0,30}", any::<[u8; 4]>()), 1..12),
            kind in prop::sample::select(ScalerKind::ALL.to_vec()),
        ) {
            let inputs: Vec<Value> = rows
                .iter()
                .map(|(x, text, ip)| json!({
                    "x": x,
                    "text": text,
                    "ip": format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3]),
                }))
                .collect();
            let options = FeatureOptions {
                scaling: Some(kind),
                field_types: [("text".to_owned(), crate::features::FieldKind::Text)].into(),
                ..FeatureOptions::default()
            };
            let b = engineer_batch(&inputs, &options).unwrap();
            prop_assert_eq!(b.rows.len(), inputs.len());
            for row in &b.rows {
                prop_assert_eq!(row.len(), b.feature_names.len());
                prop_assert!(row.iter().all(|v| v.is_finite()));
            }
        }
    }
}
