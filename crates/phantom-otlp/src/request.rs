//! Reading an OTLP export request from a body in any of its formats, and walking its items.

use std::fmt;

use prost::Message;
use serde::de::DeserializeOwned;

use crate::batch::Batch;
use crate::error::OtlpError;
use crate::flatten::{resource_origin, scope_origin};
use crate::format::BodyFormat;
use crate::locate::locate;
use crate::proto::common::{InstrumentationScope, Resource};

/// An `Export*ServiceRequest`: resources, holding scopes, holding items (log records, metrics,
/// spans).
pub(crate) trait Export: Message + Default + DeserializeOwned {
    /// `Resource{Logs,Metrics,Spans}`.
    type Resource: Message + Default;
    /// `Scope{Logs,Metrics,Spans}`.
    type Scope: Message + Default;
    /// `LogRecord`, `Metric` or `Span`.
    type Item: Message + Default;
    /// The JSON names of the repeated fields holding each level, e.g. `resourceLogs`,
    /// `scopeLogs`, `logRecords`. On the wire, resources are field 1 of the request, scopes
    /// field 2 of a resource and items field 2 of a scope, for every signal.
    const LEVELS: [&'static str; 3];

    /// The request's resources.
    fn resources(self) -> Vec<Self::Resource>;
    /// A resource's own description and its scopes.
    fn split_resource(resource: Self::Resource) -> (Option<Resource>, Vec<Self::Scope>);
    /// A scope's own description and its items.
    fn split_scope(scope: Self::Scope) -> (Option<InstrumentationScope>, Vec<Self::Item>);
}

/// Where an item is in its request, shown as `resourceLogs[0].scopeLogs[1].logRecords[3]`.
pub(crate) struct ItemPath {
    levels: [&'static str; 3],
    indices: [usize; 3],
}

impl fmt::Display for ItemPath {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let [r, s, i] = self.levels;
        let [ri, si, ii] = self.indices;
        write!(f, "{r}[{ri}].{s}[{si}].{i}[{ii}]")
    }
}

/// Decodes a request body and hands every item, with the index of its origin in the batch and
/// its path, to `item`. NDJSON bodies hold one OTLP/JSON request per line (as the Collector's
/// file exporter writes them).
pub(crate) fn decode<E: Export>(
    body: &[u8],
    format: BodyFormat,
    mut item: impl FnMut(usize, E::Item, &ItemPath, &mut Batch),
) -> Result<Batch, OtlpError> {
    let mut batch = Batch::default();
    match format {
        BodyFormat::Protobuf => {
            let request = E::decode(body).map_err(|error| locate::<E>(body, error))?;
            walk(request, &mut batch, &mut item);
        }
        BodyFormat::Json => walk(from_json::<E>(body)?, &mut batch, &mut item),
        BodyFormat::Ndjson => {
            for (line, text) in lines(body) {
                let at_line = |source| OtlpError::Line {
                    line,
                    source: Box::new(source),
                };
                let request = from_json::<E>(text).map_err(at_line)?;
                let first_rejection = batch.rejection.is_none();
                walk(request, &mut batch, &mut item);
                if first_rejection && let Some(reason) = batch.rejection.as_mut() {
                    *reason = format!("line {line}: {reason}");
                }
            }
        }
    }
    Ok(batch)
}

fn walk<E: Export>(
    request: E,
    batch: &mut Batch,
    item: &mut impl FnMut(usize, E::Item, &ItemPath, &mut Batch),
) {
    for (ri, resource) in request.resources().into_iter().enumerate() {
        let (resource, scopes) = E::split_resource(resource);
        let resource = resource_origin(resource);
        for (si, scope) in scopes.into_iter().enumerate() {
            let (scope, items) = E::split_scope(scope);
            let origin = batch.origins.len();
            batch.origins.push(scope_origin(&resource, scope));
            batch.records.reserve(items.len());
            for (ii, one) in items.into_iter().enumerate() {
                let path = ItemPath {
                    levels: E::LEVELS,
                    indices: [ri, si, ii],
                };
                item(origin, one, &path, batch);
            }
        }
    }
}

/// Parses JSON; on failure parses again, tracking the path, to say where it failed (the fast
/// path pays nothing for it).
pub(crate) fn from_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, OtlpError> {
    serde_json::from_slice(body).map_err(|first| {
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
            Err(error) => OtlpError::Json {
                path: error.path().to_string(),
                source: error.into_inner(),
            },
            Ok(_) => OtlpError::Json {
                path: ".".to_owned(),
                source: first,
            },
        }
    })
}

/// The non-blank lines of an NDJSON body, numbered from 1, without their line ending.
pub(crate) fn lines(body: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    body.split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, line)| (i + 1, line.strip_suffix(b"\r").unwrap_or(line)))
        .filter(|(_, line)| !line.iter().all(u8::is_ascii_whitespace))
}
