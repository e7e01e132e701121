//! Applies the schema migrations to a SQLite database.

use rusqlite::{Connection, TransactionBehavior, params};

use crate::StoreError;
use crate::migrations::{MIGRATIONS, check_not_too_new, now_millis};

/// Brings the schema up to date. Each migration runs in its own `IMMEDIATE` transaction
/// that first re-reads the applied version, so processes opening the same file together
/// apply each migration once.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER NOT NULL PRIMARY KEY,
            name       TEXT    NOT NULL,
            applied_at INTEGER NOT NULL
        ) STRICT",
    )?;
    check_not_too_new(applied_version(conn)?)?;
    for migration in MIGRATIONS {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let applied = applied_version(&tx)?;
        check_not_too_new(applied)?;
        if migration.version <= applied {
            continue;
        }
        tx.execute_batch(migration.sqlite)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            params![migration.version, migration.name, now_millis()],
        )?;
        tx.commit()?;
    }
    Ok(())
}

/// The highest applied migration, 0 for a new database.
fn applied_version(conn: &Connection) -> Result<u32, StoreError> {
    let version: i64 = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |row| row.get(0),
    )?;
    u32::try_from(version).map_err(|_| StoreError::Malformed {
        what: format!(
            "schema_migrations records version {version}, expected 0 to {}",
            u32::MAX
        ),
    })
}
