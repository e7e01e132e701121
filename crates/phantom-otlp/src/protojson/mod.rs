//! The proto3 JSON mapping, as OTLP/JSON amends it, for the messages in [`crate::proto`].
//!
//! Why not `opentelemetry-proto`'s `with-serde`: its derives get the mapping wrong in ways that
//! lose data without an error (string `asInt` values and any bad value inside a `oneof` turn
//! into a missing field through `#[serde(flatten)]`; an empty `AnyValue` `{}` is refused), and
//! its signal features pull in the `opentelemetry` SDK crates. The mapping here is small and
//! checked by this crate's tests against hand-written examples of the specification's shapes.

pub(crate) mod de;
mod oneof;
