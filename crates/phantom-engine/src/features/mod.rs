//! Feature engineering for security data: a JSON object of fields (text, IP addresses, URLs,
//! domains, timestamps, numbers, arrays of numbers, booleans) becomes a named numeric vector.
//!
//! [`engineer_features`] turns one object into [`EngineeredFeatures`]; [`engineer_batch`]
//! turns many objects of the same shape into an [`EngineeredBatch`] and can fit a scaler on
//! them. Fields are taken in name order (nested objects flattened to `a.b`), and each field's
//! features are named `<field>.<feature>` in a fixed order, so the same input shape always
//! gives the same vector. Values that give no features (a null, an IP field that does not
//! parse) are reported as [`FeatureIssue`]s; inputs of the wrong shape are a [`FeatureError`].
//!
//! ```
//! use phantom_engine::features::{FeatureOptions, engineer_features};
//! use serde_json::json;
//!
//! let input = json!({"src_ip": "10.0.0.7", "bytes": 512, "ts": "2024-03-09T23:30:00Z"});
//! let features = engineer_features(&input, &FeatureOptions::default())?;
//! assert_eq!(features.feature_names[0], "bytes");
//! assert!(features.feature_names.contains(&"src_ip.is_private".to_owned()));
//! assert!(features.issues.is_empty());
//! # Ok::<(), phantom_engine::features::FeatureError>(())
//! ```

mod batch;
mod entropy;
mod error;
mod field;
mod flatten;
mod host;
mod ip;
mod numeric;
mod options;
mod scan;
mod sink;
mod text;
mod timestamp;
mod url;

use phantom_ml::scaling::ScalerKind;
use serde::Serialize;
use serde_json::Value;

use crate::analytics::error::json_type;

pub use batch::{EngineeredBatch, RowIssue, engineer_batch};
pub use error::FeatureError;
pub use options::{DEFAULT_SUSPICIOUS_KEYWORDS, FeatureOptions, FieldKind, MAX_KEYWORDS};

use field::{FieldContext, field_features};
use options::{Keyword, compile_keywords};
use sink::FeatureSink;

/// A field that gave no features, and why.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FeatureIssue {
    /// The (dotted) field name.
    pub field: String,
    /// The field's value.
    pub value: Value,
    /// What is wrong with it, e.g. `missing` for null.
    pub problem: String,
}

/// The features of one object.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EngineeredFeatures {
    /// Feature names, `<field>.<feature>` (a number or boolean field is named after itself).
    pub feature_names: Vec<String>,
    /// The values, one per name.
    pub values: Vec<f64>,
    /// Fields that gave no features.
    pub issues: Vec<FeatureIssue>,
}

/// Engineers the features of one JSON object (see the module docs for the fields and
/// [`FeatureOptions`] for the options).
///
/// Per field: a string by its kind (text, ip, url, domain, timestamp); a number as itself; a
/// boolean as 0 or 1; an array of numbers as its mean, population variance, min, max, range and
/// count; null as the issue "missing". With `scaling: unit_vector` the vector is divided by its
/// L2 norm (through the 32-bit floats models use); the other scalers need a batch and are an
/// error here.
pub fn engineer_features(
    input: &Value,
    options: &FeatureOptions,
) -> Result<EngineeredFeatures, FeatureError> {
    if let Some(scaler @ (ScalerKind::MinMax | ScalerKind::ZScore | ScalerKind::Robust)) =
        options.scaling
    {
        return Err(FeatureError::ScalingNeedsBatch { scaler });
    }
    let keywords = compile_keywords(&options.suspicious_keywords)?;
    let mut features = engineer_unscaled(input, options, &keywords)?;
    if let Some(kind) = options.scaling {
        let mut rows = vec![std::mem::take(&mut features.values)];
        batch::scale_rows(kind, &features.feature_names, &mut rows)?;
        features.values = rows.pop().unwrap_or_default();
    }
    Ok(features)
}

/// The features of one object, before any scaling.
fn engineer_unscaled(
    input: &Value,
    options: &FeatureOptions,
    keywords: &[Keyword],
) -> Result<EngineeredFeatures, FeatureError> {
    let object = input.as_object().ok_or(FeatureError::NotAnObject {
        got: json_type(input),
    })?;
    let fields = flatten::flatten(object)?;
    let mut sink = FeatureSink::default();
    let mut issues = Vec::new();
    let mut cx = FieldContext {
        keywords,
        sink: &mut sink,
        issues: &mut issues,
    };
    for (field, value) in &fields {
        let declared = options.field_types.get(field).copied();
        field_features(field, value, declared, &mut cx)?;
    }
    let (feature_names, values) = sink.into_parts();
    Ok(EngineeredFeatures {
        feature_names,
        values,
        issues,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn no_keywords() -> FeatureOptions {
        FeatureOptions {
            suspicious_keywords: Vec::new(),
            ..FeatureOptions::default()
        }
    }

    #[test]
    fn fields_in_name_order_with_their_kinds() {
        let input = json!({
            "ts": "2024-03-09T23:30:00Z",
            "src_ip": "8.8.8.8",
            "bytes": 1500,
            "ok": true,
            "net": {"link": "http://example.com/a", "host": "mail.example.com"},
            "sizes": [1, 3],
        });
        let f = engineer_features(&input, &no_keywords()).unwrap();
        let fields: Vec<&str> = f
            .feature_names
            .iter()
            .map(|n| n.split_once('.').map_or(n.as_str(), |(field, _)| field))
            .collect();
        let mut dedup = fields.clone();
        dedup.dedup();
        assert_eq!(dedup, vec!["bytes", "net", "ok", "sizes", "src_ip", "ts"]);
        let get = |name: &str| {
            let i = f.feature_names.iter().position(|n| n == name).unwrap();
            f.values[i]
        };
        assert_eq!(get("bytes"), 1500.0);
        assert_eq!(get("ok"), 1.0);
        assert_eq!(get("sizes.mean"), 2.0);
        assert_eq!(get("src_ip.octet_1"), 8.0);
        assert_eq!(get("ts.is_weekend"), 1.0);
        assert_eq!(get("net.link.path_depth"), 1.0);
        assert_eq!(get("net.host.subdomain_count"), 1.0);
        assert!(f.issues.is_empty());
    }

    #[test]
    fn declared_kinds_are_not_guessed_and_unparseable_values_are_issues() {
        let options = FeatureOptions {
            field_types: BTreeMap::from([
                ("a".to_owned(), FieldKind::Ip),
                ("b".to_owned(), FieldKind::Timestamp),
                ("c".to_owned(), FieldKind::Text),
                ("d".to_owned(), FieldKind::Url),
            ]),
            ..no_keywords()
        };
        let input =
            json!({"a": "999.1.1.1", "b": 1700000000, "c": "10.0.0.1", "d": "nope", "e": null});
        let f = engineer_features(&input, &options).unwrap();
        // Only c gives features: as text, although it is an IP address.
        assert!(f.feature_names.iter().all(|n| n.starts_with("c.")));
        assert!(f.feature_names.contains(&"c.ipv4_count".to_owned()));
        let issues: Vec<(&str, &str)> = f
            .issues
            .iter()
            .map(|i| (i.field.as_str(), i.problem.as_str()))
            .collect();
        assert_eq!(issues.len(), 4);
        assert_eq!(issues[0], ("a", "not an IPv4 or IPv6 address"));
        assert!(
            issues[1].1.contains("declared as timestamp"),
            "{:?}",
            issues[1]
        );
        assert!(issues[2].1.starts_with("not a URL"), "{:?}", issues[2]);
        assert_eq!(issues[3], ("e", "missing"));
        assert_eq!(f.issues[0].value, json!("999.1.1.1"));
    }

    #[test]
    fn the_same_shape_gives_the_same_names() {
        let a = json!({"z": "hello there", "a": {"b": 1, "c": [1, 2]}, "ip": "1.2.3.4"});
        let b = json!({"ip": "5.6.7.8", "a": {"c": [9], "b": 2}, "z": "other words"});
        let fa = engineer_features(&a, &FeatureOptions::default()).unwrap();
        let fb = engineer_features(&b, &FeatureOptions::default()).unwrap();
        assert_eq!(fa.feature_names, fb.feature_names);
        assert_eq!(fa.feature_names.len(), fa.values.len());
    }

    #[test]
    fn scaling_a_single_object() {
        let input = json!({"a": 3, "b": 4});
        let options = FeatureOptions {
            scaling: Some(ScalerKind::UnitVector),
            ..no_keywords()
        };
        let f = engineer_features(&input, &options).unwrap();
        assert_eq!(f.values, vec![f64::from(0.6f32), f64::from(0.8f32)]);
        for scaler in [ScalerKind::MinMax, ScalerKind::ZScore, ScalerKind::Robust] {
            let options = FeatureOptions {
                scaling: Some(scaler),
                ..no_keywords()
            };
            let err = engineer_features(&input, &options).unwrap_err();
            assert_eq!(err, FeatureError::ScalingNeedsBatch { scaler });
            assert!(err.to_string().contains("engineer_batch"), "{err}");
        }
    }

    #[test]
    fn inputs_of_the_wrong_shape_are_errors() {
        assert_eq!(
            engineer_features(&json!([1, 2]), &FeatureOptions::default()),
            Err(FeatureError::NotAnObject { got: "an array" })
        );
        let err = engineer_features(
            &json!({"x": {"y": [1, {"z": 2}]}}),
            &FeatureOptions::default(),
        )
        .unwrap_err();
        assert_eq!(
            err,
            FeatureError::ArrayElement {
                field: "x.y".into(),
                index: 1,
                got: "an object"
            }
        );
    }

    #[test]
    fn results_serialize_with_snake_case_names() {
        let f = engineer_features(&json!({"n": 1, "m": null}), &FeatureOptions::default()).unwrap();
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["feature_names"], json!(["n"]));
        assert_eq!(v["values"], json!([1.0]));
        assert_eq!(
            v["issues"][0],
            json!({"field": "m", "value": null, "problem": "missing"})
        );
    }

    fn kind() -> impl Strategy<Value = Option<FieldKind>> {
        prop::option::of(prop::sample::select(vec![
            FieldKind::Ip,
            FieldKind::Url,
            FieldKind::Domain,
            FieldKind::Timestamp,
            FieldKind::Text,
        ]))
    }

    proptest! {
        #[test]
        fn any_string_in_any_kind_gives_finite_features_or_an_issue(s in "\\PC{0,60}", declared in kind()) {
            let options = FeatureOptions {
                field_types: declared.map(|k| ("f".to_owned(), k)).into_iter().collect(),
                ..FeatureOptions::default()
            };
            let f = engineer_features(&json!({"f": s}), &options).unwrap();
            prop_assert!(f.values.iter().all(|v| v.is_finite()));
            prop_assert_eq!(f.feature_names.len(), f.values.len());
            prop_assert!(f.values.is_empty() != f.issues.is_empty());
        }
    }
}
