//! `phantom serve`: the REST API over the data directory or a database, until SIGINT or
//! SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use phantom_engine::{ConfigOverrides, Engine, EngineConfig};
use phantom_server::{NatsOverrides, ServerConfig, ServerOverrides};

/// Arguments of `phantom serve`.
#[derive(Args)]
#[command(after_help = "Examples:
  phantom serve
  phantom serve --addr 0.0.0.0:8080 --data-dir /var/lib/phantom
  phantom serve --database-url postgres://phantom@db/phantom --redis-url redis://cache:6379
  phantom serve --database-url postgres://phantom@db/phantom --nats-url nats://bus:4222

On first start the server creates an admin API key for the tenant 'default' and writes it to
admin.key in the data directory (readable by you only); the log says where, once:
  KEY=$(cat ~/.local/share/phantom/admin.key)
  curl -H \"Authorization: Bearer $KEY\" http://127.0.0.1:8080/v1/models

Timeouts: a request that has not been answered within --request-timeout (--upload-timeout for
training and model import, which carry uploads) is answered 503 with code timeout; a client
that has not sent a request's headers within --header-read-timeout of connecting (or of its
previous answer) is disconnected. Over --max-in-flight-requests, requests are answered 503 at
once (/healthz excepted); over --max-connections, new connections wait until one closes.

Environment: PHANTOM_ADDR, PHANTOM_MAX_BODY_BYTES, PHANTOM_MAX_BATCH_ROWS,
PHANTOM_MAX_UPLOAD_BYTES, PHANTOM_REQUEST_TIMEOUT, PHANTOM_UPLOAD_TIMEOUT,
PHANTOM_HEADER_READ_TIMEOUT, PHANTOM_MAX_CONNECTIONS, PHANTOM_MAX_IN_FLIGHT_REQUESTS,
PHANTOM_NATS_URL, PHANTOM_NATS_NAMESPACE, PHANTOM_NATS_PARTITIONS, PHANTOM_LOG
(error, warn, info, debug or trace; default info), and the engine's (PHANTOM_DATA_DIR,
PHANTOM_DATABASE_URL, PHANTOM_REDIS_URL, PHANTOM_CONFIG, PHANTOM_MAX_FAILED_LOGINS, ...); flags
win. docs/API.md describes every route.")]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    addr: Option<SocketAddr>,
    /// Directory of the embedded store (SQLite) and of the bootstrap admin key.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// PostgreSQL URL (postgres://...) or sqlite://PATH; overrides --data-dir for the store.
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    /// Redis URL for the prediction cache.
    #[arg(long, value_name = "URL")]
    redis_url: Option<String>,
    /// NATS URL (nats://[user:password@]host:4222) of the event bus that `phantom worker`
    /// processes consume; docs/SCALE-OUT.md.
    #[arg(long, value_name = "URL")]
    nats_url: Option<String>,
    /// Namespace of the bus's stream, subjects and lease bucket, to share one NATS server.
    #[arg(long, value_name = "NAME")]
    nats_namespace: Option<String>,
    /// Partitions of the bus; the same for every server and worker [default: 16].
    #[arg(long, value_name = "N")]
    nats_partitions: Option<u32>,
    /// TOML configuration file of the engine.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Largest JSON request body [default: 16777216].
    #[arg(long, value_name = "BYTES")]
    max_body_bytes: Option<usize>,
    /// Most rows in one batch request [default: 100000].
    #[arg(long, value_name = "ROWS")]
    max_batch_rows: Option<usize>,
    /// Largest CSV upload or imported model file [default: 268435456].
    #[arg(long, value_name = "BYTES")]
    max_upload_bytes: Option<u64>,
    /// Longest time to answer one request, body included [default: 30].
    #[arg(long, value_name = "SECONDS")]
    request_timeout: Option<u64>,
    /// Longest time to answer a training or model-import request [default: 600].
    #[arg(long, value_name = "SECONDS")]
    upload_timeout: Option<u64>,
    /// Longest wait for a request's headers; slower clients are disconnected [default: 10].
    #[arg(long, value_name = "SECONDS")]
    header_read_timeout: Option<u64>,
    /// Connections served at once [default: 1024].
    #[arg(long, value_name = "N")]
    max_connections: Option<usize>,
    /// Requests served at once; more are answered 503 [default: 512].
    #[arg(long, value_name = "N")]
    max_in_flight_requests: Option<usize>,
}

/// Runs `phantom serve`.
pub fn run(args: &ServeArgs) -> Result<()> {
    init_logging();
    let server_config = ServerConfig::load(&ServerOverrides {
        addr: args.addr,
        max_body_bytes: args.max_body_bytes,
        max_batch_rows: args.max_batch_rows,
        max_upload_bytes: args.max_upload_bytes,
        request_timeout_seconds: args.request_timeout,
        upload_timeout_seconds: args.upload_timeout,
        header_read_timeout_seconds: args.header_read_timeout,
        max_connections: args.max_connections,
        max_in_flight_requests: args.max_in_flight_requests,
        nats: NatsOverrides {
            url: args.nats_url.clone(),
            namespace: args.nats_namespace.clone(),
            partitions: args.nats_partitions,
        },
    })?;
    let engine_config = EngineConfig::load(&ConfigOverrides {
        config_file: args.config.clone(),
        data_dir: args.data_dir.clone(),
        database_url: args.database_url.clone(),
        redis_url: args.redis_url.clone(),
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let engine = Engine::open(engine_config)
            .await
            .context("cannot open the engine")?;
        match engine.bootstrap_admin().await {
            Ok(Some(key)) => tracing::info!(
                "created an admin API key for the tenant 'default' ({}); it is in {} (readable by you only)",
                key.info.prefix,
                key.path.display()
            ),
            Ok(None) => {}
            Err(e) => {
                engine.close().await;
                return Err(e).context("cannot create the bootstrap admin");
            }
        }
        phantom_server::serve(engine, server_config).await?;
        Ok(())
    })
}

/// Logs to stderr at the level of `PHANTOM_LOG` (default info).
pub(crate) fn init_logging() {
    let wanted = std::env::var("PHANTOM_LOG").unwrap_or_default();
    let level = wanted
        .parse::<tracing::Level>()
        .unwrap_or(tracing::Level::INFO);
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .with_target(false)
        .init();
    if !wanted.is_empty() && wanted.parse::<tracing::Level>().is_err() {
        tracing::warn!(
            "PHANTOM_LOG='{wanted}' is not error, warn, info, debug or trace; logging at info"
        );
    }
}
