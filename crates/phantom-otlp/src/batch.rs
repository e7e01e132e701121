//! Records that keep what they share once: the fast form of a decoded request.

use crate::error::OtlpError;
use crate::format::BodyFormat;
use crate::record::{Decoded, Record, RecordBody, UNKNOWN_SERVICE};
use crate::signal::Signal;
use crate::{events, logs, metrics, traces};

/// Where records come from: for OTLP, one resource and scope (the service and the resource and
/// scope attributes, flattened, scope ones overriding); for events, the service alone.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Origin {
    /// Resource attribute `service.name`; `unknown_service` when absent.
    pub service: String,
    /// Resource and scope attributes, flattened to strings.
    pub attributes: Vec<(String, String)>,
}

/// One record of a [`Batch`], without its origin's attributes.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchRecord {
    /// Its origin: an index into [`Batch::origins`].
    pub origin: usize,
    /// Nanoseconds since the Unix epoch, as in [`Record::time_unix_nano`].
    pub time_unix_nano: u64,
    /// The record's own attributes (log record, span, data point, event fields), flattened.
    pub attributes: Vec<(String, String)>,
    /// What the detectors read.
    pub body: RecordBody,
}

/// Every record of a request, each origin kept once rather than copied into every record, and
/// how many were rejected and why. Copying a typical SDK resource's attributes into each record
/// costs more than decoding the record; [`Batch::attribute`] looks a key up without it, and
/// [`Batch::into_decoded`] makes the self-contained [`Record`]s.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Batch {
    /// The origins, in request order.
    pub origins: Vec<Origin>,
    /// The accepted records, in request order.
    pub records: Vec<BatchRecord>,
    /// How many records (log records, data points, spans, events) were rejected.
    pub rejected: u64,
    /// Why the first rejected record was rejected, with where it was.
    pub rejection: Option<String>,
}

/// Decodes a request body of `signal` into a [`Batch`]; [`decode_logs`](crate::decode_logs)
/// and its siblings describe each signal's records and rejections.
pub fn decode(signal: Signal, body: &[u8], format: BodyFormat) -> Result<Batch, OtlpError> {
    match signal {
        Signal::Logs => logs::batch(body, format),
        Signal::Metrics => metrics::batch(body, format),
        Signal::Traces => traces::batch(body, format),
        Signal::Events => events::batch(body, format),
    }
}

impl Batch {
    /// How many records were accepted.
    pub fn accepted(&self) -> u64 {
        self.records.len() as u64
    }

    /// The service of `record`.
    pub fn service<'a>(&'a self, record: &BatchRecord) -> &'a str {
        self.origins
            .get(record.origin)
            .map_or(UNKNOWN_SERVICE, |o| o.service.as_str())
    }

    /// The value of attribute `key` for `record`: its own, else its origin's.
    pub fn attribute<'a>(&'a self, record: &'a BatchRecord, key: &str) -> Option<&'a str> {
        let own = record.attributes.iter();
        let shared = self.origins.get(record.origin).map(|o| o.attributes.iter());
        own.chain(shared.into_iter().flatten())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The self-contained records: each gets its origin's service and attributes, its own
    /// attributes overriding them.
    pub fn into_decoded(self) -> Decoded {
        let Batch {
            origins,
            records,
            rejected,
            rejection,
        } = self;
        let empty = Origin {
            service: UNKNOWN_SERVICE.to_owned(),
            attributes: Vec::new(),
        };
        let records = records.into_iter().map(|record| {
            let origin = origins.get(record.origin).unwrap_or(&empty);
            let mut attributes =
                Vec::with_capacity(origin.attributes.len() + record.attributes.len());
            attributes.extend(origin.attributes.iter().cloned());
            merge(&mut attributes, record.attributes);
            Record {
                service: origin.service.clone(),
                time_unix_nano: record.time_unix_nano,
                attributes,
                body: record.body,
            }
        });
        Decoded {
            records: records.collect(),
            rejected,
            rejection,
        }
    }

    /// Counts `count` rejected records; `reason` is only built for the first rejection.
    pub(crate) fn reject(&mut self, count: u64, reason: impl FnOnce() -> String) {
        self.rejected += count;
        if self.rejection.is_none() {
            self.rejection = Some(reason());
        }
    }
}

/// Adds `pairs` to `into`, a pair replacing the value of an existing key.
pub(crate) fn merge(
    into: &mut Vec<(String, String)>,
    pairs: impl IntoIterator<Item = (String, String)>,
) {
    for (key, value) in pairs {
        match into.iter_mut().find(|(existing, _)| *existing == key) {
            Some(slot) => slot.1 = value,
            None => into.push((key, value)),
        }
    }
}
