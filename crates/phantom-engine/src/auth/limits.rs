//! Rate limits per API key, and per user for login tokens.
//!
//! Without Redis each engine keeps a token bucket per key in memory: it holds `limit`
//! requests and refills at `limit` per second, so a key may burst a second's worth and then
//! keeps to its rate. With Redis, every engine counts in one fixed one-second window per key
//! (`INCR phantom:rate:<key id>:<second>`), so the limit holds across replicas; if Redis
//! fails, the engine falls back to its own buckets rather than refusing or waving through.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use phantom_store::Storage;

use super::principal::Principal;
use crate::engine::now_ms;
use crate::{Engine, EngineError};

/// Buckets kept before idle ones are dropped.
const MAX_IDLE_BUCKETS: usize = 10_000;

/// A bucket untouched this long is full again, so dropping it changes nothing.
const IDLE: Duration = Duration::from_secs(60);

/// Per-engine rate-limit state.
pub(crate) struct RateLimiter {
    default_limit: Option<u32>,
    buckets: Mutex<HashMap<String, Bucket>>,
    key_limits: Mutex<HashMap<String, Option<u32>>>,
}

struct Bucket {
    limit: u32,
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    /// A limiter giving `default_limit` to keys without their own limit and to users.
    pub(crate) fn new(default_limit: Option<u32>) -> Self {
        Self {
            default_limit,
            buckets: Mutex::new(HashMap::new()),
            key_limits: Mutex::new(HashMap::new()),
        }
    }

    /// Notes a key's own limit, as read when the key was authenticated.
    pub(super) fn remember_key_limit(&self, key_id: &str, limit: Option<u32>) {
        let mut limits = self
            .key_limits
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if limits.get(key_id) != Some(&limit) {
            limits.insert(key_id.to_owned(), limit);
        }
    }

    fn key_limit(&self, key_id: &str) -> Option<Option<u32>> {
        self.key_limits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key_id)
            .copied()
    }

    /// Takes one request from `subject`'s bucket, or says how many milliseconds until one
    /// is there.
    fn take_local(&self, subject: &str, limit: u32, now: Instant) -> Result<(), u64> {
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= MAX_IDLE_BUCKETS && !buckets.contains_key(subject) {
            buckets.retain(|_, b| now.duration_since(b.updated) < IDLE);
        }
        let rate = f64::from(limit);
        let bucket = buckets.entry(subject.to_owned()).or_insert_with(|| Bucket {
            limit,
            tokens: rate,
            updated: now,
        });
        if bucket.limit != limit {
            *bucket = Bucket {
                limit,
                tokens: rate,
                updated: now,
            };
        }
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(rate);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / rate * 1000.0).ceil() as u64)
        }
    }
}

impl Engine {
    /// Counts one request of `principal` against its key's rate limit; `RateLimited` with the
    /// wait when over it. With Redis the limit holds across replicas.
    pub async fn check_rate_limit(&self, principal: &Principal) -> Result<(), EngineError> {
        let limiter = &self.inner.auth.limiter;
        let (subject, limit) = match &principal.key_id {
            Some(id) => {
                let own = match limiter.key_limit(id) {
                    Some(own) => own,
                    None => {
                        let own = self
                            .inner
                            .store
                            .get_api_key(&principal.tenant, id)
                            .await?
                            .and_then(|k| k.rate_limit_per_second);
                        limiter.remember_key_limit(id, own);
                        own
                    }
                };
                (id.clone(), own.or(limiter.default_limit))
            }
            None => (
                format!("user:{}:{}", principal.tenant, principal.subject),
                limiter.default_limit,
            ),
        };
        let Some(limit) = limit else {
            return Ok(());
        };
        let over = |retry_after_ms| EngineError::RateLimited {
            limit,
            retry_after_ms,
        };
        if let Some(redis) = &self.inner.redis {
            let now = now_ms();
            let second = now.div_euclid(1000);
            let key = format!("phantom:rate:{subject}:{second}");
            if let Ok(count) = redis.increment(&key, 2).await {
                return if count > u64::from(limit) {
                    Err(over((1000 - now.rem_euclid(1000)).unsigned_abs()))
                } else {
                    Ok(())
                };
            }
        }
        limiter
            .take_local(&subject, limit, Instant::now())
            .map_err(over)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_a_burst_then_the_rate() {
        let limiter = RateLimiter::new(None);
        let t0 = Instant::now();
        for _ in 0..5 {
            limiter.take_local("k", 5, t0).unwrap();
        }
        let wait = limiter.take_local("k", 5, t0).unwrap_err();
        assert_eq!(wait, 200, "one request refills in 1/5 s");
        limiter
            .take_local("k", 5, t0 + Duration::from_millis(200))
            .unwrap();
        assert!(
            limiter
                .take_local("k", 5, t0 + Duration::from_millis(210))
                .is_err()
        );
        for _ in 0..5 {
            limiter
                .take_local("k", 5, t0 + Duration::from_secs(10))
                .unwrap();
        }
        assert!(
            limiter
                .take_local("k", 5, t0 + Duration::from_secs(10))
                .is_err(),
            "a bucket never holds more than a second's worth"
        );
        limiter.take_local("other", 5, t0).unwrap();
    }

    #[test]
    fn a_changed_limit_starts_a_full_bucket() {
        let limiter = RateLimiter::new(None);
        let t0 = Instant::now();
        limiter.take_local("k", 1, t0).unwrap();
        assert!(limiter.take_local("k", 1, t0).is_err());
        limiter.take_local("k", 2, t0).unwrap();
    }

    #[test]
    fn idle_buckets_are_dropped_when_many() {
        let limiter = RateLimiter::new(None);
        let t0 = Instant::now();
        for i in 0..MAX_IDLE_BUCKETS {
            limiter.take_local(&format!("k{i}"), 1, t0).unwrap();
        }
        limiter.take_local("late", 1, t0 + IDLE).unwrap();
        let buckets = limiter.buckets.lock().unwrap();
        assert_eq!(buckets.len(), 1);
    }
}
