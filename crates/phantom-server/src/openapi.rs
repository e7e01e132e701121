//! The OpenAPI 3.1 document, generated from the handlers' annotations and the engine's types
//! (which derive `ToSchema` under phantom-engine's `openapi` feature).

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::ErrorBody;
use crate::handlers::{access, data, evidence, ingest, models, operations, serving, streams};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Phantom",
        description = "Security machine learning as a service: models, predictions, feature engineering and analytics, anomaly detection on live telemetry, per tenant. Every route but /healthz, /readyz, /v1/version, /openapi.json, /v1/evidence/public-key and POST /v1/auth/login needs `Authorization: Bearer <API key or token>` or `x-api-key: <API key>`. Errors are `{\"error\":{\"code\",\"message\",\"request_id\"}}`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    paths(
        models::create, models::list, models::get, models::delete, models::train, models::job,
        models::versions, models::activate, models::compare, models::validate, models::export,
        models::import, models::clone, models::archive, models::restore,
        serving::predict, serving::predict_batch, serving::explain, serving::importance,
        serving::history,
        data::features, data::features_batch, data::anomalies, data::trend, data::correlation,
        data::summary, data::quality,
        ingest::logs, ingest::metrics, ingest::traces, ingest::events,
        streams::list_streams, streams::get_stream, streams::set_stream_settings,
        streams::list_anomalies, streams::get_anomaly, streams::set_anomaly_status,
        streams::anomaly_feed, evidence::bundle, evidence::list_bundles, evidence::stored_bundle,
        evidence::public_key,
        access::list_users, access::create_user, access::delete_user, access::list_keys,
        access::create_key, access::revoke_key, access::audit, access::login,
        operations::healthz, operations::readyz, operations::version, operations::openapi,
        operations::metrics, operations::stats, operations::health,
    ),
    components(schemas(ErrorBody)),
    modifiers(&Credentials),
    security(("bearer" = []), ("api_key" = [])),
    tags(
        (name = "models", description = "The model registry: create, train, version, activate, compare, validate, export, import"),
        (name = "serving", description = "Predictions, explanations, importance and the inference history"),
        (name = "analytics", description = "Feature engineering and analytics on data sent with the request"),
        (name = "ingest", description = "Telemetry in: OTLP/HTTP logs, metrics and traces (protobuf or JSON, gzip) and JSON events"),
        (name = "streams", description = "Telemetry streams, their detectors, the anomalies found in them and the live feed"),
        (name = "access", description = "Users, API keys, the audit log and login"),
        (name = "operations", description = "Health, readiness, version, metrics and figures"),
    ),
)]
struct ApiDoc;

/// The two ways to present a credential.
struct Credentials;

impl Modify for Credentials {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API key (phk_...) or a login token from POST /v1/auth/login",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "x-api-key",
                "An API key (phk_...)",
            ))),
        );
    }
}

/// The API's OpenAPI document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
