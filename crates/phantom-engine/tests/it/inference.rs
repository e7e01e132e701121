//! Predictions, explanations, inference history and the figures the engine reports.

use phantom_engine::{DataSource, EngineError, ErrorKind, HealthStatus, PredictedValue};

use crate::support::{T, create, engine, engine_with, iris, train_csv};

#[tokio::test]
async fn classification_returns_label_confidence_and_probabilities() {
    let (engine, _dir) = engine().await;
    create(
        &engine,
        r#"{"name": "iris", "algorithm": "random_forest", "hyperparameters": {"n_trees": 25}}"#,
    )
    .await;
    train_csv(&engine, "iris", "iris.csv", "species").await;
    let p = engine
        .predict(T, "iris", &[5.1, 3.5, 1.4, 0.2])
        .await
        .unwrap();
    assert_eq!(p.prediction, PredictedValue::Label("setosa".into()));
    let probabilities = p.probabilities.unwrap();
    assert_eq!(probabilities.len(), 3);
    assert!((probabilities.iter().map(|c| c.probability).sum::<f64>() - 1.0).abs() < 1e-9);
    assert_eq!(p.confidence, Some(probabilities[0].probability));
    assert!(!p.cached);
    // The batch path agrees with the single-row path.
    let (rows, labels) = iris();
    let batch = engine.predict_batch(T, "iris", rows.clone()).await.unwrap();
    assert_eq!(batch.total_predictions, 150);
    assert!(batch.throughput_per_second > 0.0);
    for (row, result) in rows.iter().zip(&batch.results).step_by(17) {
        let single = engine.predict(T, "iris", row).await.unwrap();
        assert_eq!(single.prediction, result.prediction);
        assert_eq!(single.confidence, result.confidence);
    }
    let correct = batch
        .results
        .iter()
        .zip(&labels)
        .filter(|(r, l)| r.prediction == PredictedValue::Label((*l).clone()))
        .count();
    assert!(correct >= 140, "{correct}/150 on its own training data");
}

#[tokio::test]
async fn numeric_labels_come_back_as_numbers() {
    let (engine, _dir) = engine().await;
    create(
        &engine,
        r#"{"name": "threats", "algorithm": "logistic_regression"}"#,
    )
    .await;
    engine
        .train(
            T,
            "threats",
            DataSource::Rows {
                features: vec![
                    vec![0.1, 1.0, 1000.0],
                    vec![0.9, 0.0, 10.0],
                    vec![0.2, 1.0, 900.0],
                    vec![0.8, 0.0, 20.0],
                ],
                labels: Some(vec![0.0.into(), 1.0.into(), 0.0.into(), 1.0.into()]),
            },
        )
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    let p = engine
        .predict(T, "threats", &[0.85, 0.0, 15.0])
        .await
        .unwrap();
    assert_eq!(p.prediction, PredictedValue::Number(1.0));
    assert_eq!(
        serde_json::to_value(&p).unwrap()["prediction"],
        serde_json::json!(1.0)
    );
}

#[tokio::test]
async fn regression_anomaly_and_clustering_predict_their_kind() {
    let (engine, _dir) = engine().await;
    create(
        &engine,
        r#"{"name": "reg", "algorithm": "linear_regression", "task": "regression"}"#,
    )
    .await;
    train_csv(&engine, "reg", "diabetes.csv", "progression").await;
    let row = [59.0, 2.0, 32.1, 101.0, 157.0, 93.2, 38.0, 4.0, 4.8598, 87.0];
    let p = engine.predict(T, "reg", &row).await.unwrap();
    let PredictedValue::Number(v) = p.prediction else {
        panic!("{p:?}")
    };
    assert!((50.0..350.0).contains(&v), "{v}");

    create(
        &engine,
        r#"{"name": "iso", "algorithm": "isolation_forest", "validation_split": 0}"#,
    )
    .await;
    engine
        .train(
            T,
            "iso",
            DataSource::Rows {
                features: iris().0,
                labels: None,
            },
        )
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    let normal = engine
        .predict(T, "iso", &[5.8, 3.0, 4.3, 1.3])
        .await
        .unwrap();
    let odd = engine
        .predict(T, "iso", &[30.0, -4.0, 40.0, 9.0])
        .await
        .unwrap();
    assert_eq!(odd.prediction, PredictedValue::Flag(true));
    assert!(odd.anomaly_score.unwrap() > normal.anomaly_score.unwrap());
    assert!(odd.threshold.is_some());

    create(
        &engine,
        r#"{"name": "km", "algorithm": "kmeans", "hyperparameters": {"k": 3}}"#,
    )
    .await;
    train_csv(&engine, "km", "iris.csv", "species").await;
    let c = engine
        .predict(T, "km", &[5.1, 3.5, 1.4, 0.2])
        .await
        .unwrap();
    assert!(matches!(c.prediction, PredictedValue::Number(k) if (0.0..3.0).contains(&k)));
}

#[tokio::test]
async fn wrong_feature_count_and_non_finite_values_are_named() {
    let (engine, _dir) = engine().await;
    create(&engine, r#"{"name": "iris", "algorithm": "decision_tree"}"#).await;
    train_csv(&engine, "iris", "iris.csv", "species").await;
    let err = engine.predict(T, "iris", &[1.0, 2.0]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        err.to_string(),
        "wrong feature count: model 'iris' expects 4 features but got 2"
    );
    let err = engine
        .predict(T, "iris", &[1.0, f64::NAN, 1.0, 1.0])
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "features[0][1] ('sepal_width') is NaN; feature values must be finite numbers"
    );
    let err = engine
        .predict_batch(T, "iris", vec![vec![1.0; 4], vec![1.0; 3]])
        .await
        .unwrap_err();
    assert!(
        err.to_string().starts_with("features[1] has 3 values"),
        "{err}"
    );
    let err = engine
        .predict_batch(T, "iris", vec![vec![1.0; 5]])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            EngineError::FeatureCount {
                expected: 4,
                got: 5,
                ..
            }
        ),
        "{err}"
    );
    let err = engine.predict(T, "nope", &[1.0]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    create(
        &engine,
        r#"{"name": "empty", "algorithm": "decision_tree"}"#,
    )
    .await;
    let err = engine.predict(T, "empty", &[1.0]).await.unwrap_err();
    assert!(matches!(err, EngineError::NotTrained { .. }), "{err}");
    let stats = engine.performance_stats();
    assert_eq!(stats.total_errors, 4, "{stats:?}");
}

#[tokio::test]
async fn explanations_add_up_to_the_prediction() {
    let (engine, _dir) = engine().await;
    create(
        &engine,
        r#"{"name": "rf", "algorithm": "random_forest", "hyperparameters": {"n_trees": 15}}"#,
    )
    .await;
    train_csv(&engine, "rf", "iris.csv", "species").await;
    let row = [6.3, 2.8, 5.1, 1.5];
    let e = engine.explain(T, "rf", &row).await.unwrap();
    assert_eq!(e.method, "tree_shap");
    assert_eq!(e.outputs.len(), 3);
    let probabilities = e.prediction.probabilities.clone().unwrap();
    for (k, class) in probabilities.iter().enumerate() {
        let total = e.base[k] + e.features.iter().map(|f| f.contributions[k]).sum::<f64>();
        assert!(
            (total - class.probability).abs() < 1e-6,
            "class {k}: {total} vs {}",
            class.probability
        );
    }
    let importance = engine.feature_importance(T, "rf").await.unwrap();
    assert_eq!(importance.method, "impurity_decrease");
    assert!(
        importance
            .features
            .windows(2)
            .all(|w| w[0].importance >= w[1].importance)
    );
    assert!(
        importance.features[0].feature.starts_with("petal"),
        "{importance:?}"
    );

    create(
        &engine,
        r#"{"name": "lr", "algorithm": "logistic_regression"}"#,
    )
    .await;
    train_csv(&engine, "lr", "iris.csv", "species").await;
    let e = engine.explain(T, "lr", &row).await.unwrap();
    assert_eq!((e.method, e.output), ("linear", "raw_score"));
    assert_eq!(e.outputs.len(), 3);
    for k in 0..3 {
        let total: f64 = e.features.iter().map(|f| f.contributions[k]).sum();
        assert!((e.base[k] + total).is_finite());
    }

    create(
        &engine,
        r#"{"name": "nn", "algorithm": "neural_network", "hyperparameters": {"max_iter": 5}}"#,
    )
    .await;
    train_csv(&engine, "nn", "iris.csv", "species").await;
    let err = engine.explain(T, "nn", &row).await.unwrap_err().to_string();
    assert!(err.contains("global feature importance"), "{err}");
}

#[tokio::test]
async fn inference_history_is_sampled_and_queried_by_time() {
    let (engine, _dir) = engine_with(|c| c.inference_log.sample_rate = 0.5).await;
    create(&engine, r#"{"name": "dt", "algorithm": "decision_tree"}"#).await;
    train_csv(&engine, "dt", "iris.csv", "species").await;
    let start = chrono_ms();
    for _ in 0..40 {
        engine
            .predict(T, "dt", &[5.1, 3.5, 1.4, 0.2])
            .await
            .unwrap();
    }
    engine.close().await;
    let end = chrono_ms() + 1;
    let all = engine
        .inference_history(T, "dt", start, end, 1000)
        .await
        .unwrap();
    assert_eq!(all.len(), 20, "half of 40 predictions");
    assert!(all.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
    assert_eq!(all[0].input, serde_json::json!([5.1, 3.5, 1.4, 0.2]));
    assert_eq!(all[0].output["prediction"], "setosa");
    assert!(
        engine
            .inference_history(T, "dt", 0, start, 1000)
            .await
            .unwrap()
            .is_empty()
    );
    let stats = engine.performance_stats();
    assert_eq!(
        (stats.inference_log.written, stats.inference_log.dropped),
        (20, 0)
    );
    let err = engine
        .inference_history(T, "dt", 5, 1, 10)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn logging_can_be_turned_off() {
    let (engine, _dir) = engine_with(|c| c.inference_log.enabled = false).await;
    create(&engine, r#"{"name": "dt", "algorithm": "decision_tree"}"#).await;
    train_csv(&engine, "dt", "iris.csv", "species").await;
    engine
        .predict(T, "dt", &[5.1, 3.5, 1.4, 0.2])
        .await
        .unwrap();
    engine.predict_batch(T, "dt", iris().0).await.unwrap();
    engine.close().await;
    assert!(
        engine
            .inference_history(T, "dt", 0, i64::MAX, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn stats_and_health_are_measured() {
    let (engine, _dir) = engine().await;
    create(&engine, r#"{"name": "dt", "algorithm": "decision_tree"}"#).await;
    train_csv(&engine, "dt", "iris.csv", "species").await;
    for _ in 0..100 {
        engine
            .predict(T, "dt", &[5.1, 3.5, 1.4, 0.2])
            .await
            .unwrap();
    }
    engine.predict_batch(T, "dt", iris().0).await.unwrap();
    let stats = engine.performance_stats();
    assert_eq!((stats.total_requests, stats.total_predictions), (101, 250));
    assert_eq!((stats.total_trainings, stats.failed_trainings), (1, 0));
    assert_eq!(stats.single_latency.count, 100);
    assert!(stats.single_latency.p50_us > 0.0);
    assert!(stats.single_latency.p50_us <= stats.single_latency.p99_us);
    assert!(stats.single_latency.p99_us <= stats.single_latency.max_us * 1.04);
    assert_eq!(stats.models.len(), 1);
    assert_eq!(stats.models[0].rows, 250);
    assert!(stats.prediction_cache.is_none());
    let health = engine.system_health().await;
    assert_eq!(health.status, HealthStatus::Healthy);
    assert_eq!(health.models_loaded, 1);
    assert_eq!(health.storage.backend, "sqlite");
    assert!(health.storage.reachable);
    assert!(health.process.rss_bytes.unwrap() > 0);
}

fn chrono_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_batches_are_checked_and_answered_like_small_ones() {
    let (engine, _dir) = engine_with(|c| c.inference_log.enabled = false).await;
    create(
        &engine,
        r#"{"name": "rf", "algorithm": "random_forest", "hyperparameters": {"n_trees": 5}}"#,
    )
    .await;
    train_csv(&engine, "rf", "iris.csv", "species").await;
    let (rows, _) = iris();
    let big: Vec<Vec<f64>> = rows.iter().cycle().take(6_000).cloned().collect();
    let batch = engine.predict_batch(T, "rf", big.clone()).await.unwrap();
    let small = engine.predict_batch(T, "rf", rows.clone()).await.unwrap();
    assert_eq!(batch.results.len(), 6_000);
    for (i, r) in batch.results.iter().enumerate() {
        assert_eq!(r, &small.results[i % rows.len()], "row {i}");
    }
    let mut bad = big.clone();
    bad[5_000][2] = f64::INFINITY;
    bad[5_500][1] = f64::NAN;
    let err = engine
        .predict_batch(T, "rf", bad)
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "features[5000][2] ('petal_length') is inf; feature values must be finite numbers"
    );
    let mut ragged = big;
    ragged[4_500].push(1.0);
    let err = engine
        .predict_batch(T, "rf", ragged)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("features[4500] has 5 values"), "{err}");
}

#[tokio::test]
async fn a_matrix_batch_answers_like_nested_rows() {
    let (engine, _dir) = engine().await;
    create(
        &engine,
        r#"{"name": "rf", "algorithm": "random_forest", "hyperparameters": {"n_trees": 5}}"#,
    )
    .await;
    train_csv(&engine, "rf", "iris.csv", "species").await;
    let (rows, _) = iris();
    let nested = engine.predict_batch(T, "rf", rows.clone()).await.unwrap();
    let flat: Vec<f32> = rows.iter().flatten().map(|&v| v as f32).collect();
    let x = phantom_ml::Matrix::new(rows.len(), 4, flat).unwrap();
    let matrix = engine.predict_matrix(T, "rf", x).await.unwrap();
    assert_eq!(nested.results, matrix.results);
    let wrong = phantom_ml::Matrix::new(1, 3, vec![1.0; 3]).unwrap();
    let err = engine
        .predict_matrix(T, "rf", wrong)
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "wrong feature count: model 'rf' expects 4 features but got 3"
    );
    engine.close().await;
    assert_eq!(engine.performance_stats().inference_log.written, 300);
}
