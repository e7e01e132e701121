//! Export and import: a version leaves as one portable file and comes back as a new model.
//!
//! The export format, all integers little-endian:
//!
//! | bytes | content |
//! |---|---|
//! | 8 | magic `PHANTOMX` |
//! | 2 | format version (1) |
//! | 4 | manifest length *m* |
//! | *m* | manifest: JSON with the name, settings, version number, metadata and artifact SHA-256 |
//! | 8 | artifact length *a* |
//! | *a* | the artifact: a phantom-ml model file, with its own header and CRC-32 |
//! | 32 | SHA-256 of everything above |
//!
//! Import also takes a bare model file (as written by `phantom train`).

use phantom_ml::model::Model;
use phantom_ml::model::file::MAGIC as MODEL_MAGIC;
use phantom_store::{NewVersion, Storage, sha256_hex};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::EngineError;
use crate::engine::{Engine, now_ms};
use crate::registry::info::{ModelInfo, VersionMetadata, VersionOrigin, settings_of};
use crate::settings::{ModelSettings, check_name};

/// The first bytes of an export.
pub const EXPORT_MAGIC: &[u8; 8] = b"PHANTOMX";
const FORMAT_VERSION: u16 = 1;

#[derive(Serialize, Deserialize)]
struct Manifest {
    name: String,
    settings: ModelSettings,
    source_model_id: String,
    version: u32,
    metadata: VersionMetadata,
    artifact_sha256: String,
    exported_at: i64,
}

impl Engine {
    /// A version (default: the active one) of a model as a portable file.
    pub async fn export_model(
        &self,
        tenant: &str,
        model: &str,
        version: Option<u32>,
    ) -> Result<Vec<u8>, EngineError> {
        let record = self.record(tenant, model).await?;
        let stored = self.stored_version(tenant, &record, model, version).await?;
        let version = stored.summary.version;
        let metadata: VersionMetadata = serde_json::from_value(stored.summary.metadata.clone())
            .map_err(|e| EngineError::Internal(format!("stored metadata: {e}")))?;
        let manifest = Manifest {
            settings: settings_of(&record)?,
            name: record.name,
            source_model_id: record.id,
            version,
            metadata,
            artifact_sha256: stored.summary.sha256,
            exported_at: now_ms(),
        };
        let manifest = serde_json::to_vec(&manifest)
            .map_err(|e| EngineError::Internal(format!("encoding manifest: {e}")))?;
        let mut out = Vec::with_capacity(manifest.len() + stored.artifact.len() + 64);
        out.extend_from_slice(EXPORT_MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(manifest.len() as u32).to_le_bytes());
        out.extend_from_slice(&manifest);
        out.extend_from_slice(&(stored.artifact.len() as u64).to_le_bytes());
        out.extend_from_slice(&stored.artifact);
        let digest = Sha256::digest(&out);
        out.extend_from_slice(&digest);
        Ok(out)
    }

    /// Imports an export (or a bare model file) as a new model whose version 1 is the
    /// imported artifact, byte for byte. The name is `name`, else the exported name (made
    /// unique with a suffix if taken), else "<algorithm>-import".
    pub async fn import_model(
        &self,
        tenant: &str,
        bytes: &[u8],
        name: Option<String>,
    ) -> Result<ModelInfo, EngineError> {
        if let Some(n) = &name {
            check_name(n)?;
        }
        let (artifact, settings, metadata, exported_name) = if bytes.starts_with(EXPORT_MAGIC) {
            let (manifest, artifact) = parse_export(bytes)?;
            let model = load(&artifact)?;
            let mut metadata = manifest.metadata;
            if metadata.feature_names != model.feature_names() {
                return Err(bad("the manifest's feature names differ from the model's"));
            }
            metadata.origin = VersionOrigin::Imported {
                source_model_id: Some(manifest.source_model_id),
                source_version: Some(manifest.version),
            };
            (artifact, manifest.settings, metadata, Some(manifest.name))
        } else if bytes.starts_with(&MODEL_MAGIC) {
            let model = load(bytes)?;
            let settings = ModelSettings::of_model(model.spec(), model.feature_names());
            let metadata = VersionMetadata {
                algorithm: model.algorithm(),
                task: model.task(),
                hyperparameters: model.spec().hyperparameters.clone(),
                scaling: settings.scaling,
                feature_names: model.feature_names().to_vec(),
                classes: model.class_names().as_slice().to_vec(),
                training_metrics: Default::default(),
                validation_metrics: Default::default(),
                training_time_ms: None,
                training_rows: None,
                validation_rows: None,
                feature_importance: model.feature_importance(),
                origin: VersionOrigin::Imported {
                    source_model_id: None,
                    source_version: None,
                },
            };
            (bytes.to_vec(), settings, metadata, None)
        } else {
            return Err(bad(
                "the file is neither a Phantom export (it starts with PHANTOMX) nor a Phantom model file (PHANTOM)",
            ));
        };
        let name = match (name, exported_name) {
            (Some(n), _) => n,
            (None, Some(n)) => self.free_name(tenant, &n).await?,
            (None, None) => {
                self.free_name(tenant, &format!("{}-import", settings.algorithm))
                    .await?
            }
        };
        let info = self.insert_model(tenant, Some(name), settings).await?;
        let metadata = serde_json::to_value(&metadata)
            .map_err(|e| EngineError::Internal(format!("encoding metadata: {e}")))?;
        self.inner
            .store
            .add_version(
                tenant,
                &info.id,
                &NewVersion {
                    artifact,
                    metadata,
                    created_at: now_ms(),
                },
                true,
            )
            .await?;
        self.get_model(tenant, &info.id).await
    }
}

fn bad(reason: &str) -> EngineError {
    EngineError::BadImport {
        reason: reason.to_owned(),
    }
}

fn load(artifact: &[u8]) -> Result<Model, EngineError> {
    Model::from_bytes(artifact).map_err(|e| EngineError::BadImport {
        reason: format!("the model inside does not load: {e}"),
    })
}

fn parse_export(bytes: &[u8]) -> Result<(Manifest, Vec<u8>), EngineError> {
    let truncated = || bad("the export is truncated");
    if bytes.len() < EXPORT_MAGIC.len() + 2 + 4 + 8 + 32 {
        return Err(truncated());
    }
    let (body, digest) = bytes.split_at(bytes.len() - 32);
    if Sha256::digest(body).as_slice() != digest {
        return Err(bad(
            "the export's SHA-256 does not match its content: the file is damaged or truncated",
        ));
    }
    let mut at = EXPORT_MAGIC.len();
    let mut take = |n: usize| -> Result<&[u8], EngineError> {
        let slice = body.get(at..at + n).ok_or_else(truncated)?;
        at += n;
        Ok(slice)
    };
    let version = u16::from_le_bytes(take(2)?.try_into().map_err(|_| truncated())?);
    if version != FORMAT_VERSION {
        return Err(bad(&format!(
            "export format version {version} is not supported (this Phantom reads version {FORMAT_VERSION}); upgrade Phantom"
        )));
    }
    let m = u32::from_le_bytes(take(4)?.try_into().map_err(|_| truncated())?) as usize;
    let manifest: Manifest =
        serde_json::from_slice(take(m)?).map_err(|e| bad(&format!("unreadable manifest: {e}")))?;
    let a = u64::from_le_bytes(take(8)?.try_into().map_err(|_| truncated())?) as usize;
    let artifact = take(a)?.to_vec();
    if sha256_hex(&artifact) != manifest.artifact_sha256 {
        return Err(bad("the artifact's SHA-256 differs from the manifest's"));
    }
    Ok((manifest, artifact))
}
