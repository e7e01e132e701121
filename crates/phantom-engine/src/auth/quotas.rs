//! The stored-rows quota of the inference log. The log writer asks, per tenant and batch,
//! how many more rows it may write; the answer comes from a per-tenant cache of the quota and
//! the rows stored, refreshed from the store every few seconds, so the check costs a count
//! query per tenant every few seconds rather than one per prediction.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use phantom_store::{Storage, Store};

use super::tenants::TenantInfo;

/// How long a tenant's cached quota and row count are trusted.
pub(crate) const REFRESH: Duration = Duration::from_secs(5);

/// Per-tenant stored-row quotas as last read, with the rows written since.
#[derive(Default)]
pub(crate) struct StoredRowQuotas {
    tenants: Mutex<HashMap<String, Usage>>,
}

#[derive(Clone, Copy)]
struct Usage {
    limit: Option<u64>,
    stored: u64,
    read_at: Instant,
}

impl StoredRowQuotas {
    /// How many more inference rows `tenant` may store now (`u64::MAX` when unlimited).
    /// If the store cannot answer, the last known figures are used, or no limit: logging is
    /// not worth failing predictions over.
    pub(crate) async fn allowance(&self, store: &Store, tenant: &str) -> u64 {
        let cached = self.cached(tenant);
        let usage = match cached {
            Some(u) if u.read_at.elapsed() < REFRESH => u,
            _ => match read_usage(store, tenant).await {
                Some(fresh) => {
                    self.lock().insert(tenant.to_owned(), fresh);
                    fresh
                }
                None => match cached {
                    Some(stale) => stale,
                    None => return u64::MAX,
                },
            },
        };
        usage
            .limit
            .map_or(u64::MAX, |limit| limit.saturating_sub(usage.stored))
    }

    /// Counts rows just written for `tenant`.
    pub(crate) fn record_written(&self, tenant: &str, rows: u64) {
        if let Some(usage) = self.lock().get_mut(tenant) {
            usage.stored = usage.stored.saturating_add(rows);
        }
    }

    fn cached(&self, tenant: &str) -> Option<Usage> {
        self.lock().get(tenant).copied()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Usage>> {
        self.tenants.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The tenant's quota and, when it has one, its stored rows; `None` if the store failed.
async fn read_usage(store: &Store, tenant: &str) -> Option<Usage> {
    let read_at = Instant::now();
    let record = store.get_tenant(tenant).await.ok()?;
    let limit = match record {
        Some(r) => TenantInfo::from_record(r).ok()?.quotas.max_stored_rows,
        None => None,
    };
    let stored = match limit {
        Some(_) => store.count_inferences(tenant).await.ok()?,
        None => 0,
    };
    Some(Usage {
        limit,
        stored,
        read_at,
    })
}
