//! The constructor's options: where the store is and how the engine runs.

use std::path::PathBuf;

use phantom_engine::config::InferenceLogConfig;
use phantom_engine::{ConfigOverrides, EngineConfig};
use serde::Deserialize;
use serde_json::Value;

use crate::error::BindingError;
use crate::json;

/// `new PhantomMLCore(options)`: every field may be left out. Layered like the CLI: defaults,
/// then the TOML file (`config_file` or `PHANTOM_CONFIG`), then `PHANTOM_*` environment
/// variables, then these options.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CoreOptions {
    /// Directory of the embedded SQLite store (default `$XDG_DATA_HOME/phantom`).
    pub data_dir: Option<PathBuf>,
    /// PostgreSQL URL; `initialize_databases` can also set it later.
    pub database_url: Option<String>,
    /// Redis URL of the prediction cache.
    pub redis_url: Option<String>,
    /// A TOML configuration file.
    pub config_file: Option<PathBuf>,
    /// Prediction logging (enabled, sample_rate, queue_capacity).
    pub inference_log: Option<InferenceLogConfig>,
    /// Trainings that run at the same time.
    pub max_concurrent_trainings: Option<usize>,
    /// The tenant whose models this instance sees (default `default`); lets several
    /// applications share one PostgreSQL database without seeing each other's models.
    pub tenant: Option<String>,
}

impl CoreOptions {
    /// Reads the constructor's argument: nothing, a JSON string, or an object.
    pub fn from_argument(argument: Option<Value>) -> Result<Self, BindingError> {
        let value = match argument {
            None | Some(Value::Null) => return Ok(Self::default()),
            Some(Value::String(text)) => json::parse_optional("options", Some(&text))?,
            Some(other) => other,
        };
        if value.is_null() {
            return Ok(Self::default());
        }
        json::typed("options", value)
    }

    /// The tenant, checked: 1 to 64 letters, digits, `-`, `_` and `.`.
    pub fn tenant(&self) -> Result<String, BindingError> {
        let tenant = self
            .tenant
            .clone()
            .unwrap_or_else(|| phantom_engine::TENANT_DEFAULT.to_owned());
        let valid = !tenant.is_empty()
            && tenant.len() <= 64
            && tenant
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if valid {
            Ok(tenant)
        } else {
            Err(BindingError::shape(
                "options",
                "tenant",
                format!("'{tenant}' must be 1 to 64 letters, digits, '-', '_' or '.'"),
            ))
        }
    }

    /// The engine configuration these options ask for.
    pub fn engine_config(self) -> Result<EngineConfig, BindingError> {
        let mut config = EngineConfig::load(&ConfigOverrides {
            config_file: self.config_file,
            data_dir: self.data_dir,
            database_url: self.database_url,
            redis_url: self.redis_url,
        })?;
        if let Some(log) = self.inference_log {
            config.inference_log = log;
        }
        if let Some(n) = self.max_concurrent_trainings {
            config.max_concurrent_trainings = n;
        }
        config.validate()?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_come_as_a_string_or_an_object() {
        let from_text =
            CoreOptions::from_argument(Some(Value::String(r#"{"data_dir": "/tmp/x"}"#.into())))
                .unwrap();
        assert_eq!(from_text.data_dir, Some(PathBuf::from("/tmp/x")));
        let from_object =
            CoreOptions::from_argument(Some(serde_json::json!({"data_dir": "/tmp/y"}))).unwrap();
        assert_eq!(from_object.data_dir, Some(PathBuf::from("/tmp/y")));
        assert!(CoreOptions::from_argument(None).unwrap().data_dir.is_none());
    }

    #[test]
    fn unknown_options_are_named() {
        let e = CoreOptions::from_argument(Some(serde_json::json!({"datadir": "x"})))
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field `datadir`"), "{e}");
    }
}
