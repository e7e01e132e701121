//! A short-lived cache of API-key rows, so a busy key is not read from the store on every
//! request. An entry lives `auth.key_cache_ms` (1 s by default; 0 turns the cache off), so a
//! revocation through another engine sharing the store holds within that time; one through
//! this engine holds at once, because revoking drops the entry.
//!
//! Only keys that exist are cached (a flood of made-up keys must not fill memory), and the
//! secret is still checked against the cached hash on every request.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use phantom_store::ApiKeyRecord;

/// Entries kept at most; beyond this, expired entries are swept and, if none were, a new
/// key is simply not cached.
const MAX_ENTRIES: usize = 10_000;

/// Key rows by prefix, each with the time it was read.
pub(crate) struct KeyCache {
    ttl: Duration,
    entries: RwLock<HashMap<String, (Instant, Arc<ApiKeyRecord>)>>,
}

impl KeyCache {
    /// A cache whose entries live `ttl` (zero: nothing is cached).
    pub(crate) fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: RwLock::new(HashMap::new()),
        }
    }

    /// The row of `prefix` if it was read less than the lifetime ago.
    pub(crate) fn get(&self, prefix: &str) -> Option<Arc<ApiKeyRecord>> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let (read_at, record) = entries.get(prefix)?;
        (read_at.elapsed() < self.ttl).then(|| record.clone())
    }

    /// Keeps `record`, just read from the store.
    pub(crate) fn put(&self, record: Arc<ApiKeyRecord>) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&record.prefix) {
            entries.retain(|_, (read_at, _)| read_at.elapsed() < self.ttl);
            if entries.len() >= MAX_ENTRIES {
                return;
            }
        }
        entries.insert(record.prefix.clone(), (Instant::now(), record));
    }

    /// Forgets the row of `prefix` (the key was revoked here).
    pub(crate) fn forget(&self, prefix: &str) {
        self.entries
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(prefix);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(prefix: &str) -> Arc<ApiKeyRecord> {
        Arc::new(ApiKeyRecord {
            id: format!("id-{prefix}"),
            tenant: "t".into(),
            name: "k".into(),
            prefix: prefix.into(),
            secret_hash: "h".into(),
            role: "viewer".into(),
            created_at: 0,
            expires_at: None,
            revoked_at: None,
            rate_limit_per_second: None,
        })
    }

    #[test]
    fn entries_live_for_the_lifetime_and_can_be_forgotten() {
        let cache = KeyCache::new(Duration::from_millis(200));
        assert!(cache.get("phk_a").is_none());
        cache.put(record("phk_a"));
        assert_eq!(cache.get("phk_a").unwrap().id, "id-phk_a");
        cache.forget("phk_a");
        assert!(cache.get("phk_a").is_none());
        cache.put(record("phk_a"));
        std::thread::sleep(Duration::from_millis(250));
        assert!(
            cache.get("phk_a").is_none(),
            "an entry outlived its lifetime"
        );
    }

    #[test]
    fn a_zero_lifetime_caches_nothing() {
        let cache = KeyCache::new(Duration::ZERO);
        cache.put(record("phk_a"));
        assert!(cache.get("phk_a").is_none());
    }

    #[test]
    fn a_full_cache_sweeps_expired_entries_and_otherwise_refuses_new_ones() {
        let cache = KeyCache::new(Duration::from_secs(60));
        for i in 0..MAX_ENTRIES {
            cache.put(record(&format!("phk_{i}")));
        }
        cache.put(record("phk_new"));
        assert!(cache.get("phk_new").is_none());
        assert!(cache.get("phk_0").is_some());
    }
}
