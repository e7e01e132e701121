//! `engineer_features`: one event (an object) or many (an array, or `{samples}`), with
//! Phantom's feature options or the original package's `feature_config`.

use std::time::Instant;

use phantom_engine::features::{self, FeatureOptions};
use phantom_ml::scaling::ScalerKind;
use serde_json::{Map, Value, json};

use crate::error::BindingError;
use crate::ignored::IgnoredList;
use crate::json::{self, kind, to_string};

const WHAT: &str = "feature_config_json";

/// Engineers the features of `raw` with `config` and answers the JSON.
pub fn engineer(raw: Value, config: Value) -> Result<String, BindingError> {
    let started = Instant::now();
    let mut ignored = IgnoredList::default();
    let (options, input_features) = options(&config, &mut ignored)?;
    let (events, single) = match raw {
        Value::Object(mut map) if map.contains_key("samples") => match map.remove("samples") {
            Some(Value::Array(items)) => (items, false),
            Some(other) => {
                return Err(BindingError::shape(
                    "raw_data_json",
                    "samples",
                    format!("expected an array of objects, got {}", kind(&other)),
                ));
            }
            None => (Vec::new(), false),
        },
        Value::Object(map) => (vec![Value::Object(map)], true),
        Value::Array(items) => (items, false),
        other @ Value::Null
        | other @ Value::Bool(_)
        | other @ Value::Number(_)
        | other @ Value::String(_) => {
            return Err(BindingError::shape(
                "raw_data_json",
                "",
                format!(
                    "expected an object (one event) or an array of objects, got {}",
                    kind(&other)
                ),
            ));
        }
    };
    let events: Vec<Value> = match &input_features {
        Some(keep) => events
            .into_iter()
            .map(|e| match e {
                Value::Object(map) => Value::Object(
                    map.into_iter()
                        .filter(|(k, _)| keep.iter().any(|f| f == k))
                        .collect::<Map<String, Value>>(),
                ),
                other @ Value::Null
                | other @ Value::Bool(_)
                | other @ Value::Number(_)
                | other @ Value::String(_)
                | other @ Value::Array(_) => other,
            })
            .collect(),
        None => events,
    };
    let out = if single {
        let mut options = options;
        if let Some(kind @ (ScalerKind::MinMax | ScalerKind::ZScore | ScalerKind::Robust)) =
            options.scaling
        {
            ignored.add(
                "scaling",
                format!(
                    "{} scaling is fitted on a batch; give an array of events to scale them together",
                    kind.name()
                ),
            );
            options.scaling = None;
        }
        let event = events.first().cloned().unwrap_or(Value::Null);
        let f = features::engineer_features(&event, &options)?;
        json!({
            "feature_names": f.feature_names,
            "engineered_features": f.values,
            "feature_count": f.feature_names.len(),
            "issues": f.issues,
            "samples_processed": 1,
            "processing_time_ms": started.elapsed().as_secs_f64() * 1e3,
            "ignored_settings": ignored.0,
        })
    } else {
        let batch = features::engineer_batch(&events, &options)?;
        json!({
            "feature_names": batch.feature_names,
            "engineered_features": batch.rows,
            "feature_count": batch.feature_names.len(),
            "issues": batch.issues,
            "samples_processed": events.len(),
            "scaling": options.scaling.map(ScalerKind::name),
            "processing_time_ms": started.elapsed().as_secs_f64() * 1e3,
            "ignored_settings": ignored.0,
        })
    };
    to_string(&out)
}

/// Phantom's options (`field_types`, `suspicious_keywords`, `scaling`) and the original ones
/// (`input_features` keeps only those fields; `normalization` with `scaling_method`).
fn options(
    config: &Value,
    ignored: &mut IgnoredList,
) -> Result<(FeatureOptions, Option<Vec<String>>), BindingError> {
    let map = match config {
        Value::Null => return Ok((FeatureOptions::default(), None)),
        Value::Object(map) => map,
        other @ Value::Bool(_)
        | other @ Value::Number(_)
        | other @ Value::String(_)
        | other @ Value::Array(_) => {
            return Err(BindingError::shape(
                WHAT,
                "",
                format!("expected an object, got {}", kind(other)),
            ));
        }
    };
    let mut native = Map::new();
    let mut input_features = None;
    let normalization = map.get("normalization").and_then(Value::as_bool);
    for (key, value) in map {
        match key.as_str() {
            "field_types" | "suspicious_keywords" | "scaling" => {
                native.insert(key.clone(), value.clone());
            }
            "input_features" => input_features = Some(json::typed(WHAT, value.clone())?),
            "scaling_method" if normalization == Some(true) => {
                let name = match value.as_str() {
                    Some("standard" | "z_score") => "z_score",
                    Some(other) => other,
                    None => "",
                };
                native.insert("scaling".into(), json!(name));
            }
            "scaling_method" => ignored.add(key.clone(), "used only with normalization: true"),
            "normalization" => {}
            "engineered_features" if value.as_array().is_some_and(Vec::is_empty) => {}
            "feature_selection" if value.as_bool() != Some(true) => {}
            _ => ignored.add(
                key.clone(),
                "not a Phantom feature option (field_types, suspicious_keywords, scaling, input_features)",
            ),
        }
    }
    let options: FeatureOptions = json::typed(WHAT, Value::Object(native))?;
    Ok((options, input_features))
}
