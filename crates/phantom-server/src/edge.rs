//! The outermost layer: gives every request an id, writes the JSON body of every error
//! response (with that id), logs server errors, counts every response in the metrics, and
//! puts `x-request-id` on every response.

use std::time::Instant;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::{ErrorBody, ErrorDetail, ErrorInfo};
use crate::state::AppState;

/// The request-id header, read from the client when sane and always set on the response.
pub(crate) const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest client-sent request id that is kept.
const MAX_REQUEST_ID_LEN: usize = 128;

/// The id of the request being served.
#[derive(Clone, Debug)]
pub(crate) struct RequestId(pub(crate) String);

/// Which route of [`ROUTES`](crate::routes::ROUTES) answered, set by the guard on the
/// response for the metrics.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RouteTag(pub(crate) usize);

/// The layer itself.
pub(crate) async fn edge(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = client_request_id(req.headers()).unwrap_or_else(new_request_id);
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let response = next.run(req).await;
    let route = response.extensions().get::<RouteTag>().map(|t| t.0);
    let info = response.extensions().get::<ErrorInfo>().cloned();
    let mut response = match info {
        Some(info) => {
            if info.storage {
                state.metrics().record_storage_error();
            }
            if response.status().is_server_error() {
                tracing::error!(
                    request_id = %id,
                    %method,
                    path,
                    status = response.status().as_u16(),
                    cause = info.logged.as_deref().unwrap_or(&info.message),
                    "request failed"
                );
            }
            with_error_body(response, info.code, info.message, &id)
        }
        None => wrap_foreign_error(response, &id).await,
    };
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(X_REQUEST_ID, value);
    }
    state
        .metrics()
        .record_request(route, response.status(), started.elapsed());
    response
}

/// The client's `x-request-id` when it is 1 to 128 characters of letters, digits and
/// `-_.:`; anything else is replaced, so ids are safe to log and to echo.
fn client_request_id(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(X_REQUEST_ID)?.to_str().ok()?;
    let sane = !value.is_empty()
        && value.len() <= MAX_REQUEST_ID_LEN
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    sane.then(|| value.to_owned())
}

fn new_request_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn with_error_body(response: Response, code: &str, message: String, id: &str) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.to_owned(),
            message,
            request_id: id.to_owned(),
        },
    };
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let (mut parts, _) = response.into_parts();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}

/// Gives an error response made outside the handlers (axum's 405, a rejection) the JSON
/// error body; its text, if any, becomes the message.
async fn wrap_foreign_error(response: Response, id: &str) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = to_bytes(body, 4096)
        .await
        .ok()
        .and_then(|b| String::from_utf8(b.to_vec()).ok())
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    let (code, default_message) = match status {
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this route does not take this method; /openapi.json lists every route",
        ),
        StatusCode::NOT_FOUND => ("not_found", "not found"),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "the request body is too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "the request's content type is not accepted here",
        ),
        s if s.is_client_error() => ("invalid_input", "the request is not valid"),
        _ => ("internal", "internal error"),
    };
    let message = if status.is_server_error() {
        default_message.to_owned()
    } else {
        text.unwrap_or_else(|| default_message.to_owned())
    };
    with_error_body(
        Response::from_parts(parts, Body::empty()),
        code,
        message,
        id,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(X_REQUEST_ID, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn only_sane_client_ids_are_kept() {
        assert_eq!(
            client_request_id(&headers("abc-123_x.y:z")).as_deref(),
            Some("abc-123_x.y:z")
        );
        assert_eq!(client_request_id(&headers("")), None);
        assert_eq!(client_request_id(&headers("a b")), None);
        assert_eq!(client_request_id(&headers("<script>")), None);
        assert_eq!(client_request_id(&headers(&"a".repeat(129))), None);
        assert_eq!(client_request_id(&HeaderMap::new()), None);
        assert_ne!(new_request_id(), new_request_id());
    }
}
