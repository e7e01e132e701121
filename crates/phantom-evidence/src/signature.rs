//! Signing a bundle and checking its signature.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::Signature;
use ed25519_dalek::ed25519::signature::Signer as _;
use serde_json::{Map, Value, json};

use crate::bundle::{Summary, as_object};
use crate::canonical::canonical_object_without;
use crate::error::json_type;
use crate::exact_numbers::check_exact_numbers;
use crate::{EvidenceError, EvidenceKey, PublicKey};

/// The member of a signed bundle that holds its signature.
pub(crate) const SIGNATURE: &str = "signature";
/// The one algorithm bundles are signed with.
pub(crate) const ALGORITHM: &str = "Ed25519";
/// The one canonical form the signature is computed over.
const CANONICALIZATION: &str = "RFC8785";
/// The members of a signature object; no other is accepted, as the object itself is not
/// covered by the signature.
const MEMBERS: [&str; 5] = [
    "algorithm",
    "canonicalization",
    "public_key",
    "fingerprint",
    "value",
];

/// What a verified bundle holds, for the CLI's summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The bundle's format, [`crate::FORMAT`].
    pub format: String,
    /// How many anomalies the bundle holds.
    pub anomalies: usize,
    /// When the engine made the bundle, as written in it.
    pub generated_at: String,
    /// Fingerprint of the key that signed it (the trusted key).
    pub fingerprint: String,
}

/// Signs `bundle` (a JSON object, which must not already hold "signature"): adds
/// `"signature": {"algorithm":"Ed25519","canonicalization":"RFC8785","public_key":B64,
/// "fingerprint":..,"value":B64}` where value signs canonical_json(bundle without signature).
///
/// The bundle must hold `"format": "phantom-evidence/1"`, a `generated_at` string and an
/// `anomalies` array, and no integer beyond ±(2^53 - 1), which the canonical form cannot
/// hold exactly; anything that signs also verifies.
pub fn sign(bundle: Value, key: &EvidenceKey) -> Result<Value, EvidenceError> {
    let mut map = match bundle {
        Value::Object(map) => map,
        other @ (Value::Null
        | Value::Bool(_)
        | Value::Number(_)
        | Value::String(_)
        | Value::Array(_)) => {
            return Err(EvidenceError::NotAnObject {
                what: "an evidence bundle",
                found: json_type(&other),
            });
        }
    };
    if map.contains_key(SIGNATURE) {
        return Err(EvidenceError::AlreadySigned);
    }
    Summary::read(&map)?;
    check_exact_numbers(&map)?;
    let signature = key
        .signing()
        .sign(&canonical_object_without(&map, SIGNATURE));
    let public_key = key.public_key();
    map.insert(
        SIGNATURE.to_owned(),
        json!({
            "algorithm": ALGORITHM,
            "canonicalization": CANONICALIZATION,
            "public_key": public_key.to_base64(),
            "fingerprint": public_key.fingerprint(),
            "value": STANDARD.encode(signature.to_bytes()),
        }),
    );
    Ok(Value::Object(map))
}

/// Checks a signed bundle against the trusted key: the signature object is well formed, its
/// public_key equals `trusted`, and the signature is valid over the canonical JSON of the rest.
/// Errors say exactly which check failed (missing signature, other key with both fingerprints,
/// bad signature = the bundle was changed after signing, ...).
pub fn verify(bundle: &Value, trusted: &PublicKey) -> Result<Verified, EvidenceError> {
    let map = as_object(bundle, "an evidence bundle")?;
    let (signed_by, signature) = read_signature(map)?;
    if signed_by != *trusted {
        return Err(EvidenceError::OtherKey {
            signed_by: signed_by.fingerprint(),
            trusted: trusted.fingerprint(),
        });
    }
    trusted
        .verifying()
        .verify_strict(&canonical_object_without(map, SIGNATURE), &signature)
        .map_err(|_| EvidenceError::BadSignature {
            fingerprint: trusted.fingerprint(),
        })?;
    check_exact_numbers(map)?;
    let summary = Summary::read(map)?;
    Ok(Verified {
        format: summary.format,
        anomalies: summary.anomalies,
        generated_at: summary.generated_at,
        fingerprint: trusted.fingerprint(),
    })
}

/// The key a bundle names and its signature, once every member of the signature object is
/// what [`sign`] writes.
fn read_signature(bundle: &Map<String, Value>) -> Result<(PublicKey, Signature), EvidenceError> {
    let object = as_object(
        bundle
            .get(SIGNATURE)
            .ok_or(EvidenceError::MissingSignature)?,
        "the bundle's \"signature\"",
    )?;
    if let Some(unknown) = object.keys().find(|k| !MEMBERS.contains(&k.as_str())) {
        return Err(malformed(
            unknown,
            "is not a member of a Phantom signature (algorithm, canonicalization, public_key, \
             fingerprint, value)",
        ));
    }
    expect_text(object, "algorithm", ALGORITHM)?;
    expect_text(object, "canonicalization", CANONICALIZATION)?;
    let public_key = PublicKey::from_base64(text(object, "public_key")?)
        .map_err(|e| malformed("public_key", &format!("is not a public key: {e}")))?;
    if text(object, "fingerprint")? != public_key.fingerprint() {
        return Err(malformed("fingerprint", "does not match its public_key"));
    }
    let value = STANDARD
        .decode(text(object, "value")?)
        .map_err(|e| malformed("value", &format!("is not valid base64: {e}")))?;
    let bytes: [u8; 64] = value.as_slice().try_into().map_err(|_| {
        malformed(
            "value",
            &format!(
                "is {} bytes long; an Ed25519 signature is 64 bytes",
                value.len()
            ),
        )
    })?;
    Ok((public_key, Signature::from_bytes(&bytes)))
}

/// The string member `field` of the signature object.
fn text<'a>(object: &'a Map<String, Value>, field: &str) -> Result<&'a str, EvidenceError> {
    match object.get(field) {
        Some(Value::String(text)) => Ok(text),
        Some(other) => Err(malformed(
            field,
            &format!("must be a string, not {}", json_type(other)),
        )),
        None => Err(malformed(field, "is missing")),
    }
}

/// Fails unless the member `field` is the string `expected`.
fn expect_text(
    object: &Map<String, Value>,
    field: &str,
    expected: &str,
) -> Result<(), EvidenceError> {
    let found = text(object, field)?;
    if found == expected {
        Ok(())
    } else {
        Err(malformed(
            field,
            &format!("is {found:?}; Phantom signs with {expected:?} only"),
        ))
    }
}

fn malformed(field: &str, problem: &str) -> EvidenceError {
    EvidenceError::MalformedSignature {
        field: field.to_owned(),
        problem: problem.to_owned(),
    }
}
