//! Running the server: listen, serve until told to stop, finish the requests in flight, and
//! close the engine.

use std::future::Future;
use std::net::SocketAddr;

use phantom_engine::Engine;
use tokio::net::TcpListener;

use crate::ServerError;
use crate::config::ServerConfig;
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
    match listener {
        Ok(listener) => serve_on(listener, engine, config, shutdown_signal()).await,
        Err(e) => {
            engine.close().await;
            Err(e)
        }
    }
}

/// Serves the API on `listener` until `shutdown` completes, then lets the requests in flight
/// finish and closes the engine (on every path). `config.addr` is not used: the listener is
/// already bound.
pub async fn serve_on(
    listener: TcpListener,
    engine: Engine,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let local = match config
        .validate()
        .and_then(|()| listener.local_addr().map_err(ServerError::Serve))
    {
        Ok(local) => local,
        Err(e) => {
            engine.close().await;
            return Err(e);
        }
    };
    tracing::info!(
        "listening on http://{local} (storage: {})",
        engine.storage_backend()
    );
    let app = router(AppState::new(engine.clone(), config));
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    tracing::info!("stopped listening; closing the engine");
    engine.close().await;
    served.map_err(ServerError::Serve)
}

/// Completes on SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT received; shutting down"),
        () = terminate => tracing::info!("SIGTERM received; shutting down"),
    }
}
