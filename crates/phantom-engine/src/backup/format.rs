//! The backup file: a JSON manifest and the binary parts it lists, sealed with a SHA-256.
//!
//! All integers little-endian:
//!
//! | bytes | content |
//! |---|---|
//! | 8 | magic `PHANTOMB` |
//! | 2 | format version (2; version 1, models only, is still read) |
//! | 8 | manifest length *m* |
//! | *m* | manifest (JSON): the tenant, the time, the models with their versions, the streams, the anomalies and the evidence bundles |
//! | ... | the parts: each model version's artifact in manifest order, then each stream's detector state, then each evidence bundle's signed JSON |
//! | 32 | SHA-256 of everything above |

use phantom_store::{AnomalyRecord, Millis, ModelStatus, sha256_hex};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::EngineError;

/// The first bytes of a backup.
pub const BACKUP_MAGIC: &[u8; 8] = b"PHANTOMB";
const FORMAT_VERSION: u16 = 2;
const OLDEST_READABLE_VERSION: u16 = 1;

#[derive(Serialize, Deserialize)]
pub(super) struct Manifest {
    pub tenant: String,
    pub created_at: Millis,
    pub models: Vec<ManifestModel>,
    /// Absent in version 1 files.
    #[serde(default)]
    pub streams: Vec<ManifestStream>,
    /// Absent in version 1 files; oldest first.
    #[serde(default)]
    pub anomalies: Vec<AnomalyRecord>,
    /// Absent in version 1 files; oldest first.
    #[serde(default)]
    pub evidence: Vec<ManifestEvidence>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct ManifestModel {
    pub id: String,
    pub name: String,
    pub config: serde_json::Value,
    pub status: ModelStatus,
    pub active_version: Option<u32>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub versions: Vec<ManifestVersion>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct ManifestVersion {
    pub version: u32,
    pub created_at: Millis,
    pub sha256: String,
    pub size: u64,
    pub metadata: serde_json::Value,
}

#[derive(Serialize, Deserialize)]
pub(super) struct ManifestStream {
    pub key: String,
    pub service: String,
    pub signal: String,
    pub settings: serde_json::Value,
    pub events_seen: u64,
    pub created_at: Millis,
    pub updated_at: Millis,
    /// The detector state's part, if the stream has one.
    pub state: Option<Part>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct ManifestEvidence {
    pub id: String,
    pub created_at: Millis,
    pub query_from: Option<Millis>,
    pub query_to: Millis,
    pub query_stream: Option<String>,
    pub anomaly_count: u64,
    /// The signed JSON's part.
    pub bundle: Part,
}

/// Where a binary part is checked: its length and SHA-256.
#[derive(Serialize, Deserialize)]
pub(super) struct Part {
    pub size: u64,
    pub sha256: String,
}

impl Part {
    pub fn of(bytes: &[u8]) -> Self {
        Self {
            size: bytes.len() as u64,
            sha256: sha256_hex(bytes),
        }
    }
}

/// A backup's content, checked: the manifest, each model version's artifact (in manifest
/// order, over all models), each stream's state (`None` for a stream without one) and each
/// evidence bundle.
pub(super) struct Contents {
    pub manifest: Manifest,
    pub artifacts: Vec<Vec<u8>>,
    pub states: Vec<Option<Vec<u8>>>,
    pub bundles: Vec<Vec<u8>>,
}

/// Lays out and seals a backup: `parts` are the artifacts, the states and the bundles, in
/// manifest order.
pub(super) fn seal(manifest: &Manifest, parts: &[Vec<u8>]) -> Result<Vec<u8>, EngineError> {
    let manifest = serde_json::to_vec(manifest)
        .map_err(|e| EngineError::Internal(format!("encoding backup manifest: {e}")))?;
    let total: usize = parts.iter().map(Vec::len).sum();
    let mut bytes = Vec::with_capacity(manifest.len() + total + 64);
    bytes.extend_from_slice(BACKUP_MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&(manifest.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&manifest);
    for part in parts {
        bytes.extend_from_slice(part);
    }
    let digest = Sha256::digest(&bytes);
    bytes.extend_from_slice(&digest);
    Ok(bytes)
}

fn bad(reason: impl Into<String>) -> EngineError {
    EngineError::InvalidArgument {
        what: "backup".into(),
        reason: reason.into(),
    }
}

/// Checks a backup from end to end and splits it into its manifest and parts.
pub(super) fn parse(bytes: &[u8]) -> Result<Contents, EngineError> {
    if !bytes.starts_with(BACKUP_MAGIC) {
        return Err(bad(
            "not a Phantom backup (it does not start with PHANTOMB)",
        ));
    }
    if bytes.len() < BACKUP_MAGIC.len() + 2 + 8 + 32 {
        return Err(bad("the file is truncated"));
    }
    let (body, digest) = bytes.split_at(bytes.len() - 32);
    if Sha256::digest(body).as_slice() != digest {
        return Err(bad(
            "its SHA-256 does not match its content: the file is damaged or truncated",
        ));
    }
    let mut reader = Reader {
        body,
        at: BACKUP_MAGIC.len(),
    };
    let version = u16::from_le_bytes(reader.array()?);
    if !(OLDEST_READABLE_VERSION..=FORMAT_VERSION).contains(&version) {
        return Err(bad(format!(
            "backup format version {version} is not supported (this Phantom reads versions {OLDEST_READABLE_VERSION} to {FORMAT_VERSION}); upgrade Phantom"
        )));
    }
    let m = length(u64::from_le_bytes(reader.array()?), "the manifest")?;
    let manifest: Manifest = serde_json::from_slice(reader.take(m)?)
        .map_err(|e| bad(format!("unreadable manifest: {e}")))?;
    let mut artifacts = Vec::new();
    for model in &manifest.models {
        for version in &model.versions {
            let what = format!("version {} of model '{}'", version.version, model.name);
            artifacts.push(reader.part(version.size, &version.sha256, &what)?);
        }
    }
    let mut states = Vec::with_capacity(manifest.streams.len());
    for stream in &manifest.streams {
        states.push(match &stream.state {
            Some(part) => {
                let what = format!("the state of stream '{}'", stream.key);
                Some(reader.part(part.size, &part.sha256, &what)?)
            }
            None => None,
        });
    }
    let mut bundles = Vec::with_capacity(manifest.evidence.len());
    for evidence in &manifest.evidence {
        let what = format!("evidence bundle '{}'", evidence.id);
        bundles.push(reader.part(evidence.bundle.size, &evidence.bundle.sha256, &what)?);
    }
    if reader.at != body.len() {
        return Err(bad("the file has bytes after its last part"));
    }
    Ok(Contents {
        manifest,
        artifacts,
        states,
        bundles,
    })
}

fn length(n: u64, what: &str) -> Result<usize, EngineError> {
    usize::try_from(n).map_err(|_| bad(format!("the length of {what} is out of range")))
}

/// Reads a sealed body front to back.
struct Reader<'a> {
    body: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], EngineError> {
        let end = self
            .at
            .checked_add(n)
            .ok_or_else(|| bad("a length in the file is out of range"))?;
        let slice = self
            .body
            .get(self.at..end)
            .ok_or_else(|| bad("the file is truncated"))?;
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], EngineError> {
        self.take(N)?
            .try_into()
            .map_err(|_| bad("the file is truncated"))
    }

    fn part(&mut self, size: u64, sha256: &str, what: &str) -> Result<Vec<u8>, EngineError> {
        let size = length(size, what)?;
        let part = self.take(size)?;
        if sha256_hex(part) != sha256 {
            return Err(bad(format!("{what} does not match its SHA-256")));
        }
        Ok(part.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            tenant: "default".into(),
            created_at: 5,
            models: Vec::new(),
            streams: Vec::new(),
            anomalies: Vec::new(),
            evidence: Vec::new(),
        }
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        let mut unsealed = BACKUP_MAGIC.to_vec();
        unsealed.extend_from_slice(&[1, 0]);
        unsealed.extend_from_slice(&[0; 48]);
        let cases: [(&[u8], &str); 3] = [
            (b"hello", "not a Phantom backup"),
            (b"PHANTOMB\x01", "truncated"),
            (&unsealed, "SHA-256"),
        ];
        for (bytes, needle) in cases {
            let err = parse(bytes)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains(needle), "{err}");
        }
    }

    #[test]
    fn a_sealed_empty_backup_parses() {
        let bytes = seal(&manifest(), &[]).unwrap();
        let contents = parse(&bytes).unwrap();
        assert_eq!(contents.manifest.created_at, 5);
        assert!(contents.artifacts.is_empty() && contents.states.is_empty());
        assert!(contents.bundles.is_empty());
    }

    #[test]
    fn a_version_1_file_without_streams_is_read() {
        let v1 = br#"{"tenant":"t","created_at":7,"models":[]}"#;
        let mut bytes = BACKUP_MAGIC.to_vec();
        bytes.extend_from_slice(&1u16.to_le_bytes());
        bytes.extend_from_slice(&(v1.len() as u64).to_le_bytes());
        bytes.extend_from_slice(v1);
        let digest = Sha256::digest(&bytes);
        bytes.extend_from_slice(&digest);
        let contents = parse(&bytes).unwrap();
        assert_eq!(contents.manifest.created_at, 7);
        assert!(contents.manifest.streams.is_empty());
    }

    #[test]
    fn a_stream_state_that_does_not_match_its_hash_is_refused() {
        let state = b"detector state".to_vec();
        let mut m = manifest();
        m.streams.push(ManifestStream {
            key: "web/logs".into(),
            service: "web".into(),
            signal: "logs".into(),
            settings: serde_json::Value::Null,
            events_seen: 3,
            created_at: 1,
            updated_at: 2,
            state: Some(Part::of(b"another state!")),
        });
        let bytes = seal(&m, &[state]).unwrap();
        let err = parse(&bytes).err().map(|e| e.to_string()).unwrap();
        assert!(err.contains("the state of stream 'web/logs'"), "{err}");
    }

    #[test]
    fn a_newer_format_is_refused_with_what_to_do() {
        let mut bytes = BACKUP_MAGIC.to_vec();
        bytes.extend_from_slice(&9u16.to_le_bytes());
        bytes.extend_from_slice(&2u64.to_le_bytes());
        bytes.extend_from_slice(b"{}");
        let digest = Sha256::digest(&bytes);
        bytes.extend_from_slice(&digest);
        let err = parse(&bytes).err().map(|e| e.to_string()).unwrap();
        assert!(
            err.contains("version 9") && err.contains("upgrade"),
            "{err}"
        );
    }
}
