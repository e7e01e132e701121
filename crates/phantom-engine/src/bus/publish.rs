//! Publishing: events grouped by stream, one message per group (split when large), each on
//! its stream's partition subject, acknowledged by JetStream before `publish` returns.

use std::collections::HashMap;

use super::{BusError, EventBus, codec};
use crate::streams::StreamEvent;

impl EventBus {
    /// Publishes `tenant`'s events and returns how many were published, once JetStream has
    /// stored every message. A stream's events keep their order; events of different streams
    /// go out independently. Values that are not finite numbers travel as they are and are
    /// refused by the worker, as direct ingestion refuses them.
    ///
    /// Everything is encoded before anything is sent, so an event too large for the server
    /// fails the call with nothing published. A failure after that (the server stopped
    /// answering) may leave part of the events published: publishing them again can apply
    /// that part twice, as sending a batch again to a server would.
    pub async fn publish(&self, tenant: &str, events: Vec<StreamEvent>) -> Result<u64, BusError> {
        let count = events.len() as u64;
        let mut groups: Vec<(String, Vec<StreamEvent>)> = Vec::new();
        let mut slots: HashMap<String, usize> = HashMap::new();
        for event in events {
            let key = event.stream.key();
            let slot = match slots.get(&key) {
                Some(&slot) => slot,
                None => {
                    slots.insert(key.clone(), groups.len());
                    groups.push((key, Vec::new()));
                    groups.len() - 1
                }
            };
            groups[slot].1.push(event);
        }
        let mut messages = Vec::with_capacity(groups.len());
        for (key, group) in &groups {
            let partition = super::partition::partition_of(tenant, key, self.options.partitions);
            let subject = self.subject(partition);
            for body in codec::encode(tenant, group, self.body_limit)? {
                messages.push((subject.clone(), body));
            }
        }
        let mut acks = Vec::with_capacity(messages.len());
        for (subject, body) in messages {
            let mut headers = async_nats::HeaderMap::new();
            headers.insert(codec::FORMAT_HEADER, codec::FORMAT);
            let ack = self
                .jetstream
                .publish_with_headers(subject.clone(), headers, body.into())
                .await
                .map_err(|e| self.error(format!("publish to {subject}"), e))?;
            acks.push((subject, ack));
        }
        for (subject, ack) in acks {
            ack.await.map_err(|e| {
                self.error(format!("get JetStream to store a message on {subject}"), e)
            })?;
        }
        Ok(count)
    }
}
