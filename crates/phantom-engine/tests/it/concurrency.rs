//! Predictions keep flowing, from the right version, while models train and versions change.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use phantom_engine::{DataSource, JobState};

use crate::support::{T, create, dataset, engine, iris, train_csv};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn predictions_continue_during_training_and_activation() {
    let (engine, _dir) = engine().await;
    create(
        &engine,
        r#"{"name": "m", "algorithm": "random_forest", "hyperparameters": {"n_trees": 300}}"#,
    )
    .await;
    train_csv(&engine, "m", "iris.csv", "species").await;
    let stop = Arc::new(AtomicBool::new(false));
    let (rows, _) = iris();
    let mut clients = Vec::new();
    for c in 0..4 {
        let engine = engine.clone();
        let stop = stop.clone();
        let rows = rows.clone();
        clients.push(tokio::spawn(async move {
            let mut served = 0u64;
            let mut versions = std::collections::BTreeSet::new();
            while !stop.load(Ordering::Relaxed) {
                let row = &rows[(served as usize * 7 + c) % rows.len()];
                let p = engine
                    .predict(T, "m", row)
                    .await
                    .expect("a prediction during training");
                versions.insert(p.version);
                served += 1;
                if served.is_multiple_of(50) {
                    let b = engine
                        .predict_batch(T, "m", rows[..20].to_vec())
                        .await
                        .unwrap();
                    versions.insert(b.version);
                }
                tokio::task::yield_now().await;
            }
            (served, versions)
        }));
    }
    // A slow training: the old version serves meanwhile.
    let job = engine
        .train(
            T,
            "m",
            DataSource::Csv {
                path: dataset("iris.csv"),
                label: Some("species".into()),
            },
        )
        .await
        .unwrap();
    while !job.is_finished() {
        assert_ne!(job.status().state, JobState::Failed);
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    let v2 = job.wait().await.unwrap();
    assert_eq!(v2.version, 2);
    for v in [1, 2, 1, 2] {
        engine.activate(T, "m", v).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert_eq!(engine.predict(T, "m", &rows[0]).await.unwrap().version, v);
    }
    stop.store(true, Ordering::Relaxed);
    let mut total = 0;
    for client in clients {
        let (served, versions) = client.await.unwrap();
        total += served;
        assert!(versions.is_subset(&[1, 2].into()), "{versions:?}");
    }
    assert!(total > 100, "{total} predictions served");
    assert_eq!(engine.performance_stats().total_errors, 0);
}
