//! [`run_worker`]: register, keep a fair share of the partitions leased, consume each leased
//! partition in its own task, give partitions back when other workers join, and leave cleanly.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::{Instant, MissedTickBehavior};

use super::lease::Leases;
use super::{BusError, EventBus, WorkerOptions, consume};
use crate::Engine;

/// Consumes the bus with `engine` until `shutdown` completes, then stops consuming, gives its
/// partitions back and removes its registration, so the other workers take them over at their
/// next renewal rather than after the leases expire.
///
/// Fails only when the worker cannot register at start (the server refuses the bucket, the
/// name is unusable); once running, NATS or store failures are logged and retried.
pub async fn run_worker(
    engine: Engine,
    bus: EventBus,
    options: WorkerOptions,
    shutdown: impl Future<Output = ()>,
) -> Result<(), BusError> {
    options.validate()?;
    let leases = Leases::new(&bus, &options.name);
    leases.register().await?;
    tracing::info!(
        worker = %options.name,
        stream = %bus.options.stream_name,
        partitions = bus.options.partitions,
        "worker registered; claiming its share of the partitions"
    );
    let mut tick = tokio::time::interval(bus.options.renew_every());
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut worker = Worker {
        engine,
        bus,
        leases,
        options,
        held: BTreeMap::new(),
        stopping: JoinSet::new(),
    };
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            _ = tick.tick() => worker.coordinate().await,
        }
    }
    worker.leave().await;
    Ok(())
}

/// A partition this worker holds.
struct Held {
    /// The lease's revision, as last written by this worker.
    revision: u64,
    /// Until when the partition's task may apply messages.
    fence: watch::Sender<Instant>,
    /// The partition's task.
    task: JoinHandle<()>,
}

struct Worker {
    engine: Engine,
    bus: EventBus,
    leases: Leases,
    options: WorkerOptions,
    held: BTreeMap<u32, Held>,
    /// Partitions being stopped, and released where this worker still holds them.
    stopping: JoinSet<()>,
}

impl Worker {
    /// One round: renew, then take or give back partitions to hold a fair share.
    async fn coordinate(&mut self) {
        if let Err(e) = self.leases.register().await {
            tracing::warn!(worker = %self.options.name, "{e}");
        }
        self.renew().await;
        self.release_ended();
        while self.stopping.try_join_next().is_some() {}
        let census = match self.leases.census().await {
            Ok(census) => census,
            Err(e) => {
                tracing::warn!(worker = %self.options.name, "{e}; trying again");
                return;
            }
        };
        let share = self.bus.options.partitions.div_ceil(census.workers.max(1)) as usize;
        while self.held.len() > share {
            let Some((&partition, _)) = self.held.last_key_value() else {
                break;
            };
            self.release(partition);
        }
        if self.held.len() < share {
            self.claim(share, &census.leased, census.workers).await;
        }
    }

    /// Renews every held lease at once; a partition whose renewal fails stops at once.
    async fn renew(&mut self) {
        let fence_after = self.bus.options.fence_after();
        let leases = &self.leases;
        let renewals = self.held.iter().map(|(&partition, held)| {
            let revision = held.revision;
            async move {
                let sent = Instant::now();
                (partition, sent, leases.renew(partition, revision).await)
            }
        });
        for (partition, sent, result) in futures_util::future::join_all(renewals).await {
            match result {
                Ok(revision) => {
                    if let Some(held) = self.held.get_mut(&partition) {
                        held.revision = revision;
                        held.fence.send_replace(sent + fence_after);
                    }
                }
                Err(e) => {
                    tracing::warn!(
                        worker = %self.options.name,
                        partition,
                        "lost the lease of p{partition} ({e}); stopped consuming it"
                    );
                    if let Some(held) = self.held.remove(&partition) {
                        held.fence.send_replace(Instant::now());
                        self.stopping.spawn(finish(held.task));
                    }
                }
            }
        }
    }

    /// Gives back the partitions whose task ended without being asked to (its fence passed
    /// while a round was slow), so they are claimed again.
    fn release_ended(&mut self) {
        let ended: Vec<u32> = self
            .held
            .iter()
            .filter(|(_, held)| held.task.is_finished())
            .map(|(&partition, _)| partition)
            .collect();
        for partition in ended {
            tracing::warn!(
                worker = %self.options.name,
                partition,
                "p{partition} stopped consuming on its own; giving it back"
            );
            self.release(partition);
        }
    }

    /// Stops consuming `partition` and, once its task has finished its message, releases the
    /// lease.
    fn release(&mut self, partition: u32) {
        let Some(held) = self.held.remove(&partition) else {
            return;
        };
        held.fence.send_replace(Instant::now());
        let leases = self.leases.clone();
        let name = self.options.name.clone();
        let holding = self.held.len();
        self.stopping.spawn(async move {
            finish(held.task).await;
            match leases.release(partition, held.revision).await {
                Ok(()) => tracing::info!(
                    worker = %name,
                    partition,
                    holding,
                    "released p{partition} (now holding {holding})"
                ),
                Err(e) => tracing::warn!(worker = %name, partition, "{e}; it expires by itself"),
            }
        });
    }

    /// Claims free partitions until this worker holds `share`, starting from a place that
    /// depends on its name so that workers claiming at once mostly ask for different ones.
    async fn claim(&mut self, share: usize, leased: &BTreeSet<u32>, workers: u32) {
        let partitions = self.bus.options.partitions;
        let start = super::partition::partition_of(&self.options.name, "", partitions);
        for i in 0..partitions {
            if self.held.len() >= share {
                return;
            }
            let partition = (start + i) % partitions;
            if leased.contains(&partition) || self.held.contains_key(&partition) {
                continue;
            }
            let sent = Instant::now();
            match self.leases.claim(partition).await {
                Ok(Some(revision)) => {
                    self.start(partition, revision, sent);
                    tracing::info!(
                        worker = %self.options.name,
                        partition,
                        holding = self.held.len(),
                        workers,
                        "claimed p{partition} (now holding {}, {workers} workers)",
                        self.held.len()
                    );
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(worker = %self.options.name, "{e}; trying again");
                    return;
                }
            }
        }
    }

    /// Starts consuming `partition`, whose lease is at `revision` as of a write sent at `sent`.
    fn start(&mut self, partition: u32, revision: u64, sent: Instant) {
        let (fence, until) = watch::channel(sent + self.bus.options.fence_after());
        let task = tokio::spawn(consume::run(
            self.engine.clone(),
            self.bus.clone(),
            partition,
            until,
            self.options.batch,
        ));
        self.held.insert(
            partition,
            Held {
                revision,
                fence,
                task,
            },
        );
    }

    /// Stops every partition, releases the leases and the registration.
    async fn leave(mut self) {
        let partitions: Vec<u32> = self.held.keys().copied().collect();
        for partition in partitions {
            self.release(partition);
        }
        while self.stopping.join_next().await.is_some() {}
        if let Err(e) = self.leases.deregister().await {
            tracing::warn!(worker = %self.options.name, "{e}; it expires by itself");
        }
        tracing::info!(worker = %self.options.name, "worker stopped");
    }
}

/// Waits for a partition's task, logging it if it panicked.
async fn finish(task: JoinHandle<()>) {
    if let Err(e) = task.await {
        tracing::error!("a partition's consumer failed: {e}");
    }
}
