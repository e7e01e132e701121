//! A stream's detector state, as stored between batches: the detector itself, where its
//! event numbers start in the stream, and the hash chain over every event received.
//!
//! The hash chain makes the data behind an anomaly checkable: `chain(-1)` is 32 zero bytes
//! and `chain(n) = SHA-256(chain(n-1) || event_n || "\n")`, where a text event is its text as
//! received and a metric value its shortest decimal form (Rust's `{}`). Whoever holds the
//! events can recompute the chain up to an anomaly's last event and compare.

use phantom_detect::series::online::OnlineDetector;
use phantom_detect::text::LogDetector;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::settings::DetectorSettings;
use crate::EngineError;

/// The live detector of one stream.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Detector {
    /// Compression-based detection of text events.
    Cbad(Box<LogDetector>),
    /// Online scoring of metric values.
    Series(OnlineDetector),
}

/// Everything a stream carries from one batch to the next.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct StreamState {
    /// The stream's number of the detector's first event: the detector restarts at 0 when
    /// the settings change, the stream's numbering does not.
    pub(crate) offset: u64,
    /// The hash chain after the last event, hexadecimal.
    pub(crate) chain: String,
    /// Per ingestion source (a NATS subject partition), the last message applied, so a
    /// message delivered again after a crash is not applied twice.
    #[serde(default)]
    pub(crate) applied: std::collections::BTreeMap<String, u64>,
    /// The detector.
    pub(crate) detector: Detector,
}

/// One event's content.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventBody {
    /// A log line, a span or a JSON event, as text.
    Text(String),
    /// A metric value.
    Value(f64),
}

/// An anomalous window or point, before it is stored.
pub(crate) struct Finding {
    pub(crate) detector: &'static str,
    pub(crate) first_event: u64,
    pub(crate) last_event: u64,
    pub(crate) score: f64,
    pub(crate) p_value: Option<f64>,
    pub(crate) summary: String,
    pub(crate) explanation: serde_json::Value,
}

impl StreamState {
    /// A fresh state for `settings` whose first event will be number `offset` of the stream,
    /// continuing the hash chain `chain`.
    pub(crate) fn new(
        settings: &DetectorSettings,
        offset: u64,
        chain: String,
    ) -> Result<Self, EngineError> {
        let detector = match settings {
            DetectorSettings::Cbad { settings } => Detector::Cbad(Box::new(
                LogDetector::new(settings.clone()).map_err(|e| invalid(e.to_string()))?,
            )),
            DetectorSettings::Series { settings } => Detector::Series(
                OnlineDetector::new(settings.clone()).map_err(|e| invalid(e.to_string()))?,
            ),
        };
        Ok(Self {
            offset,
            chain,
            applied: Default::default(),
            detector,
        })
    }

    /// The chain before any event.
    pub(crate) fn empty_chain() -> String {
        hex::encode([0u8; 32])
    }

    /// Feeds one event; an anomaly when it ends an anomalous window (or is an anomalous
    /// point). A body of the wrong kind for the detector is refused.
    pub(crate) fn push(&mut self, body: &EventBody) -> Result<Option<Finding>, EngineError> {
        self.extend_chain(body);
        let offset = self.offset;
        match (&mut self.detector, body) {
            (Detector::Cbad(detector), EventBody::Text(text)) => {
                let verdict = detector.push(text).map_err(|e| invalid(e.to_string()))?;
                Ok(verdict.filter(|v| v.is_anomaly).map(|v| {
                    let summary = super::summary::cbad(&v, offset);
                    let mut explanation = serde_json::to_value(&v).unwrap_or_default();
                    explanation["event_offset"] = offset.into();
                    Finding {
                        detector: "cbad",
                        first_event: offset + v.window.first,
                        last_event: offset + v.window.last,
                        score: v.score,
                        p_value: v.decision.p_value,
                        summary,
                        explanation,
                    }
                }))
            }
            (Detector::Series(detector), EventBody::Value(value)) => {
                let point = detector.push(*value).map_err(|e| invalid(e.to_string()))?;
                if !point.is_anomaly {
                    return Ok(None);
                }
                let summary = super::summary::series(&point);
                let mut explanation = serde_json::to_value(&point).unwrap_or_default();
                explanation["event_offset"] = offset.into();
                Ok(Some(Finding {
                    detector: "series",
                    first_event: offset + point.index,
                    last_event: offset + point.index,
                    score: point.score,
                    p_value: None,
                    summary,
                    explanation,
                }))
            }
            (Detector::Cbad(_), EventBody::Value(_)) => Err(invalid(
                "a numeric value was sent to a text stream; send metrics to a metrics stream"
                    .into(),
            )),
            (Detector::Series(_), EventBody::Text(_)) => Err(invalid(
                "a text event was sent to a metrics stream; send it as a log or an event".into(),
            )),
        }
    }

    /// Extends the hash chain by one event. The chain is read and written in place (no
    /// allocation): this runs for every event. A stored chain that is not 32 bytes of hex
    /// counts as empty, as it always did.
    fn extend_chain(&mut self, body: &EventBody) {
        let mut chain = Sha256::new();
        let mut previous = [0u8; 32];
        if hex::decode_to_slice(&self.chain, &mut previous).is_ok() {
            chain.update(previous);
        }
        match body {
            EventBody::Text(text) => chain.update(text.as_bytes()),
            EventBody::Value(value) => chain.update(value.to_string().as_bytes()),
        }
        chain.update(b"\n");
        let mut hex = [0u8; 64];
        // 32 bytes always fit 64 hex digits, which are ASCII.
        if hex::encode_to_slice(chain.finalize(), &mut hex).is_ok()
            && let Ok(hex) = std::str::from_utf8(&hex)
        {
            self.chain.clear();
            self.chain.push_str(hex);
        }
    }

    /// The state as stored.
    pub(crate) fn encode(&self) -> Result<Vec<u8>, EngineError> {
        serde_json::to_vec(self)
            .map_err(|e| EngineError::Internal(format!("encoding a stream's state: {e}")))
    }

    /// Reads a stored state; `stream` names it in the error.
    pub(crate) fn decode(bytes: &[u8], stream: &str) -> Result<Self, EngineError> {
        serde_json::from_slice(bytes).map_err(|e| {
            EngineError::Store(phantom_store::StoreError::Malformed {
                what: format!("the detector state of stream '{stream}' ({e})"),
            })
        })
    }
}

fn invalid(reason: String) -> EngineError {
    EngineError::InvalidArgument {
        what: "stream event".into(),
        reason,
    }
}
