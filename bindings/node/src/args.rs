//! The arguments JavaScript passes: strings of JSON as the original package documents, or the
//! values themselves; anything else is an error that names the argument.

use serde_json::Value;

use crate::error::BindingError;
use crate::json::{self, kind};

/// A required JSON argument: a JSON string, or a value passed as is.
pub fn json_arg(what: &str, arg: Option<Value>) -> Result<Value, BindingError> {
    match arg {
        Some(Value::String(text)) => json::parse(what, &text),
        None | Some(Value::Null) => Err(BindingError::shape(what, "", "is missing")),
        Some(value) => Ok(value),
    }
}

/// An optional JSON argument: absent, null or an empty string is `Value::Null`.
pub fn optional_json(what: &str, arg: Option<Value>) -> Result<Value, BindingError> {
    match arg {
        Some(Value::String(text)) => json::parse_optional(what, Some(&text)),
        None | Some(Value::Null) => Ok(Value::Null),
        Some(value) => Ok(value),
    }
}

/// A required text argument, such as a model id or name.
pub fn text(what: &str, arg: Option<Value>) -> Result<String, BindingError> {
    match arg {
        Some(Value::String(text)) if !text.is_empty() => Ok(text),
        Some(Value::String(_)) => Err(BindingError::shape(what, "", "is empty")),
        None | Some(Value::Null) => Err(BindingError::shape(what, "", "is missing")),
        Some(other) => Err(BindingError::shape(
            what,
            "",
            format!("expected a string, got {}", kind(&other)),
        )),
    }
}

/// An optional whole number in `1..=max`.
pub fn count(what: &str, arg: Option<Value>, max: u64) -> Result<Option<u64>, BindingError> {
    let value = match arg {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => json::parse(what, &s)?,
        Some(v) => v,
    };
    match value.as_f64() {
        Some(n) if n.fract() == 0.0 && n >= 1.0 && n <= max as f64 => Ok(Some(n as u64)),
        Some(n) => Err(BindingError::shape(
            what,
            "",
            format!("must be a whole number from 1 to {max}, got {n}"),
        )),
        None => Err(BindingError::shape(
            what,
            "",
            format!("expected a number, got {}", kind(&value)),
        )),
    }
}

/// An object's optional field of type `T`.
pub fn field<T: serde::de::DeserializeOwned>(
    what: &str,
    value: &Value,
    key: &str,
) -> Result<Option<T>, BindingError> {
    match value.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => json::typed(&format!("{what}.{key}"), v.clone()).map(Some),
    }
}
