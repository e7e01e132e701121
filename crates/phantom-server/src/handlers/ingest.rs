//! Telemetry in: the OTLP/HTTP receivers (`/v1/logs`, `/v1/metrics`, `/v1/traces`, protobuf
//! or JSON, optionally gzip) and `/v1/events` (a JSON array or NDJSON). Records are decoded
//! by phantom-otlp, keyed into streams, and applied to the streams' detectors before the
//! answer, so an acknowledged batch is stored; the answer is the OTLP export response (with
//! `partial_success` when records were rejected) in the request's format.
//!
//! With `--nats-url`, batches are published to NATS JetStream instead (acknowledged before the
//! answer) and `phantom worker` processes apply them (docs/SCALE-OUT.md).
//!
//! A stream can be split by a record attribute: `?partition=host.name` or the header
//! `x-phantom-partition: host.name` (OpenTelemetry exporters send extra headers through
//! `OTEL_EXPORTER_OTLP_HEADERS`).

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use phantom_engine::bus::EventBus;
use phantom_engine::streams::{EventBody, IngestReport, Signal, StreamEvent, StreamId};
use phantom_otlp::{Batch, RecordBody};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ErrorBody};
use crate::extract::{Caller, QueryParams, check_declared_length, read_body};
use crate::state::AppState;

/// How far a compressed body may inflate, as a multiple of `max_body_bytes`.
const INFLATE_FACTOR: usize = 8;

/// How records are split into streams.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct IngestParams {
    /// A record attribute whose value splits the service's stream (e.g. `host.name`).
    partition: Option<String>,
}

/// Receives OTLP logs (`ExportLogsServiceRequest`), protobuf or JSON.
#[utoipa::path(post, path = "/v1/logs", tag = "ingest",
    params(IngestParams),
    request_body(content = String, description = "ExportLogsServiceRequest (application/x-protobuf or application/json), optionally Content-Encoding: gzip"),
    responses(
        (status = 200, description = "ExportLogsServiceResponse, in the request's format"),
        (status = "4XX", description = "Refused, malformed, or an unsupported content type", body = ErrorBody),
    ))]
pub(crate) async fn logs(
    state: State<AppState>,
    caller: Caller,
    params: QueryParams<IngestParams>,
    req: Request,
) -> Result<Response, ApiError> {
    receive(state, caller, params, req, phantom_otlp::Signal::Logs).await
}

/// Receives OTLP metrics (`ExportMetricsServiceRequest`), protobuf or JSON.
#[utoipa::path(post, path = "/v1/metrics", tag = "ingest",
    params(IngestParams),
    request_body(content = String, description = "ExportMetricsServiceRequest (application/x-protobuf or application/json), optionally Content-Encoding: gzip"),
    responses(
        (status = 200, description = "ExportMetricsServiceResponse, in the request's format"),
        (status = "4XX", description = "Refused, malformed, or an unsupported content type", body = ErrorBody),
    ))]
pub(crate) async fn metrics(
    state: State<AppState>,
    caller: Caller,
    params: QueryParams<IngestParams>,
    req: Request,
) -> Result<Response, ApiError> {
    receive(state, caller, params, req, phantom_otlp::Signal::Metrics).await
}

/// Receives OTLP traces (`ExportTraceServiceRequest`), protobuf or JSON.
#[utoipa::path(post, path = "/v1/traces", tag = "ingest",
    params(IngestParams),
    request_body(content = String, description = "ExportTraceServiceRequest (application/x-protobuf or application/json), optionally Content-Encoding: gzip"),
    responses(
        (status = 200, description = "ExportTraceServiceResponse, in the request's format"),
        (status = "4XX", description = "Refused, malformed, or an unsupported content type", body = ErrorBody),
    ))]
pub(crate) async fn traces(
    state: State<AppState>,
    caller: Caller,
    params: QueryParams<IngestParams>,
    req: Request,
) -> Result<Response, ApiError> {
    receive(state, caller, params, req, phantom_otlp::Signal::Traces).await
}

/// Receives JSON events: a JSON array of objects (`application/json`) or one object per line
/// (`application/x-ndjson`). The service comes from `service.name` or `service`, the time from
/// `timestamp`, `time` or `@timestamp`.
#[utoipa::path(post, path = "/v1/events", tag = "ingest",
    params(IngestParams),
    request_body(content = String, description = "A JSON array of objects, or NDJSON"),
    responses(
        (status = 200, description = "{\"accepted\":N,\"rejected\":M,\"message\":...}"),
        (status = "4XX", description = "Refused, malformed, or an unsupported content type", body = ErrorBody),
    ))]
pub(crate) async fn events(
    state: State<AppState>,
    caller: Caller,
    params: QueryParams<IngestParams>,
    req: Request,
) -> Result<Response, ApiError> {
    receive(state, caller, params, req, phantom_otlp::Signal::Events).await
}

async fn receive(
    State(state): State<AppState>,
    Caller(p): Caller,
    QueryParams(params): QueryParams<IngestParams>,
    req: Request,
    signal: phantom_otlp::Signal,
) -> Result<Response, ApiError> {
    let headers = req.headers().clone();
    let format = phantom_otlp::body_format(header_str(&headers, header::CONTENT_TYPE))
        .map_err(otlp_error)?;
    let limit = state.config().max_body_bytes;
    check_declared_length(&headers, limit as u64, "the request body", "max_body_bytes")?;
    let body: Bytes = read_body(
        req.into_body(),
        limit as u64,
        "the request body",
        "max_body_bytes",
    )
    .await?;
    let partition = params
        .partition
        .or_else(|| header_str(&headers, "x-phantom-partition").map(str::to_owned));
    let events = tokio::task::spawn_blocking(move || {
        let inflate_limit = limit.saturating_mul(INFLATE_FACTOR);
        let bytes = phantom_otlp::decode_body(
            &body,
            header_str(&headers, header::CONTENT_ENCODING),
            inflate_limit,
        )?;
        let batch = phantom_otlp::decode(signal, &bytes, format)?;
        Ok::<_, phantom_otlp::OtlpError>(stream_events(batch, signal, partition.as_deref()))
    })
    .await
    .map_err(|e| ApiError::from(phantom_engine::EngineError::Internal(e.to_string())))?
    .map_err(otlp_error)?;
    let (events, rejected, rejection) = events;
    let report = match state.bus() {
        Some(bus) => publish(bus, &p.tenant, events).await?,
        None => state.engine().ingest(&p.tenant, events, None).await?,
    };
    state.metrics().record_ingested(
        &p.tenant,
        signal.as_str(),
        report.accepted,
        report.anomalies.len() as u64,
    );
    let rejected_all = rejected + report.rejected;
    let message = rejection.or(report.rejection);
    let body = phantom_otlp::encode_response(
        signal,
        format,
        report.accepted,
        rejected_all,
        message.as_deref(),
    );
    Ok((
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            phantom_otlp::response_content_type(format),
        )],
        body,
    )
        .into_response())
}

/// With a NATS event bus, the events go to the bus (acknowledged by JetStream before the
/// answer) and workers apply them; values that are not finite numbers are refused here, as
/// the engine would.
async fn publish(
    bus: &EventBus,
    tenant: &str,
    events: Vec<StreamEvent>,
) -> Result<IngestReport, ApiError> {
    let mut report = IngestReport::default();
    let events: Vec<StreamEvent> = events
        .into_iter()
        .filter(|event| match event.body {
            EventBody::Value(v) if !v.is_finite() => {
                report.rejected += 1;
                report.rejection.get_or_insert_with(|| {
                    format!(
                        "a value of metric stream '{}' is {v}, not a finite number",
                        event.stream.key()
                    )
                });
                false
            }
            EventBody::Value(_) | EventBody::Text(_) => true,
        })
        .collect();
    report.accepted = bus.publish(tenant, events).await.map_err(|e| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            format!("the event bus refused the batch: {e}; send it again"),
        )
    })?;
    Ok(report)
}

/// A decoded batch as events of their streams, with the batch's rejections.
fn stream_events(
    batch: Batch,
    signal: phantom_otlp::Signal,
    partition: Option<&str>,
) -> (Vec<StreamEvent>, u64, Option<String>) {
    let signal_name = engine_signal(signal);
    let events = batch
        .records
        .iter()
        .map(|record| {
            let partition = partition.and_then(|name| {
                batch
                    .attribute(record, name)
                    .map(|value| (name.to_owned(), value.to_owned()))
            });
            let (metric, body) = match &record.body {
                RecordBody::Text(text) => (None, EventBody::Text(text.clone())),
                RecordBody::Value { metric, value } => {
                    (Some(metric.clone()), EventBody::Value(*value))
                }
            };
            let time = (record.time_unix_nano > 0)
                .then(|| i64::try_from(record.time_unix_nano / 1_000_000).unwrap_or(i64::MAX));
            StreamEvent {
                stream: StreamId {
                    service: batch.service(record).to_owned(),
                    signal: signal_name,
                    metric,
                    partition,
                },
                time,
                body,
            }
        })
        .collect();
    (events, batch.rejected, batch.rejection)
}

fn engine_signal(signal: phantom_otlp::Signal) -> Signal {
    match signal {
        phantom_otlp::Signal::Logs => Signal::Logs,
        phantom_otlp::Signal::Metrics => Signal::Metrics,
        phantom_otlp::Signal::Traces => Signal::Traces,
        phantom_otlp::Signal::Events => Signal::Events,
    }
}

fn header_str(headers: &HeaderMap, name: impl header::AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn otlp_error(e: phantom_otlp::OtlpError) -> ApiError {
    if e.is_too_large() {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            e.to_string(),
        )
    } else if e.is_unsupported_media_type() {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            e.to_string(),
        )
    } else {
        ApiError::invalid(e.to_string())
    }
}
