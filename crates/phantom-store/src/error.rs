//! What can go wrong in the store.

/// A storage failure. `Conflict`, `NotFound` and `LimitReached` are the caller's to handle; the rest mean the
/// backend is unreachable or its contents are damaged.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique name or id is already taken.
    #[error("{what} already exists")]
    Conflict {
        /// What collided, e.g. "a model named 'x' in tenant 'default'".
        what: String,
    },
    /// The row an update refers to does not exist.
    #[error("{what} does not exist")]
    NotFound {
        /// What is missing, e.g. "version 3 of model 'id'".
        what: String,
    },
    /// A tenant already holds as many rows of a kind as its limit allows.
    #[error("tenant '{tenant}' already holds {limit} {what}, its limit")]
    LimitReached {
        /// The tenant.
        tenant: String,
        /// What is counted, e.g. "models".
        what: String,
        /// The limit.
        limit: u64,
    },
    /// A stored artifact no longer matches its checksum.
    #[error(
        "the artifact of version {version} of model {model_id} is damaged: its SHA-256 is {actual} but {expected} was stored"
    )]
    Corrupt {
        /// The model.
        model_id: String,
        /// The version.
        version: u32,
        /// The checksum stored with it.
        expected: String,
        /// The checksum of the bytes read.
        actual: String,
    },
    /// A stored row cannot be decoded (unknown status, bad JSON).
    #[error("stored data is malformed: {what}")]
    Malformed {
        /// What could not be read.
        what: String,
    },
    /// The database URL or path is not usable.
    #[error("invalid database location '{location}': {reason}")]
    InvalidLocation {
        /// The URL or path as given.
        location: String,
        /// Why it is not usable.
        reason: String,
    },
    /// The database was written by a newer Phantom.
    #[error(
        "the database schema is at version {found}, newer than this Phantom knows ({known}); upgrade Phantom"
    )]
    SchemaTooNew {
        /// Schema version found.
        found: u32,
        /// Newest version this build knows.
        known: u32,
    },
    /// SQLite reported an error.
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL reported an error.
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// No PostgreSQL connection could be taken from the pool.
    #[error("PostgreSQL connection pool: {0}")]
    Pool(String),
    /// A file in the data directory could not be created or read.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: std::path::PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A blocking database task failed to finish.
    #[error("a storage task stopped unexpectedly: {0}")]
    Task(String),
}

/// `url` with the password of its user info replaced by `***`, for messages and logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact_url("postgres://phantom:s3cret@db:5432/x?sslmode=disable"),
            "postgres://phantom:***@db:5432/x?sslmode=disable"
        );
        assert_eq!(
            redact_url("postgres://phantom@db/x"),
            "postgres://phantom@db/x"
        );
        assert_eq!(redact_url("sqlite:///var/x.db"), "sqlite:///var/x.db");
        assert_eq!(
            redact_url("postgres://u:p@ss@h/db"),
            "postgres://u:***@h/db"
        );
    }
}
