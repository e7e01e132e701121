//! Any change to a signed bundle's content breaks its signature.

use std::sync::LazyLock;

use phantom_evidence::{EvidenceError, canonical_json, sign, verify};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::support::{bundle, key};

/// A change to one node of a JSON tree.
#[derive(Clone, Debug)]
enum Change {
    /// Replace the node with this value.
    Replace(Value),
    /// Add a member to an object, or an item to an array.
    Add(String, Value),
    /// Remove a member or item (or, for a plain value, replace it with null).
    Remove,
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-(1_i64 << 53) + 1..(1_i64 << 53)).prop_map(Value::from),
        (-1e12..1e12_f64).prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
    ]
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        leaf().prop_map(Change::Replace),
        ("\\PC{1,8}", leaf()).prop_map(|(k, v)| Change::Add(k, v)),
        Just(Change::Remove),
    ]
}

/// Every node of `value` (pre-order), as the list of steps to it.
fn paths(value: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(here.clone());
    match value {
        Value::Object(map) => {
            for (key, member) in map {
                here.push(Step::Key(key.clone()));
                paths(member, here, out);
                here.pop();
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                here.push(Step::Index(i));
                paths(item, here, out);
                here.pop();
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
    }
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn node<'a>(value: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(value, |node, step| match step {
        Step::Key(key) => &mut node[key.as_str()],
        Step::Index(i) => &mut node[*i],
    })
}

fn apply(content: &mut Value, path: &[Step], change: Change) {
    match change {
        Change::Replace(value) => *node(content, path) = value,
        Change::Add(key, value) => match node(content, path) {
            Value::Object(map) => {
                map.insert(key, value);
            }
            Value::Array(items) => items.push(value),
            other @ (Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_)) => {
                *other = json!([other.clone(), value]);
            }
        },
        Change::Remove => match path.split_last() {
            Some((Step::Key(key), parent)) => {
                if let Some(map) = node(content, parent).as_object_mut() {
                    map.remove(key);
                }
            }
            Some((Step::Index(i), parent)) => {
                if let Some(items) = node(content, parent).as_array_mut() {
                    items.remove(*i);
                }
            }
            None => {}
        },
    }
}

/// Signed bundles of 1 to 3 anomalies, signed once: signing is the slow part.
fn signed(anomalies: usize) -> &'static Value {
    static SIGNED: LazyLock<Vec<Value>> = LazyLock::new(|| {
        (1..=3)
            .map(|n| sign(bundle(n, 4), &key()).expect("signs"))
            .collect()
    });
    &SIGNED[anomalies - 1]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_change_to_the_content_is_a_bad_signature(
        anomalies in 1..=3_usize,
        pick in any::<prop::sample::Index>(),
        change in change(),
    ) {
        let mut content = signed(anomalies).clone();
        let signature = content.as_object_mut().and_then(|m| m.remove("signature")).expect("signed");
        let mut all = Vec::new();
        paths(&content, &mut Vec::new(), &mut all);
        // Not the root: a bundle that is no object is refused before any signature check.
        all.remove(0);
        let path = pick.get(&all).clone();
        let before = canonical_json(&content);
        apply(&mut content, &path, change);
        // Changes JSON itself does not distinguish (7 for 7.0) are not changes.
        prop_assume!(canonical_json(&content) != before);
        if let Some(map) = content.as_object_mut() {
            map.insert("signature".to_owned(), signature);
        }
        match verify(&content, &key().public_key()) {
            Err(EvidenceError::BadSignature { .. }) => {}
            other => prop_assert!(false, "{path:?}: expected BadSignature, got {other:?}"),
        }
    }
}
