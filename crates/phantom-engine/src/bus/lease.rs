//! The lease bucket as one worker sees it: its registration (`worker.{name}`), the partition
//! leases (`lease.p{N}`, whose value is the holder's name), and the census of both. Entries
//! expire `lease_ttl` after their last write; every call here gives up after one renewal
//! period, so a worker's coordination never stalls past its fences.

use std::collections::BTreeSet;
use std::future::Future;
use std::time::Duration;

use async_nats::jetstream::kv;
use futures_util::TryStreamExt;

use super::{BoxError, BusError, EventBus};

/// What the bucket holds now.
pub(crate) struct Census {
    /// Live workers (registrations not expired), this one included once it registered.
    pub(crate) workers: u32,
    /// Partitions someone holds.
    pub(crate) leased: BTreeSet<u32>,
}

/// One worker's handle on the lease bucket.
#[derive(Clone)]
pub(crate) struct Leases {
    bus: EventBus,
    worker: String,
    patience: Duration,
}

impl Leases {
    /// The handle of the worker `worker` on `bus`'s bucket.
    pub(crate) fn new(bus: &EventBus, worker: &str) -> Self {
        Self {
            bus: bus.clone(),
            worker: worker.to_owned(),
            patience: bus.options.renew_every(),
        }
    }

    fn kv(&self) -> &kv::Store {
        &self.bus.leases
    }

    fn registration(&self) -> String {
        format!("worker.{}", self.worker)
    }

    fn lease(partition: u32) -> String {
        format!("lease.p{partition}")
    }

    /// Writes (or renews) this worker's registration.
    pub(crate) async fn register(&self) -> Result<(), BusError> {
        let key = self.registration();
        self.within(
            format!("register the worker in {}", self.bus.options.lease_bucket),
            self.kv().put(&key, self.worker.clone().into()),
        )
        .await
        .map(drop)
    }

    /// Removes this worker's registration.
    pub(crate) async fn deregister(&self) -> Result<(), BusError> {
        let key = self.registration();
        self.within(
            "remove the worker's registration".into(),
            self.kv().delete(&key),
        )
        .await
    }

    /// Counts the live workers and lists the leased partitions.
    pub(crate) async fn census(&self) -> Result<Census, BusError> {
        let keys = self
            .within("list the leases".into(), async {
                let keys = self.kv().keys().await?;
                keys.try_collect::<Vec<String>>()
                    .await
                    .map_err(BoxError::from)
            })
            .await?;
        let mut census = Census {
            workers: 0,
            leased: BTreeSet::new(),
        };
        for key in keys {
            if key.starts_with("worker.") {
                census.workers += 1;
            } else if let Some(n) = key.strip_prefix("lease.p").and_then(|n| n.parse().ok()) {
                census.leased.insert(n);
            }
        }
        Ok(census)
    }

    /// Takes the lease of `partition` if nobody holds it: its revision, or `None` when it is
    /// held.
    pub(crate) async fn claim(&self, partition: u32) -> Result<Option<u64>, BusError> {
        let key = Self::lease(partition);
        let action = format!("claim p{partition}");
        let created = tokio::time::timeout(
            self.patience,
            self.kv().create(&key, self.worker.clone().into()),
        )
        .await
        .map_err(|e| self.bus.error(action.clone(), e))?;
        match created {
            Ok(revision) => Ok(Some(revision)),
            Err(e) => match e.kind() {
                kv::CreateErrorKind::AlreadyExists => Ok(None),
                kv::CreateErrorKind::InvalidKey
                | kv::CreateErrorKind::Publish
                | kv::CreateErrorKind::Ack
                | kv::CreateErrorKind::Other => Err(self.bus.error(action, e)),
            },
        }
    }

    /// Rewrites the lease of `partition` at `revision`, the one this worker holds: the new
    /// revision, or an error if anyone else wrote it (or it expired) since.
    pub(crate) async fn renew(&self, partition: u32, revision: u64) -> Result<u64, BusError> {
        let key = Self::lease(partition);
        self.within(
            format!("renew the lease of p{partition}"),
            self.kv().update(&key, self.worker.clone().into(), revision),
        )
        .await
    }

    /// Gives back the lease of `partition`, if it is still at `revision`.
    pub(crate) async fn release(&self, partition: u32, revision: u64) -> Result<(), BusError> {
        let key = Self::lease(partition);
        self.within(
            format!("release p{partition}"),
            self.kv().delete_expect_revision(&key, Some(revision)),
        )
        .await
    }

    /// Runs `request`, giving up after one renewal period.
    async fn within<T, E>(
        &self,
        action: String,
        request: impl Future<Output = Result<T, E>>,
    ) -> Result<T, BusError>
    where
        E: Into<BoxError>,
    {
        match tokio::time::timeout(self.patience, request).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(self.bus.error(action, e)),
            Err(elapsed) => Err(self.bus.error(action, elapsed)),
        }
    }
}
