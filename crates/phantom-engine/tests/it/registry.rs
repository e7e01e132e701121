//! The model registry: versions, activation, archive, clone, export/import, validate, compare.

use phantom_engine::{
    CompareTarget, DataSource, EngineError, ErrorKind, ModelStatus, VersionOrigin,
};

use crate::support::{T, create, dataset, engine, iris, train_csv};

#[tokio::test]
async fn training_makes_immutable_versions_with_metrics() {
    let (engine, _dir) = engine().await;
    let model = create(
        &engine,
        r#"{"name": "iris", "algorithm": "random_forest", "hyperparameters": {"n_trees": 20}}"#,
    )
    .await;
    assert_eq!((model.version_count, model.active_version), (0, None));
    let v1 = train_csv(&engine, "iris", "iris.csv", "species").await;
    assert_eq!((v1.version, v1.active), (1, true));
    let meta = &v1.metadata;
    assert_eq!(
        (meta.training_rows, meta.validation_rows),
        (Some(120), Some(30))
    );
    assert!(meta.validation_metrics["accuracy"] > 0.85, "{meta:?}");
    assert!(meta.training_metrics["accuracy"] >= meta.validation_metrics["accuracy"] - 0.1);
    assert!(meta.training_time_ms.unwrap() > 0.0);
    assert_eq!(meta.classes, vec!["setosa", "versicolor", "virginica"]);
    assert_eq!(meta.hyperparameters.seed, Some(42));
    assert_eq!(meta.hyperparameters.n_trees, Some(20));
    assert!((meta.feature_importance.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    assert_eq!(meta.origin, VersionOrigin::Trained);
    assert_eq!(v1.sha256.len(), 64);

    let v2 = train_csv(&engine, &model.id, "iris.csv", "species").await;
    assert_eq!(v2.version, 2);
    let versions = engine.list_versions(T, "iris").await.unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(
        versions
            .iter()
            .map(|v| (v.version, v.active))
            .collect::<Vec<_>>(),
        vec![(1, false), (2, true)]
    );
    // Same seed, same data: the same bytes.
    assert_eq!(versions[0].sha256, versions[1].sha256);
}

#[tokio::test]
async fn activation_rolls_back_and_predictions_follow() {
    let (engine, _dir) = engine().await;
    create(
        &engine,
        r#"{"name": "m", "algorithm": "decision_tree", "hyperparameters": {"max_depth": 1}}"#,
    )
    .await;
    let (rows, _) = iris();
    train_csv(&engine, "m", "iris.csv", "species").await;
    let shallow = engine.predict_batch(T, "m", rows.clone()).await.unwrap();
    let deep = engine
        .train(
            T,
            "m",
            DataSource::Rows {
                features: rows.clone(),
                labels: Some(iris().1.iter().map(|s| s.as_str().into()).collect()),
            },
        )
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    assert_eq!(deep.version, 2);
    // Version 2 has the same depth-1 settings, so it predicts as version 1 did.
    let after = engine.predict_batch(T, "m", rows.clone()).await.unwrap();
    assert_eq!(after.version, 2);
    assert_eq!(
        after
            .results
            .iter()
            .map(|r| &r.prediction)
            .collect::<Vec<_>>(),
        shallow
            .results
            .iter()
            .map(|r| &r.prediction)
            .collect::<Vec<_>>()
    );
    let info = engine.activate(T, "m", 1).await.unwrap();
    assert_eq!(info.active_version, Some(1));
    assert_eq!(engine.predict(T, "m", &rows[0]).await.unwrap().version, 1);
    let err = engine.activate(T, "m", 7).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.to_string(), "model 'm' has no version 7 (it has: 1, 2)");
}

#[tokio::test]
async fn archive_keeps_the_artifact_and_restore_gives_the_same_predictions() {
    let (engine, _dir) = engine().await;
    create(
        &engine,
        r#"{"name": "gb", "algorithm": "gradient_boosting", "hyperparameters": {"n_trees": 20}}"#,
    )
    .await;
    train_csv(&engine, "gb", "iris.csv", "species").await;
    let (rows, _) = iris();
    let before = engine.predict_batch(T, "gb", rows.clone()).await.unwrap();
    let sha = engine.list_versions(T, "gb").await.unwrap()[0]
        .sha256
        .clone();
    let archived = engine.archive(T, "gb").await.unwrap();
    assert_eq!(archived.status, ModelStatus::Archived);
    let err = engine.predict(T, "gb", &rows[0]).await.unwrap_err();
    assert!(matches!(err, EngineError::Archived { .. }), "{err}");
    assert!(
        engine
            .train(
                T,
                "gb",
                DataSource::Csv {
                    path: dataset("iris.csv"),
                    label: Some("species".into())
                }
            )
            .await
            .is_err()
    );
    engine.restore(T, "gb").await.unwrap();
    let after = engine.predict_batch(T, "gb", rows).await.unwrap();
    assert_eq!(before.results, after.results);
    assert_eq!(engine.list_versions(T, "gb").await.unwrap()[0].sha256, sha);
}

#[tokio::test]
async fn clone_copies_every_version() {
    let (engine, _dir) = engine().await;
    create(
        &engine,
        r#"{"name": "lr", "algorithm": "logistic_regression"}"#,
    )
    .await;
    train_csv(&engine, "lr", "iris.csv", "species").await;
    train_csv(&engine, "lr", "iris.csv", "species").await;
    engine.activate(T, "lr", 1).await.unwrap();
    let copy = engine.clone_model(T, "lr", None).await.unwrap();
    assert_eq!(copy.name, "lr-copy");
    assert_eq!((copy.version_count, copy.active_version), (2, Some(1)));
    let second = engine.clone_model(T, "lr", None).await.unwrap();
    assert_eq!(second.name, "lr-copy-2");
    let original = engine.list_versions(T, "lr").await.unwrap();
    let copied = engine.list_versions(T, "lr-copy").await.unwrap();
    for (a, b) in original.iter().zip(&copied) {
        assert_eq!(a.sha256, b.sha256);
        assert_eq!(
            b.metadata.origin,
            VersionOrigin::Cloned {
                source_model_id: original[0].model_id.clone(),
                source_version: a.version
            }
        );
    }
    let err = engine
        .clone_model(T, "lr", Some("lr".into()))
        .await
        .unwrap_err();
    assert!(matches!(err, EngineError::NameTaken { .. }), "{err}");
}

#[tokio::test]
async fn export_then_import_round_trips_and_damage_is_refused() {
    let (engine, _dir) = engine().await;
    create(
        &engine,
        r#"{"name": "rf", "algorithm": "random_forest", "hyperparameters": {"n_trees": 10}}"#,
    )
    .await;
    train_csv(&engine, "rf", "iris.csv", "species").await;
    let bytes = engine.export_model(T, "rf", None).await.unwrap();
    assert!(bytes.starts_with(phantom_engine::EXPORT_MAGIC));

    let (other, _dir2) = crate::support::engine().await;
    let imported = other.import_model(T, &bytes, None).await.unwrap();
    assert_eq!(imported.name, "rf");
    let active = imported.active.clone().unwrap();
    assert!(matches!(
        active.metadata.origin,
        VersionOrigin::Imported {
            source_version: Some(1),
            ..
        }
    ));
    let (rows, _) = iris();
    let a = engine.predict_batch(T, "rf", rows.clone()).await.unwrap();
    let b = other.predict_batch(T, "rf", rows).await.unwrap();
    assert_eq!(a.results, b.results);
    // A second import of the same file gets a fresh name.
    assert_eq!(
        other.import_model(T, &bytes, None).await.unwrap().name,
        "rf-2"
    );

    let mut damaged = bytes.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0xff;
    let err = other
        .import_model(T, &damaged, None)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("does not match its content"), "{err}");
    let err = other
        .import_model(T, &bytes[..bytes.len() - 40], None)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("cannot import"), "{err}");
    let err = other
        .import_model(T, b"hello", None)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("neither a Phantom export"), "{err}");
}

#[tokio::test]
async fn a_bare_model_file_imports_with_unknown_training_figures() {
    let (engine, _dir) = engine().await;
    create(
        &engine,
        r#"{"name": "km", "algorithm": "kmeans", "hyperparameters": {"k": 3}}"#,
    )
    .await;
    train_csv(&engine, "km", "iris.csv", "species").await;
    let export = engine.export_model(T, "km", None).await.unwrap();
    // The artifact inside an export is a plain model file; cut it out.
    let m = u32::from_le_bytes(export[10..14].try_into().unwrap()) as usize;
    let start = 14 + m + 8;
    let artifact = &export[start..export.len() - 32];
    let info = engine
        .import_model(T, artifact, Some("bare".into()))
        .await
        .unwrap();
    let active = info.active.unwrap();
    assert_eq!(active.metadata.training_rows, None);
    assert!(active.metadata.validation_metrics.is_empty());
    assert_eq!(active.metadata.feature_names.len(), 4);
}

#[tokio::test]
async fn validate_checks_checksum_load_metadata_and_probe() {
    let (engine, _dir) = engine().await;
    create(
        &engine,
        r#"{"name": "nn", "algorithm": "neural_network", "hyperparameters": {"max_iter": 20}}"#,
    )
    .await;
    train_csv(&engine, "nn", "iris.csv", "species").await;
    let report = engine.validate(T, "nn", None).await.unwrap();
    assert!(report.valid, "{report:?}");
    assert_eq!(
        report.checks.iter().map(|c| c.name).collect::<Vec<_>>(),
        vec!["checksum", "loads", "metadata", "probe"]
    );
    let err = engine.validate(T, "nn", Some(3)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn compare_ranks_on_stored_and_fresh_metrics() {
    let (engine, _dir) = engine().await;
    create(
        &engine,
        r#"{"name": "stump", "algorithm": "decision_tree", "hyperparameters": {"max_depth": 1}}"#,
    )
    .await;
    create(
        &engine,
        r#"{"name": "forest", "algorithm": "random_forest", "hyperparameters": {"n_trees": 30}}"#,
    )
    .await;
    train_csv(&engine, "stump", "iris.csv", "species").await;
    train_csv(&engine, "forest", "iris.csv", "species").await;
    let targets = [
        CompareTarget {
            model: "stump".into(),
            version: None,
        },
        CompareTarget {
            model: "forest".into(),
            version: Some(1),
        },
    ];
    let stored = engine.compare(T, &targets, None).await.unwrap();
    assert_eq!(stored.entries.len(), 2);
    assert!(stored.entries.iter().all(|e| e.evaluated_metrics.is_none()));
    assert_eq!(stored.best["accuracy"].model_id, stored.entries[1].model_id);
    let fresh = engine
        .compare(
            T,
            &targets,
            Some(DataSource::Csv {
                path: dataset("iris.csv"),
                label: Some("species".into()),
            }),
        )
        .await
        .unwrap();
    assert_eq!(fresh.evaluated_rows, Some(150));
    let stump = &fresh.entries[0].evaluated_metrics.as_ref().unwrap()["accuracy"];
    let forest = &fresh.entries[1].evaluated_metrics.as_ref().unwrap()["accuracy"];
    assert!(forest > stump, "{forest} vs {stump}");
    assert!(
        (*stump - 2.0 / 3.0).abs() < 0.05,
        "a depth-1 tree separates one class: {stump}"
    );
    assert_eq!(fresh.best["accuracy"].value, *forest);
}

#[tokio::test]
async fn list_get_and_delete() {
    let (engine, _dir) = engine().await;
    let a = create(&engine, r#"{"name": "a", "algorithm": "kmeans"}"#).await;
    let b = create(&engine, r#"{"algorithm": "isolation_forest"}"#).await;
    assert!(b.name.starts_with("isolation_forest-"), "{}", b.name);
    assert_eq!(engine.list_models(T).await.unwrap().len(), 2);
    assert_eq!(engine.get_model(T, &a.id).await.unwrap().name, "a");
    assert_eq!(engine.get_model(T, "a").await.unwrap().id, a.id);
    assert!(engine.list_models("other").await.unwrap().is_empty());
    assert_eq!(
        engine.get_model("other", "a").await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    engine.delete_model(T, "a").await.unwrap();
    assert_eq!(
        engine.get_model(T, "a").await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        engine.delete_model(T, "a").await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(engine.list_models(T).await.unwrap().len(), 1);
}

#[tokio::test]
async fn everything_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = phantom_engine::EngineConfig {
        data_dir: dir.path().to_owned(),
        ..Default::default()
    };
    let (rows, _) = iris();
    let before = {
        let engine = phantom_engine::Engine::open(config.clone()).await.unwrap();
        create(
            &engine,
            r#"{"name": "keep", "algorithm": "random_forest", "hyperparameters": {"n_trees": 10}}"#,
        )
        .await;
        train_csv(&engine, "keep", "iris.csv", "species").await;
        let p = engine.predict_batch(T, "keep", rows.clone()).await.unwrap();
        engine.close().await;
        p
    };
    let engine = phantom_engine::Engine::open(config).await.unwrap();
    let after = engine.predict_batch(T, "keep", rows).await.unwrap();
    assert_eq!(before.results, after.results);
    let history = engine
        .inference_history(T, "keep", 0, i64::MAX, 10)
        .await
        .unwrap();
    assert_eq!(history.len(), 10, "the log written before close survives");
}
