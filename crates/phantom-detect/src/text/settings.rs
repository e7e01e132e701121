//! Settings of the compression-based log detector, and the presets that fill them.

use serde::{Deserialize, Serialize};

use super::compress::CompressorKind;
use super::decide::Measure;

/// A named set of settings.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// Small windows, a low bar: catches short incidents, with more false alarms.
    Sensitive,
    /// The default.
    #[default]
    Balanced,
    /// Large windows, a high bar: only clear changes.
    Strict,
}

impl std::str::FromStr for Preset {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "sensitive" => Ok(Preset::Sensitive),
            "balanced" => Ok(Preset::Balanced),
            "strict" => Ok(Preset::Strict),
            other => Err(format!(
                "unknown preset '{other}': use sensitive, balanced or strict"
            )),
        }
    }
}

/// How a stream of text events is scored.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CbadSettings {
    /// Events in the baseline window.
    pub baseline_events: usize,
    /// Events in the current window.
    pub window_events: usize,
    /// A window is scored every `hop_events` events.
    pub hop_events: usize,
    /// The baseline is rebuilt from the events just before the window once it lags the
    /// window by this many events (until then the prepared baseline is reused).
    pub baseline_refresh_events: usize,
    /// Robust z-score of a window's NCD against the NCDs of recent windows above which the
    /// permutation test runs. The other measures' thresholds are this times their scale (see
    /// [`CbadSettings::z_scale`]).
    pub ncd_z_threshold: f64,
    /// An NCD at or below this is never tested (a floor under the adaptive threshold).
    pub min_ncd: f64,
    /// Recent window NCDs kept for the adaptive threshold.
    pub history_windows: usize,
    /// Windows scored before any can be an anomaly (the history must first fill).
    pub warmup_windows: usize,
    /// A window is an anomaly when its permutation p-value is at most this.
    pub p_value_threshold: f64,
    /// Permutations of the test (the smallest p-value is 1 / (1 + permutations)).
    pub permutations: usize,
    /// The compressor.
    pub compressor: CompressorKind,
    /// Seed of the permutation test (ChaCha20).
    pub seed: u64,
    /// While windows are anomalies the baseline is not refreshed, for at most this many
    /// events of lag beyond `baseline_refresh_events` (0: always refresh on time).
    #[serde(default = "default_max_frozen_events")]
    pub max_frozen_events: usize,
}

/// `max_frozen_events` of settings saved before it existed: the balanced preset's.
fn default_max_frozen_events() -> usize {
    CbadSettings::preset(Preset::Balanced).max_frozen_events
}

impl CbadSettings {
    /// The settings of a preset.
    pub fn preset(preset: Preset) -> Self {
        let (baseline, window, z, p, permutations) = match preset {
            Preset::Sensitive => (200, 50, 2.5, 0.05, 99),
            Preset::Balanced => (400, 100, 3.5, 0.01, 199),
            Preset::Strict => (800, 200, 5.0, 0.005, 399),
        };
        Self {
            baseline_events: baseline,
            window_events: window,
            hop_events: window,
            baseline_refresh_events: baseline,
            ncd_z_threshold: z,
            min_ncd: 0.0,
            history_windows: 50,
            warmup_windows: 5,
            p_value_threshold: p,
            permutations,
            compressor: CompressorKind::Zstd,
            seed: 0,
            max_frozen_events: 2 * baseline,
        }
    }

    /// The z threshold of measure `m` as a multiple of `ncd_z_threshold`.
    pub fn z_scale(&self, m: Measure) -> f64 {
        // Chosen on the quality benchmark (docs/DETECTION.md): the NCD keeps its threshold; the
        // measures that also move with ordinary drift need more.
        match m {
            Measure::Ncd => 1.0,
            Measure::EntropyChange => 1.2,
            Measure::Novelty | Measure::TokenDivergence => 1.5,
            Measure::RatioChange => 2.0,
        }
    }

    /// Checks that the settings can work; the error names the setting and what it needs.
    pub fn check(&self) -> Result<(), String> {
        let at_least_one = [
            ("baseline_events", self.baseline_events),
            ("window_events", self.window_events),
            ("hop_events", self.hop_events),
            ("baseline_refresh_events", self.baseline_refresh_events),
            ("history_windows", self.history_windows),
            ("permutations", self.permutations),
        ];
        if let Some((name, _)) = at_least_one.iter().find(|(_, v)| *v == 0) {
            return Err(format!("{name} must be at least 1"));
        }
        if self.hop_events > self.window_events {
            return Err(format!(
                "hop_events ({}) must not exceed window_events ({}): events would go unscored",
                self.hop_events, self.window_events
            ));
        }
        if !(self.p_value_threshold > 0.0 && self.p_value_threshold <= 1.0) {
            return Err(format!(
                "p_value_threshold must be in (0, 1], got {}",
                self.p_value_threshold
            ));
        }
        if !self.ncd_z_threshold.is_finite() || self.ncd_z_threshold < 0.0 {
            return Err(format!(
                "ncd_z_threshold must be a number of at least 0, got {}",
                self.ncd_z_threshold
            ));
        }
        if !self.min_ncd.is_finite() {
            return Err("min_ncd must be a finite number".into());
        }
        let smallest_p = 1.0 / (1.0 + self.permutations as f64);
        if smallest_p > self.p_value_threshold {
            return Err(format!(
                "with {} permutations the smallest p-value is {smallest_p:.4}, above \
                 p_value_threshold {}: raise permutations",
                self.permutations, self.p_value_threshold
            ));
        }
        Ok(())
    }
}

impl Default for CbadSettings {
    fn default() -> Self {
        Self::preset(Preset::Balanced)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_valid_and_bad_settings_are_named() {
        for p in [Preset::Sensitive, Preset::Balanced, Preset::Strict] {
            CbadSettings::preset(p).check().unwrap();
        }
        let s = CbadSettings {
            hop_events: 0,
            ..CbadSettings::default()
        };
        assert_eq!(s.check().unwrap_err(), "hop_events must be at least 1");
        let s = CbadSettings {
            permutations: 10,
            ..CbadSettings::default()
        };
        assert!(s.check().unwrap_err().contains("raise permutations"));
        assert!("loud".parse::<Preset>().unwrap_err().contains("sensitive"));
    }
}
