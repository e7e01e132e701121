//! What every handler shares: the engine, the server settings, the metrics and the count of
//! requests in flight.

use std::sync::Arc;

use phantom_engine::Engine;

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
}

impl AppState {
    /// The state of a server over `engine` with `config`'s limits.
    pub fn new(engine: Engine, config: ServerConfig) -> Self {
        Self {
            inner: Arc::new(Shared {
                engine,
                in_flight: InFlight::new(config.max_in_flight_requests),
                config,
                metrics: Metrics::new(),
            }),
        }
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The server settings.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    pub(crate) fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    pub(crate) fn in_flight(&self) -> &InFlight {
        &self.inner.in_flight
    }
}
