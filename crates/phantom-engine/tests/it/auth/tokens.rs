//! Users, passwords and login tokens.

use std::time::Duration;

use phantom_engine::ErrorKind;
use phantom_engine::auth::{Quotas, Role};

use super::{assert_unauthenticated, by_token, on_postgres};
use crate::support::{engine, engine_in, engine_with, service_url, unique_tenant};

const PASSWORD: &str = "correct horse battery staple";

#[tokio::test]
async fn a_user_logs_in_and_the_token_authenticates() {
    let (engine, _dir) = engine().await;
    let t = unique_tenant("login");
    engine.create_tenant(&t, Quotas::default()).await.unwrap();
    let user = engine
        .create_user(&t, "ann@example.com", PASSWORD, Role::Auditor)
        .await
        .unwrap();
    assert_eq!(
        (user.username.as_str(), user.role, user.tenant.as_str()),
        ("ann@example.com", Role::Auditor, t.as_str())
    );
    let json = serde_json::to_string(&engine.list_users(&t).await.unwrap()).unwrap();
    assert!(
        !json.contains("argon2"),
        "listings never hold the hash: {json}"
    );

    let login = engine.login(&t, "ann@example.com", PASSWORD).await.unwrap();
    assert_eq!((login.token_type, login.expires_in), ("Bearer", 900));
    let principal = by_token(&engine, &login.token).await.unwrap();
    assert_eq!(principal.tenant, t);
    assert_eq!(principal.subject, "ann@example.com");
    assert_eq!(principal.role, Role::Auditor);
    assert_eq!(principal.key_id, None);
    let remaining = login.expires_at
        - std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
    assert!((898_000..=900_000).contains(&remaining), "{remaining}");
}

#[tokio::test]
async fn wrong_credentials_all_get_the_same_answer() {
    let (engine, _dir) = engine().await;
    let t = unique_tenant("wrong");
    engine.create_tenant(&t, Quotas::default()).await.unwrap();
    engine
        .create_user(&t, "ann", PASSWORD, Role::Viewer)
        .await
        .unwrap();
    let refused = "wrong tenant, user name or password";
    assert_unauthenticated(engine.login(&t, "ann", "not the password").await, refused);
    assert_unauthenticated(engine.login(&t, "bob", PASSWORD).await, refused);
    assert_unauthenticated(
        engine.login("no-such-tenant", "ann", PASSWORD).await,
        refused,
    );
    assert_unauthenticated(engine.login(&t, "ann", "").await, refused);
}

#[tokio::test]
async fn bad_user_requests_are_refused() {
    let (engine, _dir) = engine().await;
    let t = unique_tenant("bad-users");
    let err = engine
        .create_user(&t, "ann", PASSWORD, Role::Viewer)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), format!("no tenant '{t}'"));
    engine.create_tenant(&t, Quotas::default()).await.unwrap();

    let err = engine
        .create_user(&t, "ann", "too short", Role::Viewer)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("at least 12 characters"), "{err}");
    let err = engine
        .create_user(&t, "ann smith", PASSWORD, Role::Viewer)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("invalid user name"), "{err}");

    engine
        .create_user(&t, "ann", PASSWORD, Role::Viewer)
        .await
        .unwrap();
    let err = engine
        .create_user(&t, "ann", PASSWORD, Role::Admin)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.to_string(), "user 'ann' already exists");
    let err = engine.delete_user(&t, "bob").await.unwrap_err();
    assert_eq!(
        (err.kind(), err.to_string()),
        (ErrorKind::NotFound, "no user 'bob'".into())
    );
}

#[tokio::test]
async fn tampered_and_foreign_tokens_are_refused() {
    let (stranger, _dir2) = engine().await;
    let (engine, _dir) = engine().await;
    let t = unique_tenant("tamper");
    engine.create_tenant(&t, Quotas::default()).await.unwrap();
    engine
        .create_user(&t, "ann", PASSWORD, Role::Viewer)
        .await
        .unwrap();
    let token = engine.login(&t, "ann", PASSWORD).await.unwrap().token;

    let parts: Vec<&str> = token.split('.').collect();
    let payload = String::from_utf8(base64_url_decode(parts[1])).unwrap();
    let promoted = payload.replace("\"viewer\"", "\"admin\"");
    assert_ne!(payload, promoted);
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        base64_url_encode(promoted.as_bytes()),
        parts[2]
    );
    assert_unauthenticated(by_token(&engine, &forged).await, "signature is not valid");

    let unsigned = format!(
        "{}.{}.",
        base64_url_encode(br#"{"alg":"none","typ":"JWT"}"#),
        parts[1]
    );
    assert_unauthenticated(by_token(&engine, &unsigned).await, "only HS256");
    assert_unauthenticated(by_token(&engine, "not.a.token").await, "malformed token");
    assert_unauthenticated(by_token(&engine, "").await, "malformed token");

    // Another store, another signing key.
    assert_unauthenticated(by_token(&stranger, &token).await, "signature is not valid");
    by_token(&engine, &token).await.unwrap();
}

#[tokio::test]
async fn a_token_expires() {
    let (engine, _dir) = engine_with(|c| c.auth.token_ttl_seconds = 1).await;
    let t = unique_tenant("ttl");
    engine.create_tenant(&t, Quotas::default()).await.unwrap();
    engine
        .create_user(&t, "ann", PASSWORD, Role::Developer)
        .await
        .unwrap();
    let login = engine.login(&t, "ann", PASSWORD).await.unwrap();
    assert_eq!(login.expires_in, 1);
    by_token(&engine, &login.token).await.unwrap();
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    assert_unauthenticated(
        by_token(&engine, &login.token).await,
        "the token expired at",
    );
}

/// A token outlives its user only until the next check (on an engine whose tokens last long
/// enough that a slow machine cannot see them expire first).
#[tokio::test]
async fn a_deleted_user_loses_its_tokens() {
    let (engine, _dir) = engine().await;
    let t = unique_tenant("gone");
    engine.create_tenant(&t, Quotas::default()).await.unwrap();
    engine
        .create_user(&t, "ann", PASSWORD, Role::Developer)
        .await
        .unwrap();
    let fresh = engine.login(&t, "ann", PASSWORD).await.unwrap();
    by_token(&engine, &fresh.token).await.unwrap();
    engine.delete_user(&t, "ann").await.unwrap();
    assert_unauthenticated(
        by_token(&engine, &fresh.token).await,
        "the token's user no longer exists",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engines_sharing_a_store_accept_each_others_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let a = engine_in(dir.path(), |_| {}).await;
    let b = engine_in(dir.path(), |_| {}).await;
    let t = unique_tenant("shared-tokens");
    a.create_tenant(&t, Quotas::default()).await.unwrap();
    a.create_user(&t, "ann", PASSWORD, Role::Viewer)
        .await
        .unwrap();
    let from_a = a.login(&t, "ann", PASSWORD).await.unwrap().token;
    let from_b = b.login(&t, "ann", PASSWORD).await.unwrap().token;
    assert_eq!(by_token(&b, &from_a).await.unwrap().subject, "ann");
    assert_eq!(by_token(&a, &from_b).await.unwrap().subject, "ann");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engines_sharing_postgres_accept_each_others_tokens() {
    let Some(url) = service_url("PHANTOM_TEST_POSTGRES_URL", "the PostgreSQL token suite") else {
        return;
    };
    let (a, _da) = on_postgres(&url, |_| {}).await;
    let (b, _db) = on_postgres(&url, |_| {}).await;
    let t = unique_tenant("pg-tokens");
    a.create_tenant(&t, Quotas::default()).await.unwrap();
    a.create_user(&t, "ann", PASSWORD, Role::Viewer)
        .await
        .unwrap();
    let token = a.login(&t, "ann", PASSWORD).await.unwrap().token;
    assert_eq!(by_token(&b, &token).await.unwrap().tenant, t);
    b.delete_user(&t, "ann").await.unwrap();
    assert_unauthenticated(by_token(&a, &token).await, "no longer exists");
}

fn base64_url_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}

fn base64_url_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
