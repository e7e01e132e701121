//! Backup and restore of a tenant: models, telemetry streams with their detector state,
//! anomalies with their statuses and signed evidence bundles, from SQLite into SQLite and
//! PostgreSQL.

use phantom_engine::streams::{AnomalyQuery, AnomalyStatus, EvidenceQuery};
use phantom_engine::{Engine, EngineConfig};

use crate::streams::{feed, incident_lines, logs, sensitive};
use crate::support::{T, create, engine, service_url, train_csv, unique_tenant};

/// Every anomaly of a tenant as (id, status, score, explanation), oldest first.
async fn anomalies(engine: &Engine, tenant: &str) -> Vec<(String, AnomalyStatus, f64, String)> {
    let mut all: Vec<_> = engine
        .anomalies(tenant, &AnomalyQuery::default())
        .await
        .unwrap()
        .anomalies
        .into_iter()
        .map(|a| (a.id, a.status, a.score, a.explanation.to_string()))
        .collect();
    all.reverse();
    all
}

/// A tenant with a trained model, a log stream that has seen part of an incident, one of its
/// anomalies acknowledged, and a signed evidence bundle of them.
async fn source() -> (Engine, tempfile::TempDir) {
    let (engine, dir) = engine().await;
    create(&engine, r#"{"name": "iris", "algorithm": "decision_tree"}"#).await;
    train_csv(&engine, "iris", "iris.csv", "species").await;
    let id = logs("checkout");
    sensitive(&engine, T, &id).await;
    let found = feed(&engine, T, &id, &incident_lines()[..1_650], 150).await;
    assert!(!found.is_empty(), "no anomaly before the backup");
    engine
        .set_anomaly_status(T, &found[0], AnomalyStatus::Acknowledged)
        .await
        .unwrap();
    engine.evidence(T, &EvidenceQuery::default()).await.unwrap();
    (engine, dir)
}

/// Restores `backup` into `target`'s `tenant` and checks that detection resumes there exactly
/// as it goes on in `original`.
async fn restores_and_resumes(original: &Engine, target: &Engine, tenant: &str, bytes: &[u8]) {
    let report = target.restore_backup(tenant, bytes, false).await.unwrap();
    assert_eq!(report.models_restored, ["iris"]);
    assert_eq!(report.streams_restored, ["checkout/logs"]);
    let before = anomalies(original, T).await;
    assert_eq!(report.anomalies_restored, before.len());
    assert!(report.skipped.is_empty() && report.skipped_streams.is_empty());
    let restored = anomalies(target, tenant).await;
    if tenant == T {
        assert_eq!(restored, before, "anomalies changed through the backup");
    } else {
        // Same findings, statuses and explanations; ids are the other tenant's own.
        let strip = |v: &[(String, AnomalyStatus, f64, String)]| {
            v.iter()
                .map(|(_, s, score, e)| (*s, *score, e.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(&restored), strip(&before));
        assert!(restored.iter().zip(&before).all(|(r, b)| r.0 != b.0));
    }
    let stream = target.stream(tenant, "checkout/logs").await.unwrap();
    assert_eq!(stream.events_seen, 1_650);
    let signed = original
        .list_evidence(T, &Default::default())
        .await
        .unwrap();
    assert_eq!(signed.bundles.len(), 1);
    let id = &signed.bundles[0].id;
    assert_eq!(report.evidence_restored, 1);
    assert_eq!(
        target.stored_evidence(tenant, id).await.unwrap().json,
        original.stored_evidence(T, id).await.unwrap().json,
        "an evidence bundle changed through the backup"
    );
    assert!(
        target
            .get_model(tenant, "iris")
            .await
            .unwrap()
            .active_version
            .is_some()
    );

    let id = logs("checkout");
    let rest = &incident_lines()[1_650..];
    let expected = feed(original, T, &id, rest, 25).await;
    let resumed = feed(target, tenant, &id, rest, 25).await;
    assert!(
        !expected.is_empty(),
        "the rest of the incident found nothing"
    );
    if tenant == T {
        assert_eq!(
            resumed, expected,
            "the restored detector did not resume where the original was"
        );
    } else {
        assert_eq!(resumed.len(), expected.len());
    }
}

#[tokio::test]
async fn a_backup_restores_models_streams_and_anomalies_and_detection_resumes() {
    let (original, _d1) = source().await;
    let backup = original.backup(T).await.unwrap();
    assert_eq!((backup.models, backup.versions), (1, 1));
    assert_eq!((backup.streams, backup.evidence), (1, 1));
    assert_eq!(backup.anomalies, anomalies(&original, T).await.len());

    let (target, _d2) = engine().await;
    restores_and_resumes(&original, &target, T, &backup.bytes).await;
}

#[tokio::test]
async fn a_restore_skips_what_exists_unless_asked_to_replace_it() {
    let (original, _d1) = source().await;
    let backup = original.backup(T).await.unwrap();
    let (target, _d2) = engine().await;
    target
        .restore_backup(T, &backup.bytes, false)
        .await
        .unwrap();
    let again = target
        .restore_backup(T, &backup.bytes, false)
        .await
        .unwrap();
    assert!(again.streams_restored.is_empty());
    assert_eq!(again.skipped_streams.len(), 1);
    assert!(again.skipped_streams[0].reason.contains("replace"));
    assert_eq!(again.skipped.len(), 1);

    // Moving the target's stream on, then replacing it, puts the backup's state back; the
    // anomalies it already holds are not stored twice.
    let id = logs("checkout");
    feed(&target, T, &id, &incident_lines()[1_650..], 50).await;
    let replaced = target.restore_backup(T, &backup.bytes, true).await.unwrap();
    assert_eq!(replaced.streams_restored, ["checkout/logs"]);
    assert_eq!(replaced.anomalies_restored, 0);
    assert_eq!(replaced.evidence_restored, 0);
    assert!(replaced.skipped_evidence.is_empty());
    let stream = target.stream(T, "checkout/logs").await.unwrap();
    assert_eq!(stream.events_seen, 1_650);
}

#[tokio::test]
async fn a_backup_restores_into_another_tenant_with_that_tenants_ids() {
    let (original, _d1) = source().await;
    let backup = original.backup(T).await.unwrap();
    let (target, _d2) = engine().await;
    let tenant = unique_tenant("restored");
    restores_and_resumes(&original, &target, &tenant, &backup.bytes).await;
}

#[tokio::test]
async fn a_damaged_backup_writes_nothing() {
    let (original, _d1) = source().await;
    let mut bytes = original.backup(T).await.unwrap().bytes;
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x5a;
    let (target, _d2) = engine().await;
    let err = target.restore_backup(T, &bytes, false).await.unwrap_err();
    assert!(err.to_string().contains("SHA-256"), "{err}");
    assert!(target.streams(T).await.unwrap().is_empty());
    assert!(target.list_models(T).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_sqlite_backup_restores_into_postgres() {
    let Some(url) = service_url(
        "PHANTOM_TEST_POSTGRES_URL",
        "backup into PostgreSQL (a_sqlite_backup_restores_into_postgres)",
    ) else {
        return;
    };
    let (original, _d1) = source().await;
    let backup = original.backup(T).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = Engine::open(EngineConfig {
        data_dir: dir.path().to_owned(),
        database_url: Some(url),
        ..EngineConfig::default()
    })
    .await
    .unwrap();
    let tenant = unique_tenant("restored-pg");
    restores_and_resumes(&original, &target, &tenant, &backup.bytes).await;
}
