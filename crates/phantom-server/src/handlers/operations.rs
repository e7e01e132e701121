//! Operations: liveness, readiness, version, the OpenAPI document, Prometheus metrics,
//! performance figures and system health.

use std::collections::HashSet;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use phantom_engine::SystemHealth;
use phantom_engine::stats::PerformanceStats;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::extract::Caller;
use crate::state::AppState;

/// The answer of `/healthz` and `/readyz`.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Probe {
    /// `ok` (live) or `ready`.
    status: &'static str,
}

/// What is serving.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ServerVersion {
    /// Always `phantom`.
    name: &'static str,
    /// Phantom's version.
    version: &'static str,
    /// The API version in the paths.
    api: &'static str,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations", security(()),
    responses((status = 200, description = "Alive", body = Probe)))]
pub(crate) async fn healthz() -> Json<Probe> {
    Json(Probe { status: "ok" })
}

/// Readiness: the store answers (its migrations ran when the server started).
#[utoipa::path(get, path = "/readyz", tag = "operations", security(()),
    responses(
        (status = 200, description = "Ready", body = Probe),
        (status = 503, description = "The store does not answer", body = ErrorBody),
    ))]
pub(crate) async fn readyz(State(state): State<AppState>) -> Result<Json<Probe>, ApiError> {
    let health = state.engine().system_health().await;
    if health.storage.reachable {
        return Ok(Json(Probe { status: "ready" }));
    }
    let mut e = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        format!("the {} store does not answer", health.storage.backend),
    );
    e.logged = health.storage.error;
    e.storage = true;
    Err(e)
}

/// The server's version.
#[utoipa::path(get, path = "/v1/version", tag = "operations", security(()),
    responses((status = 200, description = "The version", body = ServerVersion)))]
pub(crate) async fn version() -> Json<ServerVersion> {
    Json(ServerVersion {
        name: "phantom",
        version: env!("CARGO_PKG_VERSION"),
        api: "v1",
    })
}

/// This API's OpenAPI 3.1 document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations", security(()),
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
pub(crate) async fn openapi() -> Response {
    match crate::openapi::document().to_json() {
        Ok(json) => {
            let mut response = json.into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(e) => ApiError::internal(format!("encoding the OpenAPI document: {e}")).into_response(),
    }
}

/// Prometheus metrics in the text format. Needs a credential with `read_operations`;
/// per-model series are the caller's tenant's only.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses(
        (status = 200, description = "The metrics", content_type = "text/plain; version=0.0.4", body = String),
        (status = "4XX", description = "Refused", body = ErrorBody),
    ))]
pub(crate) async fn metrics(State(state): State<AppState>, Caller(p): Caller) -> Response {
    let text = state
        .metrics()
        .render(&p.tenant, &state.engine().performance_stats());
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// Prediction, training, cache and inference-log figures since the server started. Totals
/// are the server's; the per-model list holds the caller's tenant's models only.
#[utoipa::path(get, path = "/v1/stats", tag = "operations",
    responses(
        (status = 200, description = "The figures", body = PerformanceStats),
        (status = "4XX", description = "Refused", body = ErrorBody),
    ))]
pub(crate) async fn stats(
    State(state): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<PerformanceStats>, ApiError> {
    let mut stats = state.engine().performance_stats();
    let own: HashSet<String> = state
        .engine()
        .list_models(&p.tenant)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    stats.models.retain(|m| own.contains(&m.model_id));
    Ok(Json(stats))
}

/// The store's and Redis's reachability, and the process's memory, CPU and threads.
#[utoipa::path(get, path = "/v1/health", tag = "operations",
    responses(
        (status = 200, description = "The health", body = SystemHealth),
        (status = "4XX", description = "Refused", body = ErrorBody),
    ))]
pub(crate) async fn health(State(state): State<AppState>, _: Caller) -> Json<SystemHealth> {
    Json(state.engine().system_health().await)
}
