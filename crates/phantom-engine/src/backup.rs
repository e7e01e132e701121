//! Backup and restore of a tenant's models, independent of the store backend: every model with
//! every version (artifact and metadata), its configuration, status and active version, in one
//! sealed file that restores into SQLite or PostgreSQL alike.
//!
//! The format, all integers little-endian:
//!
//! | bytes | content |
//! |---|---|
//! | 8 | magic `PHANTOMB` |
//! | 2 | format version (1) |
//! | 8 | manifest length *m* |
//! | *m* | manifest (JSON): the tenant, the time, and per model its record and versions |
//! | ... | the artifacts, in manifest order, each as long as its manifest entry says |
//! | 32 | SHA-256 of everything above |
//!
//! Not covered: the inference log, users, API keys, the audit log and in-memory counters.

use phantom_store::{Millis, ModelRecord, ModelStatus, NewVersion, Storage, sha256_hex};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::EngineError;
use crate::engine::{Engine, now_ms};

/// The first bytes of a backup.
pub const BACKUP_MAGIC: &[u8; 8] = b"PHANTOMB";
const FORMAT_VERSION: u16 = 1;

/// A backup made by [`Engine::backup`].
#[derive(Clone, Debug, PartialEq)]
pub struct Backup {
    /// The file's content.
    pub bytes: Vec<u8>,
    /// Models in it.
    pub models: usize,
    /// Versions in it, over all models.
    pub versions: usize,
    /// SHA-256 of `bytes`, lowercase hex.
    pub sha256: String,
}

/// A model left as it was by a restore, and why.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SkippedModel {
    /// Its id in the backup.
    pub model_id: String,
    /// Its name in the backup.
    pub name: String,
    /// Why it was not restored.
    pub reason: String,
}

/// What [`Engine::restore_backup`] did.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RestoreReport {
    /// When the backup was made (ms since the Unix epoch).
    pub backup_created_at: Millis,
    /// Models restored, by name.
    pub models_restored: Vec<String>,
    /// Versions restored, over all models.
    pub versions_restored: usize,
    /// Models not restored.
    pub skipped: Vec<SkippedModel>,
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    tenant: String,
    created_at: Millis,
    models: Vec<ManifestModel>,
}

#[derive(Serialize, Deserialize)]
struct ManifestModel {
    id: String,
    name: String,
    config: serde_json::Value,
    status: ModelStatus,
    active_version: Option<u32>,
    created_at: Millis,
    updated_at: Millis,
    versions: Vec<ManifestVersion>,
}

#[derive(Serialize, Deserialize)]
struct ManifestVersion {
    version: u32,
    created_at: Millis,
    sha256: String,
    size: u64,
    metadata: serde_json::Value,
}

impl Engine {
    /// Every model of the tenant with every version, as one backup file (held in memory).
    pub async fn backup(&self, tenant: &str) -> Result<Backup, EngineError> {
        let store = &self.inner.store;
        let mut models = Vec::new();
        let mut artifacts = Vec::new();
        let mut version_count = 0;
        for record in store.list_models(tenant).await? {
            let mut versions = Vec::new();
            for summary in store.list_versions(tenant, &record.id).await? {
                let Some(stored) = store
                    .get_version(tenant, &record.id, summary.version)
                    .await?
                else {
                    continue;
                };
                versions.push(ManifestVersion {
                    version: summary.version,
                    created_at: summary.created_at,
                    sha256: summary.sha256,
                    size: stored.artifact.len() as u64,
                    metadata: summary.metadata,
                });
                artifacts.push(stored.artifact);
            }
            version_count += versions.len();
            models.push(ManifestModel {
                id: record.id,
                name: record.name,
                config: record.config,
                status: record.status,
                active_version: record.active_version,
                created_at: record.created_at,
                updated_at: record.updated_at,
                versions,
            });
        }
        let model_count = models.len();
        let manifest = Manifest {
            tenant: tenant.to_owned(),
            created_at: now_ms(),
            models,
        };
        let manifest = serde_json::to_vec(&manifest)
            .map_err(|e| EngineError::Internal(format!("encoding backup manifest: {e}")))?;
        let total: usize = artifacts.iter().map(Vec::len).sum();
        let mut bytes = Vec::with_capacity(manifest.len() + total + 64);
        bytes.extend_from_slice(BACKUP_MAGIC);
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&(manifest.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&manifest);
        for artifact in &artifacts {
            bytes.extend_from_slice(artifact);
        }
        let digest = Sha256::digest(&bytes);
        bytes.extend_from_slice(&digest);
        Ok(Backup {
            sha256: sha256_hex(&bytes),
            bytes,
            models: model_count,
            versions: version_count,
        })
    }

    /// Restores a backup into the tenant: each model comes back with its id, name,
    /// configuration, every version (same numbers, artifacts byte for byte), active version
    /// and status. A model whose id or name is taken is skipped, or with `replace` deleted
    /// first. The whole file is checked before anything is written.
    pub async fn restore_backup(
        &self,
        tenant: &str,
        bytes: &[u8],
        replace: bool,
    ) -> Result<RestoreReport, EngineError> {
        let (manifest, artifacts) = parse(bytes)?;
        let store = &self.inner.store;
        let mut report = RestoreReport {
            backup_created_at: manifest.created_at,
            models_restored: Vec::new(),
            versions_restored: 0,
            skipped: Vec::new(),
        };
        let mut artifacts = artifacts.into_iter();
        for model in manifest.models {
            let mine: Vec<Vec<u8>> = artifacts.by_ref().take(model.versions.len()).collect();
            let by_id = store.get_model(tenant, &model.id).await?;
            let by_name = store.get_model_by_name(tenant, &model.name).await?;
            let clashes: Vec<ModelRecord> = by_id.into_iter().chain(by_name).collect();
            if !clashes.is_empty() {
                if !replace {
                    report.skipped.push(SkippedModel {
                        model_id: model.id,
                        name: model.name,
                        reason: "a model with this id or name exists; restore with replace to overwrite it".into(),
                    });
                    continue;
                }
                for existing in clashes {
                    if store.delete_model(tenant, &existing.id).await? {
                        self.inner.cache.invalidate(&existing.id);
                        self.inner.stats.forget_model(&existing.id);
                        self.drop_cached_predictions(tenant, &existing.id).await;
                    }
                }
            }
            store
                .create_model(&ModelRecord {
                    id: model.id.clone(),
                    tenant: tenant.to_owned(),
                    name: model.name.clone(),
                    config: model.config,
                    status: ModelStatus::Active,
                    active_version: None,
                    created_at: model.created_at,
                    updated_at: model.updated_at,
                })
                .await?;
            for (version, artifact) in model.versions.iter().zip(mine) {
                let added = store
                    .add_version(
                        tenant,
                        &model.id,
                        &NewVersion {
                            artifact,
                            metadata: version.metadata.clone(),
                            created_at: version.created_at,
                        },
                        model.active_version == Some(version.version),
                    )
                    .await?;
                if added.version != version.version {
                    return Err(EngineError::Internal(format!(
                        "restoring model '{}': version {} was stored as {}",
                        model.name, version.version, added.version
                    )));
                }
                report.versions_restored += 1;
            }
            if model.status == ModelStatus::Archived {
                store
                    .set_model_status(tenant, &model.id, ModelStatus::Archived, now_ms())
                    .await?;
            }
            self.inner.cache.invalidate(&model.id);
            report.models_restored.push(model.name);
        }
        Ok(report)
    }
}

fn bad(reason: impl Into<String>) -> EngineError {
    EngineError::InvalidArgument {
        what: "backup".into(),
        reason: reason.into(),
    }
}

/// Checks a backup from end to end and splits it into its manifest and artifacts.
fn parse(bytes: &[u8]) -> Result<(Manifest, Vec<Vec<u8>>), EngineError> {
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
    let mut at = BACKUP_MAGIC.len();
    let mut take = |n: usize| -> Result<&[u8], EngineError> {
        let end = at
            .checked_add(n)
            .ok_or_else(|| bad("a length in the file is out of range"))?;
        let slice = body
            .get(at..end)
            .ok_or_else(|| bad("the file is truncated"))?;
        at = end;
        Ok(slice)
    };
    let version = u16::from_le_bytes(
        take(2)?
            .try_into()
            .map_err(|_| bad("the file is truncated"))?,
    );
    if version != FORMAT_VERSION {
        return Err(bad(format!(
            "backup format version {version} is not supported (this Phantom reads version {FORMAT_VERSION}); upgrade Phantom"
        )));
    }
    let m = u64::from_le_bytes(
        take(8)?
            .try_into()
            .map_err(|_| bad("the file is truncated"))?,
    );
    let m = usize::try_from(m).map_err(|_| bad("the manifest length is out of range"))?;
    let manifest: Manifest =
        serde_json::from_slice(take(m)?).map_err(|e| bad(format!("unreadable manifest: {e}")))?;
    let mut artifacts = Vec::new();
    for model in &manifest.models {
        for version in &model.versions {
            let size = usize::try_from(version.size)
                .map_err(|_| bad("an artifact length is out of range"))?;
            let artifact = take(size)?.to_vec();
            if sha256_hex(&artifact) != version.sha256 {
                return Err(bad(format!(
                    "version {} of model '{}' does not match its SHA-256",
                    version.version, model.name
                )));
            }
            artifacts.push(artifact);
        }
    }
    if at != body.len() {
        return Err(bad("the file has bytes after its last artifact"));
    }
    Ok((manifest, artifacts))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let manifest = serde_json::to_vec(&Manifest {
            tenant: "default".into(),
            created_at: 5,
            models: Vec::new(),
        })
        .unwrap();
        let mut bytes = BACKUP_MAGIC.to_vec();
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&(manifest.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&manifest);
        let digest = Sha256::digest(&bytes);
        bytes.extend_from_slice(&digest);
        let (m, artifacts) = parse(&bytes).unwrap();
        assert_eq!(m.created_at, 5);
        assert!(artifacts.is_empty());
    }
}
