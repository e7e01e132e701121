//! Access: the tenant's users and API keys (admins), the audit log (admins and auditors), and
//! login.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use phantom_engine::auth::{
    ApiKeyInfo, AuditEvent, AuditQuery, LoginToken, NewApiKey, Role, UserInfo,
};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{located, on, respond};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Caller, JsonBody, QueryParams};
use crate::guard::AuditNote;
use crate::state::AppState;

/// A user to create in the caller's tenant.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateUserRequest {
    /// Unique within the tenant.
    username: String,
    /// Stored as an Argon2id hash, never in clear.
    password: String,
    /// The role.
    role: Role,
}

/// An API key to create in the caller's tenant.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateKeyRequest {
    /// A name to recognise the key by.
    name: String,
    /// The role.
    role: Role,
    /// When it stops working, ms since the Unix epoch (default: never).
    #[serde(default)]
    expires_at: Option<i64>,
    /// Requests per second allowed (default: the server's).
    #[serde(default)]
    rate_limit_per_second: Option<u32>,
}

/// A login.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoginRequest {
    /// The tenant.
    tenant: String,
    /// The user name.
    username: String,
    /// The password.
    password: String,
}

/// The tenant's users.
#[utoipa::path(get, path = "/v1/users", tag = "access",
    responses(
        (status = 200, description = "The users", body = Vec<UserInfo>),
        (status = "4XX", description = "Refused", body = ErrorBody),
    ))]
pub(crate) async fn list_users(
    State(state): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<Vec<UserInfo>>, ApiError> {
    Ok(Json(state.engine().list_users(&p.tenant).await?))
}

/// Creates a user in the caller's tenant.
#[utoipa::path(post, path = "/v1/users", tag = "access",
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "The user", body = UserInfo),
        (status = "4XX", description = "Refused or the name is taken", body = ErrorBody),
    ))]
pub(crate) async fn create_user(
    State(state): State<AppState>,
    Caller(p): Caller,
    JsonBody(body): JsonBody<CreateUserRequest>,
) -> Result<Response, ApiError> {
    let user = state
        .engine()
        .create_user(&p.tenant, &body.username, &body.password, body.role)
        .await?;
    Ok(located(
        StatusCode::CREATED,
        &format!("/v1/users/{}", user.username),
        &user,
        on(format!("users/{}", user.username)),
    ))
}

/// Deletes a user of the caller's tenant.
#[utoipa::path(delete, path = "/v1/users/{username}", tag = "access",
    params(("username" = String, Path, description = "The user name")),
    responses(
        (status = 204, description = "Deleted"),
        (status = "4XX", description = "Refused or not found", body = ErrorBody),
    ))]
pub(crate) async fn delete_user(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(username): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.engine().delete_user(&p.tenant, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The tenant's API keys, including revoked and expired ones (never their secrets).
#[utoipa::path(get, path = "/v1/keys", tag = "access",
    responses(
        (status = 200, description = "The keys", body = Vec<ApiKeyInfo>),
        (status = "4XX", description = "Refused", body = ErrorBody),
    ))]
pub(crate) async fn list_keys(
    State(state): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<Vec<ApiKeyInfo>>, ApiError> {
    Ok(Json(state.engine().list_api_keys(&p.tenant).await?))
}

/// Creates an API key; the answer is the only time its secret is shown.
#[utoipa::path(post, path = "/v1/keys", tag = "access",
    request_body = CreateKeyRequest,
    responses(
        (status = 201, description = "The key, with its secret in `key`", body = NewApiKey),
        (status = "4XX", description = "Refused", body = ErrorBody),
    ))]
pub(crate) async fn create_key(
    State(state): State<AppState>,
    Caller(p): Caller,
    JsonBody(body): JsonBody<CreateKeyRequest>,
) -> Result<Response, ApiError> {
    let key = state
        .engine()
        .create_api_key(
            &p.tenant,
            &body.name,
            body.role,
            body.expires_at,
            body.rate_limit_per_second,
        )
        .await?;
    let note = AuditNote {
        resource: Some(format!("keys/{}", key.info.id)),
        detail: Some(format!("{} ({:?})", key.info.prefix, key.info.role).to_lowercase()),
        ..AuditNote::default()
    };
    Ok(located(
        StatusCode::CREATED,
        &format!("/v1/keys/{}", key.info.id),
        &key,
        note,
    ))
}

/// Revokes an API key of the caller's tenant: it stops working at once.
#[utoipa::path(post, path = "/v1/keys/{id}/revoke", tag = "access",
    params(("id" = String, Path, description = "The key's id")),
    responses(
        (status = 200, description = "The key, revoked", body = ApiKeyInfo),
        (status = "4XX", description = "Refused or not found", body = ErrorBody),
    ))]
pub(crate) async fn revoke_key(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<Json<ApiKeyInfo>, ApiError> {
    Ok(Json(state.engine().revoke_api_key(&p.tenant, &id).await?))
}

/// The tenant's audit records, newest first.
#[utoipa::path(get, path = "/v1/audit", tag = "access",
    params(
        ("from" = Option<i64>, Query, description = "Earliest time, ms since the Unix epoch, inclusive"),
        ("to" = Option<i64>, Query, description = "Latest time, ms since the Unix epoch, exclusive"),
        ("actor" = Option<String>, Query, description = "Only this actor (user name or key id)"),
        ("action" = Option<String>, Query, description = "Only this action, e.g. models.activate"),
        ("result" = Option<String>, Query, description = "Only this result: success, denied or failed"),
        ("limit" = Option<u32>, Query, description = "At most this many (default 100, at most 10,000)"),
    ),
    responses(
        (status = 200, description = "The records", body = Vec<AuditEvent>),
        (status = "4XX", description = "Refused", body = ErrorBody),
    ))]
pub(crate) async fn audit(
    State(state): State<AppState>,
    Caller(p): Caller,
    QueryParams(query): QueryParams<AuditQuery>,
) -> Result<Json<Vec<AuditEvent>>, ApiError> {
    Ok(Json(state.engine().audit_log(&p.tenant, &query).await?))
}

/// Checks a user's password and returns a short-lived token to send as
/// `Authorization: Bearer <token>`. Failed logins are throttled per user name and per client
/// address (`429` with `retry-after`).
#[utoipa::path(post, path = "/v1/auth/login", tag = "access",
    request_body = LoginRequest,
    security(()),
    responses(
        (status = 200, description = "The token", body = LoginToken),
        (status = "4XX", description = "Wrong tenant, user name or password, or too many failed logins", body = ErrorBody),
    ))]
pub(crate) async fn login(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    JsonBody(body): JsonBody<LoginRequest>,
) -> Response {
    let source = peer.map(|Extension(ConnectInfo(addr))| addr.ip().to_string());
    let note = AuditNote {
        tenant: Some(body.tenant.clone()),
        actor: Some(body.username.clone()),
        resource: Some(format!("users/{}", body.username)),
        detail: None,
    };
    let mut response = match state
        .engine()
        .login_from(
            &body.tenant,
            &body.username,
            &body.password,
            source.as_deref(),
        )
        .await
    {
        Ok(token) => return respond(StatusCode::OK, &token, note),
        Err(e) => ApiError::from(e).into_response(),
    };
    response.extensions_mut().insert(note);
    response
}
