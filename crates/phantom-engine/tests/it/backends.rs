//! The engine on PostgreSQL (two engines sharing one database) and with the Redis prediction
//! cache. Each suite says plainly when its service URL is not set.

use std::time::{Duration, Instant};

use phantom_engine::{Engine, EngineConfig, ModelConfig};

use crate::support::{dataset, iris};

fn service(var: &str, suite: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        Ok(_) | Err(_) => {
            eprintln!("{suite} was not run: {var} is not set");
            None
        }
    }
}

/// A tenant no other test run uses, so tests can share the database.
fn tenant(name: &str) -> String {
    format!(
        "{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

async fn on_postgres(url: &str) -> Engine {
    let dir = tempfile::tempdir().unwrap();
    Engine::open(EngineConfig {
        data_dir: dir.path().to_owned(),
        database_url: Some(url.to_owned()),
        ..EngineConfig::default()
    })
    .await
    .unwrap()
}

async fn train(engine: &Engine, tenant: &str, model: &str) -> u32 {
    engine
        .train(
            tenant,
            model,
            phantom_engine::DataSource::Csv {
                path: dataset("iris.csv"),
                label: Some("species".into()),
            },
        )
        .await
        .unwrap()
        .wait()
        .await
        .unwrap()
        .version
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_engines_on_postgres_share_models_and_activations() {
    let Some(url) = service(
        "PHANTOM_TEST_POSTGRES_URL",
        "the two-engine PostgreSQL suite",
    ) else {
        return;
    };
    let t = tenant("shared");
    let a = on_postgres(&url).await;
    let b = on_postgres(&url).await;
    assert_eq!(a.storage_backend(), "postgres");
    let config = ModelConfig::from_json(r#"{"name": "m", "algorithm": "decision_tree"}"#).unwrap();
    let created = a.create_model(&t, config).await.unwrap();
    assert_eq!(b.get_model(&t, "m").await.unwrap().id, created.id);
    train(&a, &t, "m").await;
    train(&a, &t, "m").await;
    let row = iris().0[0].clone();
    assert_eq!(
        b.predict(&t, "m", &row).await.unwrap().version,
        2,
        "b loads what a trained"
    );
    assert_eq!(b.list_versions(&t, "m").await.unwrap().len(), 2);

    // a rolls back; b, which has version 2 cached, serves version 1 within a second.
    a.activate(&t, "m", 1).await.unwrap();
    let started = Instant::now();
    loop {
        if b.predict(&t, "m", &row).await.unwrap().version == 1 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "b still serves version 2 after 1 s"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    eprintln!(
        "activation reached the other engine in {:?}",
        started.elapsed()
    );
    a.delete_model(&t, "m").await.unwrap();
    let started = Instant::now();
    while b.predict(&t, "m", &row).await.is_ok() {
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "b still serves a deleted model"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_caches_predictions_and_activation_invalidates_them() {
    let Some(redis) = service("PHANTOM_TEST_REDIS_URL", "the Redis prediction-cache suite") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(EngineConfig {
        data_dir: dir.path().to_owned(),
        redis_url: Some(redis),
        ..EngineConfig::default()
    })
    .await
    .unwrap();
    let t = tenant("cache");
    let config = ModelConfig::from_json(
        r#"{"name": "c", "algorithm": "random_forest", "hyperparameters": {"n_trees": 5}}"#,
    )
    .unwrap();
    engine.create_model(&t, config).await.unwrap();
    train(&engine, &t, "c").await;
    let row = iris().0[60].clone();
    let first = engine.predict(&t, "c", &row).await.unwrap();
    let second = engine.predict(&t, "c", &row).await.unwrap();
    assert!(!first.cached && second.cached);
    assert_eq!(first.prediction, second.prediction);
    assert_eq!(first.probabilities, second.probabilities);
    let stats = engine.performance_stats().prediction_cache.unwrap();
    assert_eq!((stats.hits, stats.misses, stats.errors), (1, 1, 0));
    assert_eq!(stats.hit_ratio, 0.5);

    train(&engine, &t, "c").await;
    engine.activate(&t, "c", 1).await.unwrap();
    let after = engine.predict(&t, "c", &row).await.unwrap();
    assert!(!after.cached, "activation dropped the cached answers");
    assert_eq!(after.version, 1);
    let health = engine.system_health().await;
    assert!(health.redis.unwrap().reachable);
    engine.delete_model(&t, "c").await.unwrap();
}

#[tokio::test]
async fn an_unreachable_redis_is_an_error_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let err = Engine::open(EngineConfig {
        data_dir: dir.path().to_owned(),
        redis_url: Some("redis://127.0.0.1:1".into()),
        ..EngineConfig::default()
    })
    .await
    .err()
    .unwrap();
    assert!(
        err.to_string().contains("cannot reach redis://127.0.0.1:1"),
        "{err}"
    );
}
