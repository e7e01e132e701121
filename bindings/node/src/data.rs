//! Training and evaluation data as callers give it: `{features, labels}` rows, or a CSV file
//! (`{path, label}`); the original package's extra keys are accepted and listed as unused.

use std::path::PathBuf;

use phantom_engine::{DataSource, Label};
use serde_json::{Map, Value};

use crate::error::BindingError;
use crate::ignored::IgnoredList;
use crate::json::{self, kind};

/// Keys of the original package's training data that Phantom does not use, with the reason.
const UNUSED: [(&str, &str); 9] = [
    ("samples", "the row count is the length of features"),
    (
        "epochs",
        "epochs are a hyperparameter of neural_network (max_iter), set at create_model",
    ),
    (
        "validation_features",
        "Phantom holds out validation_split of the rows given (set at create_model); pass every row in features",
    ),
    ("validation_labels", "see validation_features"),
    (
        "batch_processing",
        "training always runs off the JavaScript thread",
    ),
    (
        "class_weights",
        "Phantom's algorithms weight every row equally",
    ),
    ("data_augmentation", "Phantom trains on the rows given"),
    (
        "cross_validation",
        "Phantom scores on one held-out split (validation_split)",
    ),
    (
        "training_config",
        "training settings are fixed at create_model",
    ),
];

/// Reads `{features, labels}` or `{path, label}` from the object `value` (the argument
/// `what`). With `allow` other keys are left for the caller; otherwise they are an error.
pub fn source(
    what: &str,
    value: &Value,
    allow: &[&str],
    ignored: &mut IgnoredList,
) -> Result<DataSource, BindingError> {
    let Value::Object(map) = value else {
        return Err(BindingError::shape(
            what,
            "",
            format!(
                "expected an object with features and labels, got {}",
                kind(value)
            ),
        ));
    };
    for key in map.keys() {
        if let Some((_, reason)) = UNUSED.iter().find(|(k, _)| k == key) {
            ignored.add(key.clone(), *reason);
        } else if key == "feature_names" {
            ignored.add(
                key.clone(),
                "feature names are fixed at create_model (feature_config.input_features)",
            );
        } else if !matches!(key.as_str(), "features" | "labels" | "path" | "label")
            && !allow.contains(&key.as_str())
        {
            return Err(BindingError::shape(
                what,
                key,
                "unknown key; give features and labels, or path and label",
            ));
        }
    }
    match (map.get("features"), map.get("path")) {
        (Some(features), None) => Ok(DataSource::Rows {
            features: json::rows(what, "features", features)?,
            labels: labels(what, map)?,
        }),
        (None, Some(Value::String(path))) => Ok(DataSource::Csv {
            path: PathBuf::from(path),
            label: match map.get("label") {
                None | Some(Value::Null) => None,
                Some(Value::String(l)) => Some(l.clone()),
                Some(other) => {
                    return Err(BindingError::shape(
                        what,
                        "label",
                        format!("expected a column name, got {}", kind(other)),
                    ));
                }
            },
        }),
        (None, Some(other)) => Err(BindingError::shape(
            what,
            "path",
            format!("expected a file path, got {}", kind(other)),
        )),
        (Some(_), Some(_)) => Err(BindingError::shape(
            what,
            "",
            "give either features (rows) or path (a CSV file), not both",
        )),
        (None, None) => Err(BindingError::shape(
            what,
            "",
            "no data: give features (an array of rows) and labels, or path to a CSV file",
        )),
    }
}

fn labels(what: &str, map: &Map<String, Value>) -> Result<Option<Vec<Label>>, BindingError> {
    let Some(value) = map.get("labels") else {
        return Ok(None);
    };
    let Value::Array(items) = value else {
        return Err(BindingError::shape(
            what,
            "labels",
            format!("expected an array, got {}", kind(value)),
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::Number(_) => Ok(Label::Number(json::number(
                what,
                &format!("labels[{i}]"),
                v,
            )?)),
            Value::String(s) => Ok(Label::Text(s.clone())),
            Value::Bool(b) => Ok(Label::Flag(*b)),
            Value::Null | Value::Array(_) | Value::Object(_) => Err(BindingError::shape(
                what,
                &format!("labels[{i}]"),
                format!("expected a number, text or boolean label, got {}", kind(v)),
            )),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_with_labels_and_unused_keys() {
        let mut ignored = IgnoredList::default();
        let v = json!({"features": [[1, 2]], "labels": [1], "samples": 1});
        let DataSource::Rows { features, labels } =
            source("training_data_json", &v, &[], &mut ignored).unwrap()
        else {
            panic!("rows expected")
        };
        assert_eq!(features, vec![vec![1.0, 2.0]]);
        assert_eq!(labels, Some(vec![Label::Number(1.0)]));
        assert_eq!(ignored.0[0].setting, "samples");
    }

    #[test]
    fn bad_data_says_what_and_where() {
        let mut ignored = IgnoredList::default();
        let cases = [
            (json!([1, 2]), "expected an object"),
            (json!({"features": [[1, null]]}), "features[0][1]"),
            (json!({"features": [[1]], "labels": [null]}), "labels[0]"),
            (json!({"features": [[1]], "colour": 1}), "colour"),
            (json!({}), "no data"),
        ];
        for (v, needle) in cases {
            let e = source("training_data_json", &v, &[], &mut ignored)
                .unwrap_err()
                .to_string();
            assert!(e.contains(needle), "{e}");
        }
    }
}
