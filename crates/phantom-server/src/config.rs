//! Server settings: the listening address, the limits on what one request may carry, and the
//! bounds on time and connections, from defaults, then the environment, then flags (each
//! layer overrides the one before).
//!
//! | setting | flag | environment | default |
//! |---|---|---|---|
//! | address | `--addr` | `PHANTOM_ADDR` | `127.0.0.1:8080` |
//! | request body | `--max-body-bytes` | `PHANTOM_MAX_BODY_BYTES` | 16 MiB |
//! | rows in one batch | `--max-batch-rows` | `PHANTOM_MAX_BATCH_ROWS` | 100,000 |
//! | CSV upload or model import | `--max-upload-bytes` | `PHANTOM_MAX_UPLOAD_BYTES` | 256 MiB |
//! | whole request, s | `--request-timeout` | `PHANTOM_REQUEST_TIMEOUT` | 30 |
//! | whole request of an upload route (train, import), s | `--upload-timeout` | `PHANTOM_UPLOAD_TIMEOUT` | 600 |
//! | a request's headers, s | `--header-read-timeout` | `PHANTOM_HEADER_READ_TIMEOUT` | 10 |
//! | connections at once | `--max-connections` | `PHANTOM_MAX_CONNECTIONS` | 1,024 |
//! | requests in flight at once | `--max-in-flight-requests` | `PHANTOM_MAX_IN_FLIGHT_REQUESTS` | 512 |
//!
//! and the event bus's ([`NatsConfig`]).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use phantom_engine::MAX_BATCH_ROWS;
use tokio::sync::Semaphore;

use crate::ServerError;
use crate::nats::{NatsConfig, NatsOverrides};

/// The address `phantom serve` listens on by default: loopback only.
pub const DEFAULT_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8080);

/// Default bound on a JSON request body: 16 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Default bound on the rows of one batch (batch predictions, feature batches, series).
pub const DEFAULT_MAX_BATCH_ROWS: usize = 100_000;

/// Default bound on a CSV upload or an imported model file: 256 MiB.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 256 * 1024 * 1024;

/// Default bound on one request, from its headers to its answer: 30 s.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Default bound on one request of a route that takes an upload (training data, a model
/// file): 10 minutes, enough for 256 MiB at about 3.5 Mbit/s.
pub const DEFAULT_UPLOAD_TIMEOUT: Duration = Duration::from_secs(600);

/// Default bound on receiving a request's headers: 10 s.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Default bound on the connections served at once.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1_024;

/// Default bound on the requests served at once.
pub const DEFAULT_MAX_IN_FLIGHT_REQUESTS: usize = 512;

/// How the server listens and what it accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerConfig {
    /// Address to listen on (port 0 picks a free port).
    pub addr: SocketAddr,
    /// Largest JSON request body, in bytes.
    pub max_body_bytes: usize,
    /// Most rows in one batch request (at most the engine's 1,000,000).
    pub max_batch_rows: usize,
    /// Largest CSV upload (training) or model file (import), in bytes.
    pub max_upload_bytes: u64,
    /// Longest time a route's handler may take to answer, reading the request body
    /// included (authentication is before, on small store reads); over it the answer is
    /// `503 timeout`.
    pub request_timeout: Duration,
    /// The same for the routes that take an upload (training, model import).
    pub upload_timeout: Duration,
    /// Longest time to receive a request's headers, counted from when the connection opens
    /// or sent its previous answer (so an idle keep-alive connection is closed too); over it
    /// the connection is closed.
    pub header_read_timeout: Duration,
    /// Connections served at once; more wait in the listen backlog until one closes.
    pub max_connections: usize,
    /// Requests served at once; more are answered `503 unavailable` at once.
    pub max_in_flight_requests: usize,
    /// The event bus (NATS JetStream) stream events are published to, if any.
    pub nats: NatsConfig,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            addr: DEFAULT_ADDR,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_batch_rows: DEFAULT_MAX_BATCH_ROWS,
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            upload_timeout: DEFAULT_UPLOAD_TIMEOUT,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_in_flight_requests: DEFAULT_MAX_IN_FLIGHT_REQUESTS,
            nats: NatsConfig::default(),
        }
    }
}

/// Settings given as flags (the top layer); `None` leaves the layer below.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerOverrides {
    /// `--addr`.
    pub addr: Option<SocketAddr>,
    /// `--max-body-bytes`.
    pub max_body_bytes: Option<usize>,
    /// `--max-batch-rows`.
    pub max_batch_rows: Option<usize>,
    /// `--max-upload-bytes`.
    pub max_upload_bytes: Option<u64>,
    /// `--request-timeout`, in seconds.
    pub request_timeout_seconds: Option<u64>,
    /// `--upload-timeout`, in seconds.
    pub upload_timeout_seconds: Option<u64>,
    /// `--header-read-timeout`, in seconds.
    pub header_read_timeout_seconds: Option<u64>,
    /// `--max-connections`.
    pub max_connections: Option<usize>,
    /// `--max-in-flight-requests`.
    pub max_in_flight_requests: Option<usize>,
    /// `--nats-url`, `--nats-namespace`, `--nats-partitions`.
    pub nats: NatsOverrides,
}

impl ServerConfig {
    /// Loads the settings from the process environment and `flags`.
    pub fn load(flags: &ServerOverrides) -> Result<Self, ServerError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        Self::load_from(flags, &env)
    }

    /// Loads the settings from `env` (variable name to value) and `flags`.
    pub fn load_from(
        flags: &ServerOverrides,
        env: &HashMap<String, String>,
    ) -> Result<Self, ServerError> {
        let get = |k: &str| env.get(k).filter(|v| !v.is_empty());
        let mut config = ServerConfig::default();
        if let Some(v) = get("PHANTOM_ADDR") {
            config.addr = parse_setting("PHANTOM_ADDR", v, "an address such as 127.0.0.1:8080")?;
        }
        if let Some(v) = get("PHANTOM_MAX_BODY_BYTES") {
            config.max_body_bytes =
                parse_setting("PHANTOM_MAX_BODY_BYTES", v, "a whole number of bytes")?;
        }
        if let Some(v) = get("PHANTOM_MAX_BATCH_ROWS") {
            config.max_batch_rows =
                parse_setting("PHANTOM_MAX_BATCH_ROWS", v, "a whole number of rows")?;
        }
        if let Some(v) = get("PHANTOM_MAX_UPLOAD_BYTES") {
            config.max_upload_bytes =
                parse_setting("PHANTOM_MAX_UPLOAD_BYTES", v, "a whole number of bytes")?;
        }
        let seconds = |name: &str, v: &str| {
            parse_setting(name, v, "a whole number of seconds").map(Duration::from_secs)
        };
        if let Some(v) = get("PHANTOM_REQUEST_TIMEOUT") {
            config.request_timeout = seconds("PHANTOM_REQUEST_TIMEOUT", v)?;
        }
        if let Some(v) = get("PHANTOM_UPLOAD_TIMEOUT") {
            config.upload_timeout = seconds("PHANTOM_UPLOAD_TIMEOUT", v)?;
        }
        if let Some(v) = get("PHANTOM_HEADER_READ_TIMEOUT") {
            config.header_read_timeout = seconds("PHANTOM_HEADER_READ_TIMEOUT", v)?;
        }
        if let Some(v) = get("PHANTOM_MAX_CONNECTIONS") {
            config.max_connections = parse_setting(
                "PHANTOM_MAX_CONNECTIONS",
                v,
                "a whole number of connections",
            )?;
        }
        if let Some(v) = get("PHANTOM_MAX_IN_FLIGHT_REQUESTS") {
            config.max_in_flight_requests = parse_setting(
                "PHANTOM_MAX_IN_FLIGHT_REQUESTS",
                v,
                "a whole number of requests",
            )?;
        }
        if let Some(v) = flags.addr {
            config.addr = v;
        }
        if let Some(v) = flags.max_body_bytes {
            config.max_body_bytes = v;
        }
        if let Some(v) = flags.max_batch_rows {
            config.max_batch_rows = v;
        }
        if let Some(v) = flags.max_upload_bytes {
            config.max_upload_bytes = v;
        }
        if let Some(v) = flags.request_timeout_seconds {
            config.request_timeout = Duration::from_secs(v);
        }
        if let Some(v) = flags.upload_timeout_seconds {
            config.upload_timeout = Duration::from_secs(v);
        }
        if let Some(v) = flags.header_read_timeout_seconds {
            config.header_read_timeout = Duration::from_secs(v);
        }
        if let Some(v) = flags.max_connections {
            config.max_connections = v;
        }
        if let Some(v) = flags.max_in_flight_requests {
            config.max_in_flight_requests = v;
        }
        config.nats = NatsConfig::load_from(&flags.nats, env)?;
        config.validate()?;
        Ok(config)
    }

    /// Checks that every limit is usable.
    pub fn validate(&self) -> Result<(), ServerError> {
        if self.max_body_bytes == 0 {
            return Err(invalid("max_body_bytes", "0", "must be at least 1 byte"));
        }
        if self.max_upload_bytes == 0 {
            return Err(invalid("max_upload_bytes", "0", "must be at least 1 byte"));
        }
        if self.max_batch_rows == 0 || self.max_batch_rows > MAX_BATCH_ROWS {
            return Err(invalid(
                "max_batch_rows",
                &self.max_batch_rows.to_string(),
                &format!("must be 1 to {MAX_BATCH_ROWS} (the engine's limit)"),
            ));
        }
        for (name, value) in [
            ("request_timeout", self.request_timeout),
            ("upload_timeout", self.upload_timeout),
            ("header_read_timeout", self.header_read_timeout),
        ] {
            if value.is_zero() {
                return Err(invalid(name, "0", "must be more than 0 seconds"));
            }
        }
        if self.max_connections == 0 {
            return Err(invalid("max_connections", "0", "must be at least 1"));
        }
        if self.max_in_flight_requests == 0 || self.max_in_flight_requests > Semaphore::MAX_PERMITS
        {
            return Err(invalid(
                "max_in_flight_requests",
                &self.max_in_flight_requests.to_string(),
                &format!("must be 1 to {}", Semaphore::MAX_PERMITS),
            ));
        }
        Ok(())
    }
}

/// `value` of the setting `name` parsed, or an error that names both and says what is
/// `expected`.
pub(crate) fn parse_setting<T: std::str::FromStr>(
    name: &str,
    value: &str,
    expected: &str,
) -> Result<T, ServerError> {
    value
        .trim()
        .parse()
        .map_err(|_| invalid(name, value, &format!("expected {expected}")))
}

/// The error of the setting `name` whose `value` is unusable for `reason`.
pub(crate) fn invalid(name: &str, value: &str, reason: &str) -> ServerError {
    ServerError::InvalidSetting {
        name: name.to_owned(),
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_then_environment_then_flags() {
        let c = ServerConfig::load_from(&ServerOverrides::default(), &env(&[])).unwrap();
        assert_eq!(c, ServerConfig::default());
        assert_eq!(c.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.max_body_bytes, 16_777_216);

        let vars = env(&[
            ("PHANTOM_ADDR", "0.0.0.0:9000"),
            ("PHANTOM_MAX_BODY_BYTES", "1024"),
            ("PHANTOM_MAX_BATCH_ROWS", "10"),
            ("PHANTOM_MAX_UPLOAD_BYTES", "2048"),
        ]);
        let c = ServerConfig::load_from(&ServerOverrides::default(), &vars).unwrap();
        assert_eq!(c.addr.to_string(), "0.0.0.0:9000");
        assert_eq!(
            (c.max_body_bytes, c.max_batch_rows, c.max_upload_bytes),
            (1024, 10, 2048)
        );

        let flags = ServerOverrides {
            addr: Some("127.0.0.1:0".parse().unwrap()),
            max_batch_rows: Some(7),
            ..Default::default()
        };
        let c = ServerConfig::load_from(&flags, &vars).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:0");
        assert_eq!((c.max_body_bytes, c.max_batch_rows), (1024, 7));
    }

    #[test]
    fn timeouts_and_connection_bounds() {
        let c = ServerConfig::default();
        assert_eq!(
            (c.request_timeout, c.upload_timeout, c.header_read_timeout),
            (
                Duration::from_secs(30),
                Duration::from_secs(600),
                Duration::from_secs(10)
            )
        );
        assert_eq!((c.max_connections, c.max_in_flight_requests), (1024, 512));
        let vars = env(&[
            ("PHANTOM_REQUEST_TIMEOUT", "5"),
            ("PHANTOM_UPLOAD_TIMEOUT", "60"),
            ("PHANTOM_HEADER_READ_TIMEOUT", "2"),
            ("PHANTOM_MAX_CONNECTIONS", "100"),
            ("PHANTOM_MAX_IN_FLIGHT_REQUESTS", "50"),
        ]);
        let flags = ServerOverrides {
            request_timeout_seconds: Some(7),
            max_in_flight_requests: Some(40),
            ..Default::default()
        };
        let c = ServerConfig::load_from(&flags, &vars).unwrap();
        assert_eq!(
            (c.request_timeout, c.upload_timeout, c.header_read_timeout),
            (
                Duration::from_secs(7),
                Duration::from_secs(60),
                Duration::from_secs(2)
            )
        );
        assert_eq!((c.max_connections, c.max_in_flight_requests), (100, 40));
    }

    #[test]
    fn bad_values_name_the_setting() {
        let err = |pairs: &[(&str, &str)]| {
            ServerConfig::load_from(&ServerOverrides::default(), &env(pairs))
                .unwrap_err()
                .to_string()
        };
        assert!(err(&[("PHANTOM_ADDR", "localhost")]).contains("PHANTOM_ADDR"));
        assert!(err(&[("PHANTOM_MAX_BODY_BYTES", "16M")]).contains("PHANTOM_MAX_BODY_BYTES"));
        assert!(err(&[("PHANTOM_MAX_BATCH_ROWS", "0")]).contains("max_batch_rows"));
        assert!(err(&[("PHANTOM_MAX_BATCH_ROWS", "2000000")]).contains("1000000"));
        assert!(err(&[("PHANTOM_MAX_UPLOAD_BYTES", "0")]).contains("max_upload_bytes"));
        assert!(err(&[("PHANTOM_REQUEST_TIMEOUT", "0")]).contains("request_timeout"));
        assert!(err(&[("PHANTOM_REQUEST_TIMEOUT", "30s")]).contains("PHANTOM_REQUEST_TIMEOUT"));
        assert!(err(&[("PHANTOM_HEADER_READ_TIMEOUT", "0")]).contains("header_read_timeout"));
        assert!(err(&[("PHANTOM_MAX_CONNECTIONS", "0")]).contains("max_connections"));
        assert!(err(&[("PHANTOM_MAX_IN_FLIGHT_REQUESTS", "0")]).contains("max_in_flight_requests"));
    }
}
