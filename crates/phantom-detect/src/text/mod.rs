//! Compression-based anomaly detection (CBAD) for text-like events: log lines, spans, JSON
//! events.
//!
//! Each stream has a [`LogDetector`]: events are [normalised](normalize) (volatile tokens
//! become placeholders, secrets and personal data are redacted), a window of recent events is
//! compressed alone and after a baseline of earlier ones, and the window is an anomaly when its
//! normalised compression distance stands out from recent windows and a seeded permutation
//! test says so with a small p-value. Every verdict carries its [`Measures`], the
//! [`Decision`] that was taken and the event ranges; an anomaly's ranges are hashed (SHA-256)
//! and it lists the [`Changes`]: templates and tokens that appeared or vanished.

mod compress;
mod decide;
mod detector;
mod events;
mod interner;
mod measures;
mod normalize;
mod permutation;
mod profile;
mod settings;
mod templates;
mod tokens;

pub use compress::{CompressError, Compressor, CompressorKind, ZSTD_LEVEL};
pub use decide::{Measure, MeasureScore};
pub use detector::{CbadError, Changes, Counted, Decision, EventRange, LogDetector, WindowVerdict};
pub use measures::{Measures, entropy};
pub use normalize::{normalize, normalize_into};
pub use settings::{CbadSettings, Preset};
