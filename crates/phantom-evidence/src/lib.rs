//! Signed evidence bundles: what Phantom's detectors found, in a form an auditor can check.
//!
//! A bundle is a JSON object (format [`FORMAT`]) that the engine builds: the anomalies with
//! their explanations, the detectors' versions and settings, and SHA-256 hashes of the events
//! they were computed from. [`sign`] adds an Ed25519 signature over the bundle's canonical
//! JSON ([`canonical_json`], RFC 8785) made with the deployment's [`EvidenceKey`]; [`verify`]
//! checks it against a trusted [`PublicKey`] (served as [`PublicKey::to_json`]);
//! [`render_pdf`] lays the same bundle out as a readable report. `docs/EVIDENCE.md` describes
//! the format and the canonical form.
//!
//! ```no_run
//! use phantom_evidence::{EvidenceKey, sign, verify};
//!
//! let key = EvidenceKey::generate();
//! let bundle = serde_json::json!({
//!     "format": phantom_evidence::FORMAT,
//!     "generated_at": "2026-11-22T10:00:00Z",
//!     "anomalies": [],
//! });
//! let signed = sign(bundle, &key)?;
//! let verified = verify(&signed, &key.public_key())?;
//! assert_eq!(verified.anomalies, 0);
//! let pdf = phantom_evidence::render_pdf(&signed)?;
//! # Ok::<(), phantom_evidence::EvidenceError>(())
//! ```
#![warn(missing_docs)]

mod bundle;
mod canonical;
mod error;
mod exact_numbers;
mod key;
mod number;
mod pdf;
mod signature;

pub use canonical::canonical_json;
pub use error::EvidenceError;
pub use exact_numbers::MAX_EXACT_INTEGER;
pub use key::{EvidenceKey, PublicKey};
pub use pdf::render_pdf;
pub use signature::{Verified, sign, verify};

/// The bundle format name written into every bundle.
pub const FORMAT: &str = "phantom-evidence/1";
