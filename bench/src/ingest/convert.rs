//! Decoded OTLP records as stream events: a copy of the conversion in phantom-server's
//! ingest handler (`stream_events`), without the partition attribute, which this benchmark
//! does not use. It is copied rather than shared because the handler is not a library API.

use phantom_engine::streams::{EventBody, Signal, StreamEvent, StreamId};
use phantom_otlp::{Batch, RecordBody};

/// A decoded batch of log records as events of their services' log streams.
pub fn stream_events(batch: &Batch) -> Vec<StreamEvent> {
    batch
        .records
        .iter()
        .map(|record| {
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
                    signal: Signal::Logs,
                    metric,
                    partition: None,
                },
                time,
                body,
            }
        })
        .collect()
}
