//! Errors: [`ServerError`] for starting and running the server, and `ApiError`, what a
//! request answers when it fails: `{"error":{"code","message","request_id"}}` with the
//! status that the engine's [`ErrorKind`] calls for.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use phantom_engine::{EngineError, ErrorKind};
use serde::Serialize;
use utoipa::ToSchema;

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A setting from a flag or the environment is unusable.
    #[error("{name}: '{value}' is not usable: {reason}")]
    InvalidSetting {
        /// The flag, variable or setting.
        name: String,
        /// The value given.
        value: String,
        /// What is expected.
        reason: String,
    },
    /// The address cannot be listened on.
    #[error("cannot listen on {addr}: {source}; is another process using the port?")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The server failed while running.
    #[error("the server stopped: {0}")]
    Serve(#[source] std::io::Error),
    /// The event bus (NATS) cannot be used.
    #[error("the event bus: {0}")]
    Bus(#[from] phantom_engine::bus::BusError),
}

/// The JSON body of every error response.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// One error.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable code: invalid_input, malformed_json, not_found, conflict, unavailable,
    /// timeout, internal, unauthenticated, forbidden, rate_limited, payload_too_large,
    /// unsupported_media_type or method_not_allowed.
    pub code: String,
    /// What was wrong and, where it can, what to do about it.
    pub message: String,
    /// The request's id (also in the `x-request-id` header); quote it when reporting a problem.
    pub request_id: String,
}

/// A failed request, before the request id is known; rendered by the request-id layer.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) message: String,
    /// Seconds to wait before retrying (429, 503 over the in-flight cap).
    pub(crate) retry_after: Option<u64>,
    /// What is logged but not shown (the real cause of an internal error).
    pub(crate) logged: Option<String>,
    /// Whether the failure came from the store (counted in the metrics).
    pub(crate) storage: bool,
}

/// What an error response carries until the request-id layer writes its body.
#[derive(Clone, Debug)]
pub(crate) struct ErrorInfo {
    pub(crate) code: &'static str,
    pub(crate) message: String,
    pub(crate) logged: Option<String>,
    pub(crate) storage: bool,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
            logged: None,
            storage: false,
        }
    }

    /// 400: the request is wrong.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_input", message)
    }

    /// 400: the body is not JSON.
    pub(crate) fn malformed_json(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "malformed_json", message)
    }

    /// 404.
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 413: `what` is larger than the `setting` limit.
    pub(crate) fn too_large(what: &str, limit: u64, unit: &str, setting: &str) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("{what} is larger than the limit of {limit} {unit} ({setting})"),
        )
    }

    /// 415: the body's content type is not one the route takes.
    pub(crate) fn unsupported_media_type(got: &str, expected: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("content type '{got}' is not accepted here; send {expected}"),
        )
    }

    /// 503: the request took longer than `limit`, set by `setting`.
    pub(crate) fn timed_out(limit: std::time::Duration, setting: &str) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "the request did not finish within the limit of {} s ({setting}); send it again, in smaller parts if it is large",
                limit.as_secs_f64()
            ),
        )
    }

    /// 503: the server is serving its limit of `max` requests at once.
    pub(crate) fn overloaded(max: usize) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            format!(
                "the server is serving its limit of {max} requests at once (max_in_flight_requests); retry shortly"
            ),
        );
        e.retry_after = Some(1);
        e
    }

    /// 500 with a generic message; `cause` is logged with the request id.
    pub(crate) fn internal(cause: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; the server log has the details under this request id",
        );
        e.logged = Some(cause.into());
        e
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        let storage = matches!(e, EngineError::Store(_));
        let mut api = match e.kind() {
            ErrorKind::InvalidInput => ApiError::invalid(e.to_string()),
            ErrorKind::NotFound => ApiError::not_found(e.to_string()),
            ErrorKind::Conflict => ApiError::new(StatusCode::CONFLICT, "conflict", e.to_string()),
            ErrorKind::Unavailable => {
                let mut api = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "a backend (database or cache) is unavailable; retry later",
                );
                api.logged = Some(e.to_string());
                api
            }
            ErrorKind::Internal => ApiError::internal(e.to_string()),
            ErrorKind::Unauthenticated => {
                ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", e.to_string())
            }
            ErrorKind::Forbidden => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", e.to_string())
            }
            ErrorKind::RateLimited => {
                let mut api =
                    ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", e.to_string());
                let wait_ms = e.retry_after_ms().unwrap_or(1_000);
                api.retry_after = Some(wait_ms.div_ceil(1_000).max(1));
                api
            }
        };
        api.storage = storage;
        api
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        let headers = response.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"phantom\""),
            );
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(ErrorInfo {
            code: self.code,
            message: self.message,
            logged: self.logged,
            storage: self.storage,
        });
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_errors_map_to_their_status() {
        let cases: Vec<(EngineError, StatusCode, &str)> = vec![
            (
                EngineError::ModelNotFound { model: "m".into() },
                StatusCode::NOT_FOUND,
                "not_found",
            ),
            (
                EngineError::NameTaken { name: "m".into() },
                StatusCode::CONFLICT,
                "conflict",
            ),
            (
                EngineError::Unauthenticated {
                    reason: "revoked".into(),
                },
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
            ),
            (
                EngineError::Forbidden {
                    role: "viewer".into(),
                    permission: "write_models".into(),
                },
                StatusCode::FORBIDDEN,
                "forbidden",
            ),
            (
                EngineError::RateLimited {
                    limit: 5,
                    retry_after_ms: 1_200,
                },
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
            ),
            (
                EngineError::Redis("down".into()),
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
            ),
            (
                EngineError::Internal("secret detail".into()),
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
            ),
        ];
        for (e, status, code) in cases {
            let api = ApiError::from(e);
            assert_eq!((api.status, api.code), (status, code));
        }
        let hidden = ApiError::from(EngineError::Internal("secret detail".into()));
        assert!(!hidden.message.contains("secret"));
        assert_eq!(
            hidden.logged.as_deref(),
            Some("internal error: secret detail")
        );
        let limited = ApiError::from(EngineError::RateLimited {
            limit: 5,
            retry_after_ms: 1_200,
        });
        assert_eq!(limited.retry_after, Some(2));
        let response = limited.into_response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "2");
        let throttled = ApiError::from(EngineError::LoginThrottled {
            max_failures: 10,
            window_seconds: 60,
            retry_after_ms: 41_500,
        });
        assert_eq!(
            (throttled.status, throttled.code, throttled.retry_after),
            (StatusCode::TOO_MANY_REQUESTS, "rate_limited", Some(42))
        );
        assert!(
            throttled.message.contains("retry in 42 s"),
            "{}",
            throttled.message
        );
        let response =
            ApiError::from(EngineError::Unauthenticated { reason: "x".into() }).into_response();
        assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
    }
}
