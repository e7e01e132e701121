//! How long each model's last explanation took, so `predict` can explain on the JavaScript
//! thread when that costs less than handing the call to the engine's threads and back.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// An explanation measured under this runs on the calling thread next time. Handing a call to
/// the engine's threads and settling its promise back on the JavaScript thread costs 100 µs
/// (idle machine) to 350 µs (loaded) here; blocking JavaScript for up to 50 µs is cheaper than
/// that, and short enough not to hold up its event loop.
pub const ON_CALLING_THREAD: Duration = Duration::from_micros(50);

/// The last explanation time per model, as named in the call (id or name).
#[derive(Default)]
pub struct ExplainCosts {
    last: Mutex<HashMap<String, Duration>>,
}

impl ExplainCosts {
    /// Whether `model`'s last explanation took less than [`ON_CALLING_THREAD`]. A model never
    /// explained yet is not: its first explanation runs on the engine's threads and is timed.
    pub fn cheap(&self, model: &str) -> bool {
        let last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        last.get(model)
            .is_some_and(|&took| took < ON_CALLING_THREAD)
    }

    /// Records how long `model`'s explanation took. After a costlier version is activated,
    /// one explanation runs on the calling thread, is timed, and the next go to the engine's
    /// threads again.
    pub fn record(&self, model: &str, took: Duration) {
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        match last.get_mut(model) {
            Some(slot) => *slot = took,
            None => {
                last.insert(model.to_owned(), took);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_is_cheap_only_once_measured_under_the_bound() {
        let costs = ExplainCosts::default();
        assert!(!costs.cheap("m"));
        costs.record("m", Duration::from_micros(8));
        assert!(costs.cheap("m"));
        costs.record("m", Duration::from_millis(12));
        assert!(!costs.cheap("m"));
        assert!(!costs.cheap("other"));
    }
}
