//! Hyperparameters of tree growth shared by decision trees and random forests, and their checks.

use serde::{Deserialize, Serialize};

use crate::MlError;
use crate::binning::MAX_BINS;

/// How many features each split considers (drawn at random, without replacement, per node).
///
/// As in scikit-learn, drawing goes on past this number while every feature drawn so far is
/// constant in the node.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum MaxFeatures {
    /// Every feature (no randomness in the split search).
    All,
    /// `max(1, floor(sqrt(n_features)))`.
    Sqrt,
    /// `max(1, floor(log2(n_features)))`.
    Log2,
    /// Exactly this many features (1..=n_features).
    Count(usize),
    /// `max(1, floor(fraction * n_features))`, fraction in (0, 1].
    Fraction(f64),
}

impl MaxFeatures {
    /// The number of features per split for data with `n_features` features.
    pub fn resolve(self, n_features: usize) -> Result<usize, MlError> {
        let n = n_features as f64;
        let count = match self {
            Self::All => n_features,
            Self::Sqrt => n.sqrt() as usize,
            Self::Log2 => n.log2() as usize,
            Self::Count(c) => {
                if c == 0 || c > n_features {
                    return Err(MlError::InvalidParameter {
                        name: "max_features",
                        reason: format!(
                            "must be between 1 and the feature count {n_features}, got {c}"
                        ),
                    });
                }
                c
            }
            Self::Fraction(f) => {
                if !(f > 0.0 && f <= 1.0) {
                    return Err(MlError::InvalidParameter {
                        name: "max_features",
                        reason: format!("a fraction must be in (0, 1], got {f}"),
                    });
                }
                (f * n) as usize
            }
        };
        Ok(count.clamp(1, n_features.max(1)))
    }
}

/// The growth limits every tree model validates before fitting.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Growth {
    pub(crate) max_depth: Option<usize>,
    pub(crate) min_samples_split: usize,
    pub(crate) min_samples_leaf: usize,
    pub(crate) max_bins: usize,
}

impl Default for Growth {
    fn default() -> Self {
        Self {
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_bins: MAX_BINS,
        }
    }
}

impl Growth {
    /// Checks every limit; the error names the first bad one and its allowed range.
    pub(crate) fn validate(&self) -> Result<(), MlError> {
        if self.max_depth == Some(0) {
            return Err(invalid(
                "max_depth",
                "must be at least 1 (or None for unlimited)",
            ));
        }
        if self.min_samples_split < 2 {
            return Err(invalid(
                "min_samples_split",
                &format!("must be at least 2, got {}", self.min_samples_split),
            ));
        }
        if self.min_samples_leaf < 1 {
            return Err(invalid("min_samples_leaf", "must be at least 1, got 0"));
        }
        if !(2..=MAX_BINS).contains(&self.max_bins) {
            return Err(invalid(
                "max_bins",
                &format!("must be between 2 and {MAX_BINS}, got {}", self.max_bins),
            ));
        }
        Ok(())
    }
}

fn invalid(name: &'static str, reason: &str) -> MlError {
    MlError::InvalidParameter {
        name,
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_features_resolves_like_scikit_learn() {
        assert_eq!(MaxFeatures::Sqrt.resolve(122), Ok(11));
        assert_eq!(MaxFeatures::Log2.resolve(1), Ok(1));
        assert_eq!(MaxFeatures::Fraction(0.5).resolve(9), Ok(4));
        assert_eq!(MaxFeatures::All.resolve(9), Ok(9));
        assert!(MaxFeatures::Count(0).resolve(9).is_err());
        assert!(MaxFeatures::Count(10).resolve(9).is_err());
        assert!(MaxFeatures::Fraction(0.0).resolve(9).is_err());
        assert!(MaxFeatures::Fraction(f64::NAN).resolve(9).is_err());
    }

    #[test]
    fn growth_rejects_each_bad_limit() {
        let bad = [
            Growth {
                max_depth: Some(0),
                ..Growth::default()
            },
            Growth {
                min_samples_split: 1,
                ..Growth::default()
            },
            Growth {
                min_samples_leaf: 0,
                ..Growth::default()
            },
            Growth {
                max_bins: 257,
                ..Growth::default()
            },
        ];
        for g in bad {
            assert!(matches!(
                g.validate(),
                Err(MlError::InvalidParameter { .. })
            ));
        }
        assert_eq!(Growth::default().validate(), Ok(()));
    }
}
