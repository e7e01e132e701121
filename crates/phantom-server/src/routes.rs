//! The route table: every route of the API with the permission it needs and what the audit
//! log calls it. The router is built from this table, the guard enforces it, the metrics are
//! labelled by it, and the tests walk it (route x role, tenants, OpenAPI coverage).

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, Uri};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post, put};
use phantom_engine::auth::Permission;
use tower_http::catch_panic::CatchPanicLayer;

use crate::error::ApiError;
use crate::handlers::{access, data, evidence, ingest, models, operations, serving, streams};
use crate::state::AppState;
use crate::{edge, guard, limits};

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, with no credential.
    Public,
    /// A credential whose role has this permission, within its own tenant.
    Needs(Permission),
}

/// Which requests of a route the audit log records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audit {
    /// Every request, whatever its outcome: the route changes something, logs in, or hands
    /// out a model file.
    Every,
    /// Denied requests only: the route reads or computes and changes nothing (predictions
    /// and analytics are POSTs but change nothing, and auditing each would put a durable write
    /// on the prediction path).
    Denied,
}

/// One route of the API.
pub struct RouteSpec {
    /// The HTTP method.
    pub method: Method,
    /// The path template, as in the OpenAPI document (`/v1/models/{model}`).
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
    /// Its name in the audit log, e.g. `models.activate`.
    pub action: &'static str,
    /// Which of its requests are audited.
    pub audit: Audit,
    /// Whether it takes an upload (training data, a model file), and so gets the longer
    /// `upload_timeout` rather than `request_timeout`.
    pub takes_upload: bool,
    handler: fn() -> MethodRouter<AppState>,
}

const fn route(
    method: Method,
    path: &'static str,
    access: Access,
    action: &'static str,
    audit: Audit,
    handler: fn() -> MethodRouter<AppState>,
) -> RouteSpec {
    RouteSpec {
        method,
        path,
        access,
        action,
        audit,
        takes_upload: false,
        handler,
    }
}

/// A route that takes an upload (see [`RouteSpec::takes_upload`]).
const fn upload_route(
    method: Method,
    path: &'static str,
    access: Access,
    action: &'static str,
    audit: Audit,
    handler: fn() -> MethodRouter<AppState>,
) -> RouteSpec {
    RouteSpec {
        method,
        path,
        access,
        action,
        audit,
        takes_upload: true,
        handler,
    }
}

use Access::{Needs, Public};
use Audit::{Denied, Every};
use Permission::{
    Analyze, Ingest, ManageAccess, ManageAnomalies, Predict, ReadAnomalies, ReadAudit, ReadModels,
    ReadOperations, WriteModels,
};

/// Every route of the API.
#[rustfmt::skip]
pub static ROUTES: &[RouteSpec] = &[
    // Models.
    route(Method::POST, "/v1/models", Needs(WriteModels), "models.create", Every, || post(models::create)),
    route(Method::GET, "/v1/models", Needs(ReadModels), "models.list", Denied, || get(models::list)),
    route(Method::POST, "/v1/models/compare", Needs(ReadModels), "models.compare", Denied, || post(models::compare)),
    upload_route(Method::POST, "/v1/models/import", Needs(WriteModels), "models.import", Every, || post(models::import)),
    route(Method::GET, "/v1/models/{model}", Needs(ReadModels), "models.get", Denied, || get(models::get)),
    route(Method::DELETE, "/v1/models/{model}", Needs(WriteModels), "models.delete", Every, || delete(models::delete)),
    upload_route(Method::POST, "/v1/models/{model}/train", Needs(WriteModels), "models.train", Every, || post(models::train)),
    route(Method::GET, "/v1/jobs/{job}", Needs(ReadModels), "jobs.get", Denied, || get(models::job)),
    route(Method::GET, "/v1/models/{model}/versions", Needs(ReadModels), "models.versions", Denied, || get(models::versions)),
    route(Method::POST, "/v1/models/{model}/activate", Needs(WriteModels), "models.activate", Every, || post(models::activate)),
    route(Method::POST, "/v1/models/{model}/validate", Needs(ReadModels), "models.validate", Denied, || post(models::validate)),
    route(Method::GET, "/v1/models/{model}/export", Needs(WriteModels), "models.export", Every, || get(models::export)),
    route(Method::POST, "/v1/models/{model}/clone", Needs(WriteModels), "models.clone", Every, || post(models::clone)),
    route(Method::POST, "/v1/models/{model}/archive", Needs(WriteModels), "models.archive", Every, || post(models::archive)),
    route(Method::POST, "/v1/models/{model}/restore", Needs(WriteModels), "models.restore", Every, || post(models::restore)),
    // Serving.
    route(Method::POST, "/v1/models/{model}/predict", Needs(Predict), "models.predict", Denied, || post(serving::predict)),
    route(Method::POST, "/v1/models/{model}/predict/batch", Needs(Predict), "models.predict_batch", Denied, || post(serving::predict_batch)),
    route(Method::POST, "/v1/models/{model}/explain", Needs(Predict), "models.explain", Denied, || post(serving::explain)),
    route(Method::GET, "/v1/models/{model}/history", Needs(ReadModels), "models.history", Denied, || get(serving::history)),
    route(Method::GET, "/v1/models/{model}/importance", Needs(ReadModels), "models.importance", Denied, || get(serving::importance)),
    // Features and analytics.
    route(Method::POST, "/v1/features", Needs(Analyze), "features.engineer", Denied, || post(data::features)),
    route(Method::POST, "/v1/features/batch", Needs(Analyze), "features.engineer_batch", Denied, || post(data::features_batch)),
    route(Method::POST, "/v1/analytics/anomalies", Needs(Analyze), "analytics.anomalies", Denied, || post(data::anomalies)),
    route(Method::POST, "/v1/analytics/trend", Needs(Analyze), "analytics.trend", Denied, || post(data::trend)),
    route(Method::POST, "/v1/analytics/correlation", Needs(Analyze), "analytics.correlation", Denied, || post(data::correlation)),
    route(Method::POST, "/v1/analytics/summary", Needs(Analyze), "analytics.summary", Denied, || post(data::summary)),
    route(Method::POST, "/v1/analytics/quality", Needs(Analyze), "analytics.quality", Denied, || post(data::quality)),
    // Telemetry in: OTLP/HTTP and JSON events.
    route(Method::POST, "/v1/logs", Needs(Ingest), "ingest.logs", Denied, || post(ingest::logs)),
    route(Method::POST, "/v1/metrics", Needs(Ingest), "ingest.metrics", Denied, || post(ingest::metrics)),
    route(Method::POST, "/v1/traces", Needs(Ingest), "ingest.traces", Denied, || post(ingest::traces)),
    route(Method::POST, "/v1/events", Needs(Ingest), "ingest.events", Denied, || post(ingest::events)),
    // Streams and anomalies.
    route(Method::GET, "/v1/streams", Needs(ReadAnomalies), "streams.list", Denied, || get(streams::list_streams)),
    route(Method::GET, "/v1/streams/{key}", Needs(ReadAnomalies), "streams.get", Denied, || get(streams::get_stream)),
    route(Method::PUT, "/v1/streams/{key}/settings", Needs(ManageAnomalies), "streams.settings", Every, || put(streams::set_stream_settings)),
    route(Method::GET, "/v1/anomalies", Needs(ReadAnomalies), "anomalies.list", Denied, || get(streams::list_anomalies)),
    route(Method::GET, "/v1/anomalies/stream", Needs(ReadAnomalies), "anomalies.feed", Denied, || get(streams::anomaly_feed)),
    route(Method::GET, "/v1/anomalies/{id}", Needs(ReadAnomalies), "anomalies.get", Denied, || get(streams::get_anomaly)),
    route(Method::POST, "/v1/anomalies/{id}/status", Needs(ManageAnomalies), "anomalies.status", Every, || post(streams::set_anomaly_status)),
    route(Method::GET, "/v1/evidence", Needs(ReadAnomalies), "evidence.bundle", Every, || get(evidence::bundle)),
    route(Method::GET, "/v1/evidence/bundles", Needs(ReadAnomalies), "evidence.list", Denied, || get(evidence::list_bundles)),
    route(Method::GET, "/v1/evidence/bundles/{id}", Needs(ReadAnomalies), "evidence.get", Every, || get(evidence::stored_bundle)),
    route(Method::GET, "/v1/evidence/public-key", Public, "evidence.public_key", Denied, || get(evidence::public_key)),
    // Access.
    route(Method::GET, "/v1/users", Needs(ManageAccess), "users.list", Denied, || get(access::list_users)),
    route(Method::POST, "/v1/users", Needs(ManageAccess), "users.create", Every, || post(access::create_user)),
    route(Method::DELETE, "/v1/users/{username}", Needs(ManageAccess), "users.delete", Every, || delete(access::delete_user)),
    route(Method::GET, "/v1/keys", Needs(ManageAccess), "keys.list", Denied, || get(access::list_keys)),
    route(Method::POST, "/v1/keys", Needs(ManageAccess), "keys.create", Every, || post(access::create_key)),
    route(Method::POST, "/v1/keys/{id}/revoke", Needs(ManageAccess), "keys.revoke", Every, || post(access::revoke_key)),
    route(Method::GET, "/v1/audit", Needs(ReadAudit), "audit.list", Denied, || get(access::audit)),
    route(Method::POST, "/v1/auth/login", Public, "auth.login", Every, || post(access::login)),
    // Operations.
    route(Method::GET, "/healthz", Public, "operations.live", Denied, || get(operations::healthz)),
    route(Method::GET, "/readyz", Public, "operations.ready", Denied, || get(operations::readyz)),
    route(Method::GET, "/v1/version", Public, "operations.version", Denied, || get(operations::version)),
    route(Method::GET, "/openapi.json", Public, "operations.openapi", Denied, || get(operations::openapi)),
    route(Method::GET, "/metrics", Needs(ReadOperations), "operations.metrics", Denied, || get(operations::metrics)),
    route(Method::GET, "/v1/stats", Needs(ReadOperations), "operations.stats", Denied, || get(operations::stats)),
    route(Method::GET, "/v1/health", Needs(ReadOperations), "operations.health", Denied, || get(operations::health)),
];

/// The API's router over `state`: every route of [`ROUTES`] behind its guard, with its
/// deadline inside the guard (so a timeout is audited like any answer), an error for
/// unknown paths, the cap on requests in flight, and the request-id layer outermost.
pub fn router(state: AppState) -> Router {
    let mut router: Router<AppState> = Router::new();
    let config = state.config();
    for (index, spec) in ROUTES.iter().enumerate() {
        let guarded = guard::Guarded {
            state: state.clone(),
            spec,
            index,
        };
        let deadline = if spec.takes_upload {
            limits::Deadline {
                limit: config.upload_timeout,
                setting: "upload_timeout",
            }
        } else {
            limits::Deadline {
                limit: config.request_timeout,
                setting: "request_timeout",
            }
        };
        router = router.route(
            spec.path,
            (spec.handler)()
                .route_layer(from_fn_with_state(deadline, limits::deadline))
                .route_layer(from_fn_with_state(guarded, guard::guard)),
        );
    }
    router
        .fallback(unknown_route)
        .layer(DefaultBodyLimit::disable())
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(from_fn_with_state(state.clone(), limits::admit))
        .layer(from_fn_with_state(state.clone(), edge::edge))
        .with_state(state)
}

async fn unknown_route(uri: Uri) -> ApiError {
    ApiError::not_found(format!(
        "no route {}; /openapi.json lists every route",
        uri.path()
    ))
}

fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic with no message");
    ApiError::internal(format!("handler panicked: {message}")).into_response()
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use super::*;
    use crate::error::ErrorInfo;

    #[test]
    fn a_panic_is_an_internal_error_with_its_message_logged_not_shown() {
        let response = panic_response(Box::new("index out of bounds".to_owned()));
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let info = response.extensions().get::<ErrorInfo>().unwrap();
        assert_eq!(info.code, "internal");
        assert!(!info.message.contains("index"));
        assert!(
            info.logged
                .as_deref()
                .unwrap()
                .contains("index out of bounds")
        );
    }

    #[test]
    fn every_route_is_unique_and_every_change_is_audited() {
        let mut seen = std::collections::HashSet::new();
        for route in ROUTES {
            assert!(
                seen.insert((route.method.clone(), route.path)),
                "{} {}",
                route.method,
                route.path
            );
            // Predictions, analytics and telemetry are POSTs that change no configuration;
            // their volume is counted in the metrics, not audited one by one.
            let changes = route.method == Method::DELETE
                || (route.method == Method::POST
                    && !matches!(
                        route.access,
                        Access::Needs(
                            Permission::Predict
                                | Permission::Analyze
                                | Permission::ReadModels
                                | Permission::Ingest
                        )
                    ));
            if changes {
                assert_eq!(route.audit, Audit::Every, "{} {}", route.method, route.path);
            }
        }
    }
}
