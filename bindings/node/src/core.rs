//! The `PhantomMLCore` class: every method is async, takes JSON strings (or the values
//! themselves) and resolves to a JSON string; a failure rejects with an `Error` whose message
//! says what was wrong. Each method parses, calls the engine, and shapes the answer.

use std::collections::HashMap;
use std::time::Instant;

use std::sync::Arc;

use napi::Env;
use napi::bindgen_prelude::{PromiseRaw, Result};
use napi_derive::napi;
use phantom_engine::analytics::{
    self, AnomalyMethod, CorrelationOptions, QualityOptions, TrendOptions,
};
use phantom_engine::time::format_utc;
use phantom_engine::{CompareTarget, DataSource, Engine, OptimizeOptions};
use serde_json::{Value, json};

use crate::args::{count, field, json_arg, optional_json, text};
use crate::error::BindingError;
use crate::explain_costs::ExplainCosts;
use crate::ignored::IgnoredList;
use crate::json::{self, to_string};
use crate::options::CoreOptions;
use crate::slot::EngineSlot;
use crate::{analytics as shapes, create, data, databases, files, inference, insights, models};

/// Phantom's engine in-process: models, inference, features, analytics and operations.
#[napi(js_name = "PhantomMLCore")]
pub struct PhantomMlCore {
    slot: Arc<EngineSlot>,
    tenant: String,
    explain_costs: Arc<ExplainCosts>,
}

type Answer = std::result::Result<String, BindingError>;

#[napi]
impl PhantomMlCore {
    /// `new PhantomMLCore(options?)`: options as a JSON string or an object (`data_dir`,
    /// `database_url`, `redis_url`, `config_file`, `inference_log`, `max_concurrent_trainings`,
    /// `tenant`). The store opens on the first call.
    #[napi(
        constructor,
        ts_args_type = "options?: string | Record<string, unknown>"
    )]
    pub fn new(options: Option<Value>) -> Result<Self> {
        let options = CoreOptions::from_argument(options)?;
        let tenant = options.tenant()?;
        let config = options.engine_config()?;
        Ok(Self {
            slot: Arc::new(EngineSlot::new(config)),
            tenant,
            explain_costs: Arc::default(),
        })
    }

    async fn engine(&self) -> std::result::Result<Engine, BindingError> {
        self.slot.get().await
    }

    /// Connects to PostgreSQL (the engine reopens on it) and Redis (the prediction cache);
    /// answers per backend `connected` or the error. MongoDB and Elasticsearch are not
    /// supported and say so without failing the others.
    #[napi(js_name = "initialize_databases", ts_args_type = "configJson: string")]
    pub async fn initialize_databases(&self, config_json: Option<Value>) -> Result<String> {
        let config = json_arg("config_json", config_json)?;
        Ok(to_string(
            &databases::initialize(&self.slot, &config).await?,
        )?)
    }

    /// Creates a model; only `model_type`, `algorithm` and `feature_config.input_features`
    /// are needed. Resolves to `model_id`, `name`, `status`, `feature_count`, `created_at`.
    #[napi(js_name = "create_model", ts_args_type = "configJson: string")]
    pub async fn create_model(&self, config_json: Option<Value>) -> Result<String> {
        Ok(self.create_model_inner(config_json).await?)
    }

    async fn create_model_inner(&self, config_json: Option<Value>) -> Answer {
        let (config, ignored) = create::model_config(json_arg("config_json", config_json)?)?;
        let info = self
            .engine()
            .await?
            .create_model(&self.tenant, config)
            .await?;
        let mut out = models::summary(&info);
        if let Some(obj) = out.as_object_mut() {
            obj.insert("feature_names".into(), json!(info.settings.feature_names));
            obj.insert("ignored_settings".into(), json!(ignored.0));
        }
        to_string(&out)
    }

    /// Trains a model on `{features, labels}` (or `{path, label}`) and resolves, once the new
    /// version serves, to its measured metrics.
    #[napi(
        js_name = "train_model",
        ts_args_type = "modelId: string, trainingDataJson: string"
    )]
    pub async fn train_model(
        &self,
        model_id: Option<Value>,
        training_data_json: Option<Value>,
    ) -> Result<String> {
        Ok(self.train_model_inner(model_id, training_data_json).await?)
    }

    async fn train_model_inner(&self, model_id: Option<Value>, data_json: Option<Value>) -> Answer {
        let model = text("model_id", model_id)?;
        let value = json_arg("training_data_json", data_json)?;
        let mut ignored = IgnoredList::default();
        let source = data::source("training_data_json", &value, &[], &mut ignored)?;
        let engine = self.engine().await?;
        let job = engine.train(&self.tenant, &model, source).await?;
        let job_id = job.id().to_owned();
        let version = job.wait().await?;
        let epochs = engine
            .job_status(&self.tenant, &job_id)
            .await
            .ok()
            .map(|s| s.steps_done);
        let mut out = models::trained(&version, epochs, &job_id);
        if let Some(obj) = out.as_object_mut() {
            obj.insert("ignored_settings".into(), json!(ignored.0));
        }
        to_string(&out)
    }

    /// A model with its settings, serving version, metrics and every version.
    #[napi(js_name = "get_model_info", ts_args_type = "modelId: string")]
    pub async fn get_model_info(&self, model_id: Option<Value>) -> Result<String> {
        Ok(self.get_model_info_inner(model_id).await?)
    }

    async fn get_model_info_inner(&self, model_id: Option<Value>) -> Answer {
        let model = text("model_id", model_id)?;
        let engine = self.engine().await?;
        let info = engine.get_model(&self.tenant, &model).await?;
        let versions = engine.list_versions(&self.tenant, &info.id).await?;
        to_string(&models::details(&info, &versions))
    }

    /// Every model: `total_models`, `active_models` (trained and not archived), `models`.
    #[napi(js_name = "list_models")]
    pub async fn list_models(&self) -> Result<String> {
        Ok(self.list_models_inner().await?)
    }

    async fn list_models_inner(&self) -> Answer {
        let list = self.engine().await?.list_models(&self.tenant).await?;
        let summaries: Vec<Value> = list.iter().map(models::summary).collect();
        let active = list
            .iter()
            .filter(|m| models::status(m) == "trained")
            .count();
        to_string(&json!({
            "total_models": list.len(),
            "active_models": active,
            "models": summaries,
        }))
    }

    /// Deletes a model with every version and its inference log.
    #[napi(js_name = "delete_model", ts_args_type = "modelId: string")]
    pub async fn delete_model(&self, model_id: Option<Value>) -> Result<String> {
        Ok(self.delete_model_inner(model_id).await?)
    }

    async fn delete_model_inner(&self, model_id: Option<Value>) -> Answer {
        let model = text("model_id", model_id)?;
        let engine = self.engine().await?;
        let info = engine.get_model(&self.tenant, &model).await?;
        engine.delete_model(&self.tenant, &info.id).await?;
        to_string(&json!({
            "success": true,
            "deleted_model_id": info.id,
            "model_name": info.name,
            "versions_deleted": info.version_count,
            "deleted_at": format_utc(now_ms()),
        }))
    }

    /// Checks a version (default: the serving one): checksum, loading, metadata, and 64
    /// probe predictions. `config_json` may give `{"version": n}`.
    #[napi(
        js_name = "validate_model",
        ts_args_type = "modelId: string, configJson?: string"
    )]
    pub async fn validate_model(
        &self,
        model_id: Option<Value>,
        config_json: Option<Value>,
    ) -> Result<String> {
        Ok(self.validate_model_inner(model_id, config_json).await?)
    }

    async fn validate_model_inner(&self, model_id: Option<Value>, config: Option<Value>) -> Answer {
        let model = text("model_id", model_id)?;
        let config = optional_json("config_json", config)?;
        let version: Option<u32> = field("config_json", &config, "version")?;
        let started = Instant::now();
        let report = self
            .engine()
            .await?
            .validate(&self.tenant, &model, version)
            .await?;
        let passed = report.checks.iter().filter(|c| c.passed).count();
        to_string(&json!({
            "model_id": report.model_id,
            "version": report.version,
            "overall_valid": report.valid,
            "checks_passed": passed,
            "checks_total": report.checks.len(),
            "checks": report.checks,
            "validation_time_ms": started.elapsed().as_secs_f64() * 1e3,
        }))
    }

    /// Exports a version as Phantom's sealed export format: base64 in `export_data`, or
    /// written to `path`. The second argument is a format name ("binary") or
    /// `{"version", "path"}`.
    #[napi(
        js_name = "export_model",
        ts_args_type = "modelId: string, formatOrOptions?: string"
    )]
    pub async fn export_model(
        &self,
        model_id: Option<Value>,
        format_or_options: Option<Value>,
    ) -> Result<String> {
        Ok(self.export_model_inner(model_id, format_or_options).await?)
    }

    async fn export_model_inner(&self, model_id: Option<Value>, options: Option<Value>) -> Answer {
        let model = text("model_id", model_id)?;
        let options = files::export_options(options)?;
        let engine = self.engine().await?;
        let bytes = engine
            .export_model(&self.tenant, &model, options.version)
            .await?;
        let info = engine.get_model(&self.tenant, &model).await?;
        to_string(&files::exported(&info, options, &bytes).await?)
    }

    /// Imports an export (base64 `export_data`, or a `path`) or a bare model file as a new
    /// model; `name` renames it.
    #[napi(js_name = "import_model", ts_args_type = "importDataJson: string")]
    pub async fn import_model(&self, import_data_json: Option<Value>) -> Result<String> {
        Ok(self.import_model_inner(import_data_json).await?)
    }

    async fn import_model_inner(&self, import_data_json: Option<Value>) -> Answer {
        let request = json_arg("import_data_json", import_data_json)?;
        let (bytes, name) = files::import_request(&request).await?;
        let info = self
            .engine()
            .await?
            .import_model(&self.tenant, &bytes, name)
            .await?;
        to_string(&models::summary(&info))
    }

    /// Copies a model with every version under a new name (`{"name"}`, default
    /// "<name>-copy").
    #[napi(
        js_name = "clone_model",
        ts_args_type = "modelId: string, cloneConfigJson?: string"
    )]
    pub async fn clone_model(
        &self,
        model_id: Option<Value>,
        clone_config_json: Option<Value>,
    ) -> Result<String> {
        Ok(self.clone_model_inner(model_id, clone_config_json).await?)
    }

    async fn clone_model_inner(&self, model_id: Option<Value>, config: Option<Value>) -> Answer {
        let model = text("model_id", model_id)?;
        let config = optional_json("clone_config_json", config)?;
        let name: Option<String> = field("clone_config_json", &config, "name")?;
        let engine = self.engine().await?;
        let source = engine.get_model(&self.tenant, &model).await?;
        let copy = engine.clone_model(&self.tenant, &model, name).await?;
        let mut out = models::summary(&copy);
        if let Some(obj) = out.as_object_mut() {
            obj.insert("original_model_id".into(), json!(source.id));
            obj.insert("cloned_model_id".into(), json!(copy.id));
        }
        to_string(&out)
    }

    /// Archives a model: its versions are kept, but it serves nothing until restored.
    #[napi(
        js_name = "archive_model",
        ts_args_type = "modelId: string, archiveConfigJson?: string"
    )]
    pub async fn archive_model(
        &self,
        model_id: Option<Value>,
        archive_config_json: Option<Value>,
    ) -> Result<String> {
        Ok(self
            .archive_model_inner(model_id, archive_config_json)
            .await?)
    }

    async fn archive_model_inner(&self, model_id: Option<Value>, config: Option<Value>) -> Answer {
        let model = text("model_id", model_id)?;
        let config = optional_json("archive_config_json", config)?;
        let reason: Option<String> = field("archive_config_json", &config, "reason")?;
        let info = self.engine().await?.archive(&self.tenant, &model).await?;
        let mut out = models::summary(&info);
        if let Some(obj) = out.as_object_mut() {
            obj.insert("reason".into(), json!(reason));
        }
        to_string(&out)
    }

    /// Restores an archived model: `{"model_id"}` (as `archive_model` answered) or the id.
    #[napi(js_name = "restore_model", ts_args_type = "archiveDataJson: string")]
    pub async fn restore_model(&self, archive_data_json: Option<Value>) -> Result<String> {
        Ok(self.restore_model_inner(archive_data_json).await?)
    }

    async fn restore_model_inner(&self, archive: Option<Value>) -> Answer {
        let model = match archive {
            Some(Value::String(s)) if !s.trim_start().starts_with('{') => s,
            other => {
                let v = json_arg("archive_data_json", other)?;
                field::<String>("archive_data_json", &v, "model_id")?.ok_or_else(|| {
                    BindingError::shape("archive_data_json", "model_id", "is missing")
                })?
            }
        };
        let info = self.engine().await?.restore(&self.tenant, &model).await?;
        to_string(&models::summary(&info))
    }

    /// Compares models on their stored metrics, and with `data` on a fresh evaluation:
    /// `["id1", "id2"]` or `{"model_ids": [...], "data": {features, labels}}`.
    #[napi(js_name = "compare_models", ts_args_type = "modelIdsJson: string")]
    pub async fn compare_models(&self, model_ids_json: Option<Value>) -> Result<String> {
        Ok(self.compare_models_inner(model_ids_json).await?)
    }

    async fn compare_models_inner(&self, ids: Option<Value>) -> Answer {
        let what = "model_ids_json";
        let value = json_arg(what, ids)?;
        let (targets, data) = match &value {
            Value::Array(_) => (value.clone(), None),
            Value::Object(map) => (
                map.get("model_ids")
                    .or_else(|| map.get("models"))
                    .cloned()
                    .ok_or_else(|| BindingError::shape(what, "model_ids", "is missing"))?,
                map.get("data").cloned(),
            ),
            other @ Value::Null
            | other @ Value::Bool(_)
            | other @ Value::Number(_)
            | other @ Value::String(_) => {
                return Err(BindingError::shape(
                    what,
                    "",
                    format!("expected an array of model ids, got {}", json::kind(other)),
                ));
            }
        };
        let targets: Vec<CompareTarget> = match targets {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, t)| match t {
                    Value::String(model) => Ok(CompareTarget {
                        model,
                        version: None,
                    }),
                    other @ Value::Null
                    | other @ Value::Bool(_)
                    | other @ Value::Number(_)
                    | other @ Value::Array(_)
                    | other @ Value::Object(_) => json::typed(&format!("{what}[{i}]"), other),
                })
                .collect::<std::result::Result<_, _>>()?,
            other @ Value::Null
            | other @ Value::Bool(_)
            | other @ Value::Number(_)
            | other @ Value::String(_)
            | other @ Value::Object(_) => {
                return Err(BindingError::shape(
                    what,
                    "model_ids",
                    format!("expected an array, got {}", json::kind(&other)),
                ));
            }
        };
        let data = match data {
            Some(d) => Some(data::source(
                "model_ids_json.data",
                &d,
                &[],
                &mut IgnoredList::default(),
            )?),
            None => None,
        };
        let comparison = self
            .engine()
            .await?
            .compare(&self.tenant, &targets, data)
            .await?;
        to_string(&json!({
            "models_compared": comparison.entries.len(),
            "entries": comparison.entries,
            "evaluated_rows": comparison.evaluated_rows,
            "best": comparison.best,
        }))
    }

    /// Searches hyperparameters on `{features, labels}` (plus `trials`, `metric`,
    /// `validation_split`, `seed`) and keeps the best candidate as a new version only if it
    /// beats the serving one on the held-out rows.
    #[napi(
        js_name = "optimize_model",
        ts_args_type = "modelId: string, optimizationConfigJson: string"
    )]
    pub async fn optimize_model(
        &self,
        model_id: Option<Value>,
        optimization_config_json: Option<Value>,
    ) -> Result<String> {
        Ok(self
            .optimize_model_inner(model_id, optimization_config_json)
            .await?)
    }

    async fn optimize_model_inner(&self, model_id: Option<Value>, config: Option<Value>) -> Answer {
        let what = "optimization_config_json";
        let model = text("model_id", model_id)?;
        let config = json_arg(what, config)?;
        let data_value = config
            .get("data")
            .cloned()
            .unwrap_or_else(|| config.clone());
        let mut ignored = IgnoredList::default();
        let allowed = [
            "trials",
            "metric",
            "validation_split",
            "seed",
            "data",
            "type",
        ];
        let source: DataSource = data::source(what, &data_value, &allowed, &mut ignored)?;
        let mut options = OptimizeOptions::default();
        if let Some(trials) = field::<usize>(what, &config, "trials")? {
            options.trials = trials;
        }
        options.metric = field(what, &config, "metric")?;
        options.validation_split = field(what, &config, "validation_split")?;
        options.seed = field(what, &config, "seed")?;
        if config.get("type").is_some() {
            ignored.add("type", "the search always ranks candidates by the metric");
        }
        let report = self
            .engine()
            .await?
            .optimize(&self.tenant, &model, source, options)
            .await?;
        let mut out = json!(report);
        if let Some(obj) = out.as_object_mut() {
            obj.insert("ignored_settings".into(), json!(ignored.0));
        }
        to_string(&out)
    }

    /// Every version of a model, oldest first, with its metrics.
    #[napi(js_name = "get_model_versions", ts_args_type = "modelId: string")]
    pub async fn get_model_versions(&self, model_id: Option<Value>) -> Result<String> {
        Ok(self.get_model_versions_inner(model_id).await?)
    }

    async fn get_model_versions_inner(&self, model_id: Option<Value>) -> Answer {
        let model = text("model_id", model_id)?;
        let versions = self
            .engine()
            .await?
            .list_versions(&self.tenant, &model)
            .await?;
        to_string(&json!({
            "total_versions": versions.len(),
            "versions": versions.iter().map(models::version).collect::<Vec<_>>(),
        }))
    }

    /// Makes a version the serving one (a rollback or roll-forward).
    #[napi(
        js_name = "activate_version",
        ts_args_type = "modelId: string, version: number"
    )]
    pub async fn activate_version(
        &self,
        model_id: Option<Value>,
        version: Option<Value>,
    ) -> Result<String> {
        Ok(self.activate_version_inner(model_id, version).await?)
    }

    async fn activate_version_inner(
        &self,
        model_id: Option<Value>,
        version: Option<Value>,
    ) -> Answer {
        let model = text("model_id", model_id)?;
        let version = count("version", version, u64::from(u32::MAX))?
            .ok_or_else(|| BindingError::shape("version", "", "is missing"))?;
        let info = self
            .engine()
            .await?
            .activate(&self.tenant, &model, version as u32)
            .await?;
        to_string(&models::summary(&info))
    }

    /// Predicts one row: `prediction` (the label as given in training), `confidence`,
    /// `probability_distribution`, and `feature_importance` from the model's contributions to
    /// this prediction (TreeSHAP or linear; `{"explain": false}` skips it).
    ///
    /// A prediction from a model already in memory is computed on the calling thread (a few
    /// microseconds, less than a hand-off to another thread costs) and the promise is already
    /// settled, with its attribution when the model's last one took under 50 µs (linear
    /// models, small trees); otherwise it runs on the engine's threads.
    #[napi(
        js_name = "predict",
        ts_args_type = "modelId: string, featuresJson: string, optionsJson?: string",
        ts_return_type = "Promise<string>"
    )]
    pub fn predict<'env>(
        &self,
        env: &'env Env,
        model_id: Option<Value>,
        features_json: Option<Value>,
        options_json: Option<Value>,
    ) -> Result<PromiseRaw<'env, String>> {
        let started = Instant::now();
        let request = match predict_request(model_id, features_json, options_json) {
            Ok(r) => r,
            Err(e) => return PromiseRaw::reject(env, napi::Error::from(e)),
        };
        let (tenant, model, row) = (&self.tenant, &request.model, &request.row);
        let explain = request.options.explain;
        let costs = &self.explain_costs;
        if (!explain || costs.cheap(model))
            && let Some(answer) = self.slot.now(|engine| async move {
                let prediction = engine.predict(tenant, model, row).await?;
                let explanation = if explain {
                    let took = Instant::now();
                    let explanation = engine.explain(tenant, model, row).await.ok();
                    costs.record(model, took.elapsed());
                    explanation
                } else {
                    None
                };
                Ok::<_, phantom_engine::EngineError>((prediction, explanation))
            })
        {
            let json = answer
                .map_err(BindingError::from)
                .and_then(|(p, e)| answer_predict(&p, e.as_ref(), started));
            return match json {
                Ok(json) => PromiseRaw::resolve(env, json),
                Err(e) => PromiseRaw::reject(env, napi::Error::from(e)),
            };
        }
        let slot = self.slot.clone();
        let tenant = self.tenant.clone();
        let costs = Arc::clone(&self.explain_costs);
        env.spawn_future(async move {
            let engine = slot.get().await?;
            let PredictRequest {
                model,
                row,
                options,
            } = request;
            let prediction = engine
                .predict(&tenant, &model, &row)
                .await
                .map_err(BindingError::from)?;
            let explanation = if options.explain {
                let took = Instant::now();
                let explanation = engine.explain(&tenant, &model, &row).await.ok();
                costs.record(&model, took.elapsed());
                explanation
            } else {
                None
            };
            Ok(answer_predict(&prediction, explanation.as_ref(), started)?)
        })
    }

    /// Predicts many rows (an array of rows, or `{samples, sample_ids}`) in parallel:
    /// `total_predictions`, `throughput_per_second` (measured), `results`.
    #[napi(
        js_name = "predict_batch",
        ts_args_type = "modelId: string, batchFeaturesJson: string"
    )]
    pub async fn predict_batch(
        &self,
        model_id: Option<Value>,
        batch_features_json: Option<Value>,
    ) -> Result<String> {
        Ok(self
            .predict_batch_inner(model_id, batch_features_json)
            .await?)
    }

    async fn predict_batch_inner(&self, model_id: Option<Value>, batch: Option<Value>) -> Answer {
        let model = text("model_id", model_id)?;
        let (rows, ids) = match batch {
            Some(Value::String(s)) => match serde_json::from_str::<Vec<Vec<f64>>>(&s) {
                Ok(rows) => (rows, None),
                Err(_) => inference::batch(
                    "batch_features_json",
                    &json::parse("batch_features_json", &s)?,
                )?,
            },
            other => inference::batch(
                "batch_features_json",
                &json_arg("batch_features_json", other)?,
            )?,
        };
        let answer = self
            .engine()
            .await?
            .predict_batch(&self.tenant, &model, rows)
            .await?;
        to_string(&inference::batch_out(&answer, ids.as_deref()))
    }

    /// Anomalies of a numeric series (robust z-scores; `{"values", "method"}` can pick the
    /// seasonal or trend detector): `anomalies_detected`, `risk_level`, `anomalies`,
    /// `statistical_metrics`. Higher `sensitivity` (default 1) flags more points.
    #[napi(
        js_name = "detect_anomalies",
        ts_args_type = "dataJson: string, sensitivity?: number"
    )]
    pub async fn detect_anomalies(
        &self,
        data_json: Option<Value>,
        sensitivity: Option<Value>,
    ) -> Result<String> {
        Ok(Self::detect_anomalies_inner(data_json, sensitivity).await?)
    }

    async fn detect_anomalies_inner(data: Option<Value>, sensitivity: Option<Value>) -> Answer {
        let value = json_arg("data_json", data)?;
        let values = shapes::series("data_json", &value)?;
        let method: AnomalyMethod = field("data_json", &value, "method")?.unwrap_or_default();
        let sensitivity = match sensitivity {
            None | Some(Value::Null) => 1.0,
            Some(v) => json::number("sensitivity", "", &v)?,
        };
        let out = blocking(move || shapes::anomalies(&values, sensitivity, method)).await?;
        to_string(&out)
    }

    /// Named numeric features of a security event (an object) or of many events (an array,
    /// or `{samples}`): `engineered_features`, `feature_names`, `feature_count`.
    #[napi(
        js_name = "engineer_features",
        ts_args_type = "rawDataJson: string, featureConfigJson?: string"
    )]
    pub async fn engineer_features(
        &self,
        raw_data_json: Option<Value>,
        feature_config_json: Option<Value>,
    ) -> Result<String> {
        Ok(Self::engineer_features_inner(raw_data_json, feature_config_json).await?)
    }

    async fn engineer_features_inner(raw: Option<Value>, config: Option<Value>) -> Answer {
        let raw = json_arg("raw_data_json", raw)?;
        let config = optional_json("feature_config_json", config)?;
        blocking(move || crate::features::engineer(raw, config)).await
    }

    /// Facts derived from the stored models: best model per task, metric drops between
    /// versions, models never trained, stale or rolled back (`{"stale_after_days",
    /// "min_change"}`).
    #[napi(
        js_name = "generate_insights",
        ts_args_type = "analysisConfigJson?: string"
    )]
    pub async fn generate_insights(&self, analysis_config_json: Option<Value>) -> Result<String> {
        Ok(self.generate_insights_inner(analysis_config_json).await?)
    }

    async fn generate_insights_inner(&self, config: Option<Value>) -> Answer {
        let what = "analysis_config_json";
        let config = optional_json(what, config)?;
        let mut ignored = IgnoredList::default();
        let mut options = insights::InsightOptions::default();
        if let Value::Object(map) = &config {
            for key in map.keys() {
                if !matches!(key.as_str(), "stale_after_days" | "min_change") {
                    ignored.add(
                        key.clone(),
                        "insights are derived from the stored models; use the analytics methods for your own data",
                    );
                }
            }
            if let Some(v) = field(what, &config, "stale_after_days")? {
                options.stale_after_days = v;
            }
            if let Some(v) = field(what, &config, "min_change")? {
                options.min_change = v;
            }
        }
        let engine = self.engine().await?;
        let mut all = Vec::new();
        for info in engine.list_models(&self.tenant).await? {
            let versions = engine.list_versions(&self.tenant, &info.id).await?;
            all.push((info, versions));
        }
        let requests: HashMap<String, u64> = engine
            .performance_stats()
            .models
            .into_iter()
            .map(|m| (m.model_id, m.requests))
            .collect();
        let found = insights::derive(&all, &requests, now_ms(), options);
        let mut out = json!(found);
        if let Some(obj) = out.as_object_mut() {
            obj.insert("ignored_settings".into(), json!(ignored.0));
        }
        to_string(&out)
    }

    /// Linear trend and forecast of a series, or of every numeric column of rows of objects
    /// (`{"horizon"}` sets the forecast length).
    #[napi(
        js_name = "trend_analysis",
        ts_args_type = "dataJson: string, trendConfigJson?: string"
    )]
    pub async fn trend_analysis(
        &self,
        data_json: Option<Value>,
        trend_config_json: Option<Value>,
    ) -> Result<String> {
        Ok(Self::trend_analysis_inner(data_json, trend_config_json).await?)
    }

    async fn trend_analysis_inner(data: Option<Value>, config: Option<Value>) -> Answer {
        let what = "data_json";
        let value = json_arg(what, data)?;
        let config = optional_json("trend_config_json", config)?;
        let mut options = TrendOptions::default();
        if let Some(h) = field::<usize>("trend_config_json", &config, "horizon")?.or(field(
            "trend_config_json",
            &config,
            "forecast_horizon",
        )?) {
            options.horizon = h;
        }
        let rows = match &value {
            Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => {
                Some(items.clone())
            }
            Value::Object(map) => match map.get("time_series_data").or_else(|| map.get("rows")) {
                Some(Value::Array(items)) => Some(items.clone()),
                Some(_) | None => None,
            },
            Value::Null
            | Value::Bool(_)
            | Value::Number(_)
            | Value::String(_)
            | Value::Array(_) => None,
        };
        match rows {
            Some(rows) => {
                let out = blocking(move || shapes::column_trends(what, &rows, &options)).await?;
                to_string(&out)
            }
            None => {
                let values = shapes::series(what, &value)?;
                let out = blocking(move || Ok(analytics::trend(&values, &options)?)).await?;
                to_string(&out)
            }
        }
    }

    /// Pearson and Spearman correlations between the columns of a table.
    #[napi(js_name = "correlation_analysis", ts_args_type = "dataJson: string")]
    pub async fn correlation_analysis(&self, data_json: Option<Value>) -> Result<String> {
        Ok(Self::correlation_inner(data_json).await?)
    }

    async fn correlation_inner(data: Option<Value>) -> Answer {
        let value = json_arg("data_json", data)?;
        let dataset = shapes::dataset("data_json", &value)?;
        let options: CorrelationOptions =
            field("data_json", &value, "options")?.unwrap_or_default();
        let out = blocking(move || Ok(analytics::correlation(&dataset, &options)?)).await?;
        to_string(&out)
    }

    /// Count, missing, mean, std, quartiles, skewness and kurtosis of each column.
    #[napi(js_name = "statistical_summary", ts_args_type = "dataJson: string")]
    pub async fn statistical_summary(&self, data_json: Option<Value>) -> Result<String> {
        Ok(Self::summary_inner(data_json).await?)
    }

    async fn summary_inner(data: Option<Value>) -> Answer {
        let value = json_arg("data_json", data)?;
        let dataset = shapes::dataset("data_json", &value)?;
        let out = blocking(move || Ok(analytics::summary(&dataset)?)).await?;
        to_string(&out)
    }

    /// Missing, non-finite, constant, out-of-range and duplicate data, and a quality score
    /// (`{"ranges": {"column": [min, max]}}`).
    #[napi(
        js_name = "data_quality_assessment",
        ts_args_type = "dataJson: string, qualityConfigJson?: string"
    )]
    pub async fn data_quality_assessment(
        &self,
        data_json: Option<Value>,
        quality_config_json: Option<Value>,
    ) -> Result<String> {
        Ok(Self::quality_inner(data_json, quality_config_json).await?)
    }

    async fn quality_inner(data: Option<Value>, config: Option<Value>) -> Answer {
        let value = json_arg("data_json", data)?;
        let dataset = shapes::dataset("data_json", &value)?;
        let config = optional_json("quality_config_json", config)?;
        let options = QualityOptions {
            ranges: field("quality_config_json", &config, "ranges")?.unwrap_or_default(),
        };
        let out = blocking(move || Ok(analytics::data_quality(&dataset, &options)?)).await?;
        to_string(&out)
    }

    /// The serving version's global feature importance, most important first.
    #[napi(
        js_name = "feature_importance_analysis",
        ts_args_type = "modelId: string, analysisConfigJson?: string"
    )]
    pub async fn feature_importance_analysis(
        &self,
        model_id: Option<Value>,
        analysis_config_json: Option<Value>,
    ) -> Result<String> {
        Ok(self
            .importance_inner(model_id, analysis_config_json)
            .await?)
    }

    async fn importance_inner(&self, model_id: Option<Value>, config: Option<Value>) -> Answer {
        let model = text("model_id", model_id)?;
        optional_json("analysis_config_json", config)?;
        let importance = self
            .engine()
            .await?
            .feature_importance(&self.tenant, &model)
            .await?;
        to_string(&json!({
            "model_id": importance.model_id,
            "version": importance.version,
            "method": importance.method,
            "feature_importance": importance.features,
            "ranking": importance.features.iter().map(|f| &f.feature).collect::<Vec<_>>(),
        }))
    }

    /// Why the model predicted what it did for one row (`[..]` or `{"features": [..]}`):
    /// exact TreeSHAP or linear contributions per feature; without a row, the global
    /// importance.
    #[napi(
        js_name = "model_explainability",
        ts_args_type = "modelId: string, instanceJson?: string, explainConfigJson?: string"
    )]
    pub async fn model_explainability(
        &self,
        model_id: Option<Value>,
        instance_json: Option<Value>,
        explain_config_json: Option<Value>,
    ) -> Result<String> {
        Ok(self
            .explainability_inner(model_id, instance_json, explain_config_json)
            .await?)
    }

    async fn explainability_inner(
        &self,
        model_id: Option<Value>,
        instance: Option<Value>,
        config: Option<Value>,
    ) -> Answer {
        let model = text("model_id", model_id)?;
        let instance = optional_json("instance_json", instance)?;
        optional_json("explain_config_json", config)?;
        let engine = self.engine().await?;
        if instance.is_null() {
            let importance = engine.feature_importance(&self.tenant, &model).await?;
            return to_string(&json!({
                "scope": "global",
                "model_id": importance.model_id,
                "version": importance.version,
                "method": importance.method,
                "features": importance.features,
            }));
        }
        let row = inference::row("instance_json", &instance)?;
        let explanation = engine.explain(&self.tenant, &model, &row).await?;
        let mut out = json!(explanation);
        if let Some(obj) = out.as_object_mut() {
            obj.insert("scope".into(), json!("prediction"));
        }
        to_string(&out)
    }

    /// Counters since the engine opened: `total_inferences`, `average_inference_time_ms`,
    /// latency quantiles, `total_trainings`, throughput, per model.
    #[napi(js_name = "get_performance_stats")]
    pub async fn get_performance_stats(&self) -> Result<String> {
        Ok(self.stats_inner().await?)
    }

    async fn stats_inner(&self) -> Answer {
        let stats = self.engine().await?.performance_stats();
        to_string(&crate::monitoring::stats(&stats))
    }

    /// Store and Redis reachability, `models_loaded`, uptime and the process's resource use.
    #[napi(js_name = "get_system_health")]
    pub async fn get_system_health(&self) -> Result<String> {
        Ok(self.health_inner().await?)
    }

    async fn health_inner(&self) -> Answer {
        let health = self.engine().await?.system_health().await;
        to_string(&crate::monitoring::health(&health))
    }

    /// The latest logged predictions of a model, newest first (`limit` 1 to 10 000, default
    /// 100).
    #[napi(
        js_name = "get_inference_history",
        ts_args_type = "modelId: string, limit?: number"
    )]
    pub async fn get_inference_history(
        &self,
        model_id: Option<Value>,
        limit: Option<Value>,
    ) -> Result<String> {
        Ok(self.history_inner(model_id, limit).await?)
    }

    async fn history_inner(&self, model_id: Option<Value>, limit: Option<Value>) -> Answer {
        let model = text("model_id", model_id)?;
        let limit = count("limit", limit, u64::from(phantom_engine::MAX_HISTORY))?.unwrap_or(100);
        let engine = self.engine().await?;
        let info = engine.get_model(&self.tenant, &model).await?;
        let records = engine
            .inference_history(&self.tenant, &info.id, 0, now_ms() + 1, limit as u32)
            .await?;
        to_string(&json!({
            "model_id": info.id,
            "total": records.len(),
            "records": records,
        }))
    }

    /// Writes a backup of every model with every version to `path` (`{"path"}` or the path
    /// itself); answers its size and SHA-256.
    #[napi(js_name = "backup_system", ts_args_type = "backupConfigJson: string")]
    pub async fn backup_system(&self, backup_config_json: Option<Value>) -> Result<String> {
        Ok(self.backup_inner(backup_config_json).await?)
    }

    async fn backup_inner(&self, config: Option<Value>) -> Answer {
        let request = files::path_request("backup_config_json", config)?;
        let engine = self.engine().await?;
        let backup = engine.backup(&self.tenant).await?;
        to_string(&files::write_backup(&engine, &request, backup).await?)
    }

    /// Restores a backup written by `backup_system` (`{"path", "replace"}` or the path).
    #[napi(
        js_name = "disaster_recovery",
        ts_args_type = "recoveryConfigJson: string"
    )]
    pub async fn disaster_recovery(&self, recovery_config_json: Option<Value>) -> Result<String> {
        Ok(self.recovery_inner(recovery_config_json).await?)
    }

    async fn recovery_inner(&self, config: Option<Value>) -> Answer {
        let request = files::path_request("recovery_config_json", config)?;
        let bytes = files::read(&request.path).await?;
        let report = self
            .engine()
            .await?
            .restore_backup(&self.tenant, &bytes, request.replace)
            .await?;
        to_string(&files::restored(&request, &bytes, &report))
    }

    /// Writes the queued inference-log records and stops the engine's background tasks;
    /// call before the process exits. Later calls reopen nothing: they still answer.
    #[napi(js_name = "close")]
    pub async fn close(&self) -> Result<()> {
        if let Ok(engine) = self.engine().await {
            engine.close().await;
        }
        Ok(())
    }
}

/// A parsed `predict` call.
struct PredictRequest {
    model: String,
    row: Vec<f64>,
    options: inference::PredictOptions,
}

fn predict_request(
    model_id: Option<Value>,
    features: Option<Value>,
    options: Option<Value>,
) -> std::result::Result<PredictRequest, BindingError> {
    let model = text("model_id", model_id)?;
    let row = match features {
        Some(Value::String(s)) => match serde_json::from_str::<Vec<f64>>(&s) {
            Ok(row) => row,
            Err(_) => inference::row("features_json", &json::parse("features_json", &s)?)?,
        },
        other => inference::row("features_json", &json_arg("features_json", other)?)?,
    };
    let options = match optional_json("options_json", options)? {
        Value::Null => inference::PredictOptions::default(),
        v @ (Value::Bool(_)
        | Value::Number(_)
        | Value::String(_)
        | Value::Array(_)
        | Value::Object(_)) => json::typed("options_json", v)?,
    };
    Ok(PredictRequest {
        model,
        row,
        options,
    })
}

fn answer_predict(
    prediction: &phantom_engine::Prediction,
    explanation: Option<&phantom_engine::PredictionExplanation>,
    started: Instant,
) -> Answer {
    let elapsed = started.elapsed().as_secs_f64() * 1e3;
    to_string(&inference::prediction(prediction, explanation, elapsed))
}

/// Runs CPU-bound work off the async runtime.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::result::Result<T, BindingError> + Send + 'static,
) -> std::result::Result<T, BindingError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        BindingError::Engine(phantom_engine::EngineError::Internal(format!(
            "analytics task: {e}"
        )))
    })?
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
