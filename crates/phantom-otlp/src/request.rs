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

/// Implements [`Export`] for a request type from the names of its fields at each level.
macro_rules! export {
    (
        $request:ty, $resources:ident: $resource:ty, $scopes:ident: $scope:ty,
        $items:ident: $item:ty, $levels:expr
    ) => {
        impl $crate::request::Export for $request {
            type Resource = $resource;
            type Scope = $scope;
            type Item = $item;
            const LEVELS: [&'static str; 3] = $levels;

            fn resources(self) -> Vec<$resource> {
                self.$resources
            }

            fn split_resource(
                resource: $resource,
            ) -> (Option<$crate::proto::common::Resource>, Vec<$scope>) {
                (resource.resource, resource.$scopes)
            }

            fn split_scope(
                scope: $scope,
            ) -> (
                Option<$crate::proto::common::InstrumentationScope>,
                Vec<$item>,
            ) {
                (scope.scope, scope.$items)
            }
        }
    };
}

pub(crate) use export;

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
            for parsed in json_lines::<E>(body) {
                let (line, request) = parsed?;
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

/// The non-blank lines of an NDJSON body parsed, each with its number (from 1); an error says
/// which line.
pub(crate) fn json_lines<T: DeserializeOwned>(
    body: &[u8],
) -> impl Iterator<Item = Result<(usize, T), OtlpError>> {
    body.split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, line)| (i + 1, line.strip_suffix(b"\r").unwrap_or(line)))
        .filter(|(_, line)| !line.iter().all(u8::is_ascii_whitespace))
        .map(|(line, text)| match from_json(text) {
            Ok(parsed) => Ok((line, parsed)),
            Err(source) => Err(OtlpError::Line {
                line,
                source: Box::new(source),
            }),
        })
}
