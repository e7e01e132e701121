//! One module per subcommand: its arguments and what it does.

pub mod admin;
pub mod detect;
mod detect_logs;
mod detect_online;
pub mod eval;
pub mod evidence;
pub mod models;
pub mod predict;
pub mod serve;
pub mod train;
pub mod worker;

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use phantom_ml::model::Model;

/// Reads a model file, naming the file in any error.
pub fn load_model(path: &Path) -> Result<Model> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("{}: cannot read the model file", path.display()))?;
    Model::from_bytes(&bytes).with_context(|| format!("{}: cannot load the model", path.display()))
}

/// Prints one JSON value and a newline to stdout.
pub fn print_json(value: &serde_json::Value) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// Prints `value` as JSON when `json` is set, else the text `text` makes.
pub fn output<T: serde::Serialize>(
    json: bool,
    value: &T,
    text: impl FnOnce() -> String,
) -> Result<()> {
    if json {
        return print_json(&serde_json::to_value(value)?);
    }
    let mut out = std::io::stdout().lock();
    out.write_all(text().as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file in the same directory, synced before it
/// replaces `path`, so a crash never leaves a half-written file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("{}: cannot create a file in this folder", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("{}: cannot write", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(())
}

/// The flags of the management commands (`phantom models`, `phantom admin`): where the store
/// is, and how to print.
#[derive(clap::Args)]
pub struct StoreFlags {
    /// Directory of the embedded store (SQLite).
    #[arg(long, value_name = "DIR", global = true)]
    data_dir: Option<std::path::PathBuf>,
    /// PostgreSQL URL (postgres://...) or sqlite://PATH; overrides --data-dir.
    #[arg(long, value_name = "URL", global = true)]
    database_url: Option<String>,
    /// TOML configuration file.
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<std::path::PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
}

/// Opens the engine on the store the flags name, without Redis and without the inference log
/// (the management commands make no predictions), runs `act`, and closes the engine.
pub fn with_engine(
    store: &StoreFlags,
    act: impl AsyncFnOnce(&phantom_engine::Engine) -> Result<()>,
) -> Result<()> {
    let overrides = phantom_engine::ConfigOverrides {
        config_file: store.config.clone(),
        data_dir: store.data_dir.clone(),
        database_url: store.database_url.clone(),
        redis_url: None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let mut config = phantom_engine::EngineConfig::load(&overrides)?;
        config.redis_url = None;
        config.inference_log.enabled = false;
        let engine = phantom_engine::Engine::open(config).await?;
        let result = act(&engine).await;
        engine.close().await;
        result
    })
}
