//! The kinds of telemetry Phantom ingests.

use std::fmt;
use std::str::FromStr;

/// What kind of telemetry a record came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// OTLP logs (`POST /v1/logs`).
    Logs,
    /// OTLP metrics (`POST /v1/metrics`).
    Metrics,
    /// OTLP traces (`POST /v1/traces`).
    Traces,
    /// Plain JSON events (`POST /v1/events`).
    Events,
}

impl Signal {
    /// Every signal, in the order above.
    pub const ALL: [Signal; 4] = [
        Signal::Logs,
        Signal::Metrics,
        Signal::Traces,
        Signal::Events,
    ];

    /// The signal's name: `logs`, `metrics`, `traces` or `events`.
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Logs => "logs",
            Signal::Metrics => "metrics",
            Signal::Traces => "traces",
            Signal::Events => "events",
        }
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Signal {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Signal::ALL
            .into_iter()
            .find(|signal| signal.as_str() == s)
            .ok_or_else(|| {
                format!("unknown signal \"{s}\"; expected one of logs, metrics, traces, events")
            })
    }
}
