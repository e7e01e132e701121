//! Nested JSON objects flattened to dotted field names.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::FeatureError;

/// The leaves of `object` by dotted name (`{"a": {"b": 1}}` gives `a.b`), sorted by name so
/// the same input shape always lists its fields in the same order. Arrays are leaves. An empty
/// nested object has no leaves.
pub(crate) fn flatten(
    object: &Map<String, Value>,
) -> Result<BTreeMap<String, &Value>, FeatureError> {
    let mut fields = BTreeMap::new();
    collect(object, None, &mut fields)?;
    Ok(fields)
}

fn collect<'a>(
    object: &'a Map<String, Value>,
    prefix: Option<&str>,
    fields: &mut BTreeMap<String, &'a Value>,
) -> Result<(), FeatureError> {
    for (key, value) in object {
        let name = match prefix {
            Some(prefix) => format!("{prefix}.{key}"),
            None => key.clone(),
        };
        if let Value::Object(inner) = value {
            collect(inner, Some(&name), fields)?;
        } else if fields.insert(name.clone(), value).is_some() {
            return Err(FeatureError::DuplicateField { field: name });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nested_objects_get_dotted_sorted_names() {
        let input = json!({"z": 1, "a": {"c": "x", "b": {"d": [1, 2]}}, "e": {}});
        let fields = flatten(input.as_object().unwrap()).unwrap();
        let names: Vec<&str> = fields.keys().map(String::as_str).collect();
        assert_eq!(names, vec!["a.b.d", "a.c", "z"]);
        assert_eq!(fields["a.b.d"], &json!([1, 2]));
    }

    #[test]
    fn a_dotted_key_clashing_with_a_nested_one_is_an_error() {
        let input = json!({"a.b": 1, "a": {"b": 2}});
        assert_eq!(
            flatten(input.as_object().unwrap()),
            Err(FeatureError::DuplicateField {
                field: "a.b".into()
            })
        );
    }
}
