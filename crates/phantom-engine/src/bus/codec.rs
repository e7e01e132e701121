//! The body of a bus message: one tenant's events of one stream, in postcard (a compact
//! binary serde format), marked by the header `Phantom-Format: postcard-1`.
//!
//! Postcard rather than JSON: it encodes and decodes several times faster (docs/SCALE-OUT.md
//! has the figures) and carries every `f64` as it is, so a NaN metric value reaches the
//! worker and is refused there exactly as direct ingestion refuses it, where JSON would have
//! turned it into `null` and made the whole message unreadable.

use serde::{Deserialize, Serialize};

use super::BusError;
use crate::streams::StreamEvent;

/// The header that names the body's format.
pub(crate) const FORMAT_HEADER: &str = "Phantom-Format";

/// This version's format.
pub(crate) const FORMAT: &str = "postcard-1";

/// What one message carries, as written.
#[derive(Serialize)]
struct BodyRef<'a> {
    tenant: &'a str,
    events: &'a [StreamEvent],
}

/// What one message carries, as read.
#[derive(Debug, Deserialize)]
pub(crate) struct Body {
    /// The tenant the events belong to.
    pub(crate) tenant: String,
    /// The events, in the order they were published.
    pub(crate) events: Vec<StreamEvent>,
}

/// Encodes `events` as one body, or several when one would exceed `limit` bytes (split in
/// order, so applying the bodies one after another applies the events in order).
pub(crate) fn encode(
    tenant: &str,
    events: &[StreamEvent],
    limit: usize,
) -> Result<Vec<Vec<u8>>, BusError> {
    let body = postcard::to_stdvec(&BodyRef { tenant, events })
        .map_err(|e| BusError::Encode(e.to_string()))?;
    if body.len() <= limit {
        return Ok(vec![body]);
    }
    match events {
        [one] => Err(BusError::TooLarge {
            stream: one.stream.key(),
            size: body.len(),
            limit,
        }),
        _ => {
            let (first, second) = events.split_at(events.len() / 2);
            let mut bodies = encode(tenant, first, limit)?;
            bodies.extend(encode(tenant, second, limit)?);
            Ok(bodies)
        }
    }
}

/// Reads a body whose format header said `format`.
pub(crate) fn decode(format: Option<&str>, bytes: &[u8]) -> Result<Body, String> {
    match format {
        Some(FORMAT) => {
            postcard::from_bytes(bytes).map_err(|e| format!("not a {FORMAT} body: {e}"))
        }
        Some(other) => Err(format!(
            "format '{other}' is not known to this version (it reads {FORMAT}); upgrade the worker"
        )),
        None => Err(format!(
            "no {FORMAT_HEADER} header: not published by Phantom"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::streams::{EventBody, Signal, StreamId};

    fn events(n: usize, value: f64) -> Vec<StreamEvent> {
        let stream = StreamId {
            service: "api".into(),
            signal: Signal::Metrics,
            metric: Some("latency".into()),
            partition: Some(("host".into(), "web-1".into())),
        };
        (0..n)
            .map(|i| StreamEvent {
                stream: stream.clone(),
                time: Some(i as i64),
                body: EventBody::Value(value + i as f64),
            })
            .collect()
    }

    #[test]
    fn bodies_round_trip_in_order_and_split_under_the_limit() {
        let all = events(100, 1.5);
        let one = encode("t1", &all, usize::MAX).unwrap();
        assert_eq!(one.len(), 1);
        let body = decode(Some(FORMAT), &one[0]).unwrap();
        assert_eq!((body.tenant.as_str(), body.events), ("t1", all.clone()));

        let limit = one[0].len() / 3;
        let parts = encode("t1", &all, limit).unwrap();
        assert!(parts.len() >= 3, "{}", parts.len());
        let mut back = Vec::new();
        for part in &parts {
            assert!(part.len() <= limit);
            back.extend(decode(Some(FORMAT), part).unwrap().events);
        }
        assert_eq!(back, all);

        let err = encode("t1", &all[..1], 8).unwrap_err().to_string();
        assert!(err.contains("api/metrics/latency/host=web-1"), "{err}");
    }

    #[test]
    fn a_nan_value_survives_and_unknown_bodies_are_refused() {
        let body = &encode("t", &events(1, f64::NAN), usize::MAX).unwrap()[0];
        let back = decode(Some(FORMAT), body).unwrap();
        assert!(matches!(back.events[0].body, EventBody::Value(v) if v.is_nan()));
        assert!(decode(None, body).unwrap_err().contains("header"));
        assert!(
            decode(Some("postcard-9"), body)
                .unwrap_err()
                .contains("upgrade")
        );
        assert!(decode(Some(FORMAT), b"\xff\xff").is_err());
    }
}
