//! Feature engineering and analytics on data sent with the request (nothing is stored). The
//! work runs on a blocking thread, and every batch, series or dataset is bounded by
//! `max_batch_rows`.

use axum::Json;
use axum::extract::State;
use phantom_engine::EngineError;
use phantom_engine::analytics::{
    self, AnomalyOptions, AnomalyReport, CorrelationOptions, CorrelationReport, Dataset,
    DatasetSummary, QualityOptions, QualityReport, TrendOptions, TrendReport,
};
use phantom_engine::features::{self, EngineeredBatch, EngineeredFeatures, FeatureOptions};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::serving::check_batch;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Caller, JsonBody};
use crate::state::AppState;

/// One event to engineer features from.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FeaturesRequest {
    /// A JSON object of fields: text, IP addresses, URLs, domains, timestamps, numbers,
    /// arrays of numbers, booleans, nested objects.
    #[schema(value_type = Object)]
    event: Value,
    /// Field kinds, suspicious keywords and scaling (docs/FEATURES.md).
    #[serde(default)]
    options: FeatureOptions,
}

/// Events of one shape to engineer features from together.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FeaturesBatchRequest {
    /// The events (at most `max_batch_rows`).
    #[schema(value_type = Vec<Object>)]
    events: Vec<Value>,
    /// Field kinds, suspicious keywords and scaling fitted on the batch.
    #[serde(default)]
    options: FeatureOptions,
}

/// A numeric series and how to find its anomalies.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AnomaliesRequest {
    /// The series, in time order (at most `max_batch_rows` points).
    values: Vec<f64>,
    /// Sensitivity and method.
    #[serde(default)]
    options: AnomalyOptions,
}

/// A numeric series to fit a trend to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TrendRequest {
    /// The series, in time order (at most `max_batch_rows` points).
    values: Vec<f64>,
    /// The forecast horizon.
    #[serde(default)]
    options: TrendOptions,
}

/// A dataset to correlate: `rows` or `dataset`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CorrelationRequest {
    /// Rows as objects of numbers (`null` for a missing value).
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    rows: Option<Value>,
    /// Named columns.
    #[serde(default)]
    dataset: Option<Dataset>,
    /// The columns to correlate.
    #[serde(default)]
    options: CorrelationOptions,
}

/// A dataset to describe: `rows` or `dataset`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SummaryRequest {
    /// Rows as objects of numbers (`null` for a missing value).
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    rows: Option<Value>,
    /// Named columns.
    #[serde(default)]
    dataset: Option<Dataset>,
}

/// A dataset to check: `rows` or `dataset`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct QualityRequest {
    /// Rows as objects of numbers (`null` for a missing value).
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    rows: Option<Value>,
    /// Named columns.
    #[serde(default)]
    dataset: Option<Dataset>,
    /// Expected ranges per column.
    #[serde(default)]
    options: QualityOptions,
}

/// Runs `work` on a blocking thread.
async fn compute<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, EngineError> + Send + 'static,
) -> Result<Json<T>, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::internal(format!("analytics task: {e}")))?
        .map(Json)
        .map_err(ApiError::from)
}

/// The dataset of a request: exactly one of `rows` and `dataset`, within `max_rows`.
fn dataset_of(
    rows: Option<Value>,
    dataset: Option<Dataset>,
    max_rows: usize,
) -> Result<Dataset, ApiError> {
    let dataset = match (rows, dataset) {
        (Some(rows), None) => {
            if let Value::Array(items) = &rows {
                check_batch(items.len(), max_rows)?;
            }
            Dataset::from_json_rows(&rows).map_err(EngineError::from)?
        }
        (None, Some(dataset)) => dataset,
        (Some(_), Some(_)) | (None, None) => {
            return Err(ApiError::invalid(
                "give the data as exactly one of `rows` (objects of numbers) or `dataset` ({\"names\": [...], \"columns\": [[...]]})",
            ));
        }
    };
    let longest = dataset.columns.iter().map(Vec::len).max().unwrap_or(0);
    check_batch(longest, max_rows)?;
    Ok(dataset)
}

/// Engineers the named numeric features of one security event.
#[utoipa::path(post, path = "/v1/features", tag = "analytics",
    request_body = FeaturesRequest,
    responses(
        (status = 200, description = "The features", body = EngineeredFeatures),
        (status = "4XX", description = "Refused or unusable input", body = ErrorBody),
    ))]
pub(crate) async fn features(
    _: Caller,
    JsonBody(body): JsonBody<FeaturesRequest>,
) -> Result<Json<EngineeredFeatures>, ApiError> {
    compute(move || Ok(features::engineer_features(&body.event, &body.options)?)).await
}

/// Engineers the features of many events of one shape, optionally scaled together.
#[utoipa::path(post, path = "/v1/features/batch", tag = "analytics",
    request_body = FeaturesBatchRequest,
    responses(
        (status = 200, description = "The feature rows", body = EngineeredBatch),
        (status = "4XX", description = "Refused, unusable input, or too many events", body = ErrorBody),
    ))]
pub(crate) async fn features_batch(
    State(state): State<AppState>,
    _: Caller,
    JsonBody(body): JsonBody<FeaturesBatchRequest>,
) -> Result<Json<EngineeredBatch>, ApiError> {
    check_batch(body.events.len(), state.config().max_batch_rows)?;
    compute(move || Ok(features::engineer_batch(&body.events, &body.options)?)).await
}

/// Finds the anomalous points of a series, with an overall risk level.
#[utoipa::path(post, path = "/v1/analytics/anomalies", tag = "analytics",
    request_body = AnomaliesRequest,
    responses(
        (status = 200, description = "The anomalies", body = AnomalyReport),
        (status = "4XX", description = "Refused or an unusable series", body = ErrorBody),
    ))]
pub(crate) async fn anomalies(
    State(state): State<AppState>,
    _: Caller,
    JsonBody(body): JsonBody<AnomaliesRequest>,
) -> Result<Json<AnomalyReport>, ApiError> {
    check_batch(body.values.len(), state.config().max_batch_rows)?;
    compute(move || Ok(analytics::detect_anomalies(&body.values, &body.options)?)).await
}

/// Fits a linear trend to a series and forecasts it.
#[utoipa::path(post, path = "/v1/analytics/trend", tag = "analytics",
    request_body = TrendRequest,
    responses(
        (status = 200, description = "The trend", body = TrendReport),
        (status = "4XX", description = "Refused or an unusable series", body = ErrorBody),
    ))]
pub(crate) async fn trend(
    State(state): State<AppState>,
    _: Caller,
    JsonBody(body): JsonBody<TrendRequest>,
) -> Result<Json<TrendReport>, ApiError> {
    check_batch(body.values.len(), state.config().max_batch_rows)?;
    compute(move || Ok(analytics::trend(&body.values, &body.options)?)).await
}

/// Pearson and Spearman correlations between a dataset's columns.
#[utoipa::path(post, path = "/v1/analytics/correlation", tag = "analytics",
    request_body = CorrelationRequest,
    responses(
        (status = 200, description = "The correlations", body = CorrelationReport),
        (status = "4XX", description = "Refused or an unusable dataset", body = ErrorBody),
    ))]
pub(crate) async fn correlation(
    State(state): State<AppState>,
    _: Caller,
    JsonBody(body): JsonBody<CorrelationRequest>,
) -> Result<Json<CorrelationReport>, ApiError> {
    let dataset = dataset_of(body.rows, body.dataset, state.config().max_batch_rows)?;
    compute(move || Ok(analytics::correlation(&dataset, &body.options)?)).await
}

/// Descriptive statistics of each column of a dataset.
#[utoipa::path(post, path = "/v1/analytics/summary", tag = "analytics",
    request_body = SummaryRequest,
    responses(
        (status = 200, description = "The summary", body = DatasetSummary),
        (status = "4XX", description = "Refused or an unusable dataset", body = ErrorBody),
    ))]
pub(crate) async fn summary(
    State(state): State<AppState>,
    _: Caller,
    JsonBody(body): JsonBody<SummaryRequest>,
) -> Result<Json<DatasetSummary>, ApiError> {
    let dataset = dataset_of(body.rows, body.dataset, state.config().max_batch_rows)?;
    compute(move || Ok(analytics::summary(&dataset)?)).await
}

/// Missing, non-finite, out-of-range and duplicated data in a dataset, and a quality score.
#[utoipa::path(post, path = "/v1/analytics/quality", tag = "analytics",
    request_body = QualityRequest,
    responses(
        (status = 200, description = "The quality report", body = QualityReport),
        (status = "4XX", description = "Refused or an unusable dataset", body = ErrorBody),
    ))]
pub(crate) async fn quality(
    State(state): State<AppState>,
    _: Caller,
    JsonBody(body): JsonBody<QualityRequest>,
) -> Result<Json<QualityReport>, ApiError> {
    let dataset = dataset_of(body.rows, body.dataset, state.config().max_batch_rows)?;
    compute(move || Ok(analytics::data_quality(&dataset, &body.options)?)).await
}
