//! Refuses numbers the canonical form would change: RFC 8785 holds numbers as IEEE-754
//! doubles, so two integers beyond 2^53 can share one canonical form, and a signature over it
//! would not tell them apart.

use serde_json::{Map, Value};

use crate::EvidenceError;

/// The largest magnitude of an integer every double-based reader keeps exactly (I-JSON,
/// RFC 7493): 2^53 - 1.
pub const MAX_EXACT_INTEGER: u64 = (1 << 53) - 1;

/// Fails on the first number in `object` that a double does not hold exactly, naming its path.
pub(crate) fn check_exact_numbers(object: &Map<String, Value>) -> Result<(), EvidenceError> {
    let mut path = String::from("$");
    members(object, &mut path)
}

fn check(value: &Value, path: &mut String) -> Result<(), EvidenceError> {
    match value {
        Value::Null | Value::Bool(_) | Value::String(_) => Ok(()),
        Value::Number(number) => {
            if is_exact(number) {
                Ok(())
            } else {
                Err(EvidenceError::InexactNumber {
                    path: path.clone(),
                    number: number.to_string(),
                })
            }
        }
        Value::Array(items) => items.iter().enumerate().try_for_each(|(i, item)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let result = check(item, path);
            path.truncate(len);
            result
        }),
        Value::Object(map) => members(map, path),
    }
}

fn members(object: &Map<String, Value>, path: &mut String) -> Result<(), EvidenceError> {
    object.iter().try_for_each(|(key, item)| {
        let len = path.len();
        path.push('.');
        path.push_str(key);
        let result = check(item, path);
        path.truncate(len);
        result
    })
}

fn is_exact(number: &serde_json::Number) -> bool {
    if let Some(n) = number.as_u64() {
        n <= MAX_EXACT_INTEGER
    } else if let Some(n) = number.as_i64() {
        n.unsigned_abs() <= MAX_EXACT_INTEGER
    } else {
        number.as_f64().is_some_and(f64::is_finite)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::check_exact_numbers;
    use crate::EvidenceError;

    fn check(value: &Value) -> Result<(), EvidenceError> {
        check_exact_numbers(value.as_object().unwrap_or(&serde_json::Map::new()))
    }

    #[test]
    fn integers_up_to_2_pow_53_minus_1_pass() {
        let fine = json!({"a": [9007199254740991_u64, -9007199254740991_i64, 0.1, 1e300]});
        assert!(check(&fine).is_ok());
    }

    #[test]
    fn larger_integers_are_named_with_their_path() {
        let bad = json!({"anomalies": [{"decision": {"seed": 9007199254740993_u64}}]});
        match check(&bad) {
            Err(EvidenceError::InexactNumber { path, number }) => {
                assert_eq!(path, "$.anomalies[0].decision.seed");
                assert_eq!(number, "9007199254740993");
            }
            other => panic!("expected InexactNumber, got {other:?}"),
        }
        assert!(check(&json!({"n": [i64::MIN]})).is_err());
    }
}
