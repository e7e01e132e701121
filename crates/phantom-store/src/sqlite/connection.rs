//! Opening SQLite connections with the settings durability depends on.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::StoreError;

/// How long a statement waits for another connection's write lock before failing. Several
/// processes may share one file; a migration or a large artifact write can hold the lock a
/// while.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens (creating if missing) the connection every write goes through: WAL journaling with
/// `synchronous=FULL`, so a committed transaction is on disk before the commit returns, and
/// foreign keys enforced, so deleting a model deletes its versions.
pub(super) fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::InvalidLocation {
            location: path.display().to_string(),
            reason: format!(
                "SQLite cannot use write-ahead logging here (journal mode stayed '{mode}'); put the database on a local file system"
            ),
        });
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// Opens a read-only connection to a database [`open_writer`] has set up. In WAL mode it
/// reads the last committed state while the writer works.
pub(super) fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn)
}
