//! The deployment's Ed25519 signing key and the public key auditors check bundles with.

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::EvidenceError;
use crate::signature::ALGORITHM;

/// The signing key of a deployment (Ed25519). Stored by the engine as its 32-byte seed.
pub struct EvidenceKey {
    signing: SigningKey,
}

impl EvidenceKey {
    /// A new key from the operating system's random generator.
    ///
    /// # Panics
    /// If the operating system cannot provide random bytes, which supported systems always
    /// can; [`EvidenceKey::try_generate`] returns that failure instead.
    pub fn generate() -> Self {
        match Self::try_generate() {
            Ok(key) => key,
            Err(err) => panic!("{err}"),
        }
    }

    /// A new key from the operating system's random generator, or why there is none.
    pub fn try_generate() -> Result<Self, EvidenceError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(EvidenceError::Random)?;
        Ok(Self::from_seed_bytes(&seed))
    }

    /// The key a stored seed (exactly 32 bytes) makes.
    pub fn from_seed(seed: &[u8]) -> Result<Self, EvidenceError> {
        let seed: &[u8; 32] = seed
            .try_into()
            .map_err(|_| EvidenceError::SeedLength { len: seed.len() })?;
        Ok(Self::from_seed_bytes(seed))
    }

    fn from_seed_bytes(seed: &[u8; 32]) -> Self {
        Self {
            signing: SigningKey::from_bytes(seed),
        }
    }

    /// The 32-byte seed to store; [`EvidenceKey::from_seed`] makes the same key from it.
    pub fn seed(&self) -> [u8; 32] {
        self.signing.to_bytes()
    }

    /// The key that verifies this key's signatures.
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            verifying: self.signing.verifying_key(),
        }
    }

    pub(crate) fn signing(&self) -> &SigningKey {
        &self.signing
    }
}

impl std::fmt::Debug for EvidenceKey {
    /// Shows the public key's fingerprint only, never the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvidenceKey")
            .field("public_key", &self.public_key().fingerprint())
            .finish_non_exhaustive()
    }
}

/// A verifying key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicKey {
    verifying: VerifyingKey,
}

impl PublicKey {
    /// Standard base64 (with padding) of the 32 raw bytes.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.verifying.as_bytes())
    }

    /// Reads what [`PublicKey::to_base64`] writes, ignoring surrounding whitespace.
    pub fn from_base64(text: &str) -> Result<Self, EvidenceError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|source| EvidenceError::KeyEncoding { source })?;
        let raw: &[u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| EvidenceError::KeyLength { len: bytes.len() })?;
        let verifying = VerifyingKey::from_bytes(raw).map_err(|_| EvidenceError::KeyInvalid)?;
        if verifying.is_weak() {
            return Err(EvidenceError::KeyInvalid);
        }
        Ok(Self { verifying })
    }

    /// What `GET /v1/evidence/public-key` answers:
    /// `{"algorithm":"Ed25519","public_key":B64,"fingerprint":"SHA256:..."}`.
    pub fn to_json(&self) -> Value {
        json!({
            "algorithm": ALGORITHM,
            "public_key": self.to_base64(),
            "fingerprint": self.fingerprint(),
        })
    }

    /// Reads what [`PublicKey::to_json`] writes; `algorithm` and `fingerprint` may be left
    /// out, and must match when present.
    pub fn from_json(document: &Value) -> Result<Self, EvidenceError> {
        let problem = |problem: String| EvidenceError::KeyDocument { problem };
        if let Some(algorithm) = document.get("algorithm")
            && algorithm != ALGORITHM
        {
            return Err(problem(format!(
                "names the algorithm {algorithm}; evidence is signed with Ed25519"
            )));
        }
        let key = document
            .get("public_key")
            .and_then(Value::as_str)
            .ok_or_else(|| problem("holds no \"public_key\" string".to_owned()))?;
        let key = Self::from_base64(key)?;
        if let Some(fingerprint) = document.get("fingerprint")
            && fingerprint != &Value::from(key.fingerprint())
        {
            return Err(problem(format!(
                "gives the fingerprint {fingerprint}, but its public_key's is {}",
                key.fingerprint()
            )));
        }
        Ok(key)
    }

    /// `SHA256:` and the hex SHA-256 of the raw key: short enough for people to compare.
    pub fn fingerprint(&self) -> String {
        format!("SHA256:{}", sha256_hex(self.verifying.as_bytes()))
    }

    pub(crate) fn verifying(&self) -> &VerifyingKey {
        &self.verifying
    }
}

/// Lowercase hex of the SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}
