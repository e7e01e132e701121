//! The LISTEN side of change events: a dedicated connection whose notifications become
//! [`ModelEvent`]s, reconnecting when it drops.

use std::pin::Pin;
use std::time::Duration;

use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tokio_postgres::{AsyncMessage, Client, Config, NoTls};

use crate::StoreError;
use crate::checksum::sha256_hex;
use crate::records::ModelEvent;

/// PostgreSQL's longest identifier, in bytes; a longer channel name is refused.
const MAX_IDENTIFIER_BYTES: usize = 63;

/// First and longest wait between reconnection attempts.
const BACKOFF_START: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(10);

/// The channel for changes to the models in `schema`, so that stores on different schemas
/// of one database do not hear each other.
pub(super) fn channel_name(schema: &str) -> String {
    let plain = format!("phantom_models_{schema}");
    if plain.len() <= MAX_IDENTIFIER_BYTES {
        plain
    } else {
        let digest = sha256_hex(schema.as_bytes());
        format!("phantom_models_{}", digest.get(..32).unwrap_or(&digest))
    }
}

/// The NOTIFY payload announcing `event`, or `None` for events that are never sent.
pub(super) fn payload(event: &ModelEvent) -> Option<String> {
    match event {
        ModelEvent::Changed { model_id } => Some(format!("changed:{model_id}")),
        ModelEvent::Deleted { model_id } => Some(format!("deleted:{model_id}")),
        ModelEvent::Resync => None,
    }
}

/// Reads a NOTIFY payload. One this build does not understand (sent by a newer Phantom)
/// becomes `Resync`: something changed, and dropping every cached model is always safe.
fn parse_payload(payload: &str) -> ModelEvent {
    if let Some(model_id) = payload.strip_prefix("changed:") {
        ModelEvent::Changed {
            model_id: model_id.to_owned(),
        }
    } else if let Some(model_id) = payload.strip_prefix("deleted:") {
        ModelEvent::Deleted {
            model_id: model_id.to_owned(),
        }
    } else {
        ModelEvent::Resync
    }
}

type Messages = Pin<Box<dyn Stream<Item = Result<AsyncMessage, tokio_postgres::Error>> + Send>>;

/// A connection that has run LISTEN. The client is kept because the connection closes
/// when its last client is dropped.
struct Session {
    _client: Client,
    messages: Messages,
}

/// Starts listening on `channel` and returns the task forwarding notifications to
/// `events`. LISTEN has completed when this returns, so no change committed afterwards is
/// missed. The task runs until aborted.
pub(super) async fn start(
    config: Config,
    channel: String,
    events: broadcast::Sender<ModelEvent>,
) -> Result<JoinHandle<()>, StoreError> {
    let session = listen(&config, &channel).await?;
    Ok(tokio::spawn(forward(config, channel, events, session)))
}

async fn forward(
    config: Config,
    channel: String,
    events: broadcast::Sender<ModelEvent>,
    mut session: Session,
) {
    loop {
        while let Some(Ok(message)) = session.messages.next().await {
            if let AsyncMessage::Notification(notification) = message {
                // No subscriber is not an error: nobody has anything cached.
                events.send(parse_payload(notification.payload())).ok();
            }
        }
        session = reconnect(&config, &channel).await;
        // Changes committed while no connection listened were not heard.
        events.send(ModelEvent::Resync).ok();
    }
}

async fn reconnect(config: &Config, channel: &str) -> Session {
    let mut wait = BACKOFF_START;
    loop {
        tokio::time::sleep(wait).await;
        if let Ok(session) = listen(config, channel).await {
            return session;
        }
        wait = (wait * 2).min(BACKOFF_MAX);
    }
}

async fn listen(config: &Config, channel: &str) -> Result<Session, StoreError> {
    let (client, mut connection) = config.connect(NoTls).await?;
    let mut messages: Messages = Box::pin(stream::poll_fn(move |cx| connection.poll_message(cx)));
    {
        // The LISTEN's reply arrives only while the connection is being polled.
        let command = format!("LISTEN {}", quote_identifier(channel));
        let listening = client.batch_execute(&command);
        tokio::pin!(listening);
        loop {
            tokio::select! {
                done = &mut listening => {
                    done?;
                    break;
                }
                message = messages.next() => match message {
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(e.into()),
                    // The connection is gone; the pending LISTEN reports why.
                    None => {
                        listening.await?;
                        break;
                    }
                },
            }
        }
    }
    Ok(Session {
        _client: client,
        messages,
    })
}

fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip() {
        for event in [
            ModelEvent::Changed {
                model_id: "a:b".into(),
            },
            ModelEvent::Deleted {
                model_id: "m-1".into(),
            },
        ] {
            assert_eq!(parse_payload(&payload(&event).unwrap()), event);
        }
        assert_eq!(payload(&ModelEvent::Resync), None);
        assert_eq!(parse_payload("renamed:x"), ModelEvent::Resync);
    }

    #[test]
    fn channel_names_fit_an_identifier_and_differ_by_schema() {
        assert_eq!(channel_name("public"), "phantom_models_public");
        let long_a = "a".repeat(63);
        let long_b = format!("{}b", "a".repeat(62));
        let (a, b) = (channel_name(&long_a), channel_name(&long_b));
        assert!(a.len() <= MAX_IDENTIFIER_BYTES && b.len() <= MAX_IDENTIFIER_BYTES);
        assert_ne!(a, b);
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_identifier("x\"y"), "\"x\"\"y\"");
    }
}
