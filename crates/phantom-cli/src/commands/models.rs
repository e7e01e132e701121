//! `phantom models`: list, inspect, activate, delete, export and import the models stored in
//! the data directory or a database.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use phantom_engine::time::format_utc;
use phantom_engine::{Engine, ModelInfo, VersionInfo};

use super::output;
use crate::table_output::{TextTable, metric_summary};

/// Arguments of `phantom models`.
#[derive(Args)]
#[command(after_help = "Examples:
  phantom models list
  phantom models import cancer.phm --name cancer
  phantom models show cancer
  phantom models versions cancer --json
  phantom models activate cancer 1
  phantom models export cancer --out cancer.phx
  phantom models --database-url postgres://phantom@db/phantom list

Where models are stored, in order of precedence: --database-url / --data-dir, then the
environment (PHANTOM_DATABASE_URL or POSTGRESQL_URI, PHANTOM_DATA_DIR), then the TOML file
given with --config or PHANTOM_CONFIG, then the default data directory
($XDG_DATA_HOME/phantom or ~/.local/share/phantom).")]
pub struct ModelsArgs {
    #[command(flatten)]
    store: super::StoreFlags,
    /// The tenant whose models to manage.
    #[arg(long, value_name = "NAME", default_value = phantom_engine::TENANT_DEFAULT, global = true)]
    tenant: String,
    #[command(subcommand)]
    action: Action,
}

#[derive(Subcommand)]
enum Action {
    /// List every model: name, id, status, active version, algorithm and metrics.
    List,
    /// Show one model (by name or id) with its active version's details.
    Show {
        /// Model name or id.
        model: String,
    },
    /// List a model's versions with their metrics.
    Versions {
        /// Model name or id.
        model: String,
    },
    /// Make a version the one that serves (roll back or forward).
    Activate {
        /// Model name or id.
        model: String,
        /// Version number.
        version: u32,
    },
    /// Delete a model with every version and its inference log.
    Delete {
        /// Model name or id.
        model: String,
    },
    /// Write a version (default: the active one) to a portable export file.
    Export {
        /// Model name or id.
        model: String,
        /// The version to export.
        #[arg(long, value_name = "N")]
        version: Option<u32>,
        /// The file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Import an export file, or a model file written by `phantom train`, as a new model.
    Import {
        /// The file to read.
        file: PathBuf,
        /// Name of the new model (default: the exported name, or "<algorithm>-import").
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
    },
}

/// Runs `phantom models`.
pub fn run(args: &ModelsArgs) -> Result<()> {
    super::with_engine(&args.store, async |engine| act(engine, args).await)
}

async fn act(engine: &Engine, args: &ModelsArgs) -> Result<()> {
    let t = args.tenant.as_str();
    match &args.action {
        Action::List => {
            let models = engine.list_models(t).await?;
            output(args.store.json, &models, || models_table(&models))
        }
        Action::Show { model } => {
            let info = engine.get_model(t, model).await?;
            output(args.store.json, &info, || model_details(&info))
        }
        Action::Versions { model } => {
            let versions = engine.list_versions(t, model).await?;
            output(args.store.json, &versions, || versions_table(&versions))
        }
        Action::Activate { model, version } => {
            let info = engine.activate(t, model, *version).await?;
            output(args.store.json, &info, || {
                format!("{}: version {version} is now active\n", info.name)
            })
        }
        Action::Delete { model } => {
            let info = engine.get_model(t, model).await?;
            engine.delete_model(t, &info.id).await?;
            let gone = serde_json::json!({"deleted": info.id, "name": info.name});
            output(args.store.json, &gone, || {
                format!(
                    "deleted {} ({}) and its {} version(s)\n",
                    info.name, info.id, info.version_count
                )
            })
        }
        Action::Export {
            model,
            version,
            out,
        } => {
            let bytes = engine.export_model(t, model, *version).await?;
            super::write_atomically(out, &bytes)?;
            let done = serde_json::json!({"model": model, "file": out, "bytes": bytes.len()});
            output(args.store.json, &done, || {
                format!("wrote {} ({} bytes)\n", out.display(), bytes.len())
            })
        }
        Action::Import { file, name } => {
            let bytes = std::fs::read(file)
                .with_context(|| format!("{}: cannot read the file", file.display()))?;
            let info = engine
                .import_model(t, &bytes, name.clone())
                .await
                .with_context(|| format!("{}", file.display()))?;
            output(args.store.json, &info, || {
                format!(
                    "imported {} as {} ({})\n",
                    file.display(),
                    info.name,
                    info.id
                )
            })
        }
    }
}

fn models_table(models: &[ModelInfo]) -> String {
    if models.is_empty() {
        return "no models\n".to_owned();
    }
    let mut table = TextTable::new(&[
        "NAME",
        "ID",
        "STATUS",
        "ACTIVE",
        "VERSIONS",
        "ALGORITHM",
        "TASK",
        "METRICS",
    ]);
    for m in models {
        table.row(vec![
            m.name.clone(),
            m.id.clone(),
            m.status.as_str().to_owned(),
            m.active_version.map_or("-".into(), |v| v.to_string()),
            m.version_count.to_string(),
            m.settings.algorithm.to_string(),
            m.settings.task.to_string(),
            m.active.as_ref().map_or("-".into(), metric_summary),
        ]);
    }
    table.render()
}

fn model_details(m: &ModelInfo) -> String {
    let mut table = TextTable::new(&["FIELD", "VALUE"]);
    let mut field = |k: &str, v: String| table.row(vec![k.to_owned(), v]);
    field("name", m.name.clone());
    field("id", m.id.clone());
    field("status", m.status.as_str().to_owned());
    field("algorithm", m.settings.algorithm.to_string());
    field("task", m.settings.task.to_string());
    field("versions", m.version_count.to_string());
    field("created", format_utc(m.created_at));
    field("updated", format_utc(m.updated_at));
    if let Some(v) = &m.active {
        field("active version", v.version.to_string());
        field("metrics", metric_summary(v));
        field("features", v.metadata.feature_names.join(", "));
        if !v.metadata.classes.is_empty() {
            field("classes", v.metadata.classes.join(", "));
        }
        field("sha256", v.sha256.clone());
    } else {
        field("active version", "none (train or import one)".into());
    }
    table.render()
}

fn versions_table(versions: &[VersionInfo]) -> String {
    if versions.is_empty() {
        return "no versions\n".to_owned();
    }
    let mut table = TextTable::new(&[
        "VERSION", "ACTIVE", "CREATED", "ROWS", "TRAIN MS", "METRICS",
    ]);
    for v in versions {
        table.row(vec![
            v.version.to_string(),
            if v.active { "*".into() } else { String::new() },
            format_utc(v.created_at),
            v.metadata
                .training_rows
                .map_or("-".into(), |r| r.to_string()),
            v.metadata
                .training_time_ms
                .map_or("-".into(), |ms| format!("{ms:.0}")),
            metric_summary(v),
        ]);
    }
    table.render()
}
