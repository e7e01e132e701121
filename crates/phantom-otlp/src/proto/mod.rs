//! The OTLP messages (opentelemetry-proto v1), written as `prost` derives rather than generated,
//! so that building Phantom needs no `protoc`.
//!
//! Each message also implements `serde::Deserialize` following the OTLP/JSON mapping: field
//! names in lowerCamelCase, trace and span ids as hex strings, 64-bit integers as decimal
//! strings or numbers, enums as integers (names are accepted too), `bytesValue` as base64,
//! `null` as the field's default, unknown fields ignored.
//!
//! Enum fields are kept as the `i32` that travels on the wire; [`logs::SEVERITY_NAMES`],
//! [`trace::SPAN_KIND_NAMES`], [`trace::STATUS_CODE_NAMES`] and
//! [`metrics::AGGREGATION_TEMPORALITY_NAMES`] name their values. Fields in development status
//! (`Resource.entity_refs`, profiles) are not declared: their bytes are skipped like any unknown
//! field.

pub mod collector;
pub mod common;
pub mod logs;
pub mod metrics;
pub mod trace;
