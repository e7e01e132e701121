//! The model registry: create, train, version, activate, archive, clone and delete models.
//! Comparison, validation and export/import live in their own files.

mod compare;
pub(crate) mod info;
mod optimize;
mod portable;
mod validate;

use std::sync::Arc;

use phantom_store::{
    InferenceQuery, InferenceRecord, ModelRecord, ModelStatus, NewVersion, Storage, StoreError,
    VersionRecord,
};

pub use compare::{CompareTarget, Comparison, ComparisonEntry, MetricLeader};
pub use optimize::{OptimizeOptions, OptimizeReport, OptimizeTrial};
pub use portable::EXPORT_MAGIC;
pub use validate::{ValidationCheck, ValidationReport};

use phantom_ml::model::Target;

use crate::EngineError;
use crate::data::{DataSource, LoadedData};
use crate::engine::{Engine, now_ms};
use crate::jobs::{JobShared, JobStatus, TrainingJob, report, stored};
use crate::settings::{ModelConfig, ModelSettings};
use crate::training::{TrainedVersion, fit_version};
use info::{ModelInfo, VersionInfo, settings_of};

/// Most inference records returned by one history query.
pub const MAX_HISTORY: u32 = 10_000;

impl Engine {
    /// Creates a model from `config` (see [`ModelConfig`] for the defaults). The model has no
    /// version until it is trained or imported.
    pub async fn create_model(
        &self,
        tenant: &str,
        config: ModelConfig,
    ) -> Result<ModelInfo, EngineError> {
        let (name, settings) = config.resolve()?;
        self.insert_model(tenant, name, settings).await
    }

    pub(crate) async fn insert_model(
        &self,
        tenant: &str,
        name: Option<String>,
        settings: ModelSettings,
    ) -> Result<ModelInfo, EngineError> {
        let id = uuid::Uuid::now_v7().to_string();
        let name = name.unwrap_or_else(|| format!("{}-{}", settings.algorithm, &id[..8]));
        let now = now_ms();
        let record = ModelRecord {
            id,
            tenant: tenant.to_owned(),
            name: name.clone(),
            config: serde_json::to_value(&settings)
                .map_err(|e| EngineError::Internal(format!("encoding settings: {e}")))?,
            status: ModelStatus::Active,
            active_version: None,
            created_at: now,
            updated_at: now,
        };
        // With a model quota, the store counts and adds in one step, so concurrent
        // creations cannot overshoot it.
        let created = match self.tenant_quotas(tenant).await?.max_models {
            Some(max) => {
                self.inner
                    .store
                    .create_model_within_limit(&record, max)
                    .await
            }
            None => self.inner.store.create_model(&record).await,
        };
        match created {
            Ok(()) => {}
            Err(StoreError::Conflict { .. }) => return Err(EngineError::NameTaken { name }),
            Err(StoreError::LimitReached { limit, .. }) => {
                return Err(EngineError::QuotaExceeded {
                    tenant: tenant.to_owned(),
                    what: "models".into(),
                    limit,
                });
            }
            Err(e) => return Err(e.into()),
        }
        Ok(ModelInfo {
            id: record.id,
            name,
            status: record.status,
            active_version: None,
            version_count: 0,
            created_at: now,
            updated_at: now,
            settings,
            active: None,
        })
    }

    /// The model with this id or name.
    pub async fn get_model(&self, tenant: &str, model: &str) -> Result<ModelInfo, EngineError> {
        let record = self.record(tenant, model).await?;
        self.info(record).await
    }

    /// Every model of the tenant, oldest first.
    pub async fn list_models(&self, tenant: &str) -> Result<Vec<ModelInfo>, EngineError> {
        let records = self.inner.store.list_models(tenant).await?;
        let mut out = Vec::with_capacity(records.len());
        for record in records {
            out.push(self.info(record).await?);
        }
        Ok(out)
    }

    /// Deletes a model with every version and its inference log.
    pub async fn delete_model(&self, tenant: &str, model: &str) -> Result<(), EngineError> {
        let record = self.record(tenant, model).await?;
        if !self.inner.store.delete_model(tenant, &record.id).await? {
            return Err(EngineError::ModelNotFound {
                model: model.to_owned(),
            });
        }
        self.inner.cache.invalidate(&record.id);
        self.inner.stats.forget_model(&record.id);
        self.drop_cached_predictions(tenant, &record.id).await;
        Ok(())
    }

    /// Starts training `model` on `data`. The data is read and checked before this returns
    /// (so bad data is an error here, not a failed job), and the job is written to the store
    /// (so every engine sharing it can report the job); the fit then runs in the background
    /// on a blocking thread, at most `max_concurrent_trainings` at a time. The new version
    /// becomes the active one when the fit succeeds; until then the previous version serves.
    pub async fn train(
        &self,
        tenant: &str,
        model: &str,
        data: DataSource,
    ) -> Result<TrainingJob, EngineError> {
        let record = self.record(tenant, model).await?;
        if record.status == ModelStatus::Archived {
            return Err(EngineError::Archived {
                model: model.to_owned(),
            });
        }
        let settings = settings_of(&record)?;
        let task = settings.task;
        let loader_settings = settings.clone();
        let loaded = tokio::task::spawn_blocking(move || {
            let data = LoadedData::read(
                &data,
                loader_settings.feature_names.as_deref(),
                Some(&loader_settings.label),
                task.needs_label(),
            )?;
            let target = data.training_target(task)?;
            Ok::<_, EngineError>((data, target))
        })
        .await
        .map_err(|e| EngineError::Internal(format!("data loading task: {e}")))??;

        let shared = Arc::new(JobShared::new(
            uuid::Uuid::now_v7().to_string(),
            tenant.to_owned(),
            record.id.clone(),
            now_ms(),
        ));
        report::create(self.inner.store.as_ref(), &shared, &self.inner.instance.id).await?;
        self.inner.jobs.insert(shared.clone());
        let engine = self.clone();
        let tenant = tenant.to_owned();
        let job = shared.clone();
        let handle = tokio::spawn(async move {
            let result = engine
                .run_training(&tenant, &record, settings, loaded, job.clone())
                .await;
            engine.inner.stats.record_training(result.is_ok());
            job.finish(
                now_ms(),
                result
                    .as_ref()
                    .map(|v| v.version)
                    .map_err(ToString::to_string),
            );
            engine.report_job(&job).await;
            result
        });
        Ok(TrainingJob { shared, handle })
    }

    async fn run_training(
        &self,
        tenant: &str,
        record: &ModelRecord,
        settings: ModelSettings,
        (data, target): (LoadedData, Target),
        job: Arc<JobShared>,
    ) -> Result<VersionInfo, EngineError> {
        let _slot = self
            .inner
            .training_slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| EngineError::Internal(format!("training slots: {e}")))?;
        job.set_running();
        self.report_job(&job).await;
        let progress = job.clone();
        let trained = tokio::task::spawn_blocking(move || {
            fit_version(&settings, &data, &target, progress.as_ref())
        })
        .await
        .map_err(|e| EngineError::Internal(format!("training task: {e}")))??;
        self.store_version(tenant, &record.id, trained).await
    }

    /// Stores a trained version as the model's new active version and drops what was cached
    /// of the version before.
    async fn store_version(
        &self,
        tenant: &str,
        model_id: &str,
        trained: TrainedVersion,
    ) -> Result<VersionInfo, EngineError> {
        let metadata = serde_json::to_value(&trained.metadata)
            .map_err(|e| EngineError::Internal(format!("encoding metadata: {e}")))?;
        let summary = self
            .inner
            .store
            .add_version(
                tenant,
                model_id,
                &NewVersion {
                    artifact: trained.artifact,
                    metadata,
                    created_at: now_ms(),
                },
                true,
            )
            .await?;
        self.inner.cache.invalidate(model_id);
        self.drop_cached_predictions(tenant, model_id).await;
        let version = summary.version;
        Ok(VersionInfo::from_summary(summary, Some(version))?)
    }

    /// Writes a job's change of state to the store now; a failed write is left to the
    /// background reporter to retry.
    async fn report_job(&self, job: &JobShared) {
        report::sync(
            self.inner.store.as_ref(),
            job,
            &self.inner.instance.id,
            now_ms(),
        )
        .await
        .ok();
    }

    /// The state and progress of a training job of the tenant, started by any engine sharing
    /// the store: live from memory if this engine runs it, else from the stored row (whose
    /// progress lags by up to a second). A job whose engine stopped reporting for 30 s is
    /// reported `failed`, with an error saying so.
    pub async fn job_status(&self, tenant: &str, job_id: &str) -> Result<JobStatus, EngineError> {
        if let Some(job) = self.inner.jobs.get(tenant, job_id) {
            return Ok(job.status());
        }
        match self.inner.store.get_job(tenant, job_id).await? {
            Some(row) => stored::status_of(row, now_ms()),
            None => Err(EngineError::JobNotFound {
                job: job_id.to_owned(),
            }),
        }
    }

    /// Every version of a model, oldest first.
    pub async fn list_versions(
        &self,
        tenant: &str,
        model: &str,
    ) -> Result<Vec<VersionInfo>, EngineError> {
        let record = self.record(tenant, model).await?;
        let summaries = self.inner.store.list_versions(tenant, &record.id).await?;
        summaries
            .into_iter()
            .map(|s| VersionInfo::from_summary(s, record.active_version).map_err(Into::into))
            .collect()
    }

    /// Makes `version` the one that serves (a rollback when it is an older one). Every engine
    /// sharing the store serves it from its next prediction.
    pub async fn activate(
        &self,
        tenant: &str,
        model: &str,
        version: u32,
    ) -> Result<ModelInfo, EngineError> {
        let record = self.record(tenant, model).await?;
        match self
            .inner
            .store
            .activate_version(tenant, &record.id, version, now_ms())
            .await
        {
            Ok(()) => {}
            Err(StoreError::NotFound { .. }) => {
                return Err(self
                    .version_not_found(tenant, &record.id, model, version)
                    .await);
            }
            Err(e) => return Err(e.into()),
        }
        self.inner.cache.invalidate(&record.id);
        self.drop_cached_predictions(tenant, &record.id).await;
        self.get_model(tenant, &record.id).await
    }

    /// Archives a model: it keeps every artifact but serves nothing until restored.
    pub async fn archive(&self, tenant: &str, model: &str) -> Result<ModelInfo, EngineError> {
        self.set_status(tenant, model, ModelStatus::Archived).await
    }

    /// Restores an archived model; it serves its active version again, with the same
    /// predictions as before archiving.
    pub async fn restore(&self, tenant: &str, model: &str) -> Result<ModelInfo, EngineError> {
        self.set_status(tenant, model, ModelStatus::Active).await
    }

    async fn set_status(
        &self,
        tenant: &str,
        model: &str,
        status: ModelStatus,
    ) -> Result<ModelInfo, EngineError> {
        let record = self.record(tenant, model).await?;
        self.inner
            .store
            .set_model_status(tenant, &record.id, status, now_ms())
            .await?;
        self.inner.cache.invalidate(&record.id);
        self.get_model(tenant, &record.id).await
    }

    /// Copies a model with every version (same numbers, same artifacts, same active version)
    /// under a new name (default: "<name>-copy", or "<name>-copy-2", ... if taken).
    pub async fn clone_model(
        &self,
        tenant: &str,
        model: &str,
        new_name: Option<String>,
    ) -> Result<ModelInfo, EngineError> {
        let record = self.record(tenant, model).await?;
        let settings = settings_of(&record)?;
        let name = match new_name {
            Some(n) => {
                crate::settings::check_name(&n)?;
                n
            }
            None => {
                self.free_name(tenant, &format!("{}-copy", record.name))
                    .await?
            }
        };
        let copy = self.insert_model(tenant, Some(name), settings).await?;
        for summary in self.inner.store.list_versions(tenant, &record.id).await? {
            let Some(version) = self
                .inner
                .store
                .get_version(tenant, &record.id, summary.version)
                .await?
            else {
                continue;
            };
            let mut metadata = version.summary.metadata;
            if let Some(obj) = metadata.as_object_mut() {
                obj.insert(
                    "origin".into(),
                    serde_json::json!({
                        "kind": "cloned",
                        "source_model_id": record.id,
                        "source_version": summary.version,
                    }),
                );
            }
            self.inner
                .store
                .add_version(
                    tenant,
                    &copy.id,
                    &NewVersion {
                        artifact: version.artifact,
                        metadata,
                        created_at: now_ms(),
                    },
                    record.active_version == Some(summary.version),
                )
                .await?;
        }
        self.get_model(tenant, &copy.id).await
    }

    /// Logged predictions of a model between `from` and `to` (ms since the Unix epoch,
    /// `to` exclusive), newest first, at most `limit` (up to [`MAX_HISTORY`]).
    pub async fn inference_history(
        &self,
        tenant: &str,
        model: &str,
        from: i64,
        to: i64,
        limit: u32,
    ) -> Result<Vec<InferenceRecord>, EngineError> {
        if from > to {
            return Err(EngineError::InvalidArgument {
                what: "time range".into(),
                reason: format!("from ({from}) is after to ({to})"),
            });
        }
        if limit == 0 || limit > MAX_HISTORY {
            return Err(EngineError::InvalidArgument {
                what: "limit".into(),
                reason: format!("must be 1 to {MAX_HISTORY}, got {limit}"),
            });
        }
        let record = self.record(tenant, model).await?;
        Ok(self
            .inner
            .store
            .inference_history(&InferenceQuery {
                tenant: tenant.to_owned(),
                model_id: record.id,
                from,
                to,
                limit,
            })
            .await?)
    }

    /// The stored record of a model named by id or name.
    pub(crate) async fn record(
        &self,
        tenant: &str,
        model: &str,
    ) -> Result<ModelRecord, EngineError> {
        if let Some(r) = self.inner.store.get_model(tenant, model).await? {
            return Ok(r);
        }
        self.inner
            .store
            .get_model_by_name(tenant, model)
            .await?
            .ok_or_else(|| EngineError::ModelNotFound {
                model: model.to_owned(),
            })
    }

    async fn info(&self, record: ModelRecord) -> Result<ModelInfo, EngineError> {
        let settings = settings_of(&record)?;
        let versions = self
            .inner
            .store
            .list_versions(&record.tenant, &record.id)
            .await?;
        let version_count = versions.len();
        let active = match versions
            .into_iter()
            .find(|v| Some(v.version) == record.active_version)
        {
            Some(v) => Some(VersionInfo::from_summary(v, record.active_version)?),
            None => None,
        };
        Ok(ModelInfo {
            id: record.id,
            name: record.name,
            status: record.status,
            active_version: record.active_version,
            version_count,
            created_at: record.created_at,
            updated_at: record.updated_at,
            settings,
            active,
        })
    }

    /// Version `version` of a model (default: its active one), with its artifact.
    pub(crate) async fn stored_version(
        &self,
        tenant: &str,
        record: &ModelRecord,
        model: &str,
        version: Option<u32>,
    ) -> Result<VersionRecord, EngineError> {
        let Some(version) = version.or(record.active_version) else {
            return Err(EngineError::NotTrained {
                model: model.to_owned(),
            });
        };
        match self
            .inner
            .store
            .get_version(tenant, &record.id, version)
            .await?
        {
            Some(stored) => Ok(stored),
            None => Err(self
                .version_not_found(tenant, &record.id, model, version)
                .await),
        }
    }

    pub(crate) async fn version_not_found(
        &self,
        tenant: &str,
        model_id: &str,
        model: &str,
        version: u32,
    ) -> EngineError {
        let available = match self.inner.store.list_versions(tenant, model_id).await {
            Ok(v) if v.is_empty() => "none".to_owned(),
            Ok(v) => v
                .iter()
                .map(|s| s.version.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            Err(e) => return e.into(),
        };
        EngineError::VersionNotFound {
            model: model.to_owned(),
            version,
            available,
        }
    }

    /// `base`, or `base-2`, `base-3`, ... whichever is free in the tenant.
    pub(crate) async fn free_name(&self, tenant: &str, base: &str) -> Result<String, EngineError> {
        let mut candidate = base.to_owned();
        for n in 2u64.. {
            if self
                .inner
                .store
                .get_model_by_name(tenant, &candidate)
                .await?
                .is_none()
            {
                return Ok(candidate);
            }
            candidate = format!("{base}-{n}");
        }
        Ok(candidate)
    }

    /// Deletes a model's predictions from the Redis cache; a failure is counted, not fatal
    /// (cached entries are keyed by version and expire by themselves).
    pub(crate) async fn drop_cached_predictions(&self, tenant: &str, model_id: &str) {
        if let Some(redis) = &self.inner.redis
            && redis.invalidate_model(tenant, model_id).await.is_err()
        {
            self.inner.stats.record_cache(None);
        }
    }
}
