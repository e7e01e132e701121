//! `create_model`'s configuration: Phantom's own keys, and the original package's
//! (`model_type`, `feature_config`, `training_config`, scikit-learn-style hyperparameter names),
//! translated to a [`ModelConfig`].

use phantom_engine::ModelConfig;
use serde_json::{Map, Value, json};

use crate::error::BindingError;
use crate::ignored::IgnoredList;
use crate::json::kind;

const WHAT: &str = "config_json";

/// Hyperparameters Phantom knows by name.
const NATIVE: [&str; 12] = [
    "seed",
    "n_trees",
    "max_depth",
    "min_samples_leaf",
    "max_leaves",
    "k",
    "learning_rate",
    "l2",
    "max_iter",
    "hidden_layers",
    "contamination",
    "early_stopping",
];

/// Translates a `create_model` configuration.
pub fn model_config(value: Value) -> Result<(ModelConfig, IgnoredList), BindingError> {
    let Value::Object(input) = value else {
        return Err(BindingError::shape(
            WHAT,
            "",
            format!("expected an object, got {}", kind(&value)),
        ));
    };
    let mut ignored = IgnoredList::default();
    let mut out = Map::new();
    let algorithm = input
        .get("algorithm")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    for (key, v) in &input {
        match key.as_str() {
            "name" | "description" | "algorithm" | "label" | "feature_names" | "scaling"
            | "validation_split" => {
                out.insert(key.clone(), v.clone());
            }
            "model_type" | "task" => {
                out.insert("task".into(), v.clone());
            }
            "hyperparameters" => {
                hyperparameters(v, &algorithm, &mut out, &mut ignored)?;
            }
            "feature_config" => feature_config(v, &mut out, &mut ignored)?,
            "training_config" => training_config(v, &algorithm, &mut out, &mut ignored)?,
            "database_config" => ignored.add(
                "database_config",
                "models are always stored in the engine's store (see initialize_databases)",
            ),
            other => {
                return Err(BindingError::shape(
                    WHAT,
                    other,
                    "unknown setting; expected name, description, model_type, algorithm, hyperparameters, feature_config, training_config, feature_names, scaling, validation_split, label",
                ));
            }
        }
    }
    let config = ModelConfig::from_json(&Value::Object(out).to_string())?;
    Ok((config, ignored))
}

fn object<'a>(v: &'a Value, at: &str) -> Result<&'a Map<String, Value>, BindingError> {
    v.as_object().ok_or_else(|| {
        BindingError::shape(WHAT, at, format!("expected an object, got {}", kind(v)))
    })
}

fn hyperparameters(
    v: &Value,
    algorithm: &str,
    out: &mut Map<String, Value>,
    ignored: &mut IgnoredList,
) -> Result<(), BindingError> {
    let given = object(v, "hyperparameters")?;
    let mut hyper = match out.remove("hyperparameters") {
        Some(Value::Object(h)) => h,
        Some(_) | None => Map::new(),
    };
    for (key, value) in given {
        let at = format!("hyperparameters.{key}");
        let native = match key.as_str() {
            k if NATIVE.contains(&k) => Some((k.to_owned(), value.clone())),
            "n_estimators" => Some(("n_trees".into(), value.clone())),
            "random_state" => Some(("seed".into(), value.clone())),
            "n_clusters" => Some(("k".into(), value.clone())),
            "hidden_layer_sizes" => Some(("hidden_layers".into(), value.clone())),
            "epochs" if algorithm == "neural_network" => Some(("max_iter".into(), value.clone())),
            "alpha" if matches!(algorithm, "linear_regression" | "neural_network") => {
                Some(("l2".into(), value.clone()))
            }
            "C" if algorithm == "logistic_regression" => match value.as_f64() {
                Some(c) if c > 0.0 && c.is_finite() => Some(("l2".into(), json!(1.0 / c))),
                Some(_) | None => {
                    return Err(BindingError::shape(
                        WHAT,
                        &at,
                        "C must be a positive number (Phantom uses l2 = 1/C)",
                    ));
                }
            },
            _ => None,
        };
        match native {
            Some((name, value)) if name == *key || !given.contains_key(&name) => {
                hyper.insert(name, value);
            }
            Some((name, _)) => ignored.add(at, format!("{name} is also given; it wins")),
            None => ignored.add(
                at,
                format!(
                    "not a Phantom hyperparameter of {}; see docs/MODELS.md for the ones it has",
                    if algorithm.is_empty() {
                        "this algorithm"
                    } else {
                        algorithm
                    }
                ),
            ),
        }
    }
    out.insert("hyperparameters".into(), Value::Object(hyper));
    Ok(())
}

fn feature_config(
    v: &Value,
    out: &mut Map<String, Value>,
    ignored: &mut IgnoredList,
) -> Result<(), BindingError> {
    let config = object(v, "feature_config")?;
    let normalization = config.get("normalization").and_then(Value::as_bool);
    for (key, value) in config {
        let at = format!("feature_config.{key}");
        match key.as_str() {
            "input_features" => {
                out.insert("feature_names".into(), value.clone());
            }
            "scaling_method" if normalization != Some(false) => {
                let scaling = match value.as_str() {
                    Some("standard" | "standard_scaler" | "z_score") => "z_score",
                    Some("min_max" | "minmax") => "min_max",
                    Some("robust" | "robust_scaler") => "robust",
                    Some("unit_vector" | "l2") => "unit_vector",
                    Some("none") => "none",
                    Some(other) => {
                        return Err(BindingError::shape(
                            WHAT,
                            &at,
                            format!(
                                "unknown scaling '{other}'; use min_max, z_score (standard), robust, unit_vector or none"
                            ),
                        ));
                    }
                    None => {
                        return Err(BindingError::shape(
                            WHAT,
                            &at,
                            format!("expected a string, got {}", kind(value)),
                        ));
                    }
                };
                out.insert("scaling".into(), json!(scaling));
            }
            "scaling_method" => ignored.add(at, "normalization is false, so no scaling is used"),
            "normalization" => {
                if normalization == Some(false) {
                    out.insert("scaling".into(), json!("none"));
                }
            }
            "engineered_features" if value.as_array().is_some_and(Vec::is_empty) => {}
            "engineered_features" => ignored.add(
                at,
                "models train on the features given; derive features with engineer_features first",
            ),
            "feature_selection" if value.as_bool() != Some(true) => {}
            "feature_selection" => ignored.add(
                at,
                "Phantom does not select features; feature_importance_analysis ranks them",
            ),
            _ => ignored.add(at, "not a Phantom feature setting"),
        }
    }
    Ok(())
}

fn training_config(
    v: &Value,
    algorithm: &str,
    out: &mut Map<String, Value>,
    ignored: &mut IgnoredList,
) -> Result<(), BindingError> {
    let config = object(v, "training_config")?;
    let hyper = out
        .entry("hyperparameters")
        .or_insert_with(|| Value::Object(Map::new()));
    for (key, value) in config {
        let at = format!("training_config.{key}");
        let target = match (key.as_str(), algorithm) {
            ("validation_split", _) => None,
            ("epochs", "neural_network") => Some("max_iter"),
            ("learning_rate", "gradient_boosting" | "neural_network") => Some("learning_rate"),
            ("early_stopping", "gradient_boosting" | "neural_network") => Some("early_stopping"),
            ("epochs", _) => {
                ignored.add(at.clone(), format!("{algorithm} does not train in epochs"));
                None
            }
            ("learning_rate" | "early_stopping", _) => {
                ignored.add(at.clone(), format!("{algorithm} has no {key}"));
                None
            }
            ("batch_size", _) => {
                ignored.add(at.clone(), "Phantom optimisers choose their own batches");
                None
            }
            ("cross_validation", _) if value.as_bool() != Some(true) => None,
            ("cross_validation", _) => {
                ignored.add(
                    at.clone(),
                    "Phantom scores on one held-out split (validation_split)",
                );
                None
            }
            _ => {
                ignored.add(at.clone(), "not a Phantom training setting");
                None
            }
        };
        if let (Some(name), Some(h)) = (target, hyper.as_object_mut()) {
            if h.contains_key(name) {
                ignored.add(at, format!("hyperparameters.{name} is also given; it wins"));
            } else {
                h.insert(name.into(), value.clone());
            }
        }
    }
    if let Some(split) = config.get("validation_split")
        && !out.contains_key("validation_split")
    {
        out.insert("validation_split".into(), split.clone());
    }
    Ok(())
}
