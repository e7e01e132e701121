//! Where the event bus is: the NATS settings that `phantom serve` and `phantom worker` share,
//! from defaults, then the environment, then flags.
//!
//! | setting | flag | environment | default |
//! |---|---|---|---|
//! | NATS URL | `--nats-url` | `PHANTOM_NATS_URL`, `NATS_URL` | none: no bus |
//! | namespace of the stream, subjects and lease bucket | `--nats-namespace` | `PHANTOM_NATS_NAMESPACE` | none: `PHANTOM_EVENTS`, `phantom.events.>`, `phantom-leases` |
//! | partitions | `--nats-partitions` (`phantom worker --partitions`) | `PHANTOM_NATS_PARTITIONS` | 16 |

use std::collections::HashMap;

use phantom_engine::bus::{BusOptions, DEFAULT_PARTITIONS, EventBus, MAX_PARTITIONS};

use crate::ServerError;
use crate::config::{invalid, parse_setting};

/// The event bus settings.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct NatsConfig {
    /// The NATS server(s); `None` runs without a bus.
    pub url: Option<String>,
    /// The names and partitions of the stream and lease bucket.
    pub bus: BusOptions,
}

impl std::fmt::Debug for NatsConfig {
    /// Leaves the URL out: it may carry a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsConfig")
            .field("url", &self.url.as_ref().map(|_| "(set)"))
            .field("bus", &self.bus)
            .finish()
    }
}

/// Event bus settings given as flags; `None` leaves the layer below.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NatsOverrides {
    /// `--nats-url`.
    pub url: Option<String>,
    /// `--nats-namespace`.
    pub namespace: Option<String>,
    /// `--nats-partitions` (`--partitions` of `phantom worker`).
    pub partitions: Option<u32>,
}

impl NatsConfig {
    /// Loads the settings from the process environment and `flags`.
    pub fn load(flags: &NatsOverrides) -> Result<Self, ServerError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        Self::load_from(flags, &env)
    }

    /// Loads the settings from `env` (variable name to value) and `flags`.
    pub fn load_from(
        flags: &NatsOverrides,
        env: &HashMap<String, String>,
    ) -> Result<Self, ServerError> {
        let get = |k: &str| env.get(k).filter(|v| !v.is_empty()).cloned();
        let url = flags
            .url
            .clone()
            .or_else(|| get("PHANTOM_NATS_URL"))
            .or_else(|| get("NATS_URL"));
        let namespace = flags
            .namespace
            .clone()
            .or_else(|| get("PHANTOM_NATS_NAMESPACE"));
        let mut bus = match &namespace {
            Some(namespace) => BusOptions::namespaced(namespace)
                .map_err(|e| invalid("nats_namespace", namespace, &e.to_string()))?,
            None => BusOptions::default(),
        };
        let partitions = match (flags.partitions, get("PHANTOM_NATS_PARTITIONS")) {
            (Some(n), _) => n,
            (None, Some(v)) => parse_setting(
                "PHANTOM_NATS_PARTITIONS",
                &v,
                "a whole number of partitions",
            )?,
            (None, None) => DEFAULT_PARTITIONS,
        };
        if !(1..=MAX_PARTITIONS).contains(&partitions) {
            return Err(invalid(
                "nats_partitions",
                &partitions.to_string(),
                &format!("must be 1 to {MAX_PARTITIONS}"),
            ));
        }
        bus.partitions = partitions;
        Ok(Self { url, bus })
    }

    /// Connects to the bus when a URL is set.
    pub async fn connect(&self) -> Result<Option<EventBus>, ServerError> {
        match &self.url {
            Some(url) => Ok(Some(EventBus::connect(url, self.bus.clone()).await?)),
            None => Ok(None),
        }
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
        let none = NatsConfig::load_from(&NatsOverrides::default(), &env(&[])).unwrap();
        assert_eq!(none, NatsConfig::default());
        assert_eq!(none.bus.partitions, 16);

        let vars = env(&[
            ("NATS_URL", "nats://fallback:4222"),
            ("PHANTOM_NATS_NAMESPACE", "staging"),
            ("PHANTOM_NATS_PARTITIONS", "8"),
        ]);
        let c = NatsConfig::load_from(&NatsOverrides::default(), &vars).unwrap();
        assert_eq!(c.url.as_deref(), Some("nats://fallback:4222"));
        assert_eq!(
            (c.bus.stream_name.as_str(), c.bus.partitions),
            ("PHANTOM_EVENTS_STAGING", 8)
        );

        let flags = NatsOverrides {
            url: Some("nats://app:secret@bus:4222".into()),
            namespace: Some("prod".into()),
            partitions: Some(32),
        };
        let c = NatsConfig::load_from(&flags, &vars).unwrap();
        assert_eq!(c.url.as_deref(), Some("nats://app:secret@bus:4222"));
        assert_eq!(
            (c.bus.lease_bucket.as_str(), c.bus.partitions),
            ("phantom-leases-prod", 32)
        );
        assert!(!format!("{c:?}").contains("secret"));
    }

    #[test]
    fn bad_values_name_the_setting() {
        let err = |flags: NatsOverrides, pairs: &[(&str, &str)]| {
            NatsConfig::load_from(&flags, &env(pairs))
                .unwrap_err()
                .to_string()
        };
        let none = NatsOverrides::default;
        assert!(
            err(none(), &[("PHANTOM_NATS_PARTITIONS", "many")]).contains("PHANTOM_NATS_PARTITIONS")
        );
        assert!(err(none(), &[("PHANTOM_NATS_PARTITIONS", "0")]).contains("nats_partitions"));
        let flags = NatsOverrides {
            namespace: Some("Prod.1".into()),
            ..NatsOverrides::default()
        };
        assert!(err(flags, &[]).contains("nats_namespace"));
    }
}
