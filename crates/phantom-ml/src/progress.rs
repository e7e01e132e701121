//! Progress reporting for long fits.

/// Receives progress from a fit: a total number of steps, then advances.
///
/// Implementations must be cheap and thread-safe; fits may report from worker threads.
pub trait Progress: Sync {
    /// Announces how many steps the fit will take (trees, rounds, epochs, iterations).
    fn start(&self, total: u64);
    /// Reports that `steps` more steps are done.
    fn advance(&self, steps: u64);
}

/// Ignores progress.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _total: u64) {}
    fn advance(&self, _steps: u64) {}
}
