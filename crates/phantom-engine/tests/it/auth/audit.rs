//! The audit log: durable appends, filtered queries, tenant isolation.

use phantom_engine::ErrorKind;
use phantom_engine::auth::{AuditEvent, AuditQuery, AuditResult};

use crate::support::{engine, engine_in, unique_tenant};

fn event(tenant: &str, actor: &str, action: &str, result: AuditResult, at: i64) -> AuditEvent {
    AuditEvent {
        tenant: tenant.into(),
        actor: actor.into(),
        action: action.into(),
        resource: format!("models/m{at}"),
        result,
        request_id: format!("req-{at}"),
        at,
        source: Some("192.0.2.7".into()),
        detail: (result != AuditResult::Success)
            .then(|| "forbidden: role viewer lacks permission write_models".into()),
    }
}

fn times(events: &[AuditEvent]) -> Vec<i64> {
    events.iter().map(|e| e.at).collect()
}

#[tokio::test]
async fn records_are_kept_and_filtered_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_in(dir.path(), |_| {}).await;
    let t = unique_tenant("audit");
    let other = unique_tenant("audit-other");
    let events = [
        event(&t, "ann", "models.create", AuditResult::Success, 1_000),
        event(&t, "key-1", "models.create", AuditResult::Denied, 2_000),
        event(&t, "ann", "models.delete", AuditResult::Failed, 3_000),
        event(&t, "ann", "auth.login", AuditResult::Success, 4_000),
        event(&other, "eve", "models.create", AuditResult::Success, 2_500),
    ];
    for e in &events {
        engine.record_audit(e.clone()).await.unwrap();
    }
    engine.close().await;
    drop(engine);

    // A new engine on the same store reads what the first one wrote.
    let engine = engine_in(dir.path(), |_| {}).await;
    let all = engine.audit_log(&t, &AuditQuery::default()).await.unwrap();
    assert_eq!(times(&all), [4_000, 3_000, 2_000, 1_000]);
    assert_eq!(all[2], events[1], "records round-trip");

    let q = |query: AuditQuery| {
        let engine = engine.clone();
        let t = t.clone();
        async move { times(&engine.audit_log(&t, &query).await.unwrap()) }
    };
    assert_eq!(
        q(AuditQuery {
            from: Some(2_000),
            to: Some(4_000),
            ..AuditQuery::default()
        })
        .await,
        [3_000, 2_000]
    );
    assert_eq!(
        q(AuditQuery {
            actor: Some("ann".into()),
            ..AuditQuery::default()
        })
        .await,
        [4_000, 3_000, 1_000]
    );
    assert_eq!(
        q(AuditQuery {
            action: Some("models.create".into()),
            ..AuditQuery::default()
        })
        .await,
        [2_000, 1_000]
    );
    assert_eq!(
        q(AuditQuery {
            result: Some(AuditResult::Denied),
            ..AuditQuery::default()
        })
        .await,
        [2_000]
    );
    assert_eq!(
        q(AuditQuery {
            limit: Some(2),
            ..AuditQuery::default()
        })
        .await,
        [4_000, 3_000]
    );
    assert_eq!(
        times(
            &engine
                .audit_log(&other, &AuditQuery::default())
                .await
                .unwrap()
        ),
        [2_500],
        "each tenant sees its own records only"
    );
    assert!(
        engine
            .audit_log("nobody", &AuditQuery::default())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn queries_are_bounded() {
    let (engine, _dir) = engine().await;
    let t = unique_tenant("audit-bounds");
    for i in 0..105 {
        engine
            .record_audit(event(&t, "ann", "models.read", AuditResult::Success, i))
            .await
            .unwrap();
    }
    assert_eq!(
        engine
            .audit_log(&t, &AuditQuery::default())
            .await
            .unwrap()
            .len(),
        100,
        "100 unless asked"
    );
    for limit in [0, 10_001] {
        let err = engine
            .audit_log(
                &t,
                &AuditQuery {
                    limit: Some(limit),
                    ..AuditQuery::default()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains("1 to 10000"), "{err}");
    }
    let err = engine
        .audit_log(
            &t,
            &AuditQuery {
                from: Some(10),
                to: Some(5),
                ..AuditQuery::default()
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("after"), "{err}");
    assert_eq!(
        engine
            .audit_log(
                &t,
                &AuditQuery {
                    limit: Some(10_000),
                    ..AuditQuery::default()
                }
            )
            .await
            .unwrap()
            .len(),
        105
    );
}
