//! Reading the JSON strings callers pass: syntax errors say where, shape errors say which
//! field, and numbers that JavaScript's `JSON.stringify` turned into `null` (NaN, Infinity)
//! are named as such.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::BindingError;

/// Parses `text`, the argument called `what`, as JSON.
pub fn parse(what: &str, text: &str) -> Result<Value, BindingError> {
    serde_json::from_str(text).map_err(|e| BindingError::Syntax {
        what: what.to_owned(),
        line: e.line(),
        column: e.column(),
        reason: strip_position(&e.to_string()),
        hint: if text.contains("NaN") || text.contains("Infinity") {
            " (NaN and Infinity are not JSON; give finite numbers)"
        } else {
            ""
        },
    })
}

/// Parses an optional argument: absent, empty or `null` gives `Value::Null`.
pub fn parse_optional(what: &str, text: Option<&str>) -> Result<Value, BindingError> {
    match text.map(str::trim) {
        None | Some("") => Ok(Value::Null),
        Some(t) => parse(what, t),
    }
}

/// Reads `value` as a `T`, naming the field at fault.
pub fn typed<T: DeserializeOwned>(what: &str, value: Value) -> Result<T, BindingError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." { String::new() } else { path };
        BindingError::shape(what, &at, e.into_inner().to_string())
    })
}

/// An array of finite numbers at `at` in `what`.
pub fn numbers(what: &str, at: &str, value: &Value) -> Result<Vec<f64>, BindingError> {
    let Value::Array(items) = value else {
        return Err(BindingError::shape(
            what,
            at,
            format!("expected an array of numbers, got {}", kind(value)),
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, v)| number(what, &format!("{at}[{i}]"), v))
        .collect()
}

/// An array of rows of finite numbers at `at` in `what`.
pub fn rows(what: &str, at: &str, value: &Value) -> Result<Vec<Vec<f64>>, BindingError> {
    let Value::Array(items) = value else {
        return Err(BindingError::shape(
            what,
            at,
            format!(
                "expected an array of rows (arrays of numbers), got {}",
                kind(value)
            ),
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, row)| numbers(what, &format!("{at}[{i}]"), row))
        .collect()
}

/// A finite number.
pub fn number(what: &str, at: &str, value: &Value) -> Result<f64, BindingError> {
    match value {
        Value::Number(n) => n
            .as_f64()
            .filter(|v| v.is_finite())
            .ok_or_else(|| BindingError::shape(what, at, format!("{n} is out of range"))),
        Value::Null => Err(BindingError::shape(
            what,
            at,
            "is null; JSON.stringify writes NaN and Infinity as null, give finite numbers",
        )),
        Value::Bool(_) | Value::String(_) | Value::Array(_) | Value::Object(_) => Err(
            BindingError::shape(what, at, format!("expected a number, got {}", kind(value))),
        ),
    }
}

/// The JSON type of a value, for messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `value` as a JSON string.
pub fn to_string<T: Serialize>(value: &T) -> Result<String, BindingError> {
    serde_json::to_string(value).map_err(|e| {
        BindingError::Engine(phantom_engine::EngineError::Internal(format!(
            "encoding the answer: {e}"
        )))
    })
}

/// serde_json appends " at line L column C", which the message already gives.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_say_where_and_name_nan() {
        let e = parse("features_json", "[1, NaN]").unwrap_err().to_string();
        assert!(
            e.starts_with("bad JSON in features_json at line 1, column"),
            "{e}"
        );
        assert!(e.contains("NaN and Infinity are not JSON"), "{e}");
        assert!(!e.contains("at line 1 column"), "{e}");
    }

    #[test]
    fn nulls_and_strings_in_number_arrays_are_named() {
        let v = parse("features_json", "[1, null, 3]").unwrap();
        let e = numbers("features_json", "", &v).unwrap_err().to_string();
        assert!(e.contains("at [1]") && e.contains("NaN"), "{e}");
        let v = parse("batch", r#"[[1, 2], [3, "x"]]"#).unwrap();
        let e = rows("batch", "samples", &v).unwrap_err().to_string();
        assert!(e.contains("samples[1][1]") && e.contains("a string"), "{e}");
    }

    #[test]
    fn shape_errors_name_the_field() {
        let e = typed::<std::collections::BTreeMap<String, u32>>(
            "options",
            serde_json::json!({"a": "x"}),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("invalid options at a:"), "{e}");
    }
}
