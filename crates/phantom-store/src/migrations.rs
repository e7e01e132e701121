//! The schema's versioned migrations, shared by both backends.
//!
//! Each backend keeps a `schema_migrations(version, name, applied_at)` table and applies the
//! migrations it lacks in order, each in its own transaction, when a store opens. A database
//! that records a version above [`latest_version`] was written by a newer Phantom and is
//! refused with [`StoreError::SchemaTooNew`] rather than misread.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::StoreError;
use crate::records::Millis;

/// One schema change, written once per backend.
pub(crate) struct Migration {
    /// Its number; the list is numbered 1, 2, 3, ... without gaps.
    pub(crate) version: u32,
    /// What it does, recorded in `schema_migrations`.
    pub(crate) name: &'static str,
    /// The statements for SQLite.
    pub(crate) sqlite: &'static str,
    /// The statements for PostgreSQL.
    pub(crate) postgres: &'static str,
}

/// Every migration, oldest first. Append only: an applied migration is never edited.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "models, model versions and the inference log",
        sqlite: include_str!("migrations/0001_models.sqlite.sql"),
        postgres: include_str!("migrations/0001_models.postgres.sql"),
    },
    Migration {
        version: 2,
        name: "tenants, users, API keys, the audit log and settings",
        sqlite: include_str!("migrations/0002_access.sqlite.sql"),
        postgres: include_str!("migrations/0002_access.postgres.sql"),
    },
    Migration {
        version: 3,
        name: "training jobs",
        sqlite: include_str!("migrations/0003_jobs.sqlite.sql"),
        postgres: include_str!("migrations/0003_jobs.postgres.sql"),
    },
    Migration {
        version: 4,
        name: "telemetry streams and anomalies",
        sqlite: include_str!("migrations/0004_streams.sqlite.sql"),
        postgres: include_str!("migrations/0004_streams.postgres.sql"),
    },
    Migration {
        version: 5,
        name: "signed evidence bundles",
        sqlite: include_str!("migrations/0005_evidence.sqlite.sql"),
        postgres: include_str!("migrations/0005_evidence.postgres.sql"),
    },
];

/// The newest schema version this build knows.
pub(crate) fn latest_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Refuses a database whose schema is newer than this build.
pub(crate) fn check_not_too_new(found: u32) -> Result<(), StoreError> {
    let known = latest_version();
    if found > known {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    Ok(())
}

/// The current time, for `applied_at`.
pub(crate) fn now_millis() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_count_up_from_one_without_gaps() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1, "migration '{}'", m.name);
            assert!(!m.sqlite.trim().is_empty() && !m.postgres.trim().is_empty());
        }
        assert_eq!(latest_version() as usize, MIGRATIONS.len());
    }

    #[test]
    fn a_newer_schema_is_refused() {
        assert!(check_not_too_new(latest_version()).is_ok());
        let err = check_not_too_new(latest_version() + 1).unwrap_err();
        assert!(matches!(err, StoreError::SchemaTooNew { found, known } if found == known + 1));
    }
}
