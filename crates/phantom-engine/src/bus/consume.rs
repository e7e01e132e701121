//! One leased partition: bind its durable consumer (read again from the first unacknowledged
//! message if a previous holder left some), then fetch, apply in order and acknowledge, while
//! the lease's fence allows.

use std::time::Duration;

use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, PullConsumer, pull};
use async_nats::jetstream::{AckKind, Message};
use futures_util::StreamExt;
use tokio::sync::watch;
use tokio::time::Instant;

use super::{BusError, EventBus, codec};
use crate::{Engine, EngineError, ErrorKind};

/// How long an unacknowledged message waits before JetStream delivers it again.
const ACK_WAIT: Duration = Duration::from_secs(10);

/// How long one fetch waits for messages, so the fence is checked at least this often.
const FETCH_WAIT: Duration = Duration::from_secs(1);

/// The first wait before retrying a failed step, doubled up to [`RETRY_MAX`].
const RETRY_FIRST: Duration = Duration::from_millis(200);

/// The longest wait between retries.
const RETRY_MAX: Duration = Duration::from_secs(5);

/// Consumes `partition` while `fence` lies in the future.
pub(crate) async fn run(
    engine: Engine,
    bus: EventBus,
    partition: u32,
    fence: watch::Receiver<Instant>,
    batch: usize,
) {
    let Some(consumer) = bind(&bus, partition, &fence).await else {
        return;
    };
    let source = bus.source(partition);
    while holds(&fence) {
        let mut messages = match consumer
            .batch()
            .max_messages(batch)
            .expires(FETCH_WAIT)
            .messages()
            .await
        {
            Ok(messages) => messages,
            Err(e) => {
                tracing::warn!(
                    partition,
                    "{}; trying again",
                    bus.error(format!("fetch from p{partition}"), e)
                );
                tokio::time::sleep(RETRY_FIRST).await;
                continue;
            }
        };
        while let Some(message) = messages.next().await {
            if !holds(&fence) {
                return;
            }
            match message {
                Ok(message) => {
                    if !apply(&engine, &source, partition, &message, &fence).await {
                        return;
                    }
                }
                Err(e) => {
                    tracing::warn!(
                        partition,
                        "{}; fetching again",
                        bus.error(format!("receive from p{partition}"), e)
                    );
                    break;
                }
            }
        }
    }
}

/// Whether the lease still allows applying messages.
fn holds(fence: &watch::Receiver<Instant>) -> bool {
    Instant::now() < *fence.borrow()
}

/// The partition's consumer, retried until it is bound or the fence passes.
async fn bind(
    bus: &EventBus,
    partition: u32,
    fence: &watch::Receiver<Instant>,
) -> Option<PullConsumer> {
    let mut wait = RETRY_FIRST;
    while holds(fence) {
        match consumer(bus, partition).await {
            Ok(consumer) => return Some(consumer),
            Err(e) => {
                tracing::warn!(partition, "{e}; trying again in {wait:?}");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(RETRY_MAX);
            }
        }
    }
    None
}

/// Gets (or creates) the durable consumer of `partition`. If messages it delivered are still
/// unacknowledged, their holder is gone (this worker holds the lease now): the consumer is
/// made again from the first of them, so they come before any newer message.
async fn consumer(bus: &EventBus, partition: u32) -> Result<PullConsumer, BusError> {
    let name = format!("phantom-p{partition}");
    let config = |deliver_policy| pull::Config {
        durable_name: Some(name.clone()),
        description: Some(format!("Phantom workers, partition {partition}")),
        filter_subject: bus.subject(partition),
        ack_policy: AckPolicy::Explicit,
        ack_wait: ACK_WAIT,
        deliver_policy,
        ..Default::default()
    };
    let existing = bus
        .stream
        .get_or_create_consumer(&name, config(DeliverPolicy::All))
        .await
        .map_err(|e| bus.error(format!("create the consumer {name}"), e))?;
    let info = existing.cached_info();
    if info.num_ack_pending == 0 {
        return Ok(existing);
    }
    let start_sequence = info.ack_floor.stream_sequence + 1;
    let pending = info.num_ack_pending;
    bus.stream
        .delete_consumer(&name)
        .await
        .map_err(|e| bus.error(format!("delete the consumer {name}"), e))?;
    let consumer = bus
        .stream
        .create_consumer(config(DeliverPolicy::ByStartSequence { start_sequence }))
        .await
        .map_err(|e| bus.error(format!("create the consumer {name}"), e))?;
    tracing::info!(
        partition,
        pending,
        start_sequence,
        "p{partition}: {pending} messages of the previous holder were not acknowledged; \
         reading again from stream sequence {start_sequence}"
    );
    Ok(consumer)
}

/// Applies one message until it is stored, or can never be, and acknowledges it; `false` when
/// the fence passed first (the message is left to the next holder).
async fn apply(
    engine: &Engine,
    source: &str,
    partition: u32,
    message: &Message,
    fence: &watch::Receiver<Instant>,
) -> bool {
    let sequence = match message.info() {
        Ok(info) => info.stream_sequence,
        Err(e) => {
            tracing::error!(
                partition,
                "a message of p{partition} has no JetStream metadata ({e}); it is dropped"
            );
            terminate(message, partition).await;
            return true;
        }
    };
    let format = message
        .headers
        .as_ref()
        .and_then(|headers| headers.get(codec::FORMAT_HEADER))
        .map(|value| value.as_str());
    let mut wait = RETRY_FIRST;
    loop {
        let body = match codec::decode(format, &message.payload) {
            Ok(body) => body,
            Err(reason) => {
                tracing::error!(
                    partition,
                    sequence,
                    "message {sequence} of p{partition} cannot be read ({reason}); it is dropped"
                );
                terminate(message, partition).await;
                return true;
            }
        };
        let tenant = body.tenant;
        match engine
            .ingest(&tenant, body.events, Some((source, sequence)))
            .await
        {
            Ok(report) => {
                if let Some(reason) = report.rejection {
                    tracing::warn!(
                        partition,
                        sequence,
                        tenant,
                        rejected = report.rejected,
                        "{reason}; the other events of message {sequence} were applied"
                    );
                }
                if let Err(e) = message.ack().await {
                    // Delivered again later, and skipped then: the stream records it applied.
                    tracing::warn!(
                        partition,
                        sequence,
                        "cannot acknowledge message {sequence}: {e}"
                    );
                }
                return true;
            }
            Err(e) if never_applies(&e) => {
                tracing::error!(
                    partition,
                    sequence,
                    tenant,
                    "message {sequence} of p{partition} cannot be applied: {e}; its events are dropped"
                );
                terminate(message, partition).await;
                return true;
            }
            Err(e) => {
                tracing::warn!(
                    partition,
                    sequence,
                    tenant,
                    "applying message {sequence} of p{partition} failed: {e}; trying again in {wait:?}"
                );
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(RETRY_MAX);
                if !holds(fence) {
                    return false;
                }
            }
        }
    }
}

/// Whether the message would fail the same way every time (its content is at fault), rather
/// than because a backend is failing for now.
fn never_applies(e: &EngineError) -> bool {
    match e.kind() {
        ErrorKind::InvalidInput
        | ErrorKind::NotFound
        | ErrorKind::Conflict
        | ErrorKind::Unauthenticated
        | ErrorKind::Forbidden => true,
        ErrorKind::Unavailable | ErrorKind::Internal | ErrorKind::RateLimited => false,
    }
}

/// Tells JetStream never to deliver `message` again.
async fn terminate(message: &Message, partition: u32) {
    if let Err(e) = message.ack_with(AckKind::Term).await {
        tracing::warn!(partition, "cannot drop a message of p{partition}: {e}");
    }
}
