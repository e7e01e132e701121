//! `initialize_databases`: PostgreSQL becomes the engine's store (the engine reopens on it),
//! Redis its prediction cache; each backend answers `connected` or its error. MongoDB and
//! Elasticsearch are not supported, and say which backend to use instead.

use serde_json::{Map, Value, json};

use crate::error::BindingError;
use crate::json::kind;
use crate::slot::EngineSlot;

const WHAT: &str = "config_json";

/// Keys the original package accepted to say which backend holds what.
const PREFERENCES: [&str; 5] = [
    "model_storage",
    "inference_storage",
    "training_storage",
    "cache_storage",
    "search_storage",
];

fn text<'a>(map: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, BindingError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s)),
        Some(other) => Err(BindingError::shape(
            WHAT,
            key,
            format!("expected a non-empty URL string, got {}", kind(other)),
        )),
    }
}

/// Connects what `config` names and answers per backend.
pub async fn initialize(slot: &EngineSlot, config: &Value) -> Result<Value, BindingError> {
    let Value::Object(map) = config else {
        return Err(BindingError::shape(
            WHAT,
            "",
            format!("expected an object, got {}", kind(config)),
        ));
    };
    for key in map.keys() {
        let known = matches!(
            key.as_str(),
            "postgresql_uri" | "redis_url" | "mongodb_uri" | "elasticsearch_url"
        ) || PREFERENCES.contains(&key.as_str());
        if !known {
            return Err(BindingError::shape(
                WHAT,
                key,
                "unknown key; expected postgresql_uri, redis_url, mongodb_uri, elasticsearch_url or a *_storage preference",
            ));
        }
    }
    let postgres = text(map, "postgresql_uri")?;
    let redis = text(map, "redis_url")?;
    let current = slot.config();
    let mut target = current.clone();
    if let Some(url) = postgres {
        target.database_url = Some(url.to_owned());
    }
    if let Some(url) = redis {
        target.redis_url = Some(url.to_owned());
    }
    let (pg_result, redis_result) = match slot.reopen(target.clone()).await {
        Ok(_) => (postgres.map(|_| Ok(())), redis.map(|_| Ok(()))),
        Err(both) if redis.is_some() => {
            // Find which one failed: the store alone, then Redis on the store that works.
            let store_only = phantom_engine::EngineConfig {
                redis_url: current.redis_url.clone(),
                ..target.clone()
            };
            match slot.reopen(store_only).await {
                Ok(_) => (postgres.map(|_| Ok(())), Some(Err(both.to_string()))),
                Err(store_error) => {
                    let cache_only = phantom_engine::EngineConfig {
                        redis_url: target.redis_url.clone(),
                        ..current.clone()
                    };
                    let cache = slot
                        .reopen(cache_only)
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string());
                    (postgres.map(|_| Err(store_error.to_string())), Some(cache))
                }
            }
        }
        Err(e) => (postgres.map(|_| Err(e.to_string())), None),
    };
    let engine = slot.get().await?;
    let status = |r: Option<Result<(), String>>, what: &str| match r {
        None => json!({"status": "not_configured"}),
        Some(Ok(())) => json!({"status": "connected", "backend": what}),
        Some(Err(e)) => json!({"status": "error", "error": e}),
    };
    let unsupported = |key: &str, name: &str, instead: &str| {
        map.get(key).filter(|v| !v.is_null()).map(|_| {
            json!({
                "status": "not_supported",
                "message": format!("{name} is not supported; use {instead}"),
            })
        })
    };
    let mut preferences = Map::new();
    for key in PREFERENCES {
        if let Some(v) = map.get(key).and_then(Value::as_str) {
            let used = match (key, v) {
                ("cache_storage", "redis") => "redis",
                ("cache_storage", _) => "redis (the only prediction cache; set redis_url)",
                ("search_storage", _) => "none: models are listed and filtered from the store",
                (_, _) => engine.storage_backend(),
            };
            preferences.insert(key.into(), json!({"requested": v, "used": used}));
        }
    }
    Ok(json!({
        "postgresql": status(pg_result, "postgres"),
        "redis": status(redis_result, "redis"),
        "mongodb": unsupported("mongodb_uri", "MongoDB", "postgresql_uri (models, versions and the inference log live in PostgreSQL)")
            .unwrap_or(json!({"status": "not_configured"})),
        "elasticsearch": unsupported("elasticsearch_url", "Elasticsearch", "postgresql_uri; list_models and get_inference_history query the store")
            .unwrap_or(json!({"status": "not_configured"})),
        "storage_backend": engine.storage_backend(),
        "prediction_cache": engine.config().redis_url.is_some(),
        "storage_preferences": preferences,
    }))
}
