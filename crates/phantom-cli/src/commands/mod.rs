//! One module per subcommand: its arguments and what it does.

pub mod detect;
pub mod eval;
pub mod predict;
pub mod train;

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
