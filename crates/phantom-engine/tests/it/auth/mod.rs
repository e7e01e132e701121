//! Authentication and access: API keys, users and login tokens, roles, quotas, rate limits,
//! the bootstrap admin, the audit log, and tenant isolation, on SQLite (and PostgreSQL and
//! Redis where their test URLs are set). Tenants are unique per test, so tests can share a
//! database.

mod audit;
mod bootstrap;
mod keys;
mod limits;
mod logins;
mod quotas;
mod roles;
mod tokens;

use phantom_engine::auth::{Credential, Principal};
use phantom_engine::{Engine, EngineError, ErrorKind};

/// Authenticates an API key.
pub async fn by_key(engine: &Engine, key: &str) -> Result<Principal, EngineError> {
    engine.authenticate(Credential::ApiKey(key)).await
}

/// Authenticates a login token.
pub async fn by_token(engine: &Engine, token: &str) -> Result<Principal, EngineError> {
    engine.authenticate(Credential::Token(token)).await
}

/// Asserts `result` is `Unauthenticated` with a message containing `needle`.
pub fn assert_unauthenticated<T: std::fmt::Debug>(result: Result<T, EngineError>, needle: &str) {
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{err}");
    assert!(err.to_string().contains(needle), "'{err}' lacks '{needle}'");
}

/// A new PostgreSQL engine, with a data directory of its own.
pub async fn on_postgres(
    url: &str,
    tweak: impl FnOnce(&mut phantom_engine::EngineConfig),
) -> (Engine, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let engine = crate::support::engine_in(dir.path(), |c| {
        c.database_url = Some(url.to_owned());
        tweak(c);
    })
    .await;
    (engine, dir)
}
