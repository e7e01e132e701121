//! Failed-login throttling: per user name and per source address, in memory and across
//! engines through Redis; a window ends, and a success clears its user name's failures.

use std::time::Duration;

use phantom_engine::auth::{Quotas, Role};
use phantom_engine::{Engine, EngineError, ErrorKind};

use crate::support::{engine_in, engine_with, service_url, unique_tenant};

const PASSWORD: &str = "a long enough password";

/// A tenant with users `names`, each with [`PASSWORD`].
async fn tenant_with(engine: &Engine, names: &[&str]) -> String {
    let t = unique_tenant("logins");
    engine.create_tenant(&t, Quotas::default()).await.unwrap();
    for name in names {
        engine
            .create_user(&t, name, PASSWORD, Role::Viewer)
            .await
            .unwrap();
    }
    t
}

fn throttled(result: Result<phantom_engine::auth::LoginToken, EngineError>) -> u64 {
    match result {
        Err(e @ EngineError::LoginThrottled { .. }) => {
            assert_eq!(e.kind(), ErrorKind::RateLimited);
            assert!(e.to_string().contains("too many failed logins"), "{e}");
            e.retry_after_ms().unwrap()
        }
        other => panic!("expected LoginThrottled, got {other:?}"),
    }
}

fn refused(result: Result<phantom_engine::auth::LoginToken, EngineError>) {
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{err}");
}

#[tokio::test]
async fn a_user_name_is_throttled_after_its_failures() {
    let (engine, _dir) = engine_with(|c| c.auth.max_failed_logins = 3).await;
    let t = tenant_with(&engine, &["ann", "bob"]).await;
    for _ in 0..3 {
        refused(engine.login(&t, "ann", "wrong password!").await);
    }
    let wait = throttled(engine.login(&t, "ann", PASSWORD).await);
    assert!((1..=60_000).contains(&wait), "{wait}");
    throttled(
        engine
            .login_from(&t, "ann", PASSWORD, Some("10.0.0.1"))
            .await,
    );
    engine.login(&t, "bob", PASSWORD).await.unwrap();

    let unknown = "nobody";
    for _ in 0..3 {
        refused(engine.login(&t, unknown, PASSWORD).await);
    }
    throttled(engine.login(&t, unknown, PASSWORD).await);
}

#[tokio::test]
async fn an_address_is_throttled_whatever_user_it_tries() {
    let (engine, _dir) = engine_with(|c| c.auth.max_failed_logins = 3).await;
    let t = tenant_with(&engine, &["ann"]).await;
    let guesser = Some("192.0.2.7");
    for name in ["root", "admin", "ann"] {
        refused(
            engine
                .login_from(&t, name, "guess guess guess", guesser)
                .await,
        );
    }
    throttled(engine.login_from(&t, "ann", PASSWORD, guesser).await);
    engine
        .login_from(&t, "ann", PASSWORD, Some("192.0.2.8"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_success_clears_the_user_name_and_the_window_ends() {
    let (engine, _dir) = engine_with(|c| {
        c.auth.max_failed_logins = 2;
        c.auth.failed_login_window_seconds = 1;
    })
    .await;
    let t = tenant_with(&engine, &["ann"]).await;
    refused(engine.login(&t, "ann", "wrong password!").await);
    engine.login(&t, "ann", PASSWORD).await.unwrap();
    refused(engine.login(&t, "ann", "wrong password!").await);
    engine.login(&t, "ann", PASSWORD).await.unwrap();

    refused(engine.login(&t, "ann", "wrong password!").await);
    refused(engine.login(&t, "ann", "wrong password!").await);
    let wait = throttled(engine.login(&t, "ann", PASSWORD).await);
    assert!(wait <= 1_000, "{wait}");
    tokio::time::sleep(Duration::from_millis(wait + 50)).await;
    engine.login(&t, "ann", PASSWORD).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_failures_count_across_engines() {
    let Some(redis) = service_url("PHANTOM_TEST_REDIS_URL", "the Redis login-throttle suite")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = |c: &mut phantom_engine::EngineConfig| {
        c.redis_url = Some(redis.clone());
        c.auth.max_failed_logins = 2;
    };
    let a = engine_in(dir.path(), config).await;
    let b = engine_in(dir.path(), config).await;
    let t = tenant_with(&a, &["ann"]).await;
    refused(a.login(&t, "ann", "wrong password!").await);
    refused(b.login(&t, "ann", "wrong password!").await);
    throttled(a.login(&t, "ann", PASSWORD).await);
    throttled(b.login(&t, "ann", PASSWORD).await);
}
