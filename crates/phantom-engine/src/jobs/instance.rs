//! Which engine instance runs a job. An engine takes the identity kept in its data
//! directory's [`INSTANCE_FILE`], holding a lock on the file while it lives, so a restarted
//! engine is recognised as the one that ran the jobs left unfinished in the store and can
//! mark them failed. Another process opening the same data directory meanwhile (`phantom
//! models` next to `phantom serve`) finds the file locked and runs under an identity of its
//! own, claiming nothing.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// The file in the data directory that keeps the engine's identity.
pub const INSTANCE_FILE: &str = "engine.instance";

/// This engine's identity.
pub(crate) struct Instance {
    /// The id written as the owner of the jobs it runs.
    pub(crate) id: String,
    /// Whether the id is the data directory's (so the jobs left unfinished under it are
    /// this engine's own leftovers).
    pub(crate) owns_data_dir: bool,
    /// The locked identity file, kept open while the engine lives.
    _lock: Option<File>,
}

impl Instance {
    /// Claims the identity of `data_dir` (creating the directory and the file if needed),
    /// or, when another live engine holds it or the directory is not writable, a fresh one.
    pub(crate) fn claim(data_dir: &Path) -> Instance {
        match claim_file(data_dir) {
            Ok(Some((id, file))) => Instance {
                id,
                owns_data_dir: true,
                _lock: Some(file),
            },
            Ok(None) | Err(_) => Instance {
                id: new_id(),
                owns_data_dir: false,
                _lock: None,
            },
        }
    }
}

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The id in the locked identity file, or `None` if another engine holds the lock.
fn claim_file(data_dir: &Path) -> std::io::Result<Option<(String, File)>> {
    let mut dirs = std::fs::DirBuilder::new();
    dirs.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut dirs, 0o700);
    dirs.create(data_dir)?;
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(data_dir.join(INSTANCE_FILE))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Ok(None),
        Err(TryLockError::Error(e)) => return Err(e),
    }
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    let kept = text.trim();
    let usable = !kept.is_empty()
        && kept.len() <= 64
        && kept.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let id = if usable {
        kept.to_owned()
    } else {
        let id = new_id();
        file.set_len(0)?;
        file.seek(SeekFrom::Start(0))?;
        file.write_all(format!("{id}\n").as_bytes())?;
        file.sync_all()?;
        id
    };
    Ok(Some((id, file)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_live_engine_holds_a_data_directory_s_identity() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let first = Instance::claim(&data);
        assert!(first.owns_data_dir);
        let second = Instance::claim(&data);
        assert!(!second.owns_data_dir, "the file is locked by the first");
        assert_ne!(second.id, first.id);
        let id = first.id.clone();
        drop(first);
        let restarted = Instance::claim(&data);
        assert!(restarted.owns_data_dir);
        assert_eq!(restarted.id, id, "a restart keeps the identity");
    }
}
