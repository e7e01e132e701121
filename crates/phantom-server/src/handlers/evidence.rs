//! Evidence: signed bundles of anomalies (JSON, or the same bundle as a PDF report) and the
//! public key that checks them.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use phantom_engine::streams::{EvidencePublicKey, EvidenceQuery};
use serde::Deserialize;
use utoipa::IntoParams;

use super::on;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Caller, QueryParams};
use crate::state::AppState;

/// Which anomalies, and in what form.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct EvidenceParams {
    /// Found at or after this time (ms since the Unix epoch).
    from: Option<i64>,
    /// Found before this time (ms since the Unix epoch; default: now).
    to: Option<i64>,
    /// Only this stream (its key).
    stream: Option<String>,
    /// `json` (default) or `pdf`.
    format: Option<String>,
}

/// A signed evidence bundle of the tenant's anomalies: their explanations, the detectors and
/// settings that found them, the hashes of their data, and an Ed25519 signature over the
/// canonical JSON (RFC 8785). `?format=pdf` renders the same bundle as a report.
#[utoipa::path(get, path = "/v1/evidence", tag = "streams",
    params(EvidenceParams),
    responses(
        (status = 200, description = "The signed bundle (application/json) or its report (application/pdf)"),
        (status = "4XX", description = "Refused, a bad range, or too many anomalies", body = ErrorBody),
    ))]
pub(crate) async fn bundle(
    State(state): State<AppState>,
    Caller(p): Caller,
    QueryParams(params): QueryParams<EvidenceParams>,
) -> Result<Response, ApiError> {
    let pdf = match params.format.as_deref() {
        None | Some("json") => false,
        Some("pdf") => true,
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "unknown format '{other}': use json or pdf"
            )));
        }
    };
    let query = EvidenceQuery {
        from: params.from,
        to: params.to,
        stream: params.stream,
    };
    let bundle = state.engine().evidence(&p.tenant, &query).await?;
    let count = bundle["anomalies"].as_array().map_or(0, Vec::len);
    let mut note = on("evidence".into());
    note.detail = Some(format!("{count} anomalies"));
    let mut response = if pdf {
        let bytes = tokio::task::spawn_blocking(move || phantom_evidence::render_pdf(&bundle))
            .await
            .map_err(|e| ApiError::from(phantom_engine::EngineError::Internal(e.to_string())))?
            .map_err(|e| {
                ApiError::from(phantom_engine::EngineError::Internal(format!(
                    "rendering the report: {e}"
                )))
            })?;
        (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/pdf"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"phantom-evidence.pdf\"",
                ),
            ],
            bytes,
        )
            .into_response()
    } else {
        (StatusCode::OK, Json(bundle)).into_response()
    };
    response.extensions_mut().insert(note);
    Ok(response)
}

/// The public key that checks this deployment's evidence bundles
/// (`phantom evidence verify BUNDLE --public-key KEY`).
#[utoipa::path(get, path = "/v1/evidence/public-key", tag = "streams",
    security(()),
    responses(
        (status = 200, description = "The Ed25519 public key", body = EvidencePublicKey),
    ))]
pub(crate) async fn public_key(
    State(state): State<AppState>,
) -> Result<Json<EvidencePublicKey>, ApiError> {
    Ok(Json(state.engine().evidence_public_key().await?))
}
