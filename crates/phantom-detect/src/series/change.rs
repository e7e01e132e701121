//! Change detection on the online detector's residuals: a **noise change** (the recent points
//! spread more widely than the ones before them) and a **trend change** (the points drift away
//! from the window's median, one after another, by less than a spike would).
//!
//! Both read each scored point's residual `x − median` and its window's spread `scale`, taken
//! before the point joins the window, so a point is still judged only from the points before
//! it.
//!
//! - Noise: the last [`NOISE_HISTORY`] + [`CHANGE_WINDOW`] residuals are kept, each clipped to
//!   ±3.5 spreads (so a lone spike weighs little). The noise ratio is the standard deviation of
//!   the recent [`CHANGE_WINDOW`] over that of the [`NOISE_HISTORY`] before them, each around
//!   its own mean (so a level change is not taken for noise). [`NOISE_RUN`] points in a row
//!   above its threshold are a noise change. The residuals are compared as they are, not
//!   divided by their window's spread: without a period, that spread moves with the last 100
//!   points and would itself make the ratio wander.
//! - Trend: a two-sided CUSUM (Page, 1954) of the residuals in spreads,
//!   `up = max(0, up + u − k)` and `down = max(0, down − u − k)` with `k = 0.5`, where `u` is
//!   the residual over its window's spread, divided again by the noise ratio when that is above
//!   1 (so a noisier series is not taken for a drift) and clipped to ±3 (so one spike cannot
//!   make a trend). The larger side, signed, is the drift; above [`DRIFT_THRESHOLD`] the
//!   points are a trend change. Each side is capped at 1.5 × the threshold, so an alarm ends
//!   within about 20 points once the series is back. A level shift too small for the scores
//!   to flag also builds up drift, and is reported as a trend change.
//!
//! The online detector forgets both after a level shift, whose points say nothing about noise
//! or trend until its window has taken in the new level. A higher sensitivity lowers both
//! thresholds: the noise ratio's excess over 1 and the drift threshold are divided by it.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// Recent residuals whose spread is compared with the history's.
pub const CHANGE_WINDOW: usize = 32;
/// Earlier residuals the recent ones are compared with.
pub const NOISE_HISTORY: usize = 96;
/// Residuals enter the noise ratio clipped to this many spreads.
const NOISE_CLIP: f64 = 3.5;
/// Noise ratio above which points count toward a noise change, at sensitivity 1.
pub const NOISE_RATIO: f64 = 1.5;
/// Points in a row above the noise ratio threshold that make a noise change.
pub const NOISE_RUN: usize = 5;
/// Drift (CUSUM, in spreads) above which the points are a trend change, at sensitivity 1.
pub const DRIFT_THRESHOLD: f64 = 10.0;
/// The CUSUM's allowance: residuals below this many spreads do not add to the drift.
const DRIFT_ALLOWANCE: f64 = 0.5;
/// Residuals enter the CUSUM clipped to this many spreads.
const DRIFT_CLIP: f64 = 3.0;
/// Each side of the CUSUM is capped at this multiple of the threshold.
const DRIFT_CAP: f64 = 1.5;

/// The figures behind a point's noise-change and trend-change decisions.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangeFigures {
    /// The recent residuals' standard deviation over the earlier ones' (0 until
    /// `NOISE_HISTORY + CHANGE_WINDOW` points were scored).
    pub noise_ratio: f64,
    /// The noise ratio above which points count toward a noise change.
    pub noise_threshold: f64,
    /// Points in a row, up to this one, with the noise ratio above its threshold.
    pub noise_run: usize,
    /// The CUSUM of the residuals in spreads: positive when the points drift above the
    /// window's median, negative below.
    pub drift: f64,
    /// The drift (either sign) above which the points are a trend change.
    pub drift_threshold: f64,
}

/// What the change detectors decided for one point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    /// Nothing changed.
    None,
    /// The noise grew.
    Noise,
    /// The level drifts.
    Trend,
}

/// The change detectors' state, part of the online detector's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct ChangeState {
    /// The last residuals, clipped to ±`NOISE_CLIP` spreads, newest last, at most
    /// `NOISE_HISTORY + CHANGE_WINDOW`.
    recent: VecDeque<f64>,
    /// The upward CUSUM.
    up: f64,
    /// The downward CUSUM.
    down: f64,
    /// Points in a row with the noise ratio above its threshold.
    noisy_run: usize,
}

impl ChangeState {
    /// Takes the residual `deviation` of a point whose window had spread `scale` (above 0) and
    /// decides whether the noise or the trend changed.
    pub(crate) fn observe(
        &mut self,
        deviation: f64,
        scale: f64,
        sensitivity: f64,
    ) -> (ChangeFigures, Change) {
        let z = deviation / scale;
        self.recent
            .push_back(deviation.clamp(-NOISE_CLIP * scale, NOISE_CLIP * scale));
        if self.recent.len() > NOISE_HISTORY + CHANGE_WINDOW {
            self.recent.pop_front();
        }
        let noise_threshold = 1.0 + (NOISE_RATIO - 1.0) / sensitivity;
        let noise_ratio = self.noise_ratio();
        self.noisy_run = if noise_ratio > noise_threshold {
            self.noisy_run + 1
        } else {
            0
        };
        let drift_threshold = DRIFT_THRESHOLD / sensitivity;
        let u = (z / noise_ratio.max(1.0)).clamp(-DRIFT_CLIP, DRIFT_CLIP);
        let cap = DRIFT_CAP * drift_threshold;
        self.up = (self.up + u - DRIFT_ALLOWANCE).clamp(0.0, cap);
        self.down = (self.down - u - DRIFT_ALLOWANCE).clamp(0.0, cap);
        let drift = if self.up >= self.down {
            self.up
        } else {
            -self.down
        };
        let change = if self.noisy_run >= NOISE_RUN {
            Change::Noise
        } else if drift.abs() > drift_threshold {
            Change::Trend
        } else {
            Change::None
        };
        let figures = ChangeFigures {
            noise_ratio,
            noise_threshold,
            noise_run: self.noisy_run,
            drift,
            drift_threshold,
        };
        (figures, change)
    }

    /// Forgets the residuals and the drift: after a level shift, the window is still taking in
    /// the new level, and its residuals say nothing about noise or trend until it has.
    pub(crate) fn reset(&mut self) {
        *self = Self::default();
    }

    /// The recent residuals' standard deviation over the earlier ones', or 0 while there are
    /// too few residuals.
    fn noise_ratio(&self) -> f64 {
        if self.recent.len() < NOISE_HISTORY + CHANGE_WINDOW {
            return 0.0;
        }
        let history = variance(self.recent.range(..NOISE_HISTORY));
        let recent = variance(self.recent.range(NOISE_HISTORY..));
        if history > 0.0 {
            (recent / history).sqrt()
        } else {
            0.0
        }
    }
}

/// The variance of `values` around their mean.
fn variance<'a>(values: impl ExactSizeIterator<Item = &'a f64> + Clone) -> f64 {
    let n = values.len() as f64;
    let mean = values.clone().sum::<f64>() / n;
    values.map(|v| (v - mean).powi(2)).sum::<f64>() / n
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic, roughly normal residual for point `i` (no random generator needed).
    fn wobble(i: usize) -> f64 {
        let x = (i as f64 * 0.618_034).fract();
        let y = (i as f64 * 0.414_214 + 0.3).fract();
        (-2.0 * (1.0 - x).ln()).sqrt() * (std::f64::consts::TAU * y).cos()
    }

    fn feed(
        state: &mut ChangeState,
        residuals: impl Iterator<Item = f64>,
    ) -> Vec<(ChangeFigures, Change)> {
        residuals.map(|r| state.observe(r, 1.0, 1.0)).collect()
    }

    #[test]
    fn steady_residuals_change_nothing() {
        let mut s = ChangeState::default();
        let out = feed(&mut s, (0..2_000).map(wobble));
        assert!(out.iter().all(|(_, c)| *c == Change::None));
        let last = out[1_999].0;
        assert!((0.7..1.3).contains(&last.noise_ratio), "{last:?}");
        assert!(last.drift.abs() < last.drift_threshold);
    }

    #[test]
    fn wider_residuals_are_a_noise_change_and_a_drift_is_a_trend() {
        let mut s = ChangeState::default();
        feed(&mut s, (0..200).map(wobble));
        let noisy = feed(&mut s, (200..260).map(|i| 2.2 * wobble(i)));
        let first = noisy.iter().position(|(_, c)| *c == Change::Noise);
        assert!(first.is_some_and(|f| f < 40), "{first:?}");
        assert!(noisy.iter().all(|(_, c)| *c != Change::Trend));

        let mut s = ChangeState::default();
        feed(&mut s, (0..200).map(wobble));
        let drifting = feed(
            &mut s,
            (200..300).map(|i| wobble(i) + 0.03 * (i - 199) as f64),
        );
        let first = drifting.iter().position(|(_, c)| *c == Change::Trend);
        assert!(first.is_some_and(|f| f < 70), "{first:?}");
        assert!(
            drifting
                .iter()
                .all(|(f, _)| f.drift >= 0.0 || f.drift.abs() < 3.0)
        );
    }

    #[test]
    fn one_spike_is_not_a_trend_and_reset_forgets() {
        let mut s = ChangeState::default();
        feed(&mut s, (0..100).map(wobble));
        let after = feed(&mut s, [50.0].into_iter().chain((100..130).map(wobble)));
        assert!(after.iter().all(|(_, c)| *c == Change::None));
        s.reset();
        assert_eq!(s, ChangeState::default());
    }
}
