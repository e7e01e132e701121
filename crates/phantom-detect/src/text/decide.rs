//! The measures a window is judged by, and their robust z-scores against recent normal
//! windows. A window stands out when any measure's z-score passes its threshold in the
//! measure's direction; the one that stands out most is then confirmed by the permutation test.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::measures::Measures;
use crate::series::median;

/// Scale that makes the MAD estimate the standard deviation under normality.
const MAD_TO_SIGMA: f64 = 1.4826;

/// The smallest spread a z-score divides by, so a history of equal values does not make every
/// small change infinite.
const MIN_SPREAD: f64 = 1e-3;

/// A measure a window is judged by.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// [`Measures::ncd`], tested when it rises.
    Ncd,
    /// [`Measures::novelty`], `C(W | B) / |W|`, tested when it rises: what the baseline cannot
    /// explain, which rises for new templates even when they repeat inside the window.
    Novelty,
    /// [`Measures::ratio_change`], tested both ways: a window that compresses much better
    /// (a burst, a silence) or much worse than the baseline.
    RatioChange,
    /// [`Measures::entropy_change`], tested both ways.
    EntropyChange,
    /// [`Measures::token_divergence`], tested when it rises: the token mix moved (bursts,
    /// silences, changed formats).
    TokenDivergence,
}

impl Measure {
    /// Every measure, in the order they are reported.
    pub const ALL: [Measure; 5] = [
        Measure::Ncd,
        Measure::Novelty,
        Measure::RatioChange,
        Measure::EntropyChange,
        Measure::TokenDivergence,
    ];

    /// The measure's value in `m`.
    pub fn value(self, m: &Measures) -> f64 {
        match self {
            Measure::Ncd => m.ncd,
            Measure::Novelty => m.novelty,
            Measure::RatioChange => m.ratio_change,
            Measure::EntropyChange => m.entropy_change,
            Measure::TokenDivergence => m.token_divergence,
        }
    }

    /// Whether a fall counts as much as a rise.
    pub fn two_sided(self) -> bool {
        match self {
            Measure::RatioChange | Measure::EntropyChange => true,
            Measure::Ncd | Measure::Novelty | Measure::TokenDivergence => false,
        }
    }
}

/// One measure's standing against recent normal windows.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasureScore {
    /// The measure.
    pub measure: Measure,
    /// Its value in this window.
    pub value: f64,
    /// Median of recent normal windows.
    pub median: f64,
    /// Their median absolute deviation.
    pub mad: f64,
    /// Robust z-score, `(value − median) / max(1.4826 × MAD, 0.001)` (0 without history).
    pub z: f64,
    /// The z-score past which the window stands out (either sign for a two-sided measure).
    pub z_threshold: f64,
}

impl MeasureScore {
    /// How far past its threshold the score lies, as a multiple of the threshold, in the
    /// measure's direction (above 1 stands out).
    pub fn excess(&self) -> f64 {
        let z = if self.measure.two_sided() {
            self.z.abs()
        } else {
            self.z
        };
        z / self.z_threshold.max(f64::MIN_POSITIVE)
    }

    /// +1 when the value is tested for being high, −1 for being low.
    pub fn direction(&self) -> f64 {
        if self.measure.two_sided() && self.z < 0.0 {
            -1.0
        } else {
            1.0
        }
    }
}

/// Scores `value` of `measure` against `history`.
pub(crate) fn score(
    measure: Measure,
    value: f64,
    history: &VecDeque<f64>,
    z_threshold: f64,
) -> MeasureScore {
    let (median, mad) = median_mad(history);
    let spread = (MAD_TO_SIGMA * mad).max(MIN_SPREAD);
    let z = if history.is_empty() {
        0.0
    } else {
        (value - median) / spread
    };
    MeasureScore {
        measure,
        value,
        median,
        mad,
        z,
        z_threshold,
    }
}

/// The value past which `score` stands out upwards: `median + z_threshold × spread`.
pub(crate) fn upper_bound(s: &MeasureScore) -> f64 {
    s.median + s.z_threshold * (MAD_TO_SIGMA * s.mad).max(MIN_SPREAD)
}

/// Median and median absolute deviation.
fn median_mad(values: &VecDeque<f64>) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let mut v: Vec<f64> = values.iter().copied().collect();
    let center = median(&mut v);
    let mut deviations: Vec<f64> = v.iter().map(|x| (x - center).abs()).collect();
    (center, median(&mut deviations))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn z_scores_follow_median_and_mad_in_the_measures_direction() {
        let history: VecDeque<f64> = [1.0, 2.0, 3.0, 4.0, 5.0].into();
        let s = score(Measure::EntropyChange, -3.0, &history, 2.0);
        assert_eq!((s.median, s.mad), (3.0, 1.0));
        assert!((s.z - -6.0 / 1.4826).abs() < 1e-12);
        assert!((s.excess() - 6.0 / 1.4826 / 2.0).abs() < 1e-12);
        assert_eq!(s.direction(), -1.0);
        let s = score(Measure::Ncd, -3.0, &history, 2.0);
        assert!(s.excess() < 0.0);
        assert_eq!(s.direction(), 1.0);
        assert!((upper_bound(&s) - (3.0 + 2.0 * 1.4826)).abs() < 1e-12);
        assert_eq!(score(Measure::Ncd, 9.0, &VecDeque::new(), 2.0).z, 0.0);
    }
}
