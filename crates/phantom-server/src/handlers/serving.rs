//! Serving: predictions, batch predictions, explanations, feature importance and the
//! inference history.

use axum::Json;
use axum::extract::{FromRequest, Path, Request, State};
use phantom_engine::{
    BatchPrediction, FeatureImportance, InferenceRecord, Prediction, PredictionExplanation,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ErrorBody};
use crate::extract::{Caller, JsonBody, QueryParams, check_declared_length, media_type, read_body};
use crate::feature_rows::FeatureRows;
use crate::state::AppState;

/// The media type of a binary batch: rows of little-endian f32 values.
const BINARY_ROWS: &str = "application/octet-stream";

/// Inference records returned by a history query when no limit is given.
const DEFAULT_HISTORY_LIMIT: u32 = 100;

/// One feature row.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PredictRequest {
    /// The feature values, in the model's feature order.
    features: Vec<f64>,
}

/// Many feature rows.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BatchRequest {
    /// The rows (at most `max_batch_rows`), each with the model's features in order.
    #[schema(value_type = Vec<Vec<f64>>)]
    rows: FeatureRows,
}

/// How to read a binary batch.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct BatchParams {
    /// Features per row of an `application/octet-stream` body (the model's feature count);
    /// not used with JSON.
    columns: Option<usize>,
}

/// Which logged predictions to return, newest first.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct HistoryParams {
    /// Earliest time, ms since the Unix epoch, inclusive (default 0).
    from: Option<i64>,
    /// Latest time, ms since the Unix epoch, exclusive (default: no limit).
    to: Option<i64>,
    /// At most this many (1 to 10,000; default 100).
    limit: Option<u32>,
}

/// Predicts one row with the model's active version.
#[utoipa::path(post, path = "/v1/models/{model}/predict", tag = "serving",
    params(("model" = String, Path, description = "Model id or name")),
    request_body = PredictRequest,
    responses(
        (status = 200, description = "The prediction", body = Prediction),
        (status = "4XX", description = "Refused, not found, or a bad row", body = ErrorBody),
    ))]
pub(crate) async fn predict(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(model): Path<String>,
    JsonBody(body): JsonBody<PredictRequest>,
) -> Result<Json<Prediction>, ApiError> {
    let prediction = state
        .engine()
        .predict(&p.tenant, &model, &body.features)
        .await?;
    state
        .metrics()
        .record_predictions(&p.tenant, &prediction.model_id, 1);
    Ok(Json(prediction))
}

/// Predicts many rows with the model's active version, in parallel. The rows come as JSON
/// (`{"rows": [[...], ...]}`) or, for bulk scoring, as `application/octet-stream`: rows of
/// `columns` little-endian f32 values back to back, which skips parsing numbers from text.
#[utoipa::path(post, path = "/v1/models/{model}/predict/batch", tag = "serving",
    params(("model" = String, Path, description = "Model id or name"), BatchParams),
    request_body(content(
        (BatchRequest = "application/json"),
        (Vec<u8> = "application/octet-stream"),
    )),
    responses(
        (status = 200, description = "One result per row", body = BatchPrediction),
        (status = "4XX", description = "Refused, not found, a bad row, or too many rows", body = ErrorBody),
    ))]
pub(crate) async fn predict_batch(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(model): Path<String>,
    QueryParams(params): QueryParams<BatchParams>,
    req: Request,
) -> Result<Json<BatchPrediction>, ApiError> {
    let rows = if media_type(req.headers()) == BINARY_ROWS {
        let columns = params.columns.ok_or_else(|| {
            ApiError::invalid(format!(
                "a {BINARY_ROWS} batch needs ?columns=N, the number of f32 features per row"
            ))
        })?;
        let limit = state.config().max_body_bytes as u64;
        check_declared_length(req.headers(), limit, "the request body", "max_body_bytes")?;
        let bytes = read_body(req.into_body(), limit, "the request body", "max_body_bytes").await?;
        FeatureRows::from_le_bytes(&bytes, columns)
            .map_err(|e| ApiError::invalid(format!("invalid binary rows: {e}")))?
    } else {
        if params.columns.is_some() {
            return Err(ApiError::invalid(format!(
                "columns is for {BINARY_ROWS} bodies; JSON rows carry their own length"
            )));
        }
        let JsonBody(body) = JsonBody::<BatchRequest>::from_request(req, &state).await?;
        body.rows
    };
    check_batch(rows.n_rows(), state.config().max_batch_rows)?;
    let x = rows.into_matrix().map_err(ApiError::invalid)?;
    let batch = state.engine().predict_matrix(&p.tenant, &model, x).await?;
    state
        .metrics()
        .record_predictions(&p.tenant, &batch.model_id, batch.total_predictions as u64);
    Ok(Json(batch))
}

/// Refuses a batch of more than `limit` rows.
pub(crate) fn check_batch(rows: usize, limit: usize) -> Result<(), ApiError> {
    if rows > limit {
        let mut e = ApiError::too_large(
            &format!("the batch of {rows} rows"),
            limit as u64,
            "rows",
            "max_batch_rows",
        );
        e.message.push_str("; split it");
        return Err(e);
    }
    Ok(())
}

/// Explains one prediction: exact TreeSHAP contributions for tree models, weight × scaled value
/// for linear and logistic regression.
#[utoipa::path(post, path = "/v1/models/{model}/explain", tag = "serving",
    params(("model" = String, Path, description = "Model id or name")),
    request_body = PredictRequest,
    responses(
        (status = 200, description = "The explanation", body = PredictionExplanation),
        (status = "4XX", description = "Refused, not found, a bad row, or a model with no per-row explanation", body = ErrorBody),
    ))]
pub(crate) async fn explain(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(model): Path<String>,
    JsonBody(body): JsonBody<PredictRequest>,
) -> Result<Json<PredictionExplanation>, ApiError> {
    Ok(Json(
        state
            .engine()
            .explain(&p.tenant, &model, &body.features)
            .await?,
    ))
}

/// The global feature importance of the model's active version.
#[utoipa::path(get, path = "/v1/models/{model}/importance", tag = "serving",
    params(("model" = String, Path, description = "Model id or name")),
    responses(
        (status = 200, description = "Features, most important first", body = FeatureImportance),
        (status = "4XX", description = "Refused or not found", body = ErrorBody),
    ))]
pub(crate) async fn importance(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(model): Path<String>,
) -> Result<Json<FeatureImportance>, ApiError> {
    Ok(Json(
        state.engine().feature_importance(&p.tenant, &model).await?,
    ))
}

/// Logged predictions of a model, newest first.
#[utoipa::path(get, path = "/v1/models/{model}/history", tag = "serving",
    params(("model" = String, Path, description = "Model id or name"), HistoryParams),
    responses(
        (status = 200, description = "The logged predictions", body = Vec<InferenceRecord>),
        (status = "4XX", description = "Refused, not found, or a bad range", body = ErrorBody),
    ))]
pub(crate) async fn history(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(model): Path<String>,
    QueryParams(params): QueryParams<HistoryParams>,
) -> Result<Json<Vec<InferenceRecord>>, ApiError> {
    Ok(Json(
        state
            .engine()
            .inference_history(
                &p.tenant,
                &model,
                params.from.unwrap_or(0),
                params.to.unwrap_or(i64::MAX),
                params.limit.unwrap_or(DEFAULT_HISTORY_LIMIT),
            )
            .await?,
    ))
}
