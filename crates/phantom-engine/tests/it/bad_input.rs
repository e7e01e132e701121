//! Every entry point refuses bad input with an error that names what is wrong.

use phantom_engine::{DataSource, EngineError, ErrorKind, ModelConfig};

use crate::support::{T, create, dataset, engine};

#[tokio::test]
async fn create_refuses_bad_configs_and_taken_names() {
    let (engine, _dir) = engine().await;
    create(&engine, r#"{"name": "x", "algorithm": "kmeans"}"#).await;
    let err = engine
        .create_model(
            T,
            ModelConfig::from_json(r#"{"name": "x", "algorithm": "kmeans"}"#).unwrap(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, EngineError::NameTaken { .. }));
    assert_eq!(err.kind(), ErrorKind::Conflict);
    // The same name in another tenant is fine.
    engine
        .create_model(
            "other",
            ModelConfig::from_json(r#"{"name": "x", "algorithm": "kmeans"}"#).unwrap(),
        )
        .await
        .unwrap();
    let err = ModelConfig::from_json("{not json").unwrap_err().to_string();
    assert!(err.contains("line 1"), "{err}");
}

#[tokio::test]
async fn training_data_errors_come_back_at_once() {
    let (engine, _dir) = engine().await;
    create(&engine, r#"{"name": "c", "algorithm": "random_forest"}"#).await;
    let train = |data: DataSource| {
        let engine = engine.clone();
        async move {
            engine
                .train(T, "c", data)
                .await
                .map(|_| ())
                .unwrap_err()
                .to_string()
        }
    };
    let rows = |features: Vec<Vec<f64>>, labels: Option<Vec<f64>>| DataSource::Rows {
        features,
        labels: labels.map(|l| l.into_iter().map(Into::into).collect()),
    };
    assert!(train(rows(vec![], Some(vec![]))).await.contains("no rows"));
    assert!(
        train(rows(vec![vec![1.0], vec![2.0]], None))
            .await
            .contains("classification needs labels")
    );
    assert!(
        train(rows(vec![vec![1.0], vec![2.0]], Some(vec![1.0])))
            .await
            .contains("2 feature rows but 1 labels")
    );
    assert!(
        train(rows(vec![vec![1.0], vec![2.0]], Some(vec![1.0, 1.0])))
            .await
            .contains("single class")
    );
    assert!(
        train(rows(
            vec![vec![1.0], vec![f64::INFINITY]],
            Some(vec![0.0, 1.0])
        ))
        .await
        .contains("features[1][0]")
    );
    let csv = |path: &str, label: &str| DataSource::Csv {
        path: dataset(path),
        label: Some(label.into()),
    };
    assert!(
        train(csv("iris.csv", "colour"))
            .await
            .contains("no column named 'colour'")
    );
    assert!(
        train(csv("missing.csv", "y"))
            .await
            .contains("missing.csv: cannot read the file")
    );
    let err = engine
        .train(T, "nobody", csv("iris.csv", "species"))
        .await
        .map(|_| ())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn fixed_feature_names_must_match_the_data() {
    let (engine, _dir) = engine().await;
    create(
        &engine,
        r#"{"name": "f", "algorithm": "decision_tree", "feature_names": ["a", "b"]}"#,
    )
    .await;
    let err = engine
        .train(
            T,
            "f",
            DataSource::Rows {
                features: vec![vec![1.0, 2.0, 3.0]],
                labels: Some(vec![1.0.into()]),
            },
        )
        .await
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "wrong feature count: the model expects 2 features (a, b) but the data has 3"
    );
    let err = engine
        .train(
            T,
            "f",
            DataSource::Csv {
                path: dataset("iris.csv"),
                label: Some("species".into()),
            },
        )
        .await
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(err.contains("no column named 'a'"), "{err}");
}

#[tokio::test]
async fn a_failed_fit_is_a_failed_job() {
    let (engine, _dir) = engine().await;
    create(&engine, r#"{"name": "k", "algorithm": "kmeans", "hyperparameters": {"k": 50}, "validation_split": 0}"#).await;
    let job = engine
        .train(
            T,
            "k",
            DataSource::Rows {
                features: vec![vec![1.0], vec![2.0], vec![3.0]],
                labels: None,
            },
        )
        .await
        .unwrap();
    let id = job.id().to_owned();
    let err = job.wait().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let status = engine.job_status(T, &id).await.unwrap();
    assert_eq!(status.state, phantom_engine::JobState::Failed);
    assert!(status.error.unwrap().contains('k'));
    assert_eq!(engine.performance_stats().failed_trainings, 1);
    assert_eq!(
        engine.job_status(T, "nope").await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
}
