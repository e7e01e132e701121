//! The optional Redis connection, used as the prediction cache and for the rate-limit and
//! failed-login counters shared by every replica. A prediction is stored under its tenant, model,
//! version and a SHA-256 of its input, with a TTL. Versions are immutable, so a key can never
//! hold a stale answer; activating a version still deletes the model's keys, so memory is
//! given back at once and rollbacks start cold rather than from hours-old entries.

use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use sha2::{Digest, Sha256};

use super::output::Prediction;
use crate::EngineError;

/// Longest wait for Redis before a lookup counts as failed (the prediction is then computed).
const RESPONSE_TIMEOUT: Duration = Duration::from_millis(250);

/// A connection to the cache.
#[derive(Clone)]
pub(crate) struct PredictionCache {
    connection: ConnectionManager,
    ttl_seconds: u64,
}

fn redis_error(e: redis::RedisError) -> EngineError {
    EngineError::Redis(e.to_string())
}

impl PredictionCache {
    /// Connects to `url`; fails if Redis does not answer.
    pub(crate) async fn connect(url: &str, ttl_seconds: u64) -> Result<Self, EngineError> {
        let shown = phantom_store::redact_url(url);
        let client = redis::Client::open(url)
            .map_err(|e| EngineError::Redis(format!("invalid Redis URL '{shown}': {e}")))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(1);
        let connection = client
            .get_connection_manager_with_config(config)
            .await
            .map_err(|e| EngineError::Redis(format!("cannot reach {shown}: {e}")))?;
        let cache = Self {
            connection,
            ttl_seconds: ttl_seconds.max(1),
        };
        cache.ping().await?;
        Ok(cache)
    }

    /// The key of a prediction.
    pub(crate) fn key(tenant: &str, model_id: &str, version: u32, row: &[f64]) -> String {
        let mut hasher = Sha256::new();
        for v in row {
            hasher.update(v.to_le_bytes());
        }
        format!(
            "{}{version}:{}",
            model_prefix(tenant, model_id),
            hex::encode(hasher.finalize())
        )
    }

    /// The cached prediction under `key`, if any.
    pub(crate) async fn get(&self, key: &str) -> Result<Option<Prediction>, EngineError> {
        let mut c = self.connection.clone();
        let bytes: Option<Vec<u8>> = redis::cmd("GET")
            .arg(key)
            .query_async(&mut c)
            .await
            .map_err(redis_error)?;
        match bytes {
            Some(b) => serde_json::from_slice(&b)
                .map(Some)
                .map_err(|e| EngineError::Redis(format!("unreadable cached prediction: {e}"))),
            None => Ok(None),
        }
    }

    /// Stores `prediction` under `key` with the TTL.
    pub(crate) async fn put(&self, key: &str, prediction: &Prediction) -> Result<(), EngineError> {
        let bytes = serde_json::to_vec(prediction)
            .map_err(|e| EngineError::Internal(format!("encoding a prediction: {e}")))?;
        let mut c = self.connection.clone();
        redis::cmd("SET")
            .arg(key)
            .arg(bytes)
            .arg("EX")
            .arg(self.ttl_seconds)
            .query_async::<()>(&mut c)
            .await
            .map_err(redis_error)
    }

    /// Deletes every cached prediction of a model; returns how many keys went.
    pub(crate) async fn invalidate_model(
        &self,
        tenant: &str,
        model_id: &str,
    ) -> Result<u64, EngineError> {
        let pattern = format!("{}*", glob_escape(&model_prefix(tenant, model_id)));
        let mut c = self.connection.clone();
        let mut cursor: u64 = 0;
        let mut deleted = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut c)
                .await
                .map_err(redis_error)?;
            if !keys.is_empty() {
                deleted += redis::cmd("UNLINK")
                    .arg(&keys)
                    .query_async::<u64>(&mut c)
                    .await
                    .map_err(redis_error)?;
            }
            if next == 0 {
                return Ok(deleted);
            }
            cursor = next;
        }
    }

    /// Adds one to the counter under `key` and returns its new value; the counter expires
    /// `ttl_seconds` after its last increment. Rate limiting counts requests this way, so the
    /// count holds across every engine sharing the Redis.
    pub(crate) async fn increment(&self, key: &str, ttl_seconds: u64) -> Result<u64, EngineError> {
        let mut c = self.connection.clone();
        let (count,): (u64,) = redis::pipe()
            .atomic()
            .cmd("INCR")
            .arg(key)
            .cmd("EXPIRE")
            .arg(key)
            .arg(ttl_seconds)
            .ignore()
            .query_async(&mut c)
            .await
            .map_err(redis_error)?;
        Ok(count)
    }

    /// The counter under `key` (0 if there is none).
    pub(crate) async fn count(&self, key: &str) -> Result<u64, EngineError> {
        let mut c = self.connection.clone();
        let count: Option<u64> = redis::cmd("GET")
            .arg(key)
            .query_async(&mut c)
            .await
            .map_err(redis_error)?;
        Ok(count.unwrap_or(0))
    }

    /// Deletes the counter under `key`.
    pub(crate) async fn forget(&self, key: &str) -> Result<(), EngineError> {
        let mut c = self.connection.clone();
        redis::cmd("DEL")
            .arg(key)
            .query_async::<()>(&mut c)
            .await
            .map_err(redis_error)
    }

    /// Round-trip time of a PING, in milliseconds.
    pub(crate) async fn ping(&self) -> Result<f64, EngineError> {
        let started = Instant::now();
        let mut c = self.connection.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut c)
            .await
            .map_err(redis_error)?;
        Ok(started.elapsed().as_secs_f64() * 1e3)
    }
}

fn model_prefix(tenant: &str, model_id: &str) -> String {
    format!("phantom:prediction:{tenant}:{model_id}:")
}

/// Escapes Redis glob characters so a tenant or id is matched literally.
fn glob_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_separate_versions_and_inputs() {
        let a = PredictionCache::key("t", "m", 1, &[1.0, 2.0]);
        assert_ne!(a, PredictionCache::key("t", "m", 2, &[1.0, 2.0]));
        assert_ne!(a, PredictionCache::key("t", "m", 1, &[2.0, 1.0]));
        assert_ne!(a, PredictionCache::key("u", "m", 1, &[1.0, 2.0]));
        assert!(a.starts_with("phantom:prediction:t:m:1:"));
        assert_eq!(glob_escape("a*b[c]"), "a\\*b\\[c\\]");
    }
}
