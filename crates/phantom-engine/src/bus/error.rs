//! [`BusError`]: what went wrong with NATS, naming the server (without its credentials) and
//! what to do.

/// A failure of the event bus.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// A setting is unusable.
    #[error("invalid bus setting {field}: {reason}")]
    InvalidOptions {
        /// The setting.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The server cannot be reached.
    #[error(
        "cannot connect to NATS at {url}: {source}; is nats-server running there with JetStream \
         enabled (nats-server -js), and are the credentials in the URL right?"
    )]
    Connect {
        /// The URL, credentials hidden.
        url: String,
        /// The client's reason.
        source: async_nats::ConnectError,
    },
    /// A request to the server failed.
    #[error("NATS at {url}: cannot {action}: {source}")]
    Nats {
        /// The URL, credentials hidden.
        url: String,
        /// What was being done, e.g. "create the stream PHANTOM_EVENTS".
        action: String,
        /// The client's reason.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The stream on the server was made with other settings than these.
    #[error("NATS at {url}: the stream {stream} {problem}")]
    Mismatch {
        /// The URL, credentials hidden.
        url: String,
        /// The stream's name.
        stream: String,
        /// What differs and what to do.
        problem: String,
    },
    /// An event is larger than the server accepts in one message.
    #[error(
        "an event of stream '{stream}' takes {size} bytes, over the NATS server's limit of \
         {limit} bytes per message; send smaller events or raise the server's max_payload"
    )]
    TooLarge {
        /// The stream's key.
        stream: String,
        /// The event's encoded size.
        size: usize,
        /// The server's limit.
        limit: usize,
    },
    /// Events could not be encoded.
    #[error("cannot encode events for the bus: {0}")]
    Encode(String),
}

/// `url` with any password or token replaced by `***` (`nats://app:***@host:4222`), for each
/// server of a comma-separated list.
pub(crate) fn redact(url: &str) -> String {
    url.split(',')
        .map(|one| {
            let one = one.trim();
            let (scheme, rest) = match one.split_once("://") {
                Some((scheme, rest)) => (Some(scheme), rest),
                None => (None, one),
            };
            let hidden = match rest.rsplit_once('@') {
                Some((userinfo, host)) => match userinfo.split_once(':') {
                    Some((user, _)) => format!("{user}:***@{host}"),
                    None => format!("***@{host}"),
                },
                None => rest.to_owned(),
            };
            match scheme {
                Some(scheme) => format!("{scheme}://{hidden}"),
                None => hidden,
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn credentials_are_hidden() {
        assert_eq!(redact("nats://127.0.0.1:4222"), "nats://127.0.0.1:4222");
        assert_eq!(redact("nats://app:s3cret@h:4222"), "nats://app:***@h:4222");
        assert_eq!(redact("tls://tok3n@h"), "tls://***@h");
        assert_eq!(redact("a:b@h1, nats://h2"), "a:***@h1,nats://h2");
    }
}
