//! The handlers: thin shells that decode a request, call the engine for the caller's tenant,
//! and encode the answer. One file per group of routes.

pub(crate) mod access;
pub(crate) mod data;
pub(crate) mod evidence;
pub(crate) mod ingest;
pub(crate) mod models;
pub(crate) mod operations;
pub(crate) mod serving;
pub(crate) mod streams;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::guard::AuditNote;

/// A JSON response with `status`, and `note` for the audit record.
pub(crate) fn respond<T: Serialize>(status: StatusCode, body: &T, note: AuditNote) -> Response {
    let mut response = (status, Json(body)).into_response();
    response.extensions_mut().insert(note);
    response
}

/// 201 Created (or 202 Accepted) with a `Location` header.
pub(crate) fn located<T: Serialize>(
    status: StatusCode,
    location: &str,
    body: &T,
    note: AuditNote,
) -> Response {
    let mut response = respond(status, body, note);
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// An audit note naming the resource acted on.
pub(crate) fn on(resource: String) -> AuditNote {
    AuditNote {
        resource: Some(resource),
        ..AuditNote::default()
    }
}
