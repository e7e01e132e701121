//! Streams and anomalies: list streams and change their detectors, list and read anomalies,
//! move them through their statuses (audited), and follow new ones live (Server-Sent Events).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use phantom_engine::streams::{
    Anomaly, AnomalyPage, AnomalyQuery, AnomalyStatus, StreamId, StreamInfo, StreamSettingsRequest,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{on, respond};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Caller, JsonBody, QueryParams};
use crate::state::AppState;

/// How often a live feed reads the store for anomalies found by other processes.
const FEED_POLL: Duration = Duration::from_secs(1);
/// Anomalies a live feed reads at a time.
const FEED_BATCH: u32 = 100;

/// A status change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatusRequest {
    /// The new status.
    status: AnomalyStatus,
}

/// Where a live feed starts.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct FeedQuery {
    /// Only this stream (its key).
    stream: Option<String>,
    /// Send the anomalies stored after this `seq` first (default: only new ones). The
    /// `Last-Event-ID` header, which browsers send when they reconnect, does the same.
    after: Option<u64>,
}

/// The tenant's streams, by key.
#[utoipa::path(get, path = "/v1/streams", tag = "streams",
    responses(
        (status = 200, description = "The streams", body = Vec<StreamInfo>),
        (status = "4XX", description = "Refused", body = ErrorBody),
    ))]
pub(crate) async fn list_streams(
    State(state): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<Vec<StreamInfo>>, ApiError> {
    Ok(Json(state.engine().streams(&p.tenant).await?))
}

/// One stream (its key URL-encoded: `checkout%2Flogs`).
#[utoipa::path(get, path = "/v1/streams/{key}", tag = "streams",
    params(("key" = String, Path, description = "The stream's key, URL-encoded")),
    responses(
        (status = 200, description = "The stream", body = StreamInfo),
        (status = "4XX", description = "Refused or no such stream", body = ErrorBody),
    ))]
pub(crate) async fn get_stream(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(key): Path<String>,
) -> Result<Json<StreamInfo>, ApiError> {
    Ok(Json(state.engine().stream(&p.tenant, &key).await?))
}

/// Changes a stream's detector: a preset (`{"detector":"cbad","preset":"strict"}`) or full
/// settings. The stream need not have events yet; its detector starts afresh.
#[utoipa::path(put, path = "/v1/streams/{key}/settings", tag = "streams",
    params(("key" = String, Path, description = "The stream's key, URL-encoded")),
    request_body = StreamSettingsRequest,
    responses(
        (status = 200, description = "The stream with its new settings", body = StreamInfo),
        (status = "4XX", description = "Refused, a bad key, or settings that do not fit", body = ErrorBody),
    ))]
pub(crate) async fn set_stream_settings(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(key): Path<String>,
    JsonBody(request): JsonBody<StreamSettingsRequest>,
) -> Result<Response, ApiError> {
    let id: StreamId = key.parse()?;
    let info = state
        .engine()
        .set_stream_settings(&p.tenant, &id, &request)
        .await?;
    Ok(respond(StatusCode::OK, &info, on(format!("streams/{key}"))))
}

/// The tenant's anomalies, newest first, filtered and paged (pass `next` as `before`).
#[utoipa::path(get, path = "/v1/anomalies", tag = "streams",
    params(AnomalyQuery),
    responses(
        (status = 200, description = "A page of anomalies", body = AnomalyPage),
        (status = "4XX", description = "Refused or a bad filter", body = ErrorBody),
    ))]
pub(crate) async fn list_anomalies(
    State(state): State<AppState>,
    Caller(p): Caller,
    QueryParams(query): QueryParams<AnomalyQuery>,
) -> Result<Json<AnomalyPage>, ApiError> {
    Ok(Json(state.engine().anomalies(&p.tenant, &query).await?))
}

/// One anomaly with its full explanation.
#[utoipa::path(get, path = "/v1/anomalies/{id}", tag = "streams",
    params(("id" = String, Path, description = "The anomaly's id")),
    responses(
        (status = 200, description = "The anomaly", body = Anomaly),
        (status = "4XX", description = "Refused or no such anomaly", body = ErrorBody),
    ))]
pub(crate) async fn get_anomaly(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<Json<Anomaly>, ApiError> {
    Ok(Json(state.engine().anomaly(&p.tenant, &id).await?))
}

/// Moves an anomaly to `acknowledged`, `resolved`, `false_positive` or back to `open`; the
/// change is kept in the audit log.
#[utoipa::path(post, path = "/v1/anomalies/{id}/status", tag = "streams",
    params(("id" = String, Path, description = "The anomaly's id")),
    request_body = StatusRequest,
    responses(
        (status = 200, description = "The anomaly with its new status", body = Anomaly),
        (status = "4XX", description = "Refused, a bad status or no such anomaly", body = ErrorBody),
    ))]
pub(crate) async fn set_anomaly_status(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<StatusRequest>,
) -> Result<Response, ApiError> {
    let anomaly = state
        .engine()
        .set_anomaly_status(&p.tenant, &id, request.status)
        .await?;
    let mut note = on(format!("anomalies/{id}"));
    note.detail = Some(format!("status {}", request.status.as_str()));
    Ok(respond(StatusCode::OK, &anomaly, note))
}

/// New anomalies as they are stored, as Server-Sent Events: `event: anomaly`, `id:` the
/// anomaly's `seq`, `data:` the anomaly as JSON. A comment every 15 s keeps the connection
/// open through proxies.
#[utoipa::path(get, path = "/v1/anomalies/stream", tag = "streams",
    params(FeedQuery),
    responses(
        (status = 200, description = "An endless text/event-stream of anomalies", content_type = "text/event-stream", body = String),
        (status = "4XX", description = "Refused", body = ErrorBody),
    ))]
pub(crate) async fn anomaly_feed(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    QueryParams(query): QueryParams<FeedQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let after = match query.after.or(resume) {
        Some(after) => after,
        None => state.engine().latest_anomaly_seq(&p.tenant).await?,
    };
    let feed = Feed {
        signal: state.engine().anomaly_signal(),
        stopping: state.stopping(),
        state,
        tenant: p.tenant,
        stream: query.stream,
        after,
        pending: VecDeque::new(),
    };
    let events = futures_util::stream::unfold(feed, |mut feed| async move {
        let anomaly = feed.next().await?;
        let event = Event::default()
            .event("anomaly")
            .id(anomaly.seq.to_string())
            .json_data(&anomaly)
            .unwrap_or_else(|e| Event::default().comment(format!("unencodable anomaly: {e}")));
        Some((Ok(event), feed))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// The state of one live feed.
struct Feed {
    state: AppState,
    tenant: String,
    stream: Option<String>,
    after: u64,
    pending: VecDeque<Anomaly>,
    signal: tokio::sync::watch::Receiver<u64>,
    stopping: tokio::sync::watch::Receiver<bool>,
}

impl Feed {
    /// The next anomaly; `None` when the server is stopping (the feed ends, so shutdown
    /// does not wait for it).
    async fn next(&mut self) -> Option<Anomaly> {
        loop {
            if *self.stopping.borrow() {
                return None;
            }
            if let Some(anomaly) = self.pending.pop_front() {
                self.after = anomaly.seq;
                return Some(anomaly);
            }
            // A store error is retried at the next poll: a live feed outlives a database
            // hiccup.
            if let Ok(found) = self
                .state
                .engine()
                .anomalies_after(&self.tenant, self.after, self.stream.as_deref(), FEED_BATCH)
                .await
                && !found.is_empty()
            {
                self.pending.extend(found);
                continue;
            }
            tokio::select! {
                _ = self.signal.changed() => {}
                _ = tokio::time::sleep(FEED_POLL) => {}
                _ = self.stopping.changed() => {}
            }
        }
    }
}
