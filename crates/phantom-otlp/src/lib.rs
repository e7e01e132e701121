//! Decoding OTLP/HTTP requests and plain JSON events into flat [`Record`]s for Phantom's
//! stream detectors. No I/O, no async: the server reads the body and headers, this crate does
//! the rest.
//!
//! A request goes through three steps:
//!
//! 1. [`body_format`] reads the `Content-Type` ([`BodyFormat`]) and [`decode_body`] undoes
//!    `Content-Encoding: gzip` within a size limit.
//! 2. [`decode_logs`], [`decode_metrics`], [`decode_traces`] or [`decode_events`] turn the body
//!    into [`Decoded`]: the [`Record`]s (text for the compression-based detector, or a metric
//!    value for the series detector) and how many records were rejected and why. A body that
//!    cannot be read at all is an [`OtlpError`] whose message says where, e.g.
//!    `invalid JSON at resourceLogs[0].scopeLogs[1].logRecords[3].body: ...`.
//!    [`decode`] gives the same records as a [`Batch`], which keeps each resource's and scope's
//!    attributes once instead of copying them into every record: about twice as fast for a
//!    typical SDK resource.
//! 3. [`encode_response`] writes the `Export*ServiceResponse` (with `partial_success` when
//!    records were rejected) in the request's format, [`response_content_type`] its type.
//!
//! ```
//! use phantom_otlp::{RecordBody, body_format, decode_body, decode_logs};
//!
//! let json = br#"{"resourceLogs":[{"resource":{"attributes":[
//!     {"key":"service.name","value":{"stringValue":"checkout"}}]},
//!   "scopeLogs":[{"logRecords":[{"timeUnixNano":"1700000000000000000",
//!     "severityNumber":17,"body":{"stringValue":"payment declined"}}]}]}]}"#;
//! let format = body_format(Some("application/json; charset=utf-8"))?;
//! let body = decode_body(json, None, 1 << 20)?;
//! let decoded = decode_logs(&body, format)?;
//! assert_eq!(decoded.records[0].service, "checkout");
//! assert_eq!(decoded.records[0].body, RecordBody::Text("ERROR payment declined".into()));
//! # Ok::<(), phantom_otlp::OtlpError>(())
//! ```
//!
//! The OTLP messages are in [`proto`]: `prost` derives written by hand from
//! opentelemetry-proto v1 (no `protoc` at build time), with a `serde` implementation of the
//! OTLP/JSON mapping (hex ids, 64-bit integers as strings or numbers, enums as integers,
//! lowerCamelCase names, unknown fields ignored). The `opentelemetry-proto` crate was not used:
//! its JSON support loses data silently in known cases (a bad value inside a `oneof` becomes a
//! missing field), and its signal features pull in the OpenTelemetry SDK.

#![warn(missing_docs)]

mod batch;
mod body;
mod error;
mod events;
mod flatten;
mod format;
mod locate;
mod logs;
mod metrics;
pub mod proto;
mod protojson;
mod record;
mod request;
mod response;
mod signal;
mod time;
mod traces;

pub use batch::{Batch, BatchRecord, Origin, decode};
pub use body::decode_body;
pub use error::OtlpError;
pub use events::{TIME_FIELDS, decode_events};
pub use format::{BodyFormat, body_format, response_content_type};
pub use logs::decode_logs;
pub use metrics::decode_metrics;
pub use record::{Decoded, Record, RecordBody, UNKNOWN_SERVICE};
pub use response::encode_response;
pub use signal::Signal;
pub use traces::decode_traces;
