//! Phantom's service layer: the model registry, inference, feature engineering and analytics
//! that the REST API, the Node.js package and the CLI all call. Async (tokio), no HTTP.
//!
//! - [`Engine`]: opened once per process on a store (SQLite in the data directory, or
//!   PostgreSQL), optionally with a Redis prediction cache; every operation is a method.
//! - [`ModelConfig`] → [`ModelInfo`]: models are created from a config, trained into
//!   immutable versions ([`VersionInfo`]), and serve their active version.
//! - [`features`] and [`analytics`]: pure functions over JSON objects and numeric series.
//!
//! Every error is an [`EngineError`], whose [`EngineError::kind`] tells a shell which status
//! to answer with.

pub mod analytics;
pub mod auth;
mod backup;
pub mod bus;
pub mod config;
pub mod data;
mod engine;
mod error;
pub mod features;
mod health;
mod inference;
mod jobs;
mod registry;
pub mod settings;
pub mod stats;
pub mod streams;
pub mod time;
mod training;

pub use backup::{
    BACKUP_MAGIC, Backup, RestoreReport, SkippedEvidence, SkippedModel, SkippedStream,
};
pub use config::{AuthConfig, ConfigOverrides, EngineConfig};
pub use data::{DataSource, Label};
pub use engine::{Engine, TENANT_DEFAULT};
pub use error::{EngineError, ErrorKind};
pub use health::{BackendHealth, HealthStatus, SystemHealth};
pub use inference::{
    BatchPrediction, BatchRow, ClassProbability, FeatureContribution, FeatureImportance,
    FeatureWeight, MAX_BATCH_ROWS, PredictedValue, Prediction, PredictionExplanation,
};
pub use jobs::instance::INSTANCE_FILE;
pub use jobs::{JobState, JobStatus, TrainingJob};
pub use phantom_ml::Matrix;
pub use phantom_store::{InferenceRecord, ModelStatus};
pub use registry::info::{ModelInfo, VersionInfo, VersionMetadata, VersionOrigin};
pub use registry::{
    CompareTarget, Comparison, ComparisonEntry, EXPORT_MAGIC, MAX_HISTORY, MetricLeader,
    OptimizeOptions, OptimizeReport, OptimizeTrial, ValidationCheck, ValidationReport,
};
pub use settings::{ModelConfig, ModelSettings, Scaling};
