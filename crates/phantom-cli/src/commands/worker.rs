//! `phantom worker`: consume stream events from the NATS event bus and apply them to the
//! store, sharing the partitions with every other worker, until SIGINT or SIGTERM.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use phantom_engine::bus::{EventBus, WorkerOptions, run_worker};
use phantom_engine::{ConfigOverrides, Engine, EngineConfig};
use phantom_server::{NatsConfig, NatsOverrides};

/// Arguments of `phantom worker`.
#[derive(Args)]
#[command(after_help = "Examples:
  phantom worker --nats-url nats://127.0.0.1:4222 --database-url postgres://phantom@db/phantom
  phantom worker --nats-url nats://app:secret@bus:4222 --nats-namespace staging \\
      --partitions 32 --database-url postgres://phantom@db/phantom

Run as many workers as you like, on any machines, against the same NATS server and database
(a --data-dir store only serves workers on its own machine). Together they consume every
partition: each takes a fair share, a stream's events are applied by one worker at a time and
in order, and when a worker stops (its partitions are handed over within 2 s) or dies (after at
most about 12 s), the others take over without losing or repeating an anomaly. Servers started
with the same --nats-url, --nats-namespace and partitions connect to the same bus.
docs/SCALE-OUT.md explains the design.

Environment: PHANTOM_NATS_URL (or NATS_URL), PHANTOM_NATS_NAMESPACE, PHANTOM_NATS_PARTITIONS,
PHANTOM_LOG (error, warn, info, debug or trace; default info), and the engine's
(PHANTOM_DATA_DIR, PHANTOM_DATABASE_URL, PHANTOM_CONFIG, ...); flags win.")]
pub struct WorkerArgs {
    /// NATS URL of the event bus (nats://[user:password@]host:4222).
    #[arg(long, value_name = "URL")]
    nats_url: Option<String>,
    /// PostgreSQL URL (postgres://...) or sqlite://PATH of the store; overrides --data-dir.
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    /// Directory of the embedded store (SQLite).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Partitions of the bus; the same for every server and worker [default: 16].
    #[arg(long, value_name = "N")]
    partitions: Option<u32>,
    /// Namespace of the bus's stream, subjects and lease bucket, as given to the servers.
    #[arg(long, value_name = "NAME")]
    nats_namespace: Option<String>,
    /// This worker's name in the logs and the lease bucket [default: worker- and a UUID].
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// TOML configuration file of the engine.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// Runs `phantom worker`.
pub fn run(args: &WorkerArgs) -> Result<()> {
    super::serve::init_logging();
    let nats = NatsConfig::load(&NatsOverrides {
        url: args.nats_url.clone(),
        namespace: args.nats_namespace.clone(),
        partitions: args.partitions,
    })?;
    let url = nats.url.clone().context(
        "no NATS URL: pass --nats-url nats://HOST:4222 (or set PHANTOM_NATS_URL) to name the \
         event bus to consume",
    )?;
    let mut engine_config = EngineConfig::load(&ConfigOverrides {
        config_file: args.config.clone(),
        data_dir: args.data_dir.clone(),
        database_url: args.database_url.clone(),
        redis_url: None,
    })?;
    engine_config.redis_url = None;
    let mut options = WorkerOptions::default();
    if let Some(name) = &args.name {
        options.name = name.clone();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let shutdown = phantom_server::shutdown_signal()?;
        let bus = EventBus::connect(&url, nats.bus).await?;
        let engine = Engine::open(engine_config)
            .await
            .context("cannot open the engine")?;
        tracing::info!(
            "worker {} started (storage: {}, stream {}, {} partitions)",
            options.name,
            engine.storage_backend(),
            bus.options().stream_name,
            bus.options().partitions
        );
        let result = run_worker(engine.clone(), bus, options, shutdown).await;
        engine.close().await;
        result?;
        Ok(())
    })
}
