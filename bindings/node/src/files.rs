//! Bytes in and out of files and JSON: exports (base64 or a file), imports, backups (written
//! atomically, with size and SHA-256) and restores.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use phantom_engine::{Backup, Engine, ModelInfo, RestoreReport};
use serde_json::{Value, json};

use crate::args::{field, json_arg};
use crate::error::BindingError;
use crate::json::kind;
use crate::models;

/// What `export_model` is asked for.
#[derive(Debug, Default)]
pub struct ExportOptions {
    /// The version (default: the serving one).
    pub version: Option<u32>,
    /// Write the export here instead of answering it in base64.
    pub path: Option<PathBuf>,
}

/// Reads `export_model`'s second argument: a format name or `{"version", "path", "format"}`.
pub fn export_options(arg: Option<Value>) -> Result<ExportOptions, BindingError> {
    let what = "format_or_options";
    let value = match arg {
        None | Some(Value::Null) => return Ok(ExportOptions::default()),
        Some(Value::String(s)) if !s.trim_start().starts_with('{') => {
            return check_format(&s).map(|()| ExportOptions::default());
        }
        other => json_arg(what, other)?,
    };
    if let Some(format) = field::<String>(what, &value, "format")? {
        check_format(&format)?;
    }
    Ok(ExportOptions {
        version: field(what, &value, "version")?,
        path: field(what, &value, "path")?,
    })
}

fn check_format(format: &str) -> Result<(), BindingError> {
    match format {
        "binary" | "phantomx" | "" => Ok(()),
        other => Err(BindingError::shape(
            "format_or_options",
            "",
            format!(
                "format '{other}' is not supported; exports are Phantom's sealed binary format (\"binary\")"
            ),
        )),
    }
}

/// `export_model`'s answer, after writing the file if a path was given.
pub async fn exported(
    info: &ModelInfo,
    options: ExportOptions,
    bytes: &[u8],
) -> Result<Value, BindingError> {
    let mut out = models::summary(info);
    let sha = sha256(bytes);
    if let Some(obj) = out.as_object_mut() {
        obj.insert("export_format".into(), json!("phantomx"));
        obj.insert("export_size_bytes".into(), json!(bytes.len()));
        obj.insert("sha256".into(), json!(sha));
        match &options.path {
            Some(path) => {
                write_atomically(path, bytes, "writing the export to").await?;
                obj.insert("path".into(), json!(path));
            }
            None => {
                obj.insert("export_data".into(), json!(STANDARD.encode(bytes)));
            }
        }
    }
    Ok(out)
}

/// `import_model`'s bytes and new name: `{"export_data": base64}` (as `export_model`
/// answers) or `{"path"}`, with an optional `name`.
pub async fn import_request(value: &Value) -> Result<(Vec<u8>, Option<String>), BindingError> {
    let what = "import_data_json";
    if !value.is_object() {
        return Err(BindingError::shape(
            what,
            "",
            format!(
                "expected an object with export_data or path, got {}",
                kind(value)
            ),
        ));
    }
    let name = field::<String>(what, value, "name")?;
    let data = field::<String>(what, value, "export_data")?.or(field::<String>(
        what,
        value,
        "model_binary",
    )?);
    let path = field::<PathBuf>(what, value, "path")?;
    let bytes = match (data, path) {
        (Some(b64), None) => STANDARD
            .decode(b64.trim())
            .map_err(|e| BindingError::shape(what, "export_data", format!("not base64: {e}")))?,
        (None, Some(path)) => read(&path).await?,
        (Some(_), Some(_)) => {
            return Err(BindingError::shape(
                what,
                "",
                "give export_data or path, not both",
            ));
        }
        (None, None) => {
            return Err(BindingError::shape(
                what,
                "",
                "no model: give export_data (base64, as export_model answers) or path",
            ));
        }
    };
    Ok((bytes, name))
}

/// A backup or restore request: where, and whether a restore replaces existing models.
#[derive(Debug)]
pub struct PathRequest {
    /// The backup file.
    pub path: PathBuf,
    /// Restore over models with the same id or name.
    pub replace: bool,
}

/// Reads `{"path", "replace"}` or a bare path.
pub fn path_request(what: &str, arg: Option<Value>) -> Result<PathRequest, BindingError> {
    let value = match arg {
        Some(Value::String(s)) if !s.trim_start().starts_with('{') && !s.is_empty() => {
            return Ok(PathRequest {
                path: PathBuf::from(s),
                replace: false,
            });
        }
        other => json_arg(what, other)?,
    };
    let path = field::<PathBuf>(what, &value, "path")?
        .or(field::<PathBuf>(what, &value, "backup_path")?)
        .ok_or_else(|| {
            BindingError::shape(what, "path", "is missing: where is the backup file?")
        })?;
    Ok(PathRequest {
        path,
        replace: field(what, &value, "replace")?.unwrap_or(false),
    })
}

/// Writes a backup and answers what it holds.
pub async fn write_backup(
    engine: &Engine,
    request: &PathRequest,
    backup: Backup,
) -> Result<Value, BindingError> {
    write_atomically(&request.path, &backup.bytes, "writing the backup to").await?;
    Ok(json!({
        "path": request.path,
        "size_bytes": backup.bytes.len(),
        "sha256": backup.sha256,
        "models": backup.models,
        "versions": backup.versions,
        "streams": backup.streams,
        "anomalies": backup.anomalies,
        "evidence_bundles": backup.evidence,
        "storage_backend": engine.storage_backend(),
        "covers": "every model with every version (artifacts, metadata), configuration, status and active version; every telemetry stream with its detector settings and state; every anomaly with its explanation and status; every signed evidence bundle, byte for byte. Not the inference log, users, API keys, the audit log or the evidence signing key",
    }))
}

/// `disaster_recovery`'s answer.
pub fn restored(request: &PathRequest, bytes: &[u8], report: &RestoreReport) -> Value {
    json!({
        "path": request.path,
        "size_bytes": bytes.len(),
        "sha256": sha256(bytes),
        "backup_created_at": phantom_engine::time::format_utc(report.backup_created_at),
        "models_restored": report.models_restored,
        "versions_restored": report.versions_restored,
        "skipped": report.skipped,
        "streams_restored": report.streams_restored,
        "anomalies_restored": report.anomalies_restored,
        "skipped_streams": report.skipped_streams,
        "evidence_restored": report.evidence_restored,
        "skipped_evidence": report.skipped_evidence,
    })
}

/// Reads a whole file.
pub async fn read(path: &Path) -> Result<Vec<u8>, BindingError> {
    let owned = path.to_owned();
    tokio::task::spawn_blocking(move || std::fs::read(&owned))
        .await
        .map_err(|e| BindingError::Engine(phantom_engine::EngineError::Internal(e.to_string())))?
        .map_err(|source| BindingError::File {
            action: "reading",
            path: path.display().to_string(),
            source,
        })
}

/// Writes `bytes` to a temporary file beside `path`, syncs it, and renames it over `path`, so
/// a crash never leaves a half-written file under the name.
async fn write_atomically(
    path: &Path,
    bytes: &[u8],
    action: &'static str,
) -> Result<(), BindingError> {
    let target = path.to_owned();
    let data = bytes.to_vec();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        use std::io::Write;
        let mut tmp = target.clone().into_os_string();
        tmp.push(".partial");
        let tmp = PathBuf::from(tmp);
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(&data)?;
        file.sync_all()?;
        std::fs::rename(&tmp, &target)
    })
    .await
    .map_err(|e| BindingError::Engine(phantom_engine::EngineError::Internal(e.to_string())))?
    .map_err(|source| BindingError::File {
        action,
        path: path.display().to_string(),
        source,
    })
}

/// SHA-256 as lowercase hex.
fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
