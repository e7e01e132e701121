//! A progress bar on stderr for fits that take more than a second.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Fits shorter than this show no bar.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// Reports a fit's progress as a bar on stderr, once the fit has run for a second.
///
/// The bar stays hidden when stderr is not a terminal.
pub struct BarProgress {
    bar: ProgressBar,
    started: Instant,
    shown: Mutex<bool>,
}

impl BarProgress {
    /// A hidden bar labelled with what is being done, e.g. "training random_forest".
    pub fn new(label: &str) -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) =
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({elapsed}, eta {eta})")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(label.to_owned());
        Self {
            bar,
            started: Instant::now(),
            shown: Mutex::new(false),
        }
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    fn show_if_slow(&self) {
        if self.started.elapsed() < SHOW_AFTER {
            return;
        }
        if let Ok(mut shown) = self.shown.lock()
            && !*shown
        {
            *shown = true;
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

impl phantom_ml::Progress for BarProgress {
    fn start(&self, total: u64) {
        self.bar.set_length(total);
    }

    fn advance(&self, steps: u64) {
        self.bar.inc(steps);
        self.show_if_slow();
    }
}
