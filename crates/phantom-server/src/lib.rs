//! Phantom's REST API: axum routes over [`phantom_engine::Engine`], with authentication,
//! per-tenant isolation, audit, limits, Prometheus metrics and an OpenAPI 3.1 document.
//!
//! - [`serve`] runs the server on [`ServerConfig::addr`] until SIGINT or SIGTERM; [`serve_on`]
//!   runs it on a listener you bound, until a future completes (tests, embedding).
//! - [`router`] is the API as an axum [`Router`](axum::Router) over an [`AppState`].
//! - [`ROUTES`] is the route table: each route's method, path, [`Access`] (the permission it
//!   needs) and audit action. The router, the guard, the metrics and the tests all read it.
//!
//! ```no_run
//! use phantom_engine::{Engine, EngineConfig};
//! use phantom_server::{ServerConfig, serve};
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let engine = Engine::open(EngineConfig::default()).await?;
//! engine.bootstrap_admin().await?;
//! serve(engine, ServerConfig::default()).await?;
//! # Ok(()) }
//! ```
//!
//! Connections are bounded ([`ServerConfig::max_connections`]) and must send their headers
//! within [`ServerConfig::header_read_timeout`]. Every request passes, in order: the request
//! id (from `x-request-id` when sane, else generated), the cap on requests in flight,
//! authentication (`Authorization: Bearer <API key or token>` or `x-api-key`),
//! the key's rate limit, the route's permission, the handler (within the route's deadline),
//! and the audit record. The
//! tenant always comes from the credential. Errors are
//! `{"error":{"code","message","request_id"}}` with the status the engine's error kind calls
//! for.

mod config;
mod connections;
mod edge;
mod error;
mod extract;
mod feature_rows;
mod guard;
mod handlers;
mod limits;
mod metrics;
mod nats;
mod openapi;
mod routes;
mod serve;
mod state;
mod upload;

pub use config::{
    DEFAULT_ADDR, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_BATCH_ROWS, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_IN_FLIGHT_REQUESTS, DEFAULT_MAX_UPLOAD_BYTES,
    DEFAULT_REQUEST_TIMEOUT, DEFAULT_UPLOAD_TIMEOUT, ServerConfig, ServerOverrides,
};
pub use error::{ErrorBody, ErrorDetail, ServerError};
pub use nats::{NatsConfig, NatsOverrides};
pub use openapi::document as openapi_document;
pub use routes::{Access, Audit, ROUTES, RouteSpec, router};
pub use serve::{serve, serve_on, shutdown_signal};
pub use state::AppState;
