//! What the registry returns about models and versions, and the metadata stored with each
//! version.

use std::collections::BTreeMap;

use phantom_ml::model::{Algorithm, Hyperparameters, Task};
use phantom_store::{Millis, ModelRecord, ModelStatus, StoreError, VersionSummary};
use serde::{Deserialize, Serialize};

use crate::settings::{ModelSettings, Scaling};

/// How a version came to be.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VersionOrigin {
    /// Trained by this registry.
    Trained,
    /// Imported from a file.
    Imported {
        /// The model id recorded in the export, if the file was an export.
        source_model_id: Option<String>,
        /// The version recorded in the export.
        source_version: Option<u32>,
    },
    /// Copied by `clone` from another model.
    Cloned {
        /// The model it was copied from.
        source_model_id: String,
        /// The version it was copied from.
        source_version: u32,
    },
}

/// Everything recorded with a version besides its artifact. Immutable once stored.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionMetadata {
    /// The algorithm.
    pub algorithm: Algorithm,
    /// The task.
    pub task: Task,
    /// Hyperparameters used, with the seed filled in (unset ones took the algorithm's
    /// defaults, listed in docs/MODELS.md).
    pub hyperparameters: Hyperparameters,
    /// Feature scaling.
    pub scaling: Scaling,
    /// Feature names, in order.
    pub feature_names: Vec<String>,
    /// Class labels, in the model's class order (classification only).
    pub classes: Vec<String>,
    /// Metrics on the training rows.
    pub training_metrics: BTreeMap<String, f64>,
    /// Metrics on the held-out validation rows (empty with no validation split).
    pub validation_metrics: BTreeMap<String, f64>,
    /// Time spent fitting, in milliseconds (unknown for bare model files imported).
    pub training_time_ms: Option<f64>,
    /// Rows trained on (unknown for bare model files imported).
    pub training_rows: Option<usize>,
    /// Rows held out for validation (unknown for bare model files imported).
    pub validation_rows: Option<usize>,
    /// Global importance of each feature, in feature order.
    pub feature_importance: Vec<f64>,
    /// How the version came to be.
    pub origin: VersionOrigin,
}

/// A version as the registry reports it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionInfo {
    /// The model.
    pub model_id: String,
    /// Version number, from 1.
    pub version: u32,
    /// Whether this version serves predictions.
    pub active: bool,
    /// When it was made (ms since the Unix epoch).
    pub created_at: Millis,
    /// SHA-256 of the artifact.
    pub sha256: String,
    /// Artifact size in bytes.
    pub size_bytes: u64,
    /// Metrics, timings, importance and hyperparameters.
    #[serde(flatten)]
    pub metadata: VersionMetadata,
}

/// A model as the registry reports it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// Unique id.
    pub id: String,
    /// Name, unique within the tenant.
    pub name: String,
    /// Active or archived.
    pub status: ModelStatus,
    /// The version that serves predictions.
    pub active_version: Option<u32>,
    /// How many versions it has.
    pub version_count: usize,
    /// When it was created (ms since the Unix epoch).
    pub created_at: Millis,
    /// When it last changed.
    pub updated_at: Millis,
    /// Its configuration with defaults applied.
    pub settings: ModelSettings,
    /// The serving version's details.
    pub active: Option<VersionInfo>,
}

impl VersionInfo {
    /// Builds the report of a stored version.
    pub(crate) fn from_summary(
        summary: VersionSummary,
        active_version: Option<u32>,
    ) -> Result<Self, StoreError> {
        let metadata: VersionMetadata =
            serde_json::from_value(summary.metadata).map_err(|e| StoreError::Malformed {
                what: format!(
                    "metadata of version {} of model {}: {e}",
                    summary.version, summary.model_id
                ),
            })?;
        Ok(VersionInfo {
            active: active_version == Some(summary.version),
            model_id: summary.model_id,
            version: summary.version,
            created_at: summary.created_at,
            sha256: summary.sha256,
            size_bytes: summary.size,
            metadata,
        })
    }
}

/// Reads the settings stored with a model.
pub(crate) fn settings_of(record: &ModelRecord) -> Result<ModelSettings, StoreError> {
    serde_json::from_value(record.config.clone()).map_err(|e| StoreError::Malformed {
        what: format!("configuration of model {}: {e}", record.id),
    })
}

/// Keeps only finite metrics: JSON has no NaN or infinity.
pub(crate) fn finite_metrics(metrics: BTreeMap<String, f64>) -> BTreeMap<String, f64> {
    metrics.into_iter().filter(|(_, v)| v.is_finite()).collect()
}
