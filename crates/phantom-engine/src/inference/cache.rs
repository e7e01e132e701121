//! Loaded models kept in memory, keyed by model id, with a generation counter so that a load
//! racing with an invalidation never reinstates a stale version.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use phantom_ml::model::Model;

use super::output::PredictedValue;
use crate::stats::ModelCounters;

/// A model version ready to serve.
pub(crate) struct ServingModel {
    pub(crate) tenant: String,
    pub(crate) model_id: String,
    pub(crate) name: String,
    pub(crate) version: u32,
    pub(crate) model: Model,
    /// Class labels as returned to callers, in class order.
    pub(crate) classes: Vec<PredictedValue>,
    pub(crate) counters: Arc<ModelCounters>,
}

/// The in-memory cache of serving models.
#[derive(Default)]
pub(crate) struct ModelCache {
    by_id: RwLock<HashMap<String, Arc<ServingModel>>>,
    /// (tenant, name) -> id, for callers that name models.
    names: RwLock<HashMap<(String, String), String>>,
    generation: AtomicU64,
}

impl ModelCache {
    /// The cached model `reference` (an id, or a name) of `tenant`.
    pub(crate) fn get(&self, tenant: &str, reference: &str) -> Option<Arc<ServingModel>> {
        let by_id = self.by_id.read().ok()?;
        if let Some(m) = by_id.get(reference) {
            return (m.tenant == tenant).then(|| m.clone());
        }
        let names = self.names.read().ok()?;
        let id = names.get(&(tenant.to_owned(), reference.to_owned()))?;
        by_id.get(id).filter(|m| m.tenant == tenant).cloned()
    }

    /// The generation to pass to [`ModelCache::insert`] for a load that starts now.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Caches `model` unless the cache was invalidated since `generation` was read.
    pub(crate) fn insert(&self, model: Arc<ServingModel>, generation: u64) {
        let Ok(mut by_id) = self.by_id.write() else {
            return;
        };
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if let Ok(mut names) = self.names.write() {
            names.insert(
                (model.tenant.clone(), model.name.clone()),
                model.model_id.clone(),
            );
        }
        by_id.insert(model.model_id.clone(), model);
    }

    /// Drops the cached copy of one model.
    pub(crate) fn invalidate(&self, model_id: &str) {
        let Ok(mut by_id) = self.by_id.write() else {
            return;
        };
        self.generation.fetch_add(1, Ordering::AcqRel);
        by_id.remove(model_id);
        if let Ok(mut names) = self.names.write() {
            names.retain(|_, id| id != model_id);
        }
    }

    /// Drops every cached model.
    pub(crate) fn clear(&self) {
        let Ok(mut by_id) = self.by_id.write() else {
            return;
        };
        self.generation.fetch_add(1, Ordering::AcqRel);
        by_id.clear();
        if let Ok(mut names) = self.names.write() {
            names.clear();
        }
    }

    /// Models loaded.
    pub(crate) fn len(&self) -> usize {
        self.by_id.read().map(|m| m.len()).unwrap_or(0)
    }
}
