//! Failed-login throttling. `POST /v1/auth/login` needs no credential, so it is where
//! passwords get guessed: each failed login counts against its (tenant, user name) and
//! against its source address, and once either has failed `auth.max_failed_logins` times
//! within `auth.failed_login_window_seconds`, logins for it are refused (`LoginThrottled`,
//! 429) until the window ends, before any password is checked. A successful login clears
//! its user name's count (not its address's).
//!
//! Without Redis each engine counts in memory, in a fixed window that starts at a subject's
//! first failure. With Redis every engine counts in one fixed window per subject
//! (`INCR phantom:login:<subject hash>:<window number>`), so the limit holds across
//! replicas; if Redis fails, the engine falls back to its own counts.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::config::AuthConfig;
use crate::engine::now_ms;
use crate::{Engine, EngineError};

/// Subjects tracked in memory; beyond this, expired windows are dropped, then the oldest.
const MAX_TRACKED: usize = 100_000;

/// The subjects one login attempt counts against: its user name in its tenant, and its
/// source address when known. Each is a SHA-256 (hex) of its parts, so any user name makes
/// a short key, and no user name can pass for another tenant's or an address.
pub(crate) struct LoginAttempt {
    user: String,
    source: Option<String>,
}

impl LoginAttempt {
    /// The attempt to log in as `username` in `tenant` from `source`.
    pub(crate) fn new(tenant: &str, username: &str, source: Option<&str>) -> Self {
        Self {
            user: subject(&["user", tenant, username]),
            source: source.map(|s| subject(&["addr", s])),
        }
    }

    fn subjects(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.user.as_str()).chain(self.source.as_deref())
    }
}

fn subject(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part.as_bytes());
    }
    hex::encode(&hash.finalize()[..16])
}

/// Per-engine failed-login counts.
pub(crate) struct LoginThrottle {
    max_failures: u32,
    window: Duration,
    windows: Mutex<HashMap<String, Window>>,
}

/// The failures of one subject in its current window.
struct Window {
    started: Instant,
    failures: u32,
}

impl LoginThrottle {
    /// Counts with the limits of `config`.
    pub(crate) fn new(config: &AuthConfig) -> Self {
        Self {
            max_failures: config.max_failed_logins,
            window: Duration::from_secs(config.failed_login_window_seconds),
            windows: Mutex::new(HashMap::new()),
        }
    }

    fn refused(&self, retry_after_ms: u64) -> EngineError {
        EngineError::LoginThrottled {
            max_failures: self.max_failures,
            window_seconds: self.window.as_secs(),
            retry_after_ms,
        }
    }

    /// Milliseconds until `subject` may try again, if it is refused now.
    fn blocked_local(&self, subject: &str, now: Instant) -> Option<u64> {
        let windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let w = windows.get(subject)?;
        let ends = w.started + self.window;
        (w.failures >= self.max_failures && now < ends)
            .then(|| (ends - now).as_millis().try_into().unwrap_or(u64::MAX))
    }

    fn fail_local(&self, subject: &str, now: Instant) {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if windows.len() >= MAX_TRACKED && !windows.contains_key(subject) {
            let window = self.window;
            windows.retain(|_, w| now.duration_since(w.started) < window);
            if windows.len() >= MAX_TRACKED
                && let Some(oldest) = windows
                    .iter()
                    .min_by_key(|(_, w)| w.started)
                    .map(|(k, _)| k.clone())
            {
                windows.remove(&oldest);
            }
        }
        let w = windows.entry(subject.to_owned()).or_insert(Window {
            started: now,
            failures: 0,
        });
        if now.duration_since(w.started) >= self.window {
            *w = Window {
                started: now,
                failures: 0,
            };
        }
        w.failures = w.failures.saturating_add(1);
    }

    fn clear_local(&self, subject: &str) {
        self.windows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(subject);
    }

    /// The Redis key of `subject`'s window at `now_ms`, and how long until it ends.
    fn redis_key(&self, subject: &str, now_ms: i64) -> (String, u64) {
        let window_ms = i64::try_from(self.window.as_millis()).unwrap_or(i64::MAX);
        let number = now_ms.div_euclid(window_ms);
        let left = window_ms - now_ms.rem_euclid(window_ms);
        (
            format!("phantom:login:{subject}:{number}"),
            left.unsigned_abs(),
        )
    }
}

impl Engine {
    /// `LoginThrottled` if the attempt's user name or address has failed too often lately.
    pub(super) async fn refuse_throttled_login(
        &self,
        attempt: &LoginAttempt,
    ) -> Result<(), EngineError> {
        let throttle = &self.inner.auth.login_throttle;
        let now = Instant::now();
        for subject in attempt.subjects() {
            if let Some(redis) = &self.inner.redis {
                let (key, left_ms) = throttle.redis_key(subject, now_ms());
                if let Ok(failures) = redis.count(&key).await {
                    if failures >= u64::from(throttle.max_failures) {
                        return Err(throttle.refused(left_ms));
                    }
                    continue;
                }
            }
            if let Some(wait) = throttle.blocked_local(subject, now) {
                return Err(throttle.refused(wait));
            }
        }
        Ok(())
    }

    /// Counts a failed login against the attempt's user name and address.
    pub(super) async fn count_failed_login(&self, attempt: &LoginAttempt) {
        let throttle = &self.inner.auth.login_throttle;
        for subject in attempt.subjects() {
            if let Some(redis) = &self.inner.redis {
                let (key, left_ms) = throttle.redis_key(subject, now_ms());
                if redis
                    .increment(&key, left_ms.div_ceil(1_000).max(1))
                    .await
                    .is_ok()
                {
                    continue;
                }
            }
            throttle.fail_local(subject, Instant::now());
        }
    }

    /// Clears the failures of the attempt's user name after a successful login.
    pub(super) async fn forget_failed_logins(&self, attempt: &LoginAttempt) {
        let throttle = &self.inner.auth.login_throttle;
        if let Some(redis) = &self.inner.redis {
            let (key, _) = throttle.redis_key(&attempt.user, now_ms());
            // A failure leaves the count to expire with its window.
            redis.forget(&key).await.ok();
        }
        throttle.clear_local(&attempt.user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(max: u32, window_s: u64) -> LoginThrottle {
        LoginThrottle::new(&AuthConfig {
            max_failed_logins: max,
            failed_login_window_seconds: window_s,
            ..AuthConfig::default()
        })
    }

    #[test]
    fn a_subject_is_refused_after_its_failures_until_the_window_ends() {
        let t = throttle(3, 60);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(t.blocked_local("s", t0), None);
            t.fail_local("s", t0);
        }
        let wait = t.blocked_local("s", t0 + Duration::from_secs(20)).unwrap();
        assert_eq!(wait, 40_000);
        assert_eq!(
            t.blocked_local("other", t0),
            None,
            "others are not affected"
        );
        assert_eq!(t.blocked_local("s", t0 + Duration::from_secs(60)), None);
        t.fail_local("s", t0 + Duration::from_secs(61));
        assert_eq!(
            t.blocked_local("s", t0 + Duration::from_secs(61)),
            None,
            "a new window starts from zero"
        );
    }

    #[test]
    fn clearing_forgets_the_failures() {
        let t = throttle(1, 60);
        let t0 = Instant::now();
        t.fail_local("s", t0);
        assert!(t.blocked_local("s", t0).is_some());
        t.clear_local("s");
        assert_eq!(t.blocked_local("s", t0), None);
    }

    #[test]
    fn subjects_keep_users_tenants_and_addresses_apart() {
        let a = LoginAttempt::new("acme", "ann", Some("10.0.0.1"));
        let b = LoginAttempt::new("acme", "ann", Some("10.0.0.2"));
        assert_eq!(a.user, b.user);
        assert_ne!(a.source, b.source);
        assert_ne!(
            LoginAttempt::new("a:b", "c", None).user,
            LoginAttempt::new("a", "b:c", None).user
        );
        assert_eq!(a.subjects().count(), 2);
        assert_eq!(LoginAttempt::new("t", "u", None).subjects().count(), 1);
        assert_eq!(a.user.len(), 32);
    }

    #[test]
    fn redis_windows_are_numbered_by_time() {
        let t = throttle(1, 60);
        let (key, left) = t.redis_key("s", 125_000);
        assert_eq!((key.as_str(), left), ("phantom:login:s:2", 55_000));
    }
}
