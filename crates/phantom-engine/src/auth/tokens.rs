//! Login: a user's password buys a short-lived token (a JWT signed with HS256). The signing
//! key is generated once per store and kept in its settings, so every engine sharing the
//! store accepts the tokens of every other.

use phantom_store::{Millis, Storage};
use serde::Serialize;

use super::jwt::{self, Claims};
use super::login_throttle::LoginAttempt;
use super::passwords::{hash_password, verify_password};
use super::principal::Principal;
use super::roles::stored_role;
use super::secret::random_bytes;
use crate::engine::now_ms;
use crate::time::format_utc;
use crate::{Engine, EngineError};

/// The setting that holds the token signing key (hex).
const SIGNING_KEY_SETTING: &str = "auth.jwt_signing_key";

/// Bytes of a new signing key: 256 bits, as long as SHA-256's output, the least RFC 7518
/// allows for HS256.
const SIGNING_KEY_BYTES: usize = 32;

/// A login token.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoginToken {
    /// The JWT.
    pub token: String,
    /// Always "Bearer".
    pub token_type: &'static str,
    /// Seconds until it expires.
    pub expires_in: u64,
    /// When it expires.
    pub expires_at: Millis,
}

fn unauthenticated(reason: impl Into<String>) -> EngineError {
    EngineError::Unauthenticated {
        reason: reason.into(),
    }
}

impl Engine {
    /// Checks a user's password and returns a short-lived token; a login whose source
    /// address is unknown (see [`Engine::login_from`]).
    pub async fn login(
        &self,
        tenant: &str,
        username: &str,
        password: &str,
    ) -> Result<LoginToken, EngineError> {
        self.login_from(tenant, username, password, None).await
    }

    /// Checks a user's password and returns a short-lived token. Failed logins are counted
    /// per (tenant, user name) and per `source` address: after `auth.max_failed_logins` of
    /// either within `auth.failed_login_window_seconds`, logins are refused with
    /// `LoginThrottled` until the window ends, before the password is checked.
    pub async fn login_from(
        &self,
        tenant: &str,
        username: &str,
        password: &str,
        source: Option<&str>,
    ) -> Result<LoginToken, EngineError> {
        let attempt = LoginAttempt::new(tenant, username, source);
        self.refuse_throttled_login(&attempt).await?;
        match self.check_password(tenant, username, password).await {
            Ok(token) => {
                self.forget_failed_logins(&attempt).await;
                Ok(token)
            }
            Err(e @ EngineError::Unauthenticated { .. }) => {
                self.count_failed_login(&attempt).await;
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    /// The token for a user whose password is right.
    async fn check_password(
        &self,
        tenant: &str,
        username: &str,
        password: &str,
    ) -> Result<LoginToken, EngineError> {
        // One message for every failure, so a caller cannot learn which tenants and users
        // exist.
        let refused = || unauthenticated("wrong tenant, user name or password");
        let Some(user) = self.inner.store.get_user(tenant, username).await? else {
            // The same slow check as for a real user, so the time taken tells nothing.
            let decoy = self.decoy_hash().await?;
            verify_password(password, &decoy).await?;
            return Err(refused());
        };
        if !verify_password(password, &user.password_hash).await? {
            return Err(refused());
        }
        stored_role(&user.role, || {
            format!("user '{username}' of tenant '{tenant}'")
        })?;
        let ttl = self.inner.config.auth.token_ttl_seconds;
        let iat = now_ms().div_euclid(1000);
        let exp = iat.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX));
        let claims = Claims {
            sub: user.username,
            tenant: user.tenant,
            role: user.role,
            iat,
            exp,
            jti: uuid::Uuid::now_v7().to_string(),
        };
        let key = self.signing_key().await?;
        let token = jwt::encode(&key, &claims)
            .map_err(|e| EngineError::Internal(format!("signing a token: {}", e.reason())))?;
        Ok(LoginToken {
            token,
            token_type: "Bearer",
            expires_in: ttl,
            expires_at: exp.saturating_mul(1000),
        })
    }

    /// The principal of a login token: its signature and expiry are checked, and its user
    /// is read from the store, so deleting a user ends its tokens at once.
    pub(super) async fn authenticate_token(&self, token: &str) -> Result<Principal, EngineError> {
        let key = self.signing_key().await?;
        let claims = jwt::decode(&key, token).map_err(|e| unauthenticated(e.reason()))?;
        if now_ms().div_euclid(1000) >= claims.exp {
            return Err(unauthenticated(format!(
                "the token expired at {}; log in again",
                format_utc(claims.exp.saturating_mul(1000))
            )));
        }
        let gone = || unauthenticated("the token's user no longer exists");
        let user = self
            .inner
            .store
            .get_user(&claims.tenant, &claims.sub)
            .await?
            .ok_or_else(gone)?;
        // A token issued before the user was (re)created belongs to an earlier user of the
        // same name.
        if claims.iat < user.created_at.div_euclid(1000) {
            return Err(gone());
        }
        let role = stored_role(&user.role, || {
            format!("user '{}' of tenant '{}'", user.username, user.tenant)
        })?;
        Ok(Principal {
            tenant: user.tenant,
            subject: user.username,
            role,
            key_id: None,
        })
    }

    /// The key tokens are signed with: read from the store's settings once, after the first
    /// engine to need it stored a random one.
    async fn signing_key(&self) -> Result<Vec<u8>, EngineError> {
        let key = self
            .inner
            .auth
            .signing_key
            .get_or_try_init(|| async {
                let candidate = hex::encode(random_bytes(SIGNING_KEY_BYTES)?);
                let stored = self
                    .inner
                    .store
                    .get_or_create_setting(SIGNING_KEY_SETTING, &candidate)
                    .await?;
                hex::decode(&stored).map_err(|e| {
                    EngineError::Store(phantom_store::StoreError::Malformed {
                        what: format!("the setting {SIGNING_KEY_SETTING} is not hex ({e})"),
                    })
                })
            })
            .await?;
        Ok(key.clone())
    }

    /// A hash of a random password, checked against when a login names no existing user.
    async fn decoy_hash(&self) -> Result<String, EngineError> {
        let hash = self
            .inner
            .auth
            .decoy_hash
            .get_or_try_init(|| async { hash_password(&hex::encode(random_bytes(16)?)).await })
            .await?;
        Ok(hash.clone())
    }
}
