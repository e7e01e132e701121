//! The guard in front of every route, in this order: authenticate the credential, count the
//! request against the key's rate limit, check the route's permission, run the handler, and
//! write the audit record (for every request of a route that changes something, and for
//! every denied request).

use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use phantom_engine::EngineError;
use phantom_engine::auth::{AuditEvent, AuditResult, Credential, Permission, Principal};

use crate::edge::{RequestId, RouteTag};
use crate::error::{ApiError, ErrorInfo};
use crate::routes::{Access, Audit, RouteSpec};
use crate::state::AppState;

/// API keys start with this; any other bearer credential is a login token.
const API_KEY_PREFIX: &str = "phk_";

/// The state of one route's guard.
#[derive(Clone)]
pub(crate) struct Guarded {
    pub(crate) state: AppState,
    pub(crate) spec: &'static RouteSpec,
    pub(crate) index: usize,
}

/// What a handler adds to the audit record of its request, as a response extension: a more
/// precise resource (the model created), a detail (the job started), or for the public login
/// route the tenant and user it named.
#[derive(Clone, Debug, Default)]
pub(crate) struct AuditNote {
    pub(crate) resource: Option<String>,
    pub(crate) detail: Option<String>,
    pub(crate) tenant: Option<String>,
    pub(crate) actor: Option<String>,
}

/// Where a request came from, for its audit record.
struct Origin {
    request_id: String,
    source: Option<String>,
    resource: String,
}

/// The guard itself.
pub(crate) async fn guard(State(g): State<Guarded>, mut req: Request, next: Next) -> Response {
    let origin = Origin {
        request_id: req
            .extensions()
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default(),
        source: req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string()),
        resource: resource_of(req.uri().path()),
    };
    let mut response = match g.spec.access {
        Access::Public => {
            let response = next.run(req).await;
            if g.spec.audit == Audit::Every {
                audit(&g, &origin, None, Outcome::of(&response)).await;
            }
            response
        }
        Access::Needs(permission) => {
            let admitted = admit(&g.state, req.headers(), permission).await;
            match admitted {
                Err((principal, error)) => {
                    let response = error.into_response();
                    audit(&g, &origin, principal.as_ref(), Outcome::of(&response)).await;
                    response
                }
                Ok(principal) => {
                    req.extensions_mut().insert(principal.clone());
                    let response = next.run(req).await;
                    if g.spec.audit == Audit::Every || is_denial(response.status()) {
                        audit(&g, &origin, Some(&principal), Outcome::of(&response)).await;
                    }
                    response
                }
            }
        }
    };
    response.extensions_mut().insert(RouteTag(g.index));
    response
}

/// Authenticates, rate-limits and authorizes; on refusal, the principal if it was known.
async fn admit(
    state: &AppState,
    headers: &HeaderMap,
    permission: Permission,
) -> Result<Principal, (Option<Principal>, ApiError)> {
    let credential = credential(headers).map_err(|e| (None, e))?;
    let principal = state
        .engine()
        .authenticate(credential)
        .await
        .map_err(|e| (None, e.into()))?;
    if let Err(e) = state.engine().check_rate_limit(&principal).await {
        return Err((Some(principal), e.into()));
    }
    if let Err(e) = principal.authorize(permission) {
        return Err((Some(principal), e.into()));
    }
    Ok(principal)
}

/// The credential of a request: `Authorization: Bearer <API key or token>`, else
/// `x-api-key: <API key>`.
fn credential(headers: &HeaderMap) -> Result<Credential<'_>, ApiError> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let malformed = || {
            unauthenticated(
                "the Authorization header must be `Bearer <API key or token>`".to_owned(),
            )
        };
        let value = value.to_str().map_err(|_| malformed())?.trim();
        let (scheme, secret) = value.split_once(' ').ok_or_else(malformed)?;
        let secret = secret.trim();
        if !scheme.eq_ignore_ascii_case("bearer") || secret.is_empty() {
            return Err(malformed());
        }
        return Ok(if secret.starts_with(API_KEY_PREFIX) {
            Credential::ApiKey(secret)
        } else {
            Credential::Token(secret)
        });
    }
    if let Some(value) = headers.get("x-api-key") {
        let key = value
            .to_str()
            .map(str::trim)
            .ok()
            .filter(|k| !k.is_empty())
            .ok_or_else(|| unauthenticated("the x-api-key header is empty or not text".into()))?;
        return Ok(Credential::ApiKey(key));
    }
    Err(unauthenticated(
        "no credential: send `Authorization: Bearer <API key or token>` or `x-api-key: <API key>`"
            .to_owned(),
    ))
}

fn unauthenticated(message: String) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
}

fn is_denial(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::TOO_MANY_REQUESTS
    )
}

/// The thing a request acts on: the first two segments of its path after `/v1`
/// (`models/flows` for `/v1/models/flows/activate`).
fn resource_of(path: &str) -> String {
    let path = path.strip_prefix("/v1").unwrap_or(path);
    path.trim_start_matches('/')
        .split('/')
        .take(2)
        .collect::<Vec<_>>()
        .join("/")
}

/// How a request ended, as the audit record tells it.
struct Outcome {
    result: AuditResult,
    note: AuditNote,
    detail: Option<String>,
}

impl Outcome {
    fn of(response: &Response) -> Self {
        let note = response
            .extensions()
            .get::<AuditNote>()
            .cloned()
            .unwrap_or_default();
        let status = response.status();
        let result = if is_denial(status) {
            AuditResult::Denied
        } else if status.is_success() || status.is_redirection() {
            AuditResult::Success
        } else {
            AuditResult::Failed
        };
        let detail = response
            .extensions()
            .get::<ErrorInfo>()
            .map(|e| e.message.clone())
            .or_else(|| note.detail.clone());
        Self {
            result,
            note,
            detail,
        }
    }
}

/// Appends the request's audit record. A failed write is logged and counted, not turned into
/// a failure of a request that has already been served.
async fn audit(g: &Guarded, origin: &Origin, principal: Option<&Principal>, outcome: Outcome) {
    let Outcome {
        result,
        note,
        detail,
    } = outcome;
    let event = AuditEvent {
        tenant: principal
            .map(|p| p.tenant.clone())
            .or(note.tenant)
            .unwrap_or_default(),
        actor: principal
            .map(|p| p.subject.clone())
            .or(note.actor)
            .unwrap_or_else(|| "anonymous".to_owned()),
        action: g.spec.action.to_owned(),
        resource: note.resource.unwrap_or_else(|| origin.resource.clone()),
        result,
        request_id: origin.request_id.clone(),
        at: now_ms(),
        source: origin.source.clone(),
        detail,
    };
    if let Err(e) = g.state.engine().record_audit(event).await {
        if matches!(e, EngineError::Store(_)) {
            g.state.metrics().record_storage_error();
        }
        tracing::error!(
            request_id = %origin.request_id,
            action = g.spec.action,
            error = %e,
            "could not write the audit record"
        );
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn with(name: &'static str, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn credentials_are_read_from_either_header() {
        assert_eq!(
            credential(&with("authorization", "Bearer phk_abc")).unwrap(),
            Credential::ApiKey("phk_abc")
        );
        assert_eq!(
            credential(&with("authorization", "bearer eyJ.x.y")).unwrap(),
            Credential::Token("eyJ.x.y")
        );
        assert_eq!(
            credential(&with("x-api-key", "phk_k")).unwrap(),
            Credential::ApiKey("phk_k")
        );
        for bad in ["Basic dXNlcjpwdw==", "Bearer ", "phk_abc"] {
            let e = credential(&with("authorization", bad)).unwrap_err();
            assert_eq!(e.status, StatusCode::UNAUTHORIZED, "{bad}");
        }
        let none = credential(&HeaderMap::new()).unwrap_err();
        assert!(none.message.contains("no credential"));
    }

    #[test]
    fn resources_are_the_first_two_segments() {
        assert_eq!(resource_of("/v1/models/flows/activate"), "models/flows");
        assert_eq!(resource_of("/v1/models"), "models");
        assert_eq!(resource_of("/v1/keys/k1/revoke"), "keys/k1");
        assert_eq!(resource_of("/metrics"), "metrics");
    }
}
