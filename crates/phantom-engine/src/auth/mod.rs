//! Tenants, users, API keys, login tokens, roles and permissions, the audit log, rate limits
//! and quotas. The engine knows no HTTP: the server turns a request's `Authorization` header
//! into a [`Credential`], asks [`Engine::authenticate`] for the [`Principal`], checks the
//! route's [`Permission`] with [`Principal::authorize`], and records the outcome with
//! [`Engine::record_audit`]. The tenant always comes from the credential.
//!
//! - API keys ([`Engine::create_api_key`]) are `phk_` + an 8-character id + `_` + a
//!   40-character secret; the store keeps the first 12 characters and a SHA-256 of the whole
//!   key. [`Engine::authenticate`] reuses a key's row for `auth.key_cache_ms` (1 s by
//!   default) before reading it again, so a revocation through another engine sharing the
//!   store holds within that time, and one through this engine at once.
//! - Users log in with a password (Argon2id) and get a JWT (HS256) that lives
//!   `auth.token_ttl_seconds`; the signing key is generated once and kept in the store, so
//!   every replica accepts every replica's tokens. Deleting a user ends its tokens.
//! - [`Engine::check_rate_limit`]: per key (or per user for tokens), in memory or, with
//!   Redis, across replicas. Failed logins are throttled per user name and per source
//!   address the same way ([`Engine::login_from`]). [`Quotas`] cap a tenant's models and logged predictions.
//! - [`Engine::bootstrap_admin`]: the first admin key, written to [`BOOTSTRAP_KEY_FILE`].

mod audit;
mod bootstrap;
mod jwt;
mod key_cache;
mod keys;
mod limits;
mod login_throttle;
mod passwords;
mod principal;
pub(crate) mod quotas;
mod roles;
mod secret;
mod tenants;
mod tokens;

pub use audit::{AuditEvent, AuditQuery, AuditResult, DEFAULT_AUDIT_LIMIT, MAX_AUDIT_LIMIT};
pub use bootstrap::{BOOTSTRAP_KEY_FILE, BOOTSTRAP_KEY_NAME, BootstrapKey};
pub use keys::{API_KEY_MARK, ApiKeyInfo, NewApiKey};
pub use passwords::{MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS};
pub use principal::{Credential, Principal};
pub use roles::{Permission, Role};
pub use tenants::{Quotas, TenantInfo, UserInfo};
pub use tokens::LoginToken;

use crate::config::AuthConfig;
use crate::{Engine, EngineError};

/// The engine's authentication state.
pub(crate) struct AuthState {
    /// The token signing key, read from the store's settings on first use.
    signing_key: tokio::sync::OnceCell<Vec<u8>>,
    /// A hash checked against when a login names no user, so failures all take as long.
    decoy_hash: tokio::sync::OnceCell<String>,
    /// Rate-limit buckets and the limits of keys seen.
    pub(crate) limiter: limits::RateLimiter,
    /// API-key rows recently read.
    keys: key_cache::KeyCache,
    /// Failed-login counts.
    pub(crate) login_throttle: login_throttle::LoginThrottle,
}

impl AuthState {
    /// Fresh state for an engine configured with `config`.
    pub(crate) fn new(config: &AuthConfig) -> Self {
        Self {
            signing_key: tokio::sync::OnceCell::new(),
            decoy_hash: tokio::sync::OnceCell::new(),
            limiter: limits::RateLimiter::new(config.default_rate_limit_per_second),
            keys: key_cache::KeyCache::new(std::time::Duration::from_millis(config.key_cache_ms)),
            login_throttle: login_throttle::LoginThrottle::new(config),
        }
    }
}

impl Engine {
    /// Resolves a credential. `Unauthenticated` for an unknown, malformed, expired or revoked
    /// credential (the message says which, without revealing secrets).
    pub async fn authenticate(&self, credential: Credential<'_>) -> Result<Principal, EngineError> {
        match credential {
            Credential::ApiKey(key) => self.authenticate_key(key).await,
            Credential::Token(token) => self.authenticate_token(token).await,
        }
    }
}
