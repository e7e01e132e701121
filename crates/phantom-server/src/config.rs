//! Server settings: the listening address and the limits on what one request may carry, from
//! defaults, then the environment, then flags (each layer overrides the one before).
//!
//! | setting | flag | environment | default |
//! |---|---|---|---|
//! | address | `--addr` | `PHANTOM_ADDR` | `127.0.0.1:8080` |
//! | request body | `--max-body-bytes` | `PHANTOM_MAX_BODY_BYTES` | 16 MiB |
//! | rows in one batch | `--max-batch-rows` | `PHANTOM_MAX_BATCH_ROWS` | 100,000 |
//! | CSV upload or model import | `--max-upload-bytes` | `PHANTOM_MAX_UPLOAD_BYTES` | 256 MiB |

use std::collections::HashMap;
use std::net::SocketAddr;

use phantom_engine::MAX_BATCH_ROWS;

use crate::ServerError;

/// The address `phantom serve` listens on by default: loopback only.
pub const DEFAULT_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8080);

/// Default bound on a JSON request body: 16 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Default bound on the rows of one batch (batch predictions, feature batches, series).
pub const DEFAULT_MAX_BATCH_ROWS: usize = 100_000;

/// Default bound on a CSV upload or an imported model file: 256 MiB.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 256 * 1024 * 1024;

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
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            addr: DEFAULT_ADDR,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_batch_rows: DEFAULT_MAX_BATCH_ROWS,
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
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
        Ok(())
    }
}

fn parse_setting<T: std::str::FromStr>(
    name: &str,
    value: &str,
    expected: &str,
) -> Result<T, ServerError> {
    value
        .trim()
        .parse()
        .map_err(|_| invalid(name, value, &format!("expected {expected}")))
}

fn invalid(name: &str, value: &str, reason: &str) -> ServerError {
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
    }
}
