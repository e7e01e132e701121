//! The event bus: stream events published to NATS JetStream and applied by any number of
//! workers, each stream on one worker at a time, with no event lost or applied twice when a
//! worker dies.
//!
//! - [`EventBus::connect`] binds (or creates) the JetStream stream and the lease bucket that
//!   [`BusOptions`] name; [`EventBus::publish`] sends events and returns once JetStream has
//!   stored them.
//! - [`run_worker`] consumes the partitions this worker holds and applies their messages with
//!   [`Engine::ingest`](crate::Engine::ingest) until its shutdown future completes.
//!
//! ```no_run
//! use phantom_engine::bus::{BusOptions, EventBus, WorkerOptions, run_worker};
//! use phantom_engine::{Engine, EngineConfig};
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let bus = EventBus::connect("nats://127.0.0.1:4222", BusOptions::default()).await?;
//! let engine = Engine::open(EngineConfig::default()).await?;
//! run_worker(engine, bus, WorkerOptions::default(), async {
//!     tokio::signal::ctrl_c().await.ok();
//! })
//! .await?;
//! # Ok(()) }
//! ```
//!
//! # Design
//!
//! **Partitions.** A stream's events go to subject `phantom.events.p{N}`, where N is a stable
//! hash (FNV-1a) of the tenant and stream key modulo the partitions (16 by default). One
//! message carries one tenant's events of one stream, in order (split when large). The
//! JetStream stream `PHANTOM_EVENTS` keeps them (file storage, limits retention, 7 days), and
//! records the partition count in its description, so a publisher or worker configured with
//! another count is refused rather than sending a stream's events to two partitions.
//!
//! **Leases.** Workers share the partitions through a JetStream key-value bucket whose
//! entries live `lease_ttl` (10 s) unless rewritten. Each worker writes `worker.{name}` every
//! `lease_ttl / 5` (2 s), counts the live workers, and keeps `ceil(partitions / workers)`
//! partitions: it claims a free one by creating `lease.p{N}` (which fails if it exists),
//! renews each lease by rewriting it at the revision it holds (which fails if anyone else
//! wrote it), and gives back extras when workers join. A dead worker's entries expire, and the
//! others take its partitions within `lease_ttl` and a renewal period.
//!
//! **Fencing.** A worker applies a partition's messages only while its last successful
//! renewal of that lease was sent less than `lease_ttl / 2` ago. It stops at once when a
//! renewal fails, and by itself when renewals cannot get through, so it has stopped well
//! before the lease can expire and be taken: two workers never consume a partition at once
//! (but for the one message a worker may be applying when its time runs out, see below).
//!
//! **Consuming.** Each partition has a durable pull consumer `phantom-p{N}` (explicit
//! acknowledgement, 10 s ack wait). The holder fetches a batch and, for each message in order,
//! applies it with `Engine::ingest(tenant, events, Some((source, stream_sequence)))` and
//! acknowledges it once that returned `Ok`; a failed apply is retried in place (never
//! skipped), so a partition's messages are applied strictly in stream order. When a worker
//! takes a partition whose consumer still has messages delivered to a previous holder and not
//! acknowledged, it recreates the consumer from the first unacknowledged message: otherwise
//! JetStream would hand it newer messages first and redeliver those only after their ack
//! wait, out of order.
//!
//! **Why no anomaly is lost.** A message is acknowledged only after `ingest` returned `Ok`,
//! and `ingest` returns `Ok` only once the events' effect on their stream and the anomalies
//! they raised are stored in one transaction. An unacknowledged message is delivered again,
//! and every holder reads its partition in order from the first unacknowledged message, so
//! every message is applied, in order, by someone.
//!
//! **Why none is reported twice.** Each stream's stored state records, per source (the
//! stream's name and creation time, and the partition), the sequence of the last message
//! applied, in the same transaction as the events. A message delivered again after a crash
//! (applied, not yet acknowledged) has a sequence at or below it and is skipped. Writes carry
//! the stream version they started from, so even the message a fenced-out worker was still
//! applying cannot be applied on top of its successor's: one write wins, the other reloads
//! and skips. Anomaly ids are derived from the tenant, stream, detector and last event, and
//! stored once per id.

mod codec;
mod consume;
mod error;
mod lease;
mod options;
mod partition;
mod publish;
mod worker;

use async_nats::jetstream::{self, kv, stream};

pub use error::BusError;
pub use options::{BusOptions, DEFAULT_PARTITIONS, MAX_BATCH, MAX_PARTITIONS, WorkerOptions};
pub use worker::run_worker;

use crate::streams::StreamId;

/// Room left in a message for its headers.
const HEADER_ROOM: usize = 1_024;

/// The largest message body published, whatever the server allows: large enough that a
/// message carries thousands of events, small enough that one apply stays short.
const MAX_BODY: usize = 1 << 20;

/// A connection to the bus: the JetStream stream of events and the lease bucket. Cheap to
/// clone; clones share the connection.
#[derive(Clone)]
pub struct EventBus {
    jetstream: jetstream::Context,
    stream: stream::Stream,
    leases: kv::Store,
    options: BusOptions,
    /// The server's URL with its credentials hidden, for messages.
    url: String,
    /// Names this incarnation of the stream in source names: its creation time, ns.
    epoch: i128,
    /// The largest body a message may have.
    body_limit: usize,
}

impl EventBus {
    /// Connects to the NATS server at `url` (`nats://[user:password@]host:4222`, several
    /// separated by commas), then binds the stream and the lease bucket `options` name,
    /// creating them if they do not exist.
    pub async fn connect(url: &str, options: BusOptions) -> Result<Self, BusError> {
        options.validate()?;
        let shown = error::redact(url);
        let client = async_nats::ConnectOptions::new()
            .name("phantom")
            .connection_timeout(std::time::Duration::from_secs(5))
            .connect(url)
            .await
            .map_err(|source| BusError::Connect {
                url: shown.clone(),
                source,
            })?;
        let body_limit = client
            .server_info()
            .max_payload
            .saturating_sub(HEADER_ROOM)
            .min(MAX_BODY);
        let jetstream = jetstream::new(client);
        let stream = bind_stream(&jetstream, &options, &shown).await?;
        let epoch = stream.cached_info().created.unix_timestamp_nanos();
        let leases = bind_leases(&jetstream, &options, &shown).await?;
        Ok(Self {
            jetstream,
            stream,
            leases,
            options,
            url: shown,
            epoch,
            body_limit,
        })
    }

    /// The settings the bus was connected with.
    pub fn options(&self) -> &BusOptions {
        &self.options
    }

    /// The partition `tenant`'s stream `stream` is published to.
    pub fn partition(&self, tenant: &str, stream: &StreamId) -> u32 {
        partition::partition_of(tenant, &stream.key(), self.options.partitions)
    }

    /// Deletes the stream, with every event not yet applied, and the lease bucket: for tearing
    /// down a namespace (and tests). Workers still running lose their leases and stop
    /// consuming.
    pub async fn delete(self) -> Result<(), BusError> {
        self.jetstream
            .delete_stream(&self.options.stream_name)
            .await
            .map_err(|e| {
                self.error(format!("delete the stream {}", self.options.stream_name), e)
            })?;
        self.jetstream
            .delete_key_value(&self.options.lease_bucket)
            .await
            .map_err(|e| {
                self.error(
                    format!("delete the lease bucket {}", self.options.lease_bucket),
                    e,
                )
            })?;
        Ok(())
    }

    /// The subject of partition `partition`.
    fn subject(&self, partition: u32) -> String {
        format!("{}.p{partition}", self.options.subject_prefix)
    }

    /// The source name under which streams record the last message applied from
    /// `partition`. It names this incarnation of the stream: if the stream is deleted and made
    /// again, its sequences restart at 1 under a new name instead of being skipped.
    fn source(&self, partition: u32) -> String {
        format!("{}@{}/p{partition}", self.options.stream_name, self.epoch)
    }

    /// An error of `action` on this bus's server.
    fn error(&self, action: String, source: impl Into<BoxError>) -> BusError {
        nats_error(&self.url, action, source)
    }
}

/// Any error the NATS client returns.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn nats_error(url: &str, action: String, source: impl Into<BoxError>) -> BusError {
    BusError::Nats {
        url: url.to_owned(),
        action,
        source: source.into(),
    }
}

/// The stream's description, which records its partition count.
fn describe(partitions: u32) -> String {
    format!("Phantom stream events, by stream key; partitions={partitions}")
}

/// Gets or creates the events stream and checks it was made with these subjects and
/// partitions.
async fn bind_stream(
    jetstream: &jetstream::Context,
    options: &BusOptions,
    url: &str,
) -> Result<stream::Stream, BusError> {
    let subjects = vec![format!("{}.>", options.subject_prefix)];
    let stream = jetstream
        .get_or_create_stream(stream::Config {
            name: options.stream_name.clone(),
            description: Some(describe(options.partitions)),
            subjects: subjects.clone(),
            storage: stream::StorageType::File,
            retention: stream::RetentionPolicy::Limits,
            discard: stream::DiscardPolicy::Old,
            max_age: options.max_age,
            ..Default::default()
        })
        .await
        .map_err(|e| {
            nats_error(
                url,
                format!(
                    "create the stream {} (is JetStream enabled on the server?)",
                    options.stream_name
                ),
                e,
            )
        })?;
    let config = &stream.cached_info().config;
    let mismatch = |problem: String| BusError::Mismatch {
        url: url.to_owned(),
        stream: options.stream_name.clone(),
        problem,
    };
    if config.subjects != subjects {
        return Err(mismatch(format!(
            "takes the subjects {:?}, not {:?}: it belongs to something else; choose another \
             namespace",
            config.subjects, subjects
        )));
    }
    let recorded = config
        .description
        .as_deref()
        .and_then(|d| d.rsplit_once("partitions="))
        .and_then(|(_, n)| n.trim().parse::<u32>().ok());
    match recorded {
        Some(n) if n == options.partitions => Ok(stream),
        Some(n) => Err(mismatch(format!(
            "was made with {n} partitions, not {}: use {n} everywhere (phantom worker \
             --partitions {n}, phantom serve --nats-partitions {n}); to change the count, let \
             the workers drain it, then delete it",
            options.partitions
        ))),
        None => Err(mismatch(
            "was not made by Phantom (its description names no partition count); choose \
             another namespace"
                .into(),
        )),
    }
}

/// Gets or creates the lease bucket. Its stream is made here, as the client's
/// `create_key_value` would make it, because that call first reads the account's JetStream
/// info, which the client cannot parse from servers before 2.10.
async fn bind_leases(
    jetstream: &jetstream::Context,
    options: &BusOptions,
    url: &str,
) -> Result<kv::Store, BusError> {
    let bucket = &options.lease_bucket;
    let stream = jetstream
        .get_or_create_stream(stream::Config {
            name: format!("KV_{bucket}"),
            description: Some("Phantom workers and their partition leases".into()),
            subjects: vec![format!("$KV.{bucket}.>")],
            max_messages_per_subject: 1,
            max_age: options.lease_ttl,
            storage: stream::StorageType::File,
            discard: stream::DiscardPolicy::New,
            allow_rollup: true,
            deny_delete: true,
            allow_direct: true,
            num_replicas: 1,
            ..Default::default()
        })
        .await
        .map_err(|e| nats_error(url, format!("create the lease bucket {bucket}"), e))?;
    let made_with = stream.cached_info().config.max_age;
    if made_with != options.lease_ttl {
        return Err(BusError::Mismatch {
            url: url.to_owned(),
            stream: format!("KV_{bucket}"),
            problem: format!(
                "keeps leases {made_with:?}, not {:?}: use the same lease time everywhere, or \
                 delete the bucket while no worker runs",
                options.lease_ttl
            ),
        });
    }
    jetstream
        .get_key_value(bucket)
        .await
        .map_err(|e| nats_error(url, format!("open the lease bucket {bucket}"), e))
}
