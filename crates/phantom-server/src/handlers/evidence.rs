//! Evidence: signed bundles of anomalies (JSON, or the same bundle as a PDF report), the
//! bundles handed out so far (each kept byte for byte), and the public key that checks them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use phantom_engine::EngineError;
use phantom_engine::streams::{
    EvidenceListQuery, EvidencePage, EvidencePublicKey, EvidenceQuery, SignedEvidence,
};
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

/// In what form to return a stored bundle.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct FormatParams {
    /// `json` (default): the signed JSON exactly as it was handed out; or `pdf`: its report.
    format: Option<String>,
}

/// A signed evidence bundle of the tenant's anomalies: their explanations, the detectors and
/// settings that found them, the hashes of their data, and an Ed25519 signature over the
/// canonical JSON (RFC 8785). The bundle names itself (`bundle_id`, covered by the signature)
/// and is stored before it is returned: `Content-Location` says where to fetch it again.
/// `?format=pdf` renders the same bundle as a report.
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
    let pdf = wants_pdf(params.format.as_deref())?;
    let query = EvidenceQuery {
        from: params.from,
        to: params.to,
        stream: params.stream,
    };
    let evidence = state.engine().evidence(&p.tenant, &query).await?;
    signed_response(evidence, pdf).await
}

/// The bundles handed out so far, newest first, without their content (pass `next` as
/// `before` for the next page). Every bundle is kept, byte for byte, until it is deleted from
/// the database.
#[utoipa::path(get, path = "/v1/evidence/bundles", tag = "streams",
    params(EvidenceListQuery),
    responses(
        (status = 200, description = "A page of stored bundles", body = EvidencePage),
        (status = "4XX", description = "Refused or a bad limit", body = ErrorBody),
    ))]
pub(crate) async fn list_bundles(
    State(state): State<AppState>,
    Caller(p): Caller,
    QueryParams(query): QueryParams<EvidenceListQuery>,
) -> Result<Json<EvidencePage>, ApiError> {
    Ok(Json(state.engine().list_evidence(&p.tenant, &query).await?))
}

/// A stored bundle: the signed JSON exactly as it was handed out, whatever has happened to
/// its anomalies since; `?format=pdf` renders its report.
#[utoipa::path(get, path = "/v1/evidence/bundles/{id}", tag = "streams",
    params(("id" = String, Path, description = "The bundle's id (`ev_...`)"), FormatParams),
    responses(
        (status = 200, description = "The signed bundle (application/json) or its report (application/pdf)"),
        (status = "4XX", description = "Refused or no such bundle", body = ErrorBody),
    ))]
pub(crate) async fn stored_bundle(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    QueryParams(params): QueryParams<FormatParams>,
) -> Result<Response, ApiError> {
    let pdf = wants_pdf(params.format.as_deref())?;
    let evidence = state.engine().stored_evidence(&p.tenant, &id).await?;
    signed_response(evidence, pdf).await
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

/// Whether `format` asks for the PDF report.
fn wants_pdf(format: Option<&str>) -> Result<bool, ApiError> {
    match format {
        None | Some("json") => Ok(false),
        Some("pdf") => Ok(true),
        Some(other) => Err(ApiError::invalid(format!(
            "unknown format '{other}': use json or pdf"
        ))),
    }
}

/// The bundle's stored bytes as `application/json`, or its report as `application/pdf`, with
/// `Content-Location` naming where it is kept and an audit note naming it.
async fn signed_response(evidence: SignedEvidence, pdf: bool) -> Result<Response, ApiError> {
    let mut note = on(format!("evidence/{}", evidence.info.id));
    note.detail = Some(format!("{} anomalies", evidence.info.anomaly_count));
    let location = format!("/v1/evidence/bundles/{}", evidence.info.id);
    let mut response = if pdf {
        let bundle = evidence.bundle()?;
        let bytes = tokio::task::spawn_blocking(move || phantom_evidence::render_pdf(&bundle))
            .await
            .map_err(|e| ApiError::from(EngineError::Internal(e.to_string())))?
            .map_err(|e| {
                ApiError::from(EngineError::Internal(format!("rendering the report: {e}")))
            })?;
        let mut response = (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            )],
            bytes,
        )
            .into_response();
        insert_header(
            &mut response,
            header::CONTENT_DISPOSITION,
            &format!(
                "attachment; filename=\"phantom-evidence-{}.pdf\"",
                evidence.info.id
            ),
        );
        insert_header(
            &mut response,
            header::CONTENT_LOCATION,
            &format!("{location}?format=pdf"),
        );
        response
    } else {
        let mut response = (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            evidence.json,
        )
            .into_response();
        insert_header(&mut response, header::CONTENT_LOCATION, &location);
        response
    };
    response.extensions_mut().insert(note);
    Ok(response)
}

/// Sets a header whose value the engine made (an id of hex digits, always a valid value).
fn insert_header(response: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}
