//! Settings of the original phantom-ml-core API that Phantom accepts but does not use: they
//! are listed in the answer with the reason, never silently dropped.

use serde::Serialize;

/// One accepted but unused setting.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ignored {
    /// Where it was given, e.g. `training_config.batch_size`.
    pub setting: String,
    /// Why it has no effect.
    pub reason: String,
}

/// The unused settings of one call.
#[derive(Debug, Default)]
pub struct IgnoredList(pub Vec<Ignored>);

impl IgnoredList {
    /// Records `setting` as unused because of `reason`.
    pub fn add(&mut self, setting: impl Into<String>, reason: impl Into<String>) {
        self.0.push(Ignored {
            setting: setting.into(),
            reason: reason.into(),
        });
    }
}
