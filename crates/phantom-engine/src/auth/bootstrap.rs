//! The first start: with no way in yet (no user and no API key in the default tenant), the
//! engine creates an admin API key and leaves it in a file only the owner can read.

use std::io::Write;
use std::path::{Path, PathBuf};

use phantom_store::{ApiKeyRecord, Storage, StoreError};
use serde::Serialize;

use super::keys::{ApiKeyInfo, generate_key};
use super::roles::Role;
use super::tenants::{Quotas, tenant_record};
use crate::engine::{TENANT_DEFAULT, now_ms};
use crate::{Engine, EngineError};

/// Name of the file in the data directory that holds the bootstrap admin key.
pub const BOOTSTRAP_KEY_FILE: &str = "admin.key";

/// Name of the bootstrap admin key.
pub const BOOTSTRAP_KEY_NAME: &str = "bootstrap-admin";

/// Where the bootstrap admin key was written.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BootstrapKey {
    /// The file (mode 0600) holding the key.
    pub path: std::path::PathBuf,
    /// The key's listing.
    pub info: ApiKeyInfo,
}

impl Engine {
    /// On first start (no API key and no user in the default tenant): creates the default
    /// tenant and an admin API key, and writes the key to [`BOOTSTRAP_KEY_FILE`] in the data
    /// directory, readable by the owner only. `None` when there was nothing to do.
    ///
    /// Safe to call on every start, by several replicas at once: the store checks and adds
    /// the key in one step, so exactly one caller creates it (and writes its file, in its
    /// own data directory). The key is on disk, in a private temporary file, before the store
    /// holds it, so a crash never leaves a key that nobody has.
    pub async fn bootstrap_admin(&self) -> Result<Option<BootstrapKey>, EngineError> {
        let store = &self.inner.store;
        if !store.list_api_keys(TENANT_DEFAULT).await?.is_empty()
            || !store.list_users(TENANT_DEFAULT).await?.is_empty()
        {
            return Ok(None);
        }
        let now = now_ms();
        let generated = generate_key()?;
        let record = ApiKeyRecord {
            id: uuid::Uuid::now_v7().to_string(),
            tenant: TENANT_DEFAULT.to_owned(),
            name: BOOTSTRAP_KEY_NAME.to_owned(),
            prefix: generated.prefix,
            secret_hash: generated.secret_hash,
            role: Role::Admin.as_str().to_owned(),
            created_at: now,
            expires_at: None,
            revoked_at: None,
            rate_limit_per_second: None,
        };
        let dir = self.inner.config.data_dir.clone();
        let key = generated.key;
        let temp = blocking(move || write_private_temp(&dir, &key)).await?;
        let tenant = tenant_record(TENANT_DEFAULT, &Quotas::default(), now)?;
        let created = store.create_first_api_key(&tenant, &record).await;
        let path = self.inner.config.data_dir.join(BOOTSTRAP_KEY_FILE);
        match created {
            Ok(true) => {
                let (from, to) = (temp.clone(), path.clone());
                blocking(move || put_in_place(&from, &to)).await?;
                Ok(Some(BootstrapKey {
                    path,
                    info: ApiKeyInfo::from_record(record)?,
                }))
            }
            Ok(false) => {
                remove(temp).await;
                Ok(None)
            }
            Err(e) => {
                remove(temp).await;
                Err(e.into())
            }
        }
    }
}

async fn blocking<T: Send + 'static>(
    op: impl FnOnce() -> Result<T, EngineError> + Send + 'static,
) -> Result<T, EngineError> {
    tokio::task::spawn_blocking(op)
        .await
        .map_err(|e| EngineError::Internal(format!("bootstrap file task: {e}")))?
}

async fn remove(path: PathBuf) {
    // A leftover temporary file holds a key that was never stored: harmless, and the next
    // start writes a new one.
    let _ = tokio::task::spawn_blocking(move || std::fs::remove_file(path)).await;
}

fn io_error(path: &Path, source: std::io::Error) -> EngineError {
    EngineError::Store(StoreError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Creates `dir` (mode 0700 for the levels it creates) and writes `key` and a newline to a
/// new file in it whose mode is 0600 from the moment it exists; returns the file.
fn write_private_temp(dir: &Path, key: &str) -> Result<PathBuf, EngineError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| io_error(dir, e))?;

    let temp = dir.join(format!(
        ".{BOOTSTRAP_KEY_FILE}.{}.tmp",
        uuid::Uuid::now_v7()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temp).map_err(|e| io_error(&temp, e))?;
    file.write_all(format!("{key}\n").as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| io_error(&temp, e))?;
    Ok(temp)
}

/// Renames the written file to its final name and makes the rename durable.
fn put_in_place(temp: &Path, path: &Path) -> Result<(), EngineError> {
    std::fs::rename(temp, path).map_err(|e| io_error(path, e))?;
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io_error(dir, e))?;
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn the_key_file_is_private_from_the_start() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("new/data");
        let temp = write_private_temp(&dir, "phk_secret").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&temp), 0o600);
        assert_eq!(mode(&dir), 0o700);
        let path = dir.join(BOOTSTRAP_KEY_FILE);
        put_in_place(&temp, &path).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "phk_secret\n");
        assert_eq!(mode(&path), 0o600);
        assert!(!temp.exists());
    }
}
