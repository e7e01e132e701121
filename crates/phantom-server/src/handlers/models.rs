//! The model registry: create, list, get, delete, train (JSON rows, a CSV body or a CSV
//! upload), job status, versions, activate, compare, validate, export, import, clone, archive
//! and restore.

use axum::Json;
use axum::body::Body;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use phantom_engine::{
    CompareTarget, Comparison, DataSource, JobStatus, Label, ModelConfig, ModelInfo,
    ValidationReport, VersionInfo,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{located, on, respond};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{
    Caller, JsonBody, OptionalJson, QueryParams, check_declared_length, media_type, read_body,
};
use crate::guard::AuditNote;
use crate::state::AppState;
use crate::upload;

/// Training or evaluation rows given inline.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Rows {
    /// Feature rows, all of the same length.
    pub(crate) features: Vec<Vec<f64>>,
    /// One label per row (required for classification and regression).
    #[serde(default)]
    pub(crate) labels: Option<Vec<Label>>,
}

impl From<Rows> for DataSource {
    fn from(rows: Rows) -> Self {
        DataSource::Rows {
            features: rows.features,
            labels: rows.labels,
        }
    }
}

/// Query parameters of a training request.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct TrainParams {
    /// The label column of an uploaded CSV (default: the model's `label` setting).
    label: Option<String>,
}

/// `{"version": N}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActivateRequest {
    /// The version that serves from now on.
    version: u32,
}

/// Models or versions to compare, and optional data to evaluate each on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CompareRequest {
    /// 1 to 20 models (at their active version, or at `version`).
    targets: Vec<CompareTarget>,
    /// Labelled rows to evaluate every target on.
    #[serde(default)]
    data: Option<Rows>,
}

/// Which version to validate (default: the active one).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ValidateRequest {
    /// The version (default: the active one).
    #[serde(default)]
    version: Option<u32>,
}

/// The name of a copy (default `<name>-copy`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CloneRequest {
    /// Name of the copy.
    #[serde(default)]
    name: Option<String>,
}

/// Query parameters of an export.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ExportParams {
    /// The version to export (default: the active one).
    version: Option<u32>,
}

/// Query parameters of an import.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ImportParams {
    /// Name of the new model (default: the exported name, or `<algorithm>-import`).
    name: Option<String>,
}

/// A CSV file sent as `multipart/form-data`.
#[derive(ToSchema)]
#[allow(
    dead_code,
    reason = "only its schema is used: uploads are streamed, never decoded into it"
)]
pub(crate) struct CsvUpload {
    /// The CSV file: a header row, numeric feature columns and the label column.
    file: FileBytes,
}

/// Bytes of a file.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(
    dead_code,
    reason = "only its schema is used: files are streamed or passed on as bytes"
)]
pub(crate) struct FileBytes(Vec<u8>);

/// Creates a model from its configuration; it has no version until trained or imported.
#[utoipa::path(post, path = "/v1/models", tag = "models",
    request_body = ModelConfig,
    responses(
        (status = 201, description = "The model", body = ModelInfo),
        (status = "4XX", description = "Refused", body = ErrorBody),
    ))]
pub(crate) async fn create(
    State(state): State<AppState>,
    Caller(p): Caller,
    JsonBody(config): JsonBody<ModelConfig>,
) -> Result<Response, ApiError> {
    let info = state.engine().create_model(&p.tenant, config).await?;
    Ok(located(
        StatusCode::CREATED,
        &format!("/v1/models/{}", info.id),
        &info,
        on(format!("models/{}", info.name)),
    ))
}

/// Every model of the caller's tenant, oldest first.
#[utoipa::path(get, path = "/v1/models", tag = "models",
    responses(
        (status = 200, description = "The models", body = Vec<ModelInfo>),
        (status = "4XX", description = "Refused", body = ErrorBody),
    ))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<Vec<ModelInfo>>, ApiError> {
    Ok(Json(state.engine().list_models(&p.tenant).await?))
}

/// One model, by id or name, with its active version's details.
#[utoipa::path(get, path = "/v1/models/{model}", tag = "models",
    params(("model" = String, Path, description = "Model id or name")),
    responses(
        (status = 200, description = "The model", body = ModelInfo),
        (status = "4XX", description = "Refused or not found", body = ErrorBody),
    ))]
pub(crate) async fn get(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(model): Path<String>,
) -> Result<Json<ModelInfo>, ApiError> {
    Ok(Json(state.engine().get_model(&p.tenant, &model).await?))
}

/// Deletes a model with every version and its inference log.
#[utoipa::path(delete, path = "/v1/models/{model}", tag = "models",
    params(("model" = String, Path, description = "Model id or name")),
    responses(
        (status = 204, description = "Deleted"),
        (status = "4XX", description = "Refused or not found", body = ErrorBody),
    ))]
pub(crate) async fn delete(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(model): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.engine().delete_model(&p.tenant, &model).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Starts training a model. The data is read and checked before the answer (bad data is a
/// 400 here, not a failed job); the fit runs in the background: follow it at
/// `/v1/jobs/{job}`. Send JSON rows, a `text/csv` body, or a `multipart/form-data` upload with
/// the CSV in the part `file`; `?label=` names a CSV's label column.
#[utoipa::path(post, path = "/v1/models/{model}/train", tag = "models",
    params(("model" = String, Path, description = "Model id or name"), TrainParams),
    request_body(content(
        (Rows = "application/json"),
        (String = "text/csv"),
        (CsvUpload = "multipart/form-data"),
    )),
    responses(
        (status = 202, description = "The job, queued or running", body = JobStatus),
        (status = "4XX", description = "Refused, not found, or bad data", body = ErrorBody),
    ))]
pub(crate) async fn train(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(model): Path<String>,
    QueryParams(params): QueryParams<TrainParams>,
    req: Request,
) -> Result<Response, ApiError> {
    let media = media_type(req.headers());
    let limit = state.config().max_upload_bytes;
    let (data, spooled) = match media.as_str() {
        m if m.is_empty() || m == "application/json" || m.ends_with("+json") => {
            if params.label.is_some() {
                return Err(ApiError::invalid(
                    "the label query parameter names a CSV column; JSON rows carry their labels in `labels`",
                ));
            }
            let JsonBody(rows) = JsonBody::<Rows>::from_request(req, &state).await?;
            (DataSource::from(rows), None)
        }
        "text/csv" => {
            check_declared_length(req.headers(), limit, "the upload", "max_upload_bytes")?;
            let file = upload::body_to_file(req.into_body(), limit).await?;
            let path = file.path().to_owned();
            (
                DataSource::Csv {
                    path,
                    label: params.label,
                },
                Some(file),
            )
        }
        "multipart/form-data" => {
            check_declared_length(req.headers(), limit, "the upload", "max_upload_bytes")?;
            let file = upload::multipart_to_file(req, &state, limit).await?;
            let path = file.path().to_owned();
            (
                DataSource::Csv {
                    path,
                    label: params.label,
                },
                Some(file),
            )
        }
        other => {
            return Err(ApiError::unsupported_media_type(
                other,
                "application/json, text/csv or multipart/form-data",
            ));
        }
    };
    let job = state.engine().train(&p.tenant, &model, data).await?;
    // The engine has read the data by now; the temporary file can go.
    drop(spooled);
    state.metrics().record_training_started();
    let status = job.status();
    let note = AuditNote {
        resource: Some(format!("models/{model}")),
        detail: Some(format!("job {}", status.job_id)),
        ..AuditNote::default()
    };
    Ok(located(
        StatusCode::ACCEPTED,
        &format!("/v1/jobs/{}", status.job_id),
        &status,
        note,
    ))
}

/// A training job's state and progress, from any replica sharing the store (progress read
/// from another replica lags by up to a second).
#[utoipa::path(get, path = "/v1/jobs/{job}", tag = "models",
    params(("job" = String, Path, description = "Job id")),
    responses(
        (status = 200, description = "The job", body = JobStatus),
        (status = "4XX", description = "Refused or not found", body = ErrorBody),
    ))]
pub(crate) async fn job(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(job): Path<String>,
) -> Result<Json<JobStatus>, ApiError> {
    Ok(Json(state.engine().job_status(&p.tenant, &job).await?))
}

/// Every version of a model, oldest first.
#[utoipa::path(get, path = "/v1/models/{model}/versions", tag = "models",
    params(("model" = String, Path, description = "Model id or name")),
    responses(
        (status = 200, description = "The versions", body = Vec<VersionInfo>),
        (status = "4XX", description = "Refused or not found", body = ErrorBody),
    ))]
pub(crate) async fn versions(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(model): Path<String>,
) -> Result<Json<Vec<VersionInfo>>, ApiError> {
    Ok(Json(state.engine().list_versions(&p.tenant, &model).await?))
}

/// Makes a version the one that serves (a rollback or a roll-forward).
#[utoipa::path(post, path = "/v1/models/{model}/activate", tag = "models",
    params(("model" = String, Path, description = "Model id or name")),
    request_body = ActivateRequest,
    responses(
        (status = 200, description = "The model, serving the version", body = ModelInfo),
        (status = "4XX", description = "Refused or not found", body = ErrorBody),
    ))]
pub(crate) async fn activate(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(model): Path<String>,
    JsonBody(body): JsonBody<ActivateRequest>,
) -> Result<Response, ApiError> {
    let info = state
        .engine()
        .activate(&p.tenant, &model, body.version)
        .await?;
    let note = AuditNote {
        resource: Some(format!("models/{}", info.name)),
        detail: Some(format!("version {}", body.version)),
        ..AuditNote::default()
    };
    Ok(respond(StatusCode::OK, &info, note))
}

/// Compares models or versions on their stored metrics and, given rows, on a fresh
/// evaluation of each.
#[utoipa::path(post, path = "/v1/models/compare", tag = "models",
    request_body = CompareRequest,
    responses(
        (status = 200, description = "The comparison", body = Comparison),
        (status = "4XX", description = "Refused, not found, or bad data", body = ErrorBody),
    ))]
pub(crate) async fn compare(
    State(state): State<AppState>,
    Caller(p): Caller,
    JsonBody(body): JsonBody<CompareRequest>,
) -> Result<Json<Comparison>, ApiError> {
    let data = body.data.map(DataSource::from);
    Ok(Json(
        state
            .engine()
            .compare(&p.tenant, &body.targets, data)
            .await?,
    ))
}

/// Checks a version: checksum, loading, metadata and predictions on probe rows.
#[utoipa::path(post, path = "/v1/models/{model}/validate", tag = "models",
    params(("model" = String, Path, description = "Model id or name")),
    request_body(content = ValidateRequest, description = "Optional; an empty body validates the active version"),
    responses(
        (status = 200, description = "The report", body = ValidationReport),
        (status = "4XX", description = "Refused or not found", body = ErrorBody),
    ))]
pub(crate) async fn validate(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(model): Path<String>,
    OptionalJson(body): OptionalJson<ValidateRequest>,
) -> Result<Json<ValidationReport>, ApiError> {
    Ok(Json(
        state
            .engine()
            .validate(&p.tenant, &model, body.version)
            .await?,
    ))
}

/// A version as a portable export file (see docs/ENGINE.md for the format).
#[utoipa::path(get, path = "/v1/models/{model}/export", tag = "models",
    params(("model" = String, Path, description = "Model id or name"), ExportParams),
    responses(
        (status = 200, description = "The export file", content_type = "application/octet-stream", body = FileBytes),
        (status = "4XX", description = "Refused or not found", body = ErrorBody),
    ))]
pub(crate) async fn export(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(model): Path<String>,
    QueryParams(params): QueryParams<ExportParams>,
) -> Result<Response, ApiError> {
    let bytes = state
        .engine()
        .export_model(&p.tenant, &model, params.version)
        .await?;
    let file_name: String = model
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut response = Body::from(bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}.phx\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response.extensions_mut().insert(AuditNote {
        detail: params.version.map(|v| format!("version {v}")),
        ..AuditNote::default()
    });
    Ok(response)
}

/// Imports an export file, or a model file written by `phantom train`, as a new model.
#[utoipa::path(post, path = "/v1/models/import", tag = "models",
    params(ImportParams),
    request_body(content = FileBytes, content_type = "application/octet-stream", description = "An export file or a model file from `phantom train`"),
    responses(
        (status = 201, description = "The new model", body = ModelInfo),
        (status = "4XX", description = "Refused or not a model file", body = ErrorBody),
    ))]
pub(crate) async fn import(
    State(state): State<AppState>,
    Caller(p): Caller,
    QueryParams(params): QueryParams<ImportParams>,
    req: Request,
) -> Result<Response, ApiError> {
    let media = media_type(req.headers());
    if !(media.is_empty() || media == "application/octet-stream") {
        return Err(ApiError::unsupported_media_type(
            &media,
            "application/octet-stream",
        ));
    }
    let limit = state.config().max_upload_bytes;
    check_declared_length(req.headers(), limit, "the model file", "max_upload_bytes")?;
    let bytes = read_body(req.into_body(), limit, "the model file", "max_upload_bytes").await?;
    let info = state
        .engine()
        .import_model(&p.tenant, &bytes, params.name)
        .await?;
    Ok(located(
        StatusCode::CREATED,
        &format!("/v1/models/{}", info.id),
        &info,
        on(format!("models/{}", info.name)),
    ))
}

/// Copies a model with every version under a new name.
#[utoipa::path(post, path = "/v1/models/{model}/clone", tag = "models",
    params(("model" = String, Path, description = "Model id or name")),
    request_body(content = CloneRequest, description = "Optional; an empty body names the copy `<name>-copy`"),
    responses(
        (status = 201, description = "The copy", body = ModelInfo),
        (status = "4XX", description = "Refused, not found, or name taken", body = ErrorBody),
    ))]
pub(crate) async fn clone(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(model): Path<String>,
    OptionalJson(body): OptionalJson<CloneRequest>,
) -> Result<Response, ApiError> {
    let info = state
        .engine()
        .clone_model(&p.tenant, &model, body.name)
        .await?;
    let note = AuditNote {
        resource: Some(format!("models/{model}")),
        detail: Some(format!("copy {} ({})", info.name, info.id)),
        ..AuditNote::default()
    };
    Ok(located(
        StatusCode::CREATED,
        &format!("/v1/models/{}", info.id),
        &info,
        note,
    ))
}

/// Archives a model: it keeps every version but serves nothing until restored.
#[utoipa::path(post, path = "/v1/models/{model}/archive", tag = "models",
    params(("model" = String, Path, description = "Model id or name")),
    responses(
        (status = 200, description = "The model", body = ModelInfo),
        (status = "4XX", description = "Refused or not found", body = ErrorBody),
    ))]
pub(crate) async fn archive(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(model): Path<String>,
) -> Result<Json<ModelInfo>, ApiError> {
    Ok(Json(state.engine().archive(&p.tenant, &model).await?))
}

/// Restores an archived model; it serves its active version again.
#[utoipa::path(post, path = "/v1/models/{model}/restore", tag = "models",
    params(("model" = String, Path, description = "Model id or name")),
    responses(
        (status = 200, description = "The model", body = ModelInfo),
        (status = "4XX", description = "Refused or not found", body = ErrorBody),
    ))]
pub(crate) async fn restore(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(model): Path<String>,
) -> Result<Json<ModelInfo>, ApiError> {
    Ok(Json(state.engine().restore(&p.tenant, &model).await?))
}
