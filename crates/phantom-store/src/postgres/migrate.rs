//! Applies the schema migrations to a PostgreSQL schema.

use tokio_postgres::{Client, GenericClient};

use crate::StoreError;
use crate::migrations::{MIGRATIONS, check_not_too_new, now_millis};

/// The advisory lock every migrating transaction takes: the ASCII bytes of "phantom\0".
/// Processes starting together queue on it instead of racing to create the same tables.
const MIGRATION_LOCK: i64 = 0x7068_616e_746f_6d00;

/// Brings the schema up to date, one transaction per migration, each holding
/// [`MIGRATION_LOCK`] and re-reading the applied version under it.
pub(super) async fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let tx = client.transaction().await?;
    lock(&tx).await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    BIGINT NOT NULL PRIMARY KEY,
            name       TEXT   NOT NULL,
            applied_at BIGINT NOT NULL
        )",
    )
    .await?;
    check_not_too_new(applied_version(&tx).await?)?;
    tx.commit().await?;

    for migration in MIGRATIONS {
        let tx = client.transaction().await?;
        lock(&tx).await?;
        let applied = applied_version(&tx).await?;
        check_not_too_new(applied)?;
        if migration.version <= applied {
            continue;
        }
        tx.batch_execute(migration.postgres).await?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            &[
                &i64::from(migration.version),
                &migration.name,
                &now_millis(),
            ],
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

async fn lock(client: &impl GenericClient) -> Result<(), StoreError> {
    client
        .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    Ok(())
}

/// The highest applied migration, 0 for a new schema.
async fn applied_version(client: &impl GenericClient) -> Result<u32, StoreError> {
    let version: i64 = client
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )
        .await?
        .get(0);
    u32::try_from(version).map_err(|_| StoreError::Malformed {
        what: format!(
            "schema_migrations records version {version}, expected 0 to {}",
            u32::MAX
        ),
    })
}
