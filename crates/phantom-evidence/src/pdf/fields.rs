//! Reading a bundle generously for display: a missing field shows as "-", and any JSON
//! becomes key/value lines, so fields the engine adds later appear without code changes.

use serde_json::Value;

/// Shown for a missing or null field.
pub(crate) const MISSING: &str = "-";

/// The value at `path` (object keys), if present and not null.
pub(crate) fn get<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter()
        .try_fold(value, |node, key| node.get(key))
        .filter(|found| !found.is_null())
}

/// The value at `path` as text, or "-".
pub(crate) fn text_at(value: &Value, path: &[&str]) -> String {
    get(value, path).map_or_else(|| MISSING.to_owned(), display)
}

/// A value as people read it: strings without quotes, numbers as written, lists of plain
/// values joined by commas, anything else as compact JSON.
pub(crate) fn display(value: &Value) -> String {
    match value {
        Value::Null => MISSING.to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.is_empty() => "(none)".to_owned(),
        Value::Array(items) if items.iter().all(is_plain) => {
            items.iter().map(display).collect::<Vec<_>>().join(", ")
        }
        Value::Object(map) if map.is_empty() => "(none)".to_owned(),
        Value::Array(_) | Value::Object(_) => value.to_string(),
    }
}

/// A number shortened for a table cell: three decimals, or scientific notation for very
/// small or large magnitudes; anything else as [`display`].
pub(crate) fn short_number(value: Option<&Value>) -> String {
    match value {
        None => MISSING.to_owned(),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(x) if x != 0.0 && (x.abs() < 1e-3 || x.abs() >= 1e6) => format!("{x:.2e}"),
            Some(x) => {
                let fixed = format!("{x:.3}");
                fixed.trim_end_matches('0').trim_end_matches('.').to_owned()
            }
            None => n.to_string(),
        },
        Some(other) => display(other),
    }
}

fn is_plain(value: &Value) -> bool {
    !matches!(value, Value::Array(_) | Value::Object(_))
}

/// One line of a nested value: a key at a depth, and its value unless it has children.
pub(crate) struct Entry {
    /// Nesting level, from 0.
    pub depth: usize,
    /// The member name, or `[n]` for the n-th item of a list (from 1).
    pub key: String,
    /// The value's text; `None` for an object or list whose lines follow.
    pub value: Option<String>,
}

/// The lines of `value`'s members (or items), nested objects and lists of objects indented
/// under their key.
pub(crate) fn entries(value: &Value, depth: usize) -> Vec<Entry> {
    let mut out = Vec::new();
    match value {
        Value::Object(map) => {
            for (key, member) in map {
                push_entry(key.clone(), member, depth, &mut out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                push_entry(format!("[{}]", i + 1), item, depth, &mut out);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {
            out.push(Entry {
                depth,
                key: "value".to_owned(),
                value: Some(display(value)),
            });
        }
    }
    out
}

/// The lines of `value`'s members other than those named in `skip`.
pub(crate) fn entries_except(value: &Value, skip: &[&str], depth: usize) -> Vec<Entry> {
    match value {
        Value::Object(map) => {
            let rest: serde_json::Map<String, Value> = map
                .iter()
                .filter(|(key, _)| !skip.contains(&key.as_str()))
                .map(|(key, member)| (key.clone(), member.clone()))
                .collect();
            entries(&Value::Object(rest), depth)
        }
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) | Value::Array(_) => {
            entries(value, depth)
        }
    }
}

fn push_entry(key: String, value: &Value, depth: usize, out: &mut Vec<Entry>) {
    let nested = match value {
        Value::Object(map) => !map.is_empty(),
        Value::Array(items) => !items.is_empty() && !items.iter().all(is_plain),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => false,
    };
    if nested {
        out.push(Entry {
            depth,
            key,
            value: None,
        });
        out.extend(entries(value, depth + 1));
    } else {
        out.push(Entry {
            depth,
            key,
            value: Some(display(value)),
        });
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{entries, short_number, text_at};

    #[test]
    fn missing_and_null_fields_are_a_dash() {
        let v = json!({"a": {"b": null}});
        assert_eq!(text_at(&v, &["a", "b"]), "-");
        assert_eq!(text_at(&v, &["x", "y"]), "-");
        assert_eq!(text_at(&json!({"a": "x"}), &["a"]), "x");
    }

    #[test]
    fn numbers_shorten_for_tables() {
        assert_eq!(short_number(Some(&json!(7.123456))), "7.123");
        assert_eq!(short_number(Some(&json!(7.1))), "7.1");
        assert_eq!(short_number(Some(&json!(0.00004))), "4.00e-5");
        assert_eq!(short_number(Some(&json!(0))), "0");
        assert_eq!(short_number(None), "-");
    }

    #[test]
    fn nested_values_become_indented_lines() {
        let explanation = json!({
            "changes": {"new_templates": [{"count": 3, "text": "login failed"}]},
            "decision": {"p_value": 0.004, "seed": 42},
            "tags": ["a", "b"],
        });
        let lines: Vec<String> = entries(&explanation, 0)
            .iter()
            .map(|e| {
                format!(
                    "{}{}={}",
                    "  ".repeat(e.depth),
                    e.key,
                    e.value.as_deref().unwrap_or("")
                )
            })
            .collect();
        assert_eq!(
            lines,
            [
                "changes=",
                "  new_templates=",
                "    [1]=",
                "      count=3",
                "      text=login failed",
                "decision=",
                "  p_value=0.004",
                "  seed=42",
                "tags=a, b",
            ]
        );
    }
}
