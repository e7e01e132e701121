//! What every handler shares: the engine, the server settings, the metrics and the count of
//! requests in flight.

use std::sync::Arc;

use phantom_engine::Engine;
use phantom_engine::bus::EventBus;

use crate::config::ServerConfig;
use crate::limits::InFlight;
use crate::metrics::Metrics;

/// The state of a running server. Cheap to clone; every clone is the same server.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

struct Shared {
    engine: Engine,
    config: ServerConfig,
    metrics: Metrics,
    in_flight: InFlight,
    /// Where stream events are published, when the server runs with a bus.
    bus: Option<EventBus>,
    /// Set when the server stops: live feeds end so shutdown does not wait for them.
    stopping: tokio::sync::watch::Sender<bool>,
}

impl AppState {
    /// The state of a server over `engine` with `config`'s limits, without an event bus.
    pub fn new(engine: Engine, config: ServerConfig) -> Self {
        Self::with_bus(engine, config, None)
    }

    /// The state of a server over `engine` with `config`'s limits, publishing stream events
    /// to `bus` when there is one.
    pub fn with_bus(engine: Engine, config: ServerConfig, bus: Option<EventBus>) -> Self {
        Self {
            inner: Arc::new(Shared {
                engine,
                bus,
                in_flight: InFlight::new(config.max_in_flight_requests),
                config,
                metrics: Metrics::new(),
                stopping: tokio::sync::watch::Sender::new(false),
            }),
        }
    }

    /// Whether the server is stopping; changes once, to `true`.
    pub(crate) fn stopping(&self) -> tokio::sync::watch::Receiver<bool> {
        self.inner.stopping.subscribe()
    }

    /// Tells long-lived responses (live feeds) to end.
    pub(crate) fn begin_shutdown(&self) {
        self.inner.stopping.send_replace(true);
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The server settings.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// The event bus stream events go to, when the server runs with one (`--nats-url`);
    /// without one, they are applied in the server.
    pub fn bus(&self) -> Option<&EventBus> {
        self.inner.bus.as_ref()
    }

    pub(crate) fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    pub(crate) fn in_flight(&self) -> &InFlight {
        &self.inner.in_flight
    }
}
