//! Bounds on time and concurrency: each route's deadline (the request timeout, longer for
//! routes that take an upload), and the cap on requests in flight, over which a request is
//! refused at once rather than queued.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use crate::error::ApiError;
use crate::state::AppState;

/// One route's deadline and the setting it comes from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline {
    pub(crate) limit: Duration,
    pub(crate) setting: &'static str,
}

/// Answers `503 timeout` when the handler has not answered within the deadline; the
/// handler's work is dropped (a training already started goes on in the background).
pub(crate) async fn deadline(State(d): State<Deadline>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(d.limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::timed_out(d.limit, d.setting).into_response(),
    }
}

/// The requests being served, up to `max_in_flight_requests`.
#[derive(Clone)]
pub(crate) struct InFlight {
    slots: Arc<Semaphore>,
    max: usize,
}

impl InFlight {
    /// Room for `max` requests at once.
    pub(crate) fn new(max: usize) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(max)),
            max,
        }
    }
}

/// Lets a request in if there is room, else answers `503 unavailable` at once. `/healthz`
/// is always let in: a busy server is alive.
pub(crate) async fn admit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.uri().path() == "/healthz" {
        return next.run(req).await;
    }
    let in_flight = state.in_flight();
    match in_flight.slots.clone().try_acquire_owned() {
        Ok(_slot) => next.run(req).await,
        Err(_) => ApiError::overloaded(in_flight.max).into_response(),
    }
}
