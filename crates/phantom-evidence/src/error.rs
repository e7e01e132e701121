//! What can go wrong with keys, signing, verifying and rendering.

use crate::FORMAT;

/// An evidence operation failed; the message says which check failed and what to do.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// A signing key seed of the wrong length.
    #[error(
        "an evidence signing key seed must be exactly 32 bytes, got {len}; \
         the engine stores the seed it generated, use that file unchanged"
    )]
    SeedLength {
        /// The length given.
        len: usize,
    },
    /// The operating system could not provide random bytes for a new key.
    #[error("cannot generate an evidence key: the operating system's random generator failed")]
    Random(#[source] getrandom::Error),
    /// A public key that is not base64.
    #[error(
        "the public key is not valid base64 ({source}); give the \"public_key\" value that \
         GET /v1/evidence/public-key serves"
    )]
    KeyEncoding {
        /// Why it does not decode.
        #[source]
        source: base64::DecodeError,
    },
    /// A public key of the wrong length.
    #[error("the public key is {len} bytes long; an Ed25519 public key is 32 bytes")]
    KeyLength {
        /// The decoded length.
        len: usize,
    },
    /// A public key document that is not what `GET /v1/evidence/public-key` serves.
    #[error(
        "the public key document {problem}; give the JSON that GET /v1/evidence/public-key \
         answers, or the base64 key alone"
    )]
    KeyDocument {
        /// What is wrong with it.
        problem: String,
    },
    /// 32 bytes that are not a usable Ed25519 public key.
    #[error(
        "the public key is not a usable Ed25519 key (not a point of the curve, or one of small \
         order that would accept forged signatures)"
    )]
    KeyInvalid,
    /// The bundle (or a part of it) is not a JSON object.
    #[error("{what} must be a JSON object, got {found}")]
    NotAnObject {
        /// What was expected to be an object.
        what: &'static str,
        /// The JSON type found instead.
        found: &'static str,
    },
    /// `sign` was given a bundle that already holds a signature.
    #[error("the bundle already holds a \"signature\"; sign the bundle without it")]
    AlreadySigned,
    /// A required field of the bundle is missing or has the wrong type.
    #[error("the bundle's \"{field}\" must be {expected}")]
    Content {
        /// The field.
        field: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// The bundle names a format this version does not read.
    #[error(
        "the bundle's format is {found:?}, this version of Phantom reads {FORMAT:?}; \
         use the Phantom release that produced the bundle"
    )]
    UnsupportedFormat {
        /// The format the bundle names.
        found: String,
    },
    /// A number the canonical form (IEEE-754 doubles) cannot hold exactly.
    #[error(
        "the number {number} at {path} cannot be signed exactly: canonical JSON (RFC 8785) \
         holds numbers as IEEE-754 doubles, which keep integers exactly only up to 2^53; \
         write it as a string"
    )]
    InexactNumber {
        /// Where it is, as a JSON path (`$.anomalies[0].explanation.decision.seed`).
        path: String,
        /// The number as written.
        number: String,
    },
    /// The bundle has no signature.
    #[error(
        "the bundle is not signed: it has no \"signature\" object; \
         ask the server for it again with GET /v1/evidence"
    )]
    MissingSignature,
    /// The signature object is not what `sign` writes.
    #[error("the bundle's signature is malformed: its \"{field}\" {problem}")]
    MalformedSignature {
        /// The member of the signature object at fault.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The bundle was signed by a key other than the trusted one.
    #[error(
        "the bundle was signed by another key ({signed_by}), not the trusted key ({trusted}); \
         check that the public key comes from the deployment that produced the bundle"
    )]
    OtherKey {
        /// Fingerprint of the key named in the bundle.
        signed_by: String,
        /// Fingerprint of the trusted key.
        trusted: String,
    },
    /// The signature does not match the content.
    #[error(
        "bad signature: the bundle was changed after it was signed (its content does not match \
         the signature made by {fingerprint})"
    )]
    BadSignature {
        /// Fingerprint of the (trusted) key the signature was checked with.
        fingerprint: String,
    },
}

/// The JSON type of `value`, for messages.
pub(crate) fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}
