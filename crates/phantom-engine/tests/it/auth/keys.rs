//! API keys: creation, authentication, expiry, revocation (seen by another engine within the
//! key cache's lifetime, or at once with the cache off).

use std::time::Duration;

use phantom_engine::auth::{Quotas, Role};
use phantom_engine::{ErrorKind, TENANT_DEFAULT};

use super::{assert_unauthenticated, by_key, on_postgres};
use crate::support::{engine, engine_in, service_url, unique_tenant};

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn a_key_authenticates_as_its_tenant_and_role_until_revoked() {
    let (engine, _dir) = engine().await;
    let t = unique_tenant("keys");
    engine.create_tenant(&t, Quotas::default()).await.unwrap();
    let new = engine
        .create_api_key(&t, "ci deploy", Role::Developer, None, Some(7))
        .await
        .unwrap();
    assert!(new.key.starts_with(&format!("{}_", new.info.prefix)));
    assert_eq!(new.info.prefix.len(), 12);
    assert_eq!(
        (
            new.info.tenant.as_str(),
            new.info.name.as_str(),
            new.info.role
        ),
        (t.as_str(), "ci deploy", Role::Developer)
    );
    assert_eq!(new.info.rate_limit_per_second, Some(7));

    let principal = by_key(&engine, &new.key).await.unwrap();
    assert_eq!(principal.tenant, t);
    assert_eq!(principal.role, Role::Developer);
    assert_eq!(principal.key_id.as_deref(), Some(new.info.id.as_str()));
    assert_eq!(principal.subject, new.info.id);

    let listed = engine.list_api_keys(&t).await.unwrap();
    assert_eq!(listed, vec![new.info.clone()]);
    let json = serde_json::to_string(&listed).unwrap();
    assert!(
        !json.contains(&new.key[13..]),
        "listings never hold the secret"
    );

    let mut wrong_secret = new.key.clone();
    wrong_secret.replace_range(20..21, if &new.key[20..21] == "a" { "b" } else { "a" });
    assert_unauthenticated(by_key(&engine, &wrong_secret).await, "unknown API key");
    let stranger = format!("phk_zzzzzzzz_{}", "s".repeat(40));
    assert_unauthenticated(by_key(&engine, &stranger).await, "unknown API key");
    assert_unauthenticated(by_key(&engine, "phk_short").await, "malformed API key");
    assert_unauthenticated(
        by_key(&engine, "Bearer something").await,
        "malformed API key",
    );

    let revoked = engine.revoke_api_key(&t, &new.info.id).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    assert_unauthenticated(by_key(&engine, &new.key).await, "the API key was revoked");
    let again = engine.revoke_api_key(&t, &new.info.id).await.unwrap();
    assert_eq!(
        again.revoked_at, revoked.revoked_at,
        "revoking twice keeps the first time"
    );
    assert_eq!(engine.list_api_keys(&t).await.unwrap(), vec![revoked]);

    let err = engine.revoke_api_key(&t, "no-such-key").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.to_string(), "no API key 'no-such-key'");
}

#[tokio::test]
async fn an_expired_key_says_when_it_expired() {
    let (engine, _dir) = engine().await;
    let t = unique_tenant("expiry");
    engine.create_tenant(&t, Quotas::default()).await.unwrap();
    let expires_at = now_ms() + 300;
    let new = engine
        .create_api_key(&t, "short-lived", Role::Viewer, Some(expires_at), None)
        .await
        .unwrap();
    assert_eq!(new.info.expires_at, Some(expires_at));
    by_key(&engine, &new.key).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_unauthenticated(by_key(&engine, &new.key).await, "the API key expired at 20");
}

#[tokio::test]
async fn bad_key_requests_are_refused() {
    let (engine, _dir) = engine().await;
    let t = unique_tenant("bad-keys");
    let err = engine
        .create_api_key(&t, "k", Role::Viewer, None, None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.to_string(), format!("no tenant '{t}'"));

    engine.create_tenant(&t, Quotas::default()).await.unwrap();
    let err = engine
        .create_api_key(&t, "k", Role::Viewer, Some(now_ms() - 1), None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not in the future"), "{err}");
    let err = engine
        .create_api_key(&t, "k", Role::Viewer, None, Some(0))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("at least 1 request per second"),
        "{err}"
    );
    let err = engine
        .create_api_key(&t, "", Role::Viewer, None, None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(engine.list_api_keys(&t).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_default_tenant_exists_when_first_needed() {
    let (engine, _dir) = engine().await;
    assert!(engine.list_tenants().await.unwrap().is_empty());
    let new = engine
        .create_api_key(TENANT_DEFAULT, "local", Role::Admin, None, None)
        .await
        .unwrap();
    let tenants = engine.list_tenants().await.unwrap();
    assert_eq!(tenants.len(), 1);
    assert_eq!(tenants[0].name, TENANT_DEFAULT);
    assert_eq!(
        by_key(&engine, &new.key).await.unwrap().tenant,
        TENANT_DEFAULT
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_holds_within_the_cache_lifetime_on_another_engine_sharing_the_data_directory()
{
    let dir = tempfile::tempdir().unwrap();
    let a = engine_in(dir.path(), |_| {}).await;
    let b = engine_in(dir.path(), |c| c.auth.key_cache_ms = 300).await;
    let t = unique_tenant("shared-sqlite");
    a.create_tenant(&t, Quotas::default()).await.unwrap();
    let new = a
        .create_api_key(&t, "shared", Role::Viewer, None, None)
        .await
        .unwrap();
    by_key(&b, &new.key).await.unwrap();
    a.revoke_api_key(&t, &new.info.id).await.unwrap();
    // b read the row just now: it keeps serving the key until its cached row expires.
    by_key(&b, &new.key).await.unwrap();
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_unauthenticated(by_key(&b, &new.key).await, "revoked");
    assert_unauthenticated(by_key(&a, &new.key).await, "revoked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_key_cache_off_a_revocation_holds_at_once_on_another_engine_sharing_postgres() {
    let Some(url) = service_url(
        "PHANTOM_TEST_POSTGRES_URL",
        "the PostgreSQL key revocation suite",
    ) else {
        return;
    };
    let (a, _da) = on_postgres(&url, |_| {}).await;
    let (b, _db) = on_postgres(&url, |c| c.auth.key_cache_ms = 0).await;
    let t = unique_tenant("shared-pg");
    a.create_tenant(&t, Quotas::default()).await.unwrap();
    let new = a
        .create_api_key(&t, "shared", Role::Developer, None, None)
        .await
        .unwrap();
    assert_eq!(by_key(&b, &new.key).await.unwrap().role, Role::Developer);
    a.revoke_api_key(&t, &new.info.id).await.unwrap();
    // No wait: the very next request through the other engine is refused.
    assert_unauthenticated(by_key(&b, &new.key).await, "the API key was revoked");
    assert_unauthenticated(by_key(&a, &new.key).await, "the API key was revoked");
}
