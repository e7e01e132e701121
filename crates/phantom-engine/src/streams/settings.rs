//! The detector of a stream and its settings: compression-based detection (CBAD) for text
//! streams (logs, traces, events), robust online scoring for metrics.

use phantom_detect::series::online::OnlineSettings;
use phantom_detect::text::{CbadSettings, Preset};
use serde::{Deserialize, Serialize};

use super::Signal;
use crate::EngineError;

/// A stream's detector with its settings, as stored and reported.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "detector", rename_all = "snake_case", deny_unknown_fields)]
pub enum DetectorSettings {
    /// Compression-based detection of text events (logs, spans, JSON events).
    Cbad {
        /// Window sizes, thresholds and compressor.
        settings: CbadSettings,
    },
    /// Robust online scoring of a metric's values (median / MAD, optional season).
    Series {
        /// Window, history and sensitivity.
        settings: OnlineSettings,
    },
}

impl DetectorSettings {
    /// The detector's name: `cbad` or `series`.
    pub fn name(&self) -> &'static str {
        match self {
            DetectorSettings::Cbad { .. } => "cbad",
            DetectorSettings::Series { .. } => "series",
        }
    }

    /// What a new stream of `signal` starts with: CBAD with the balanced preset for text,
    /// the default online settings for metrics.
    pub fn default_for(signal: Signal) -> Self {
        match signal {
            Signal::Logs | Signal::Traces | Signal::Events => DetectorSettings::Cbad {
                settings: CbadSettings::preset(Preset::Balanced),
            },
            Signal::Metrics => DetectorSettings::Series {
                settings: OnlineSettings::default(),
            },
        }
    }
}

/// Which detector a settings request asks for.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DetectorName {
    /// Compression-based detection, for logs, traces and events.
    Cbad,
    /// Online series scoring, for metrics.
    Series,
}

/// A change of a stream's detector: a preset, or full settings, or neither (the defaults).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamSettingsRequest {
    /// The detector; it must fit the stream's signal (series for metrics, CBAD otherwise).
    pub detector: DetectorName,
    /// For CBAD: sensitive, balanced or strict.
    #[serde(default)]
    pub preset: Option<Preset>,
    /// Full settings of the detector (CBAD or online series), instead of a preset.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub settings: Option<serde_json::Value>,
}

impl StreamSettingsRequest {
    /// The settings this asks for on a stream of `signal`, checked.
    pub fn resolve(&self, signal: Signal) -> Result<DetectorSettings, EngineError> {
        let invalid = |reason: String| EngineError::InvalidArgument {
            what: "stream settings".into(),
            reason,
        };
        let fits = matches!(
            (self.detector, signal),
            (DetectorName::Series, Signal::Metrics)
                | (
                    DetectorName::Cbad,
                    Signal::Logs | Signal::Traces | Signal::Events
                )
        );
        if !fits {
            return Err(invalid(format!(
                "a {} stream takes the '{}' detector",
                signal.as_str(),
                if signal == Signal::Metrics {
                    "series"
                } else {
                    "cbad"
                }
            )));
        }
        if self.preset.is_some() && self.settings.is_some() {
            return Err(invalid("give a preset or settings, not both".into()));
        }
        let parse = |what: &str| -> Result<serde_json::Value, EngineError> {
            self.settings
                .clone()
                .ok_or_else(|| invalid(format!("{what} needs settings")))
        };
        match self.detector {
            DetectorName::Cbad => {
                let settings = match (&self.preset, &self.settings) {
                    (Some(preset), _) => CbadSettings::preset(*preset),
                    (None, None) => CbadSettings::preset(Preset::Balanced),
                    (None, Some(_)) => serde_json::from_value(parse("cbad")?)
                        .map_err(|e| invalid(format!("cbad settings: {e}")))?,
                };
                settings.check().map_err(invalid)?;
                // The seed is written into every anomaly's explanation, and a signed evidence
                // bundle can only hold integers that every JSON reader keeps exactly.
                if settings.seed > phantom_evidence::MAX_EXACT_INTEGER {
                    return Err(invalid(format!(
                        "seed {} is larger than {}, the largest integer a signed evidence bundle can hold",
                        settings.seed,
                        phantom_evidence::MAX_EXACT_INTEGER
                    )));
                }
                Ok(DetectorSettings::Cbad { settings })
            }
            DetectorName::Series => {
                if self.preset.is_some() {
                    return Err(invalid(
                        "presets are for the cbad detector; give series settings instead".into(),
                    ));
                }
                let settings: OnlineSettings = match &self.settings {
                    None => OnlineSettings::default(),
                    Some(_) => serde_json::from_value(parse("series")?)
                        .map_err(|e| invalid(format!("series settings: {e}")))?,
                };
                phantom_detect::series::online::OnlineDetector::new(settings.clone())
                    .map_err(|e| invalid(e.to_string()))?;
                Ok(DetectorSettings::Series { settings })
            }
        }
    }
}
