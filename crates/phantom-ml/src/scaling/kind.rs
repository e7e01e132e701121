//! The names of the scalers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::MlError;

/// How a [`Scaler`](super::Scaler) maps each feature (or row).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScalerKind {
    /// `(x - min) / (max - min)` per feature: training values land in `[0, 1]`.
    MinMax,
    /// `(x - mean) / std` per feature (population standard deviation).
    ZScore,
    /// `(x - median) / IQR` per feature, where IQR is the 75th minus the 25th percentile
    /// (linear interpolation): insensitive to outliers.
    Robust,
    /// Each row divided by its L2 norm (rows of zeros stay zero); nothing is learned.
    UnitVector,
}

impl ScalerKind {
    /// Every kind, in declaration order.
    pub const ALL: [ScalerKind; 4] = [
        ScalerKind::MinMax,
        ScalerKind::ZScore,
        ScalerKind::Robust,
        ScalerKind::UnitVector,
    ];

    /// The kind's name as serialized and parsed: `min_max`, `z_score`, `robust`, `unit_vector`.
    pub fn name(self) -> &'static str {
        match self {
            ScalerKind::MinMax => "min_max",
            ScalerKind::ZScore => "z_score",
            ScalerKind::Robust => "robust",
            ScalerKind::UnitVector => "unit_vector",
        }
    }
}

impl fmt::Display for ScalerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ScalerKind {
    type Err = MlError;

    /// Parses a kind's [`name`](ScalerKind::name); an unknown name is an
    /// [`MlError::InvalidParameter`] that lists the valid ones.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.name() == s)
            .ok_or_else(|| MlError::InvalidParameter {
                name: "scaler",
                reason: format!(
                    "unknown scaler `{s}`; valid names: {}",
                    Self::ALL.map(ScalerKind::name).join(", ")
                ),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_serde_and_from_str() {
        for kind in ScalerKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.name()));
            assert_eq!(kind.name().parse::<ScalerKind>().unwrap(), kind);
            assert_eq!(kind.to_string(), kind.name());
        }
    }

    #[test]
    fn unknown_name_lists_valid_ones() {
        let err = "zscore".parse::<ScalerKind>().unwrap_err();
        let message = err.to_string();
        assert!(message.contains("zscore"), "{message}");
        assert!(
            message.contains("min_max, z_score, robust, unit_vector"),
            "{message}"
        );
    }
}
