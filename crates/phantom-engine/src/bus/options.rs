//! What the bus is named and how it is cut: [`BusOptions`] (shared by publishers and workers,
//! which must agree) and [`WorkerOptions`] (one worker's own settings).

use std::time::Duration;

use super::BusError;

/// Partitions of a new bus unless told otherwise.
pub const DEFAULT_PARTITIONS: u32 = 16;

/// The most partitions a bus may have (each is a consumer and a lease).
pub const MAX_PARTITIONS: u32 = 1_024;

/// The most messages a worker asks for at once.
pub const MAX_BATCH: usize = 1_000;

/// Where the events go in NATS and how workers share them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusOptions {
    /// Partitions the events are spread over by stream; a stream's events always go to the
    /// same one. Fixed when the JetStream stream is created: publishers and workers must all
    /// say the same number.
    pub partitions: u32,
    /// The JetStream stream that holds the events.
    pub stream_name: String,
    /// Subjects are `{subject_prefix}.p{N}`; the stream takes `{subject_prefix}.>`.
    pub subject_prefix: String,
    /// The JetStream key-value bucket of worker registrations and partition leases.
    pub lease_bucket: String,
    /// How long an event is kept in the stream, applied or not.
    pub max_age: Duration,
    /// How long a lease or registration lives without renewal: a dead worker's partitions
    /// are taken over after at most this long.
    pub lease_ttl: Duration,
}

impl Default for BusOptions {
    fn default() -> Self {
        Self {
            partitions: DEFAULT_PARTITIONS,
            stream_name: "PHANTOM_EVENTS".into(),
            subject_prefix: "phantom.events".into(),
            lease_bucket: "phantom-leases".into(),
            max_age: Duration::from_secs(7 * 24 * 3600),
            lease_ttl: Duration::from_secs(10),
        }
    }
}

impl BusOptions {
    /// The default names with `namespace` in each (stream `PHANTOM_EVENTS_{NAMESPACE}`,
    /// subjects `phantom.{namespace}.events.>`, bucket `phantom-leases-{namespace}`), so several
    /// deployments (or test runs) share one NATS server without seeing each other's events.
    /// A namespace is 1 to 32 of `a-z`, `0-9`, `-` and `_`.
    pub fn namespaced(namespace: &str) -> Result<Self, BusError> {
        let valid = !namespace.is_empty()
            && namespace.len() <= 32
            && namespace
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !valid {
            return Err(BusError::InvalidOptions {
                field: "namespace".into(),
                reason: format!(
                    "'{namespace}' is not 1 to 32 of a-z, 0-9, '-' and '_' (e.g. staging)"
                ),
            });
        }
        Ok(Self {
            stream_name: format!("PHANTOM_EVENTS_{}", namespace.to_ascii_uppercase()),
            subject_prefix: format!("phantom.{namespace}.events"),
            lease_bucket: format!("phantom-leases-{namespace}"),
            ..Self::default()
        })
    }

    /// Checks every setting is usable.
    pub(crate) fn validate(&self) -> Result<(), BusError> {
        let bad = |field: &str, reason: String| {
            Err(BusError::InvalidOptions {
                field: field.into(),
                reason,
            })
        };
        if !(1..=MAX_PARTITIONS).contains(&self.partitions) {
            return bad(
                "partitions",
                format!("{} is not 1 to {MAX_PARTITIONS}", self.partitions),
            );
        }
        if self.lease_ttl < Duration::from_secs(2) {
            return bad(
                "lease_ttl",
                format!("{:?} is under the 2 s minimum", self.lease_ttl),
            );
        }
        if self.max_age < self.lease_ttl {
            return bad(
                "max_age",
                format!(
                    "{:?} would drop events before a dead worker's partitions are taken over",
                    self.max_age
                ),
            );
        }
        let plain = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if !plain(&self.stream_name) {
            return bad(
                "stream_name",
                format!(
                    "'{}' is not made of A-Z, a-z, 0-9, '-' and '_'",
                    self.stream_name
                ),
            );
        }
        if !plain(&self.lease_bucket) {
            return bad(
                "lease_bucket",
                format!(
                    "'{}' is not made of A-Z, a-z, 0-9, '-' and '_'",
                    self.lease_bucket
                ),
            );
        }
        if !self.subject_prefix.split('.').all(plain) {
            return bad(
                "subject_prefix",
                format!(
                    "'{}' is not dot-separated tokens of A-Z, a-z, 0-9, '-' and '_'",
                    self.subject_prefix
                ),
            );
        }
        Ok(())
    }

    /// How often a worker renews its registration and leases.
    pub(crate) fn renew_every(&self) -> Duration {
        self.lease_ttl / 5
    }

    /// How long after sending its last successful renewal a worker keeps using a lease: half
    /// the lease's life, so it has stopped well before the lease can expire and be taken.
    pub(crate) fn fence_after(&self) -> Duration {
        self.lease_ttl / 2
    }
}

/// One worker's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerOptions {
    /// The worker's name in the lease bucket and the logs; unique among live workers.
    pub name: String,
    /// Messages asked for at once from a partition.
    pub batch: usize,
}

impl WorkerOptions {
    /// Checks the name fits a key of the lease bucket and the batch is usable.
    pub(crate) fn validate(&self) -> Result<(), BusError> {
        let name_ok = (1..=64).contains(&self.name.len())
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !name_ok {
            return Err(BusError::InvalidOptions {
                field: "worker name".into(),
                reason: format!(
                    "'{}' is not 1 to 64 of A-Z, a-z, 0-9, '-' and '_'",
                    self.name
                ),
            });
        }
        if !(1..=MAX_BATCH).contains(&self.batch) {
            return Err(BusError::InvalidOptions {
                field: "batch".into(),
                reason: format!("{} is not 1 to {MAX_BATCH} messages", self.batch),
            });
        }
        Ok(())
    }
}

impl Default for WorkerOptions {
    /// A fresh unique name (`worker-` and a UUID) and batches of 64 messages.
    fn default() -> Self {
        Self {
            name: format!("worker-{}", uuid::Uuid::now_v7().simple()),
            batch: 64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_name_everything_and_bad_settings_are_named() {
        let o = BusOptions::namespaced("ci-7").unwrap();
        assert_eq!(o.stream_name, "PHANTOM_EVENTS_CI-7");
        assert_eq!(o.subject_prefix, "phantom.ci-7.events");
        assert_eq!(o.lease_bucket, "phantom-leases-ci-7");
        o.validate().unwrap();
        BusOptions::default().validate().unwrap();
        for bad in ["", "Staging", "a.b", "a b", &"x".repeat(33)] {
            assert!(BusOptions::namespaced(bad).is_err(), "{bad:?}");
        }
        let err = |o: BusOptions| o.validate().unwrap_err().to_string();
        let zero = BusOptions {
            partitions: 0,
            ..BusOptions::default()
        };
        assert!(err(zero).contains("partitions"));
        let short = BusOptions {
            lease_ttl: Duration::from_millis(500),
            ..BusOptions::default()
        };
        assert!(err(short).contains("lease_ttl"));
        let subject = BusOptions {
            subject_prefix: "a.>".into(),
            ..BusOptions::default()
        };
        assert!(err(subject).contains("subject_prefix"));
        let o = BusOptions::default();
        WorkerOptions::default().validate().unwrap();
        let bad_name = WorkerOptions {
            name: "a.b".into(),
            ..WorkerOptions::default()
        };
        assert!(
            bad_name
                .validate()
                .unwrap_err()
                .to_string()
                .contains("worker name")
        );
        assert_eq!(
            (o.renew_every(), o.fence_after()),
            (Duration::from_secs(2), Duration::from_secs(5))
        );
    }
}
