//! The engine behind a `PhantomMLCore`: opened on the first call (so the constructor never
//! blocks JavaScript), and reopened on another store by `initialize_databases`.

use std::future::Future;
use std::pin::pin;
use std::sync::{Mutex, OnceLock, RwLock};
use std::task::{Context, Poll, Waker};

use phantom_engine::{Engine, EngineConfig};

use crate::error::BindingError;

/// The engine, opened once and swapped whole when reopened.
pub struct EngineSlot {
    config: Mutex<EngineConfig>,
    current: RwLock<Option<Engine>>,
    opening: tokio::sync::Mutex<()>,
    runtime: OnceLock<tokio::runtime::Handle>,
}

impl EngineSlot {
    /// A slot that opens an engine with `config` when first used.
    pub fn new(config: EngineConfig) -> Self {
        Self {
            config: Mutex::new(config),
            current: RwLock::new(None),
            opening: tokio::sync::Mutex::new(()),
            runtime: OnceLock::new(),
        }
    }

    /// The configuration the next open uses.
    pub fn config(&self) -> EngineConfig {
        self.config
            .lock()
            .map(|c| c.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    fn loaded(&self) -> Option<Engine> {
        match self.current.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set(&self, engine: Engine) -> Option<Engine> {
        let mut guard = match self.current.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        guard.replace(engine)
    }

    /// Runs `call` on the open engine on this thread if it finishes at once (it needs no
    /// I/O: the model is in memory and no Redis round trip is involved); `None` when the
    /// engine is not open yet or the call would wait, in which case nothing was done that
    /// counts and the caller makes the call on the async runtime instead.
    pub fn now<F: Future>(&self, call: impl FnOnce(Engine) -> F) -> Option<F::Output> {
        let handle = self.runtime.get()?;
        let engine = self.loaded()?;
        let _runtime = handle.enter();
        let mut future = pin!(call(engine));
        match future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(answer) => Some(answer),
            Poll::Pending => None,
        }
    }

    /// The engine, opened now if it is not yet.
    pub async fn get(&self) -> Result<Engine, BindingError> {
        let _ = self.runtime.get_or_init(tokio::runtime::Handle::current);
        if let Some(engine) = self.loaded() {
            return Ok(engine);
        }
        let _opening = self.opening.lock().await;
        if let Some(engine) = self.loaded() {
            return Ok(engine);
        }
        let engine = Engine::open(self.config()).await?;
        self.set(engine.clone());
        Ok(engine)
    }

    /// Opens an engine with `config` and makes it the one every later call uses; the previous
    /// engine flushes its inference log and stops. If the new one cannot be opened, the
    /// previous one stays.
    pub async fn reopen(&self, config: EngineConfig) -> Result<Engine, BindingError> {
        let _opening = self.opening.lock().await;
        let engine = Engine::open(config.clone()).await?;
        let previous = self.set(engine.clone());
        match self.config.lock() {
            Ok(mut c) => *c = config,
            Err(poisoned) => *poisoned.into_inner() = config,
        }
        if let Some(previous) = previous {
            previous.close().await;
        }
        Ok(engine)
    }
}
