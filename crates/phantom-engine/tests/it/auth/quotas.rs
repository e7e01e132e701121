//! Tenant quotas: models (create, import, clone), stored inference rows and telemetry streams.

use phantom_engine::auth::Quotas;
use phantom_engine::{DataSource, Engine, ErrorKind, ModelConfig};

use crate::support::{dataset, engine, iris, unique_tenant};

async fn create(
    engine: &Engine,
    tenant: &str,
    name: &str,
) -> Result<(), phantom_engine::EngineError> {
    let config = ModelConfig::from_json(&format!(
        r#"{{"name": "{name}", "algorithm": "decision_tree"}}"#
    ))
    .unwrap();
    engine.create_model(tenant, config).await.map(|_| ())
}

async fn train(engine: &Engine, tenant: &str, model: &str) {
    engine
        .train(
            tenant,
            model,
            DataSource::Csv {
                path: dataset("iris.csv"),
                label: Some("species".into()),
            },
        )
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
}

fn assert_quota(result: Result<impl std::fmt::Debug, phantom_engine::EngineError>, tenant: &str) {
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden, "{err}");
    assert_eq!(
        err.to_string(),
        format!("quota exceeded: tenant '{tenant}' may hold at most 2 models")
    );
}

#[tokio::test]
async fn the_model_quota_holds_for_create_import_and_clone() {
    let (engine, _dir) = engine().await;
    let t = unique_tenant("model-quota");
    let quotas = Quotas {
        max_models: Some(2),
        max_stored_rows: None,
        max_streams: None,
    };
    engine.create_tenant(&t, quotas).await.unwrap();
    create(&engine, &t, "one").await.unwrap();
    train(&engine, &t, "one").await;
    create(&engine, &t, "two").await.unwrap();
    assert_quota(create(&engine, &t, "three").await, &t);

    let export = engine.export_model(&t, "one", None).await.unwrap();
    assert_quota(engine.import_model(&t, &export, None).await, &t);
    assert_quota(engine.clone_model(&t, "one", None).await, &t);
    assert_eq!(
        engine.list_models(&t).await.unwrap().len(),
        2,
        "nothing half-made"
    );

    // Another tenant, without a quota, is not limited by this one's.
    let other = unique_tenant("no-quota");
    for i in 0..3 {
        create(&engine, &other, &format!("m{i}")).await.unwrap();
    }
    engine.import_model(&other, &export, None).await.unwrap();

    engine.delete_model(&t, "two").await.unwrap();
    engine
        .clone_model(&t, "one", Some("copy".into()))
        .await
        .unwrap();
    assert_quota(create(&engine, &t, "again").await, &t);
}

#[tokio::test]
async fn beyond_the_stored_rows_quota_predictions_are_answered_but_not_logged() {
    let (engine, _dir) = engine().await;
    let limited = unique_tenant("rows-quota");
    let free = unique_tenant("rows-free");
    engine
        .create_tenant(
            &limited,
            Quotas {
                max_models: None,
                max_stored_rows: Some(5),
                max_streams: None,
            },
        )
        .await
        .unwrap();
    for t in [&limited, &free] {
        create(&engine, t, "m").await.unwrap();
        train(&engine, t, "m").await;
    }
    let rows = iris().0;
    for row in rows.iter().take(12) {
        engine.predict(&limited, "m", row).await.unwrap();
        engine.predict(&free, "m", row).await.unwrap();
    }
    let batch: Vec<Vec<f64>> = rows.iter().skip(12).take(8).cloned().collect();
    engine.predict_batch(&limited, "m", batch).await.unwrap();
    engine.close().await;

    let stored = |t: String| {
        let engine = engine.clone();
        async move {
            engine
                .inference_history(&t, "m", 0, i64::MAX, 10_000)
                .await
                .unwrap()
                .len()
        }
    };
    assert_eq!(stored(limited.clone()).await, 5, "the quota");
    assert_eq!(
        stored(free.clone()).await,
        12,
        "another tenant is not limited"
    );
    let log = engine.performance_stats().inference_log;
    assert_eq!(log.dropped_over_quota, 12 + 8 - 5);
    assert_eq!(log.dropped, log.dropped_over_quota);
    assert_eq!(log.written, 5 + 12);
}

#[tokio::test]
async fn the_stream_quota_refuses_new_streams_and_keeps_taking_existing_ones() {
    use phantom_engine::streams::{
        DetectorName, EventBody, Signal, StreamEvent, StreamId, StreamSettingsRequest,
    };
    let (engine, _dir) = engine().await;
    let t = unique_tenant("stream-quota");
    let quotas = Quotas {
        max_streams: Some(2),
        ..Quotas::default()
    };
    engine.create_tenant(&t, quotas).await.unwrap();
    let id = |service: &str| StreamId {
        service: service.into(),
        signal: Signal::Logs,
        metric: None,
        partition: None,
    };
    let events = |services: &[&str]| -> Vec<StreamEvent> {
        services
            .iter()
            .flat_map(|s| {
                (0..3).map(|i| StreamEvent {
                    stream: id(s),
                    time: None,
                    body: EventBody::Text(format!("GET /x {i}")),
                })
            })
            .collect()
    };
    let report = engine
        .ingest(&t, events(&["a", "b", "c"]), None)
        .await
        .unwrap();
    assert_eq!((report.accepted, report.rejected), (6, 3));
    let why = report.rejection.unwrap();
    assert!(
        why.contains("'c/logs'") && why.contains("at most 2 telemetry streams"),
        "{why}"
    );
    assert_eq!(engine.streams(&t).await.unwrap().len(), 2);

    let report = engine.ingest(&t, events(&["b", "a"]), None).await.unwrap();
    assert_eq!((report.accepted, report.rejected), (6, 0));

    let settings = StreamSettingsRequest {
        detector: DetectorName::Cbad,
        preset: None,
        settings: None,
    };
    let err = engine
        .set_stream_settings(&t, &id("d"), &settings)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden, "{err}");
}
