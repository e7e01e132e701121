//! Stored evidence: every bundle the engine signs names itself inside the signed content, is
//! stored before it is returned, and comes back byte for byte by its id, after anomaly
//! statuses change and after a restart; listings page newest first; tenants stay apart.

use phantom_engine::streams::{
    AnomalyQuery, AnomalyStatus, EventBody, EvidenceListQuery, EvidenceQuery, Signal, StreamEvent,
    StreamId,
};
use phantom_engine::{Engine, ErrorKind};
use phantom_evidence::PublicKey;
use serde_json::json;

use crate::support::{T, engine_in, unique_tenant};

/// A metric stream of `service` with one spike: the series detector reports it.
async fn spike(engine: &Engine, tenant: &str, service: &str) -> String {
    let id = StreamId {
        service: service.into(),
        signal: Signal::Metrics,
        metric: Some("queue.depth".into()),
        partition: None,
    };
    let events: Vec<StreamEvent> = (0..80)
        .map(|i| StreamEvent {
            stream: id.clone(),
            time: Some(1_700_000_000_000 + i),
            body: EventBody::Value(if i == 60 {
                900.0
            } else {
                100.0 + (i % 5) as f64
            }),
        })
        .collect();
    let report = engine.ingest(tenant, events, None).await.unwrap();
    assert!(!report.anomalies.is_empty(), "the spike was not found");
    report.anomalies[0].id.clone()
}

async fn trusted(engine: &Engine) -> PublicKey {
    let key = engine.evidence_public_key().await.unwrap();
    PublicKey::from_base64(&key.public_key).unwrap()
}

#[tokio::test]
async fn a_bundle_is_stored_as_handed_out_and_survives_status_changes_and_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_in(dir.path(), |_| {}).await;
    let anomaly = spike(&engine, T, "orders").await;
    let key = trusted(&engine).await;

    let handed_out = engine.evidence(T, &EvidenceQuery::default()).await.unwrap();
    let bundle = handed_out.bundle().unwrap();
    assert_eq!(bundle["bundle_id"], handed_out.info.id.as_str());
    assert!(handed_out.info.id.starts_with("ev_") && handed_out.info.id.len() == 35);
    assert_eq!(bundle["anomalies"][0]["status"], "open");
    assert_eq!(handed_out.info.anomaly_count, 1);
    assert_eq!(
        handed_out.info.sha256,
        phantom_store::sha256_hex(&handed_out.json)
    );
    assert_eq!(handed_out.info.size, handed_out.json.len() as u64);
    assert_eq!(
        handed_out.json,
        serde_json::to_vec(&bundle).unwrap(),
        "the bytes are the bundle's compact JSON"
    );
    phantom_evidence::verify(&bundle, &key).unwrap();

    // The id is covered by the signature: a bundle relabelled with another id fails.
    let mut relabelled = bundle.clone();
    relabelled["bundle_id"] = json!("ev_00000000000000000000000000000000");
    assert!(phantom_evidence::verify(&relabelled, &key).is_err());

    engine
        .set_anomaly_status(T, &anomaly, AnomalyStatus::Resolved)
        .await
        .unwrap();
    let stored = engine
        .stored_evidence(T, &handed_out.info.id)
        .await
        .unwrap();
    assert_eq!(
        stored, handed_out,
        "the stored bundle is the one handed out"
    );
    assert_eq!(stored.bundle().unwrap()["anomalies"][0]["status"], "open");

    let fresh = engine.evidence(T, &EvidenceQuery::default()).await.unwrap();
    assert_ne!(fresh.info.id, handed_out.info.id);
    assert_eq!(
        fresh.bundle().unwrap()["anomalies"][0]["status"],
        "resolved"
    );

    engine.close().await;
    drop(engine);
    let again = engine_in(dir.path(), |_| {}).await;
    let after_restart = again.stored_evidence(T, &handed_out.info.id).await.unwrap();
    assert_eq!(after_restart.json, handed_out.json);
    phantom_evidence::verify(&after_restart.bundle().unwrap(), &key).unwrap();
}

#[tokio::test]
async fn bundles_are_listed_newest_first_in_pages_and_kept_per_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_in(dir.path(), |_| {}).await;
    let tenant = unique_tenant("evidence");
    let other = unique_tenant("evidence-other");
    spike(&engine, &tenant, "checkout").await;
    spike(&engine, &tenant, "billing").await;

    let everything = engine
        .evidence(&tenant, &EvidenceQuery::default())
        .await
        .unwrap();
    let narrowed = EvidenceQuery {
        from: Some(0),
        to: Some(i64::MAX / 2),
        stream: Some("billing/metrics/queue.depth".into()),
    };
    let billing = engine.evidence(&tenant, &narrowed).await.unwrap();
    let empty = EvidenceQuery {
        stream: Some("nothing/logs".into()),
        ..EvidenceQuery::default()
    };
    let none = engine.evidence(&tenant, &empty).await.unwrap();
    assert_eq!(
        (
            everything.info.anomaly_count,
            billing.info.anomaly_count,
            none.info.anomaly_count
        ),
        (2, 1, 0)
    );

    let page = engine
        .list_evidence(&tenant, &EvidenceListQuery::default())
        .await
        .unwrap();
    assert_eq!(
        page.bundles,
        vec![
            none.info.clone(),
            billing.info.clone(),
            everything.info.clone()
        ]
    );
    assert_eq!(page.next, None);
    assert_eq!(page.bundles[1].query, narrowed);
    let to = page.bundles[2].query.to.unwrap();
    assert!(
        to > everything.info.created_at - 1_000 && to <= everything.info.created_at + 1,
        "a range without an end ends when the bundle was made"
    );

    let first = engine
        .list_evidence(
            &tenant,
            &EvidenceListQuery {
                limit: Some(2),
                before: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(first.bundles.len(), 2);
    let rest = engine
        .list_evidence(
            &tenant,
            &EvidenceListQuery {
                limit: Some(2),
                before: first.next,
            },
        )
        .await
        .unwrap();
    assert_eq!(rest.bundles, vec![everything.info.clone()]);
    assert_eq!(rest.next, None);

    for limit in [0, 1_001] {
        let err = engine
            .list_evidence(
                &tenant,
                &EvidenceListQuery {
                    limit: Some(limit),
                    before: None,
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    }

    let err = engine
        .stored_evidence(&other, &everything.info.id)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains(&everything.info.id), "{err}");
    assert!(
        engine
            .list_evidence(&other, &EvidenceListQuery::default())
            .await
            .unwrap()
            .bundles
            .is_empty()
    );
    let theirs = engine
        .evidence(&other, &EvidenceQuery::default())
        .await
        .unwrap();
    assert_eq!(theirs.info.anomaly_count, 0);
    assert!(
        engine
            .anomalies(&other, &AnomalyQuery::default())
            .await
            .unwrap()
            .anomalies
            .is_empty()
    );
    let mine = engine
        .list_evidence(&tenant, &EvidenceListQuery::default())
        .await
        .unwrap();
    assert_eq!(
        mine.bundles.len(),
        3,
        "another tenant's bundle is not listed"
    );
}
