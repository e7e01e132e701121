//! Running the server: listen, serve until told to stop, finish the requests in flight, and
//! close the engine.

use std::future::Future;

use phantom_engine::Engine;
use tokio::net::TcpListener;

use crate::ServerError;
use crate::config::ServerConfig;
use crate::connections::{ConnectionLimits, serve_connections};
use crate::routes::router;
use crate::state::AppState;

/// Listens on `config.addr` and serves the API over `engine` until SIGINT or SIGTERM, then
/// lets the requests in flight finish and closes the engine (flushing its inference log).
/// The engine is closed on every path, including a failure to listen.
pub async fn serve(engine: Engine, config: ServerConfig) -> Result<(), ServerError> {
    let listener = match config.validate() {
        Ok(()) => TcpListener::bind(config.addr)
            .await
            .map_err(|source| ServerError::Bind {
                addr: config.addr,
                source,
            }),
        Err(e) => Err(e),
    };
    match listener.and_then(|listener| Ok((listener, shutdown_signal()?))) {
        Ok((listener, shutdown)) => serve_on(listener, engine, config, shutdown).await,
        Err(e) => {
            engine.close().await;
            Err(e)
        }
    }
}

/// Serves the API on `listener` until `shutdown` completes, then lets the requests in flight
/// finish and closes the engine (on every path). `config.addr` is not used: the listener is
/// already bound. With `config.nats.url` set, it first connects to the event bus, and fails
/// if it cannot.
pub async fn serve_on(
    listener: TcpListener,
    engine: Engine,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let ready = match config
        .validate()
        .and_then(|()| listener.local_addr().map_err(ServerError::Serve))
    {
        Ok(local) => config.nats.connect().await.map(|bus| (local, bus)),
        Err(e) => Err(e),
    };
    let (local, bus) = match ready {
        Ok(ready) => ready,
        Err(e) => {
            engine.close().await;
            return Err(e);
        }
    };
    if let Some(bus) = &bus {
        let options = bus.options();
        tracing::info!(
            "event bus: NATS stream {} ({} partitions)",
            options.stream_name,
            options.partitions
        );
    }
    tracing::info!(
        "listening on http://{local} (storage: {})",
        engine.storage_backend()
    );
    let limits = ConnectionLimits {
        max_connections: config.max_connections,
        header_read_timeout: config.header_read_timeout,
    };
    let state = AppState::with_bus(engine.clone(), config, bus);
    let stopping = state.clone();
    let shutdown = async move {
        shutdown.await;
        stopping.begin_shutdown();
    };
    let app = router(state);
    serve_connections(listener, app, limits, shutdown).await;
    tracing::info!("stopped listening; closing the engine");
    engine.close().await;
    Ok(())
}

/// Installs the SIGINT and SIGTERM handlers now, before the server (or a worker) says it is
/// running, so a signal sent right after that line is never missed, and returns a future that
/// completes on the first of them.
#[cfg(unix)]
pub fn shutdown_signal() -> Result<impl Future<Output = ()> + Send + 'static, ServerError> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).map_err(ServerError::Serve)?;
    let mut terminate = signal(SignalKind::terminate()).map_err(ServerError::Serve)?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => tracing::info!("SIGINT received; shutting down"),
            _ = terminate.recv() => tracing::info!("SIGTERM received; shutting down"),
        }
    })
}

/// Completes on Ctrl-C.
#[cfg(not(unix))]
pub fn shutdown_signal() -> Result<impl Future<Output = ()> + Send + 'static, ServerError> {
    Ok(async {
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::info!("Ctrl-C received; shutting down");
        } else {
            std::future::pending::<()>().await;
        }
    })
}
