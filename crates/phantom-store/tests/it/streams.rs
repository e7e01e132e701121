//! The stream and anomaly steps of the conformance suite: a stream is written only by the
//! writer that read its current version, anomalies come with it and are never stored twice,
//! listings filter and page, statuses change, and nothing crosses tenants.

use phantom_store::{AnomalyFilter, AnomalyRecord, Storage, StreamRecord};
use serde_json::json;

use crate::support::unique;

/// Every stream step, in order.
pub async fn run_streams<S: Storage>(store: &S) {
    step("streams: versioned saves, tenant isolation");
    versioned_saves(store).await;
    step("streams: anomalies are stored once, filtered and paged");
    anomalies(store).await;
}

fn step(name: &str) {
    eprintln!("conformance: {name}");
}

fn stream(tenant: &str, key: &str) -> StreamRecord {
    StreamRecord {
        tenant: tenant.into(),
        key: key.into(),
        service: "checkout".into(),
        signal: "logs".into(),
        settings: json!({"detector": "cbad", "preset": "balanced"}),
        state: Some(vec![1, 2, 3]),
        events_seen: 10,
        version: 0,
        created_at: 1_000,
        updated_at: 1_000,
    }
}

fn anomaly(
    tenant: &str,
    key: &str,
    last_event: u64,
    detected_at: i64,
    score: f64,
) -> AnomalyRecord {
    AnomalyRecord {
        seq: 0,
        id: unique("an"),
        tenant: tenant.into(),
        stream_key: key.into(),
        service: "checkout".into(),
        signal: "logs".into(),
        detector: "cbad".into(),
        first_event: last_event.saturating_sub(99),
        last_event,
        event_time: Some(detected_at - 5),
        detected_at,
        score,
        p_value: Some(0.004),
        status: "open".into(),
        summary: format!("window ending at {last_event}"),
        explanation: json!({"measures": {"ncd": 0.41}, "seed": 7}),
        updated_at: detected_at,
    }
}

async fn versioned_saves<S: Storage>(store: &S) {
    let tenant = unique("tenant");
    let other = unique("tenant");
    let key = "checkout/logs";
    assert_eq!(store.get_stream(&tenant, key).await.unwrap(), None);

    let mut first = stream(&tenant, key);
    assert!(store.save_stream(&first, 0, &[]).await.unwrap());
    assert!(
        !store.save_stream(&first, 0, &[]).await.unwrap(),
        "a second first write loses"
    );
    let stored = store.get_stream(&tenant, key).await.unwrap().unwrap();
    first.version = 1;
    assert_eq!(stored, first);
    assert_eq!(store.get_stream(&other, key).await.unwrap(), None);

    let mut next = stored.clone();
    next.state = Some(vec![9; 5000]);
    next.events_seen = 20;
    next.updated_at = 2_000;
    assert!(store.save_stream(&next, 1, &[]).await.unwrap());
    assert!(
        !store.save_stream(&next, 1, &[]).await.unwrap(),
        "a writer that read version 1 cannot overwrite version 2"
    );
    let stored = store.get_stream(&tenant, key).await.unwrap().unwrap();
    assert_eq!(stored.version, 2);
    assert_eq!(stored.events_seen, 20);
    assert_eq!(stored.state.as_deref(), Some(&[9; 5000][..]));
    assert_eq!(stored.created_at, 1_000, "creation time stays");

    let listed = store.list_streams(&tenant).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].state, None, "listings leave the state out");
    assert_eq!(listed[0].version, 2);
    assert!(store.list_streams(&other).await.unwrap().is_empty());
}

async fn anomalies<S: Storage>(store: &S) {
    let tenant = unique("tenant");
    let other = unique("tenant");
    let key = "api/logs";
    let a1 = anomaly(&tenant, key, 499, 10_000, 3.0);
    let a2 = anomaly(&tenant, key, 599, 20_000, 8.0);
    assert!(
        store
            .save_stream(&stream(&tenant, key), 0, &[a1.clone(), a2.clone()])
            .await
            .unwrap()
    );
    let lost = anomaly(&tenant, key, 699, 30_000, 9.0);
    assert!(
        !store
            .save_stream(&stream(&tenant, key), 0, std::slice::from_ref(&lost))
            .await
            .unwrap()
    );
    assert_eq!(
        store.get_anomaly(&tenant, &lost.id).await.unwrap(),
        None,
        "a refused save stores none of its anomalies"
    );

    // A replay of the same window (another id) is not stored again.
    let replay = anomaly(&tenant, key, 599, 25_000, 8.0);
    let mut s = store.get_stream(&tenant, key).await.unwrap().unwrap();
    s.events_seen = 700;
    assert!(
        store
            .save_stream(&s, s.version, std::slice::from_ref(&replay))
            .await
            .unwrap()
    );
    assert_eq!(store.get_anomaly(&tenant, &replay.id).await.unwrap(), None);

    let got = store.get_anomaly(&tenant, &a2.id).await.unwrap().unwrap();
    assert!(got.seq > 0);
    assert_eq!((got.score, got.p_value), (8.0, Some(0.004)));
    assert_eq!(got.explanation, a2.explanation);
    assert_eq!(store.get_anomaly(&other, &a2.id).await.unwrap(), None);

    let all = |f: AnomalyFilter| {
        let tenant = tenant.clone();
        async move { store.list_anomalies(&tenant, &f).await.unwrap() }
    };
    let ids = |v: Vec<AnomalyRecord>| v.into_iter().map(|a| a.id).collect::<Vec<_>>();
    let base = AnomalyFilter {
        limit: 10,
        ..AnomalyFilter::default()
    };
    assert_eq!(
        ids(all(base.clone()).await),
        vec![a2.id.clone(), a1.id.clone()]
    );
    let oldest = AnomalyFilter {
        oldest_first: true,
        ..base.clone()
    };
    assert_eq!(ids(all(oldest).await), vec![a1.id.clone(), a2.id.clone()]);
    let high = AnomalyFilter {
        min_score: Some(5.0),
        ..base.clone()
    };
    assert_eq!(ids(all(high).await), vec![a2.id.clone()]);
    let early = AnomalyFilter {
        from: Some(0),
        to: Some(15_000),
        ..base.clone()
    };
    assert_eq!(ids(all(early).await), vec![a1.id.clone()]);
    let page = AnomalyFilter {
        limit: 1,
        ..base.clone()
    };
    let first_page = all(page.clone()).await;
    assert_eq!(ids(first_page.clone()), vec![a2.id.clone()]);
    let second = AnomalyFilter {
        before_seq: Some(first_page[0].seq),
        ..page
    };
    assert_eq!(ids(all(second).await), vec![a1.id.clone()]);
    let newer = AnomalyFilter {
        after_seq: Some(got.seq - 1),
        ..base.clone()
    };
    assert_eq!(ids(all(newer).await), vec![a2.id.clone()]);
    let elsewhere = AnomalyFilter {
        stream: Some("other/logs".into()),
        ..base.clone()
    };
    assert!(all(elsewhere).await.is_empty());
    assert!(
        store
            .list_anomalies(&other, &base)
            .await
            .unwrap()
            .is_empty(),
        "another tenant sees none"
    );

    let acked = store
        .set_anomaly_status(&tenant, &a1.id, "acknowledged", 40_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (acked.status.as_str(), acked.updated_at),
        ("acknowledged", 40_000)
    );
    let by_status = AnomalyFilter {
        status: Some("acknowledged".into()),
        ..base
    };
    assert_eq!(ids(all(by_status).await), vec![a1.id.clone()]);
    assert_eq!(
        store
            .set_anomaly_status(&other, &a1.id, "resolved", 50_000)
            .await
            .unwrap(),
        None
    );
}
