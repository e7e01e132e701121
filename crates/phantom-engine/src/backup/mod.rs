//! Backup and restore of a tenant, independent of the store backend: every model with every
//! version (artifact and metadata), its configuration, status and active version; every
//! telemetry stream with its detector settings and state; every anomaly with its explanation
//! and status; and every signed evidence bundle, byte for byte, in one sealed file
//! ([`format`]) that restores into SQLite or PostgreSQL alike.
//!
//! Not covered: the inference log, users, API keys, the audit log, the evidence signing key
//! (a backup file must not carry a secret that signs) and in-memory counters.

mod evidence;
mod format;
mod streams;

use phantom_store::{Millis, ModelRecord, ModelStatus, NewVersion, Storage, sha256_hex};
use serde::Serialize;

use crate::EngineError;
use crate::engine::{Engine, now_ms};
pub use format::BACKUP_MAGIC;
use format::{Manifest, ManifestModel, ManifestVersion};

/// A backup made by [`Engine::backup`].
#[derive(Clone, Debug, PartialEq)]
pub struct Backup {
    /// The file's content.
    pub bytes: Vec<u8>,
    /// Models in it.
    pub models: usize,
    /// Versions in it, over all models.
    pub versions: usize,
    /// Telemetry streams in it.
    pub streams: usize,
    /// Anomalies in it, over all streams.
    pub anomalies: usize,
    /// Signed evidence bundles in it.
    pub evidence: usize,
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

/// A telemetry stream left as it was by a restore, and why.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SkippedStream {
    /// Its key.
    pub key: String,
    /// Why it was not restored.
    pub reason: String,
}

/// A signed evidence bundle a restore did not store, and why.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SkippedEvidence {
    /// Its id.
    pub id: String,
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
    /// Telemetry streams restored, by key.
    pub streams_restored: Vec<String>,
    /// Anomalies restored, over the restored streams.
    pub anomalies_restored: usize,
    /// Streams not restored (with their anomalies).
    pub skipped_streams: Vec<SkippedStream>,
    /// Evidence bundles stored; those the tenant held already are neither stored nor skipped.
    pub evidence_restored: usize,
    /// Evidence bundles not stored.
    pub skipped_evidence: Vec<SkippedEvidence>,
}

impl Engine {
    /// The tenant's models, streams, anomalies and evidence bundles as one backup file (held
    /// in memory).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use phantom_engine::{Engine, EngineConfig};
    /// let dir = tempfile::tempdir().unwrap();
    /// let config = EngineConfig { data_dir: dir.path().into(), ..EngineConfig::default() };
    /// let engine = Engine::open(config).await.unwrap();
    /// let backup = engine.backup("default").await.unwrap();
    /// std::fs::write(dir.path().join("default.backup"), &backup.bytes).unwrap();
    /// // Restoring over what exists skips it, unless `replace` is set.
    /// let report = engine.restore_backup("default", &backup.bytes, false).await.unwrap();
    /// assert_eq!(report.skipped.len(), backup.models);
    /// assert_eq!(report.skipped_streams.len(), backup.streams);
    /// # });
    /// ```
    pub async fn backup(&self, tenant: &str) -> Result<Backup, EngineError> {
        let store = &self.inner.store;
        let mut models = Vec::new();
        let mut parts = Vec::new();
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
                parts.push(stored.artifact);
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
        let (streams, states) = streams::collect_streams(store, tenant).await?;
        parts.extend(states);
        let anomalies = streams::collect_anomalies(store, tenant).await?;
        let (evidence, bundles) = evidence::collect(store, tenant).await?;
        parts.extend(bundles);
        let manifest = Manifest {
            tenant: tenant.to_owned(),
            created_at: now_ms(),
            models,
            streams,
            anomalies,
            evidence,
        };
        let bytes = format::seal(&manifest, &parts)?;
        Ok(Backup {
            sha256: sha256_hex(&bytes),
            bytes,
            models: manifest.models.len(),
            versions: version_count,
            streams: manifest.streams.len(),
            anomalies: manifest.anomalies.len(),
            evidence: manifest.evidence.len(),
        })
    }

    /// Restores a backup into the tenant. Each model comes back with its id, name,
    /// configuration, every version (same numbers, artifacts byte for byte), active version
    /// and status; each stream with its settings, detector state and event count, and its
    /// anomalies with their statuses; each evidence bundle byte for byte. A model whose id or name is taken, or a stream whose key
    /// is, is skipped, or with `replace` overwritten. The whole file is checked before
    /// anything is written.
    pub async fn restore_backup(
        &self,
        tenant: &str,
        bytes: &[u8],
        replace: bool,
    ) -> Result<RestoreReport, EngineError> {
        let contents = format::parse(bytes)?;
        let mut report = RestoreReport {
            backup_created_at: contents.manifest.created_at,
            models_restored: Vec::new(),
            versions_restored: 0,
            skipped: Vec::new(),
            streams_restored: Vec::new(),
            anomalies_restored: 0,
            skipped_streams: Vec::new(),
            evidence_restored: 0,
            skipped_evidence: Vec::new(),
        };
        let mut artifacts = contents.artifacts.into_iter();
        for model in contents.manifest.models {
            let mine: Vec<Vec<u8>> = artifacts.by_ref().take(model.versions.len()).collect();
            self.restore_model(tenant, model, mine, replace, &mut report)
                .await?;
        }
        streams::restore(
            self,
            tenant,
            &contents.manifest.tenant,
            contents.manifest.streams,
            contents.states,
            contents.manifest.anomalies,
            replace,
            &mut report,
        )
        .await?;
        evidence::restore(
            &self.inner.store,
            tenant,
            contents.manifest.evidence,
            contents.bundles,
            &mut report,
        )
        .await?;
        Ok(report)
    }

    async fn restore_model(
        &self,
        tenant: &str,
        model: ManifestModel,
        artifacts: Vec<Vec<u8>>,
        replace: bool,
        report: &mut RestoreReport,
    ) -> Result<(), EngineError> {
        let store = &self.inner.store;
        let by_id = store.get_model(tenant, &model.id).await?;
        let by_name = store.get_model_by_name(tenant, &model.name).await?;
        let clashes: Vec<ModelRecord> = by_id.into_iter().chain(by_name).collect();
        if !clashes.is_empty() {
            if !replace {
                report.skipped.push(SkippedModel {
                    model_id: model.id,
                    name: model.name,
                    reason:
                        "a model with this id or name exists; restore with replace to overwrite it"
                            .into(),
                });
                return Ok(());
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
        for (version, artifact) in model.versions.iter().zip(artifacts) {
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
        Ok(())
    }
}
