//! Detection quality: labelled data, replayed through Phantom's detectors and scored.
//!
//! - [`logs::log_stream`] makes a log stream of four services ([`traffic::Traffic`]) with
//!   incidents ([`incidents::LogIncident`]: new error templates, a burst of one template, a
//!   changed field format, a silent service) injected at labelled event ranges;
//! - [`series::series_case`] makes a seasonal series with spikes, level shifts, trend changes
//!   or noise changes ([`series::SeriesIncident`]) at labelled point ranges;
//! - [`run`] replays them through `LogDetector` (per preset) and `OnlineDetector`, and
//!   [`score`] counts detections, alarms and delays (the rule is written there);
//! - [`report`] prints the table.
//!
//! Everything is drawn from ChaCha20 seeded by one seed: the same seed gives the same data and
//! the same report.

pub mod incidents;
pub mod logs;
mod mix;
pub mod plan;
mod random;
pub mod report;
pub mod run;
pub mod score;
pub mod series;
pub mod traffic;
