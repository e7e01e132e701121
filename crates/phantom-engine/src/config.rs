//! Engine configuration, layered: defaults, then an optional TOML file, then environment
//! variables, then flags (each layer overrides the one before).
//!
//! | setting | TOML key | environment | default |
//! |---|---|---|---|
//! | data directory (SQLite store) | `data_dir` | `PHANTOM_DATA_DIR` | `$XDG_DATA_HOME/phantom`, else `~/.local/share/phantom` |
//! | database URL (PostgreSQL) | `database_url` | `PHANTOM_DATABASE_URL`, `POSTGRESQL_URI` | none: SQLite in the data directory |
//! | Redis URL (prediction cache) | `redis_url` | `PHANTOM_REDIS_URL`, `REDIS_URL` | none: no cache |
//! | log predictions | `inference_log.enabled` | `PHANTOM_INFERENCE_LOG` | `true` |
//! | share of predictions logged | `inference_log.sample_rate` | `PHANTOM_INFERENCE_SAMPLE_RATE` | `1.0` |
//! | log queue length | `inference_log.queue_capacity` | — | `65536` |
//! | cached prediction lifetime, s | `prediction_cache.ttl_seconds` | `PHANTOM_PREDICTION_CACHE_TTL` | `300` |
//! | trainings at once | `max_concurrent_trainings` | `PHANTOM_MAX_CONCURRENT_TRAININGS` | `1` |
//! | telemetry streams whose detector state is kept in memory between batches | `max_live_streams` | `PHANTOM_MAX_LIVE_STREAMS` | `10000` |
//! | login token lifetime, s | `auth.token_ttl_seconds` | `PHANTOM_TOKEN_TTL` | `900` |
//! | requests per second per API key or user, unless the key sets its own | `auth.default_rate_limit_per_second` | `PHANTOM_DEFAULT_RATE_LIMIT` | none: unlimited |
//! | how long an API key's row is reused before it is read again, ms (0: every request) | `auth.key_cache_ms` | `PHANTOM_KEY_CACHE_MS` | `1000` |
//! | failed logins allowed per user name and per source address in a window | `auth.max_failed_logins` | `PHANTOM_MAX_FAILED_LOGINS` | `10` |
//! | that window, s | `auth.failed_login_window_seconds` | `PHANTOM_FAILED_LOGIN_WINDOW` | `60` |
//!
//! The TOML file is the one given with `--config` or `PHANTOM_CONFIG`; when neither is set,
//! no file is read.
//!
//! ```toml
//! data_dir = "/var/lib/phantom"
//! database_url = "postgres://phantom@db/phantom"
//! redis_url = "redis://cache:6379"
//!
//! [inference_log]
//! enabled = true
//! sample_rate = 0.1
//!
//! [prediction_cache]
//! ttl_seconds = 60
//!
//! [auth]
//! token_ttl_seconds = 600
//! default_rate_limit_per_second = 100
//! max_failed_logins = 5
//! failed_login_window_seconds = 300
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::EngineError;

/// Settings of the engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineConfig {
    /// Directory of the embedded SQLite store (used when `database_url` is unset).
    pub data_dir: PathBuf,
    /// PostgreSQL (`postgres://...`) or SQLite (`sqlite://PATH`) URL.
    pub database_url: Option<String>,
    /// Redis URL for the prediction cache.
    pub redis_url: Option<String>,
    /// Prediction logging.
    pub inference_log: InferenceLogConfig,
    /// The Redis prediction cache.
    pub prediction_cache: PredictionCacheConfig,
    /// Trainings that run at the same time; more wait their turn.
    pub max_concurrent_trainings: usize,
    /// Telemetry streams whose detector state stays in memory between batches (a CBAD
    /// stream's is 50 to 100 KB). Beyond it, the streams idle longest are dropped from
    /// memory; their state is in the store and is read again with their next batch.
    pub max_live_streams: usize,
    /// Login tokens and rate limits.
    pub auth: AuthConfig,
}

/// Authentication settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// How long a login token is valid, in seconds.
    pub token_ttl_seconds: u64,
    /// Requests per second allowed to an API key that sets no limit of its own, and to each
    /// logged-in user; `None` is unlimited.
    pub default_rate_limit_per_second: Option<u32>,
    /// How long, in milliseconds, an API key's stored row is reused before it is read again;
    /// a revocation through another engine sharing the store holds within this time. 0 reads
    /// the row on every request.
    pub key_cache_ms: u64,
    /// Failed logins allowed per (tenant, user name) and per source address within
    /// `failed_login_window_seconds`; further logins are refused until the window ends.
    pub max_failed_logins: u32,
    /// The window failed logins are counted in, in seconds.
    pub failed_login_window_seconds: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            token_ttl_seconds: 900,
            default_rate_limit_per_second: None,
            key_cache_ms: 1_000,
            max_failed_logins: 10,
            failed_login_window_seconds: 60,
        }
    }
}

/// The longest failed-login window accepted: a day.
pub const MAX_FAILED_LOGIN_WINDOW_SECONDS: u64 = 86_400;

/// The longest login token lifetime accepted: a day. Tokens cannot be revoked one by one
/// (deleting the user stops them), so they are meant to be short-lived.
pub const MAX_TOKEN_TTL_SECONDS: u64 = 86_400;

/// The longest API-key cache lifetime accepted, ms: a revoked key keeps working on other
/// replicas for up to this long.
pub const MAX_KEY_CACHE_MS: u64 = 60_000;

/// Prediction logging settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InferenceLogConfig {
    /// Whether predictions are logged.
    pub enabled: bool,
    /// Share of predictions logged, in [0, 1]: 0.1 logs every tenth.
    pub sample_rate: f64,
    /// Records waiting to be written; when full, new records are dropped (and counted) rather
    /// than slowing predictions down.
    pub queue_capacity: usize,
}

/// Redis prediction-cache settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PredictionCacheConfig {
    /// How long a cached prediction lives, in seconds.
    pub ttl_seconds: u64,
}

impl Default for InferenceLogConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            sample_rate: 1.0,
            queue_capacity: 65_536,
        }
    }
}

impl Default for PredictionCacheConfig {
    fn default() -> Self {
        Self { ttl_seconds: 300 }
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            data_dir: default_data_dir(),
            database_url: None,
            redis_url: None,
            inference_log: InferenceLogConfig::default(),
            prediction_cache: PredictionCacheConfig::default(),
            max_concurrent_trainings: 1,
            max_live_streams: 10_000,
            auth: AuthConfig::default(),
        }
    }
}

/// Settings given as command-line flags (the top layer); `None` leaves the layer below.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConfigOverrides {
    /// `--config FILE`.
    pub config_file: Option<PathBuf>,
    /// `--data-dir DIR`.
    pub data_dir: Option<PathBuf>,
    /// `--database-url URL`.
    pub database_url: Option<String>,
    /// `--redis-url URL`.
    pub redis_url: Option<String>,
}

/// The default data directory: `$XDG_DATA_HOME/phantom`, else `$HOME/.local/share/phantom`,
/// else `./phantom-data`.
pub fn default_data_dir() -> PathBuf {
    data_dir_from(&|k| std::env::var(k).ok())
}

fn data_dir_from(env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    if let Some(xdg) = env("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(xdg).join("phantom");
    }
    if let Some(home) = env("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home).join(".local/share/phantom");
    }
    PathBuf::from("phantom-data")
}

impl EngineConfig {
    /// Loads the configuration from the process environment and `flags`.
    pub fn load(flags: &ConfigOverrides) -> Result<Self, EngineError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        Self::load_from(flags, &env)
    }

    /// Loads the configuration from the environment `env` (variable name to value) and `flags`.
    pub fn load_from(
        flags: &ConfigOverrides,
        env: &HashMap<String, String>,
    ) -> Result<Self, EngineError> {
        let get = |k: &str| env.get(k).filter(|v| !v.is_empty()).cloned();
        let file = flags
            .config_file
            .clone()
            .or_else(|| get("PHANTOM_CONFIG").map(PathBuf::from));
        let mut config = match &file {
            Some(path) => Self::from_toml_file(path)?,
            None => EngineConfig {
                data_dir: data_dir_from(&|k| get(k)),
                ..EngineConfig::default()
            },
        };
        if let Some(v) = get("PHANTOM_DATA_DIR") {
            config.data_dir = PathBuf::from(v);
        }
        if let Some(v) = get("PHANTOM_DATABASE_URL").or_else(|| get("POSTGRESQL_URI")) {
            config.database_url = Some(v);
        }
        if let Some(v) = get("PHANTOM_REDIS_URL").or_else(|| get("REDIS_URL")) {
            config.redis_url = Some(v);
        }
        if let Some(v) = get("PHANTOM_INFERENCE_LOG") {
            config.inference_log.enabled = parse_env("PHANTOM_INFERENCE_LOG", &v)?;
        }
        if let Some(v) = get("PHANTOM_INFERENCE_SAMPLE_RATE") {
            config.inference_log.sample_rate = parse_env("PHANTOM_INFERENCE_SAMPLE_RATE", &v)?;
        }
        if let Some(v) = get("PHANTOM_PREDICTION_CACHE_TTL") {
            config.prediction_cache.ttl_seconds = parse_env("PHANTOM_PREDICTION_CACHE_TTL", &v)?;
        }
        if let Some(v) = get("PHANTOM_MAX_CONCURRENT_TRAININGS") {
            config.max_concurrent_trainings = parse_env("PHANTOM_MAX_CONCURRENT_TRAININGS", &v)?;
        }
        if let Some(v) = get("PHANTOM_MAX_LIVE_STREAMS") {
            config.max_live_streams = parse_env("PHANTOM_MAX_LIVE_STREAMS", &v)?;
        }
        if let Some(v) = get("PHANTOM_TOKEN_TTL") {
            config.auth.token_ttl_seconds = parse_env("PHANTOM_TOKEN_TTL", &v)?;
        }
        if let Some(v) = get("PHANTOM_DEFAULT_RATE_LIMIT") {
            config.auth.default_rate_limit_per_second =
                Some(parse_env("PHANTOM_DEFAULT_RATE_LIMIT", &v)?);
        }
        if let Some(v) = get("PHANTOM_KEY_CACHE_MS") {
            config.auth.key_cache_ms = parse_env("PHANTOM_KEY_CACHE_MS", &v)?;
        }
        if let Some(v) = get("PHANTOM_MAX_FAILED_LOGINS") {
            config.auth.max_failed_logins = parse_env("PHANTOM_MAX_FAILED_LOGINS", &v)?;
        }
        if let Some(v) = get("PHANTOM_FAILED_LOGIN_WINDOW") {
            config.auth.failed_login_window_seconds = parse_env("PHANTOM_FAILED_LOGIN_WINDOW", &v)?;
        }
        if let Some(v) = &flags.data_dir {
            // An explicit data directory asks for the embedded store, whatever lower layers
            // said about a database (unless a database URL flag is also given).
            config.data_dir = v.clone();
            config.database_url = None;
        }
        if let Some(v) = &flags.database_url {
            config.database_url = Some(v.clone());
        }
        if let Some(v) = &flags.redis_url {
            config.redis_url = Some(v.clone());
        }
        config.validate()?;
        Ok(config)
    }

    /// Reads a TOML file; unknown keys and wrong types are errors that name the file and key.
    pub fn from_toml_file(path: &Path) -> Result<Self, EngineError> {
        let text = std::fs::read_to_string(path).map_err(|e| EngineError::InvalidConfig {
            field: "config file".into(),
            reason: format!("{}: {e}", path.display()),
        })?;
        toml::from_str(&text).map_err(|e| EngineError::InvalidConfig {
            field: "config file".into(),
            reason: format!("{}: {e}", path.display()),
        })
    }

    /// Checks the values that have a valid range.
    pub fn validate(&self) -> Result<(), EngineError> {
        let rate = self.inference_log.sample_rate;
        if !(0.0..=1.0).contains(&rate) {
            return Err(EngineError::InvalidConfig {
                field: "inference_log.sample_rate".into(),
                reason: format!("must be between 0 and 1, got {rate}"),
            });
        }
        if self.inference_log.queue_capacity == 0 {
            return Err(EngineError::InvalidConfig {
                field: "inference_log.queue_capacity".into(),
                reason: "must be at least 1".into(),
            });
        }
        if self.max_concurrent_trainings == 0 {
            return Err(EngineError::InvalidConfig {
                field: "max_concurrent_trainings".into(),
                reason: "must be at least 1".into(),
            });
        }
        if self.max_live_streams == 0 {
            return Err(EngineError::InvalidConfig {
                field: "max_live_streams".into(),
                reason: "must be at least 1".into(),
            });
        }
        let ttl = self.auth.token_ttl_seconds;
        if !(1..=MAX_TOKEN_TTL_SECONDS).contains(&ttl) {
            return Err(EngineError::InvalidConfig {
                field: "auth.token_ttl_seconds".into(),
                reason: format!("must be 1 to {MAX_TOKEN_TTL_SECONDS} seconds, got {ttl}"),
            });
        }
        if self.auth.key_cache_ms > MAX_KEY_CACHE_MS {
            return Err(EngineError::InvalidConfig {
                field: "auth.key_cache_ms".into(),
                reason: format!(
                    "must be at most {MAX_KEY_CACHE_MS} ms (a revoked key works that long), got {}",
                    self.auth.key_cache_ms
                ),
            });
        }
        if self.auth.default_rate_limit_per_second == Some(0) {
            return Err(EngineError::InvalidConfig {
                field: "auth.default_rate_limit_per_second".into(),
                reason: "must be at least 1 (leave it unset for no limit)".into(),
            });
        }
        if self.auth.max_failed_logins == 0 {
            return Err(EngineError::InvalidConfig {
                field: "auth.max_failed_logins".into(),
                reason: "must be at least 1 (a value of 0 would refuse every login)".into(),
            });
        }
        let window = self.auth.failed_login_window_seconds;
        if !(1..=MAX_FAILED_LOGIN_WINDOW_SECONDS).contains(&window) {
            return Err(EngineError::InvalidConfig {
                field: "auth.failed_login_window_seconds".into(),
                reason: format!(
                    "must be 1 to {MAX_FAILED_LOGIN_WINDOW_SECONDS} seconds, got {window}"
                ),
            });
        }
        Ok(())
    }
}

fn parse_env<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, EngineError>
where
    T::Err: std::fmt::Display,
{
    value
        .parse()
        .map_err(|e: T::Err| EngineError::InvalidConfig {
            field: name.to_owned(),
            reason: format!("'{value}': {e}"),
        })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn flags_beat_environment_beat_file_beat_defaults() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(
            file,
            "data_dir = \"/from/file\"\nredis_url = \"redis://file\"\ndatabase_url = \"postgres://file\"\n[inference_log]\nsample_rate = 0.5"
        )
        .unwrap();
        let path = file.path().display().to_string();
        let c = EngineConfig::load_from(
            &ConfigOverrides::default(),
            &env(&[("PHANTOM_CONFIG", &path), ("REDIS_URL", "redis://env")]),
        )
        .unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/from/file"));
        assert_eq!(c.redis_url.as_deref(), Some("redis://env"));
        assert_eq!(c.database_url.as_deref(), Some("postgres://file"));
        assert_eq!(c.inference_log.sample_rate, 0.5);

        let c = EngineConfig::load_from(
            &ConfigOverrides {
                database_url: Some("postgres://flag".into()),
                ..Default::default()
            },
            &env(&[
                ("PHANTOM_CONFIG", &path),
                ("POSTGRESQL_URI", "postgres://seed"),
                ("PHANTOM_DATA_DIR", "/from/env"),
            ]),
        )
        .unwrap();
        assert_eq!(c.database_url.as_deref(), Some("postgres://flag"));
        assert_eq!(c.data_dir, PathBuf::from("/from/env"));

        let c = EngineConfig::load_from(
            &ConfigOverrides {
                data_dir: Some("/flag".into()),
                ..Default::default()
            },
            &env(&[("PHANTOM_DATABASE_URL", "postgres://env")]),
        )
        .unwrap();
        assert_eq!((c.data_dir, c.database_url), (PathBuf::from("/flag"), None));

        let c = EngineConfig::load_from(
            &ConfigOverrides::default(),
            &env(&[
                ("POSTGRESQL_URI", "postgres://seed"),
                ("PHANTOM_DATABASE_URL", "postgres://phantom"),
                ("HOME", "/home/u"),
            ]),
        )
        .unwrap();
        assert_eq!(c.database_url.as_deref(), Some("postgres://phantom"));
        assert_eq!(c.data_dir, PathBuf::from("/home/u/.local/share/phantom"));
    }

    #[test]
    fn auth_settings_come_from_file_and_environment() {
        let c = EngineConfig::load_from(&ConfigOverrides::default(), &env(&[])).unwrap();
        assert_eq!(c.auth, AuthConfig::default());
        assert_eq!(
            (
                c.auth.token_ttl_seconds,
                c.auth.default_rate_limit_per_second
            ),
            (900, None)
        );
        assert_eq!(
            (c.auth.max_failed_logins, c.auth.failed_login_window_seconds),
            (10, 60)
        );

        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(
            file,
            "[auth]\ntoken_ttl_seconds = 60\ndefault_rate_limit_per_second = 5"
        )
        .unwrap();
        let path = file.path().display().to_string();
        let c = EngineConfig::load_from(
            &ConfigOverrides::default(),
            &env(&[("PHANTOM_CONFIG", &path)]),
        )
        .unwrap();
        assert_eq!(
            (
                c.auth.token_ttl_seconds,
                c.auth.default_rate_limit_per_second
            ),
            (60, Some(5))
        );

        let c = EngineConfig::load_from(
            &ConfigOverrides::default(),
            &env(&[
                ("PHANTOM_CONFIG", &path),
                ("PHANTOM_TOKEN_TTL", "120"),
                ("PHANTOM_DEFAULT_RATE_LIMIT", "40"),
                ("PHANTOM_MAX_FAILED_LOGINS", "3"),
                ("PHANTOM_FAILED_LOGIN_WINDOW", "300"),
            ]),
        )
        .unwrap();
        assert_eq!(
            (
                c.auth.token_ttl_seconds,
                c.auth.default_rate_limit_per_second
            ),
            (120, Some(40))
        );
        assert_eq!(
            (c.auth.max_failed_logins, c.auth.failed_login_window_seconds),
            (3, 300)
        );
    }

    #[test]
    fn bad_values_are_named() {
        let err = |pairs: &[(&str, &str)]| {
            EngineConfig::load_from(&ConfigOverrides::default(), &env(pairs))
                .unwrap_err()
                .to_string()
        };
        assert!(
            err(&[("PHANTOM_INFERENCE_SAMPLE_RATE", "2")]).contains("inference_log.sample_rate")
        );
        assert!(err(&[("PHANTOM_INFERENCE_LOG", "maybe")]).contains("PHANTOM_INFERENCE_LOG"));
        assert!(err(&[("PHANTOM_TOKEN_TTL", "0")]).contains("auth.token_ttl_seconds"));
        assert!(err(&[("PHANTOM_TOKEN_TTL", "soon")]).contains("PHANTOM_TOKEN_TTL"));
        assert!(
            err(&[("PHANTOM_DEFAULT_RATE_LIMIT", "0")])
                .contains("auth.default_rate_limit_per_second")
        );
        assert!(err(&[("PHANTOM_MAX_FAILED_LOGINS", "0")]).contains("auth.max_failed_logins"));
        assert!(
            err(&[("PHANTOM_FAILED_LOGIN_WINDOW", "0")])
                .contains("auth.failed_login_window_seconds")
        );
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(file, "data_dri = \"x\"").unwrap();
        let path = file.path().display().to_string();
        assert!(err(&[("PHANTOM_CONFIG", &path)]).contains("unknown field `data_dri`"));
    }
}
