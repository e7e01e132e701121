//! Rate limits per key and per user, in memory and across engines through Redis.

use std::time::Duration;

use phantom_engine::auth::{Principal, Quotas, Role};
use phantom_engine::{Engine, EngineError, ErrorKind};

use super::{by_key, by_token};
use crate::support::{engine_in, engine_with, service_url, unique_tenant};

fn retry_after(result: Result<(), EngineError>, limit: u32) -> u64 {
    match result {
        Err(EngineError::RateLimited {
            limit: l,
            retry_after_ms,
        }) => {
            assert_eq!(l, limit);
            retry_after_ms
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
}

async fn key(engine: &Engine, tenant: &str, limit: Option<u32>) -> Principal {
    let new = engine
        .create_api_key(tenant, "limited", Role::Viewer, None, limit)
        .await
        .unwrap();
    by_key(engine, &new.key).await.unwrap()
}

#[tokio::test]
async fn a_key_gets_its_own_limit_or_the_default() {
    let (engine, _dir) = engine_with(|c| c.auth.default_rate_limit_per_second = Some(2)).await;
    let t = unique_tenant("limits");
    engine.create_tenant(&t, Quotas::default()).await.unwrap();

    let own = key(&engine, &t, Some(3)).await;
    for _ in 0..3 {
        engine.check_rate_limit(&own).await.unwrap();
    }
    let err = engine.check_rate_limit(&own).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert!(
        err.to_string()
            .contains("rate limit of 3 requests per second"),
        "{err}"
    );
    let wait = retry_after(engine.check_rate_limit(&own).await, 3);
    assert!((1..=334).contains(&wait), "{wait}");
    tokio::time::sleep(Duration::from_millis(wait + 20)).await;
    engine.check_rate_limit(&own).await.unwrap();

    let defaulted = key(&engine, &t, None).await;
    engine.check_rate_limit(&defaulted).await.unwrap();
    engine.check_rate_limit(&defaulted).await.unwrap();
    retry_after(engine.check_rate_limit(&defaulted).await, 2);

    engine
        .create_user(&t, "ann", "a long enough password", Role::Viewer)
        .await
        .unwrap();
    let token = engine
        .login(&t, "ann", "a long enough password")
        .await
        .unwrap()
        .token;
    let user = by_token(&engine, &token).await.unwrap();
    engine.check_rate_limit(&user).await.unwrap();
    engine.check_rate_limit(&user).await.unwrap();
    retry_after(engine.check_rate_limit(&user).await, 2);
}

#[tokio::test]
async fn without_a_default_a_key_without_a_limit_is_unlimited() {
    let (engine, _dir) = engine_with(|_| {}).await;
    let t = unique_tenant("unlimited");
    engine.create_tenant(&t, Quotas::default()).await.unwrap();
    let free = key(&engine, &t, None).await;
    for _ in 0..1_000 {
        engine.check_rate_limit(&free).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_the_limit_holds_across_engines() {
    let Some(redis) = service_url("PHANTOM_TEST_REDIS_URL", "the Redis rate-limit suite") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let a = engine_in(dir.path(), |c| c.redis_url = Some(redis.clone())).await;
    let b = engine_in(dir.path(), |c| c.redis_url = Some(redis.clone())).await;
    let t = unique_tenant("redis-limits");
    a.create_tenant(&t, Quotas::default()).await.unwrap();
    let new = a
        .create_api_key(&t, "shared", Role::Viewer, None, Some(4))
        .await
        .unwrap();
    let on_a = by_key(&a, &new.key).await.unwrap();
    let on_b = by_key(&b, &new.key).await.unwrap();

    // Start just after a second begins, so that every request falls in one window.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    tokio::time::sleep(Duration::from_millis(
        1_010 - u64::from(now.subsec_millis()),
    ))
    .await;
    let mut allowed = 0;
    for i in 0..10 {
        let engine = if i % 2 == 0 { &a } else { &b };
        let principal = if i % 2 == 0 { &on_a } else { &on_b };
        match engine.check_rate_limit(principal).await {
            Ok(()) => allowed += 1,
            Err(err) => {
                let wait = retry_after(Err(err), 4);
                assert!((1..=1_000).contains(&wait), "{wait}");
            }
        }
    }
    assert_eq!(allowed, 4, "4 per second in total, not per engine");

    tokio::time::sleep(Duration::from_millis(1_000)).await;
    a.check_rate_limit(&on_a).await.unwrap();
}
