//! One suite every backend must pass. Each step uses its own tenants, so steps share a
//! store without seeing each other's rows.

use std::collections::BTreeSet;
use std::time::Duration;

use futures_util::future::join_all;
use phantom_store::{
    InferenceQuery, InferenceRecord, ModelEvent, ModelRecord, ModelStatus, PostgresStore,
    SqliteStore, Storage, StoreError, sha256_hex,
};

use crate::support::{
    Backdoor, PgBackdoor, PgSchema, SqliteBackdoor, expect_event, model, postgres_url, unique,
    version,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_passes_the_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_in_dir(dir.path()).await.unwrap();
    let backdoor = SqliteBackdoor {
        path: dir.path().join(SqliteStore::FILE_NAME),
    };
    run_all(&store, &backdoor).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_passes_the_suite() {
    let Some(base) = postgres_url("conformance") else {
        return;
    };
    let schema = PgSchema::create(&base).await;
    let store = PostgresStore::connect(&schema.url()).await.unwrap();
    let backdoor = PgBackdoor { url: schema.url() };
    run_all(&store, &backdoor).await;
    drop(store);
}

/// Every step of the suite, in order.
pub async fn run_all<S: Storage, B: Backdoor>(store: &S, backdoor: &B) {
    step("backend and ping");
    assert_eq!(store.backend(), backdoor.backend());
    store.ping().await.unwrap();
    step("create, get, get by name, list");
    create_get_list(store).await;
    step("name and id conflicts");
    conflicts(store).await;
    step("status changes");
    status_changes(store).await;
    step("versions: numbering, listing, reading, activating");
    versions(store).await;
    step("a corrupted artifact");
    corrupted_artifact(store, backdoor).await;
    step("delete cascades");
    delete_cascades(store).await;
    step("tenant isolation");
    tenant_isolation(store).await;
    step("inference log");
    inference_log(store).await;
    step("concurrent add_version");
    concurrent_versions(store).await;
    step("events");
    events(store).await;
    crate::jobs::run_jobs(store).await;
    crate::streams::run_streams(store).await;
    crate::evidence::run_evidence(store, backdoor).await;
    crate::access::run_access(store, backdoor).await;
}

fn step(name: &str) {
    eprintln!("conformance: {name}");
}

async fn create_get_list<S: Storage>(store: &S) {
    let tenant = unique("tenant");
    let other = unique("tenant");
    let newer = model(&tenant, "beta", 2_000);
    let older = model(&tenant, "alpha", 1_000);
    let mut archived = model(&tenant, "gamma", 3_000);
    archived.status = ModelStatus::Archived;
    archived.active_version = Some(4);
    for m in [&newer, &older, &archived] {
        store.create_model(m).await.unwrap();
    }

    assert_eq!(
        store.get_model(&tenant, &older.id).await.unwrap(),
        Some(older.clone())
    );
    assert_eq!(
        store.get_model(&tenant, &archived.id).await.unwrap(),
        Some(archived.clone())
    );
    assert_eq!(
        store.get_model_by_name(&tenant, "beta").await.unwrap(),
        Some(newer.clone())
    );
    assert_eq!(store.get_model(&tenant, "no-such-id").await.unwrap(), None);
    assert_eq!(
        store
            .get_model_by_name(&tenant, "no-such-name")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.list_models(&tenant).await.unwrap(),
        vec![older, newer, archived],
        "oldest first"
    );
    assert!(store.list_models(&other).await.unwrap().is_empty());
}

async fn conflicts<S: Storage>(store: &S) {
    let tenant = unique("tenant");
    let other = unique("tenant");
    let first = model(&tenant, "detector", 1);
    store.create_model(&first).await.unwrap();

    let same_name = model(&tenant, "detector", 2);
    let err = store.create_model(&same_name).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");

    let mut same_id = model(&tenant, "another", 3);
    same_id.id = first.id.clone();
    let err = store.create_model(&same_id).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");

    let elsewhere = model(&other, "detector", 4);
    store.create_model(&elsewhere).await.unwrap();
    assert_eq!(
        store.get_model_by_name(&other, "detector").await.unwrap(),
        Some(elsewhere)
    );
    assert_eq!(
        store.get_model_by_name(&tenant, "detector").await.unwrap(),
        Some(first)
    );
    assert_eq!(store.list_models(&tenant).await.unwrap().len(), 1);
}

async fn status_changes<S: Storage>(store: &S) {
    let tenant = unique("tenant");
    let m = model(&tenant, "m", 10);
    store.create_model(&m).await.unwrap();

    store
        .set_model_status(&tenant, &m.id, ModelStatus::Archived, 20)
        .await
        .unwrap();
    let got = store.get_model(&tenant, &m.id).await.unwrap().unwrap();
    assert_eq!(
        (got.status, got.updated_at, got.created_at),
        (ModelStatus::Archived, 20, 10)
    );

    store
        .set_model_status(&tenant, &m.id, ModelStatus::Active, 30)
        .await
        .unwrap();
    let got = store.get_model(&tenant, &m.id).await.unwrap().unwrap();
    assert_eq!((got.status, got.updated_at), (ModelStatus::Active, 30));

    let err = store
        .set_model_status(&tenant, "missing", ModelStatus::Archived, 40)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
}

async fn versions<S: Storage>(store: &S) {
    let tenant = unique("tenant");
    let m = model(&tenant, "m", 1);
    store.create_model(&m).await.unwrap();
    assert!(
        store
            .list_versions(&tenant, &m.id)
            .await
            .unwrap()
            .is_empty()
    );

    let artifacts: [&[u8]; 3] = [b"first model file", b"", &[0, 255, 7, 0, 1]];
    for (i, artifact) in artifacts.iter().enumerate() {
        let summary = store
            .add_version(&tenant, &m.id, &version(artifact, 100 + i as i64), false)
            .await
            .unwrap();
        assert_eq!(summary.version as usize, i + 1, "numbered from 1");
        assert_eq!(summary.model_id, m.id);
        assert_eq!(summary.sha256, sha256_hex(artifact));
        assert_eq!(summary.size, artifact.len() as u64);
        assert_eq!(summary.created_at, 100 + i as i64);
    }
    let got = store.get_model(&tenant, &m.id).await.unwrap().unwrap();
    assert_eq!(
        got.active_version, None,
        "adding without activate changes nothing"
    );

    let listed = store.list_versions(&tenant, &m.id).await.unwrap();
    assert_eq!(
        listed.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(listed[2].sha256, sha256_hex(artifacts[2]));
    assert_eq!(listed[0].metadata, version(artifacts[0], 0).metadata);

    for (i, artifact) in artifacts.iter().enumerate() {
        let record = store
            .get_version(&tenant, &m.id, i as u32 + 1)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.artifact, *artifact);
        assert_eq!(record.summary, listed[i]);
    }
    assert!(
        store
            .get_version(&tenant, &m.id, 4)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .get_version(&tenant, &m.id, 0)
            .await
            .unwrap()
            .is_none()
    );

    store
        .activate_version(&tenant, &m.id, 2, 500)
        .await
        .unwrap();
    let got = store.get_model(&tenant, &m.id).await.unwrap().unwrap();
    assert_eq!((got.active_version, got.updated_at), (Some(2), 500));

    let err = store
        .activate_version(&tenant, &m.id, 9, 600)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    let err = store
        .activate_version(&tenant, "missing", 1, 600)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    let got = store.get_model(&tenant, &m.id).await.unwrap().unwrap();
    assert_eq!(
        (got.active_version, got.updated_at),
        (Some(2), 500),
        "failed calls change nothing"
    );

    let fourth = store
        .add_version(&tenant, &m.id, &version(b"fourth", 700), true)
        .await
        .unwrap();
    assert_eq!(fourth.version, 4);
    let got = store.get_model(&tenant, &m.id).await.unwrap().unwrap();
    assert_eq!((got.active_version, got.updated_at), (Some(4), 700));

    let err = store
        .add_version(&tenant, "missing", &version(b"x", 1), false)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
}

async fn corrupted_artifact<S: Storage, B: Backdoor>(store: &S, backdoor: &B) {
    let tenant = unique("tenant");
    let m = model(&tenant, "m", 1);
    store.create_model(&m).await.unwrap();
    let good = store
        .add_version(&tenant, &m.id, &version(b"intact", 1), false)
        .await
        .unwrap();
    let bad = store
        .add_version(&tenant, &m.id, &version(b"to be damaged", 2), false)
        .await
        .unwrap();
    backdoor.corrupt_artifact(&m.id, bad.version).await;

    let err = store
        .get_version(&tenant, &m.id, bad.version)
        .await
        .unwrap_err();
    let StoreError::Corrupt {
        model_id,
        version,
        expected,
        actual,
    } = err
    else {
        panic!("expected Corrupt, got {err:?}");
    };
    assert_eq!((model_id.as_str(), version), (m.id.as_str(), bad.version));
    assert_eq!(expected, bad.sha256);
    assert_eq!(actual, sha256_hex(b"to be damaged\0"));

    let intact = store
        .get_version(&tenant, &m.id, good.version)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(intact.artifact, b"intact");
    assert_eq!(store.list_versions(&tenant, &m.id).await.unwrap().len(), 2);
}

async fn delete_cascades<S: Storage>(store: &S) {
    let tenant = unique("tenant");
    let doomed = model(&tenant, "doomed", 1);
    let kept = model(&tenant, "kept", 2);
    for m in [&doomed, &kept] {
        store.create_model(m).await.unwrap();
        store
            .add_version(&tenant, &m.id, &version(b"a", 1), true)
            .await
            .unwrap();
        store
            .add_version(&tenant, &m.id, &version(b"b", 2), false)
            .await
            .unwrap();
        store
            .log_inferences(&[
                inference(&tenant, &m.id, 1, 50),
                inference(&tenant, &m.id, 2, 60),
            ])
            .await
            .unwrap();
    }

    assert!(store.delete_model(&tenant, &doomed.id).await.unwrap());
    assert_eq!(store.get_model(&tenant, &doomed.id).await.unwrap(), None);
    assert_eq!(
        store.get_model_by_name(&tenant, "doomed").await.unwrap(),
        None
    );
    assert!(
        store
            .list_versions(&tenant, &doomed.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .get_version(&tenant, &doomed.id, 1)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .inference_history(&all_of(&tenant, &doomed.id))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !store.delete_model(&tenant, &doomed.id).await.unwrap(),
        "already gone"
    );

    assert_eq!(
        store.list_versions(&tenant, &kept.id).await.unwrap().len(),
        2
    );
    assert_eq!(
        store
            .inference_history(&all_of(&tenant, &kept.id))
            .await
            .unwrap()
            .len(),
        2
    );

    // The name is free again, and a new model under it starts its own numbering.
    let reborn = model(&tenant, "doomed", 3);
    store.create_model(&reborn).await.unwrap();
    let v = store
        .add_version(&tenant, &reborn.id, &version(b"c", 3), false)
        .await
        .unwrap();
    assert_eq!(v.version, 1);
}

async fn tenant_isolation<S: Storage>(store: &S) {
    let owner = unique("tenant");
    let intruder = unique("tenant");
    let m = model(&owner, "private", 1);
    store.create_model(&m).await.unwrap();
    store
        .add_version(&owner, &m.id, &version(b"secret", 1), true)
        .await
        .unwrap();
    store
        .log_inferences(&[inference(&owner, &m.id, 1, 10)])
        .await
        .unwrap();

    assert_eq!(store.get_model(&intruder, &m.id).await.unwrap(), None);
    assert_eq!(
        store.get_model_by_name(&intruder, "private").await.unwrap(),
        None
    );
    assert!(store.list_models(&intruder).await.unwrap().is_empty());
    let err = store
        .set_model_status(&intruder, &m.id, ModelStatus::Archived, 2)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    let err = store
        .activate_version(&intruder, &m.id, 1, 2)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    let err = store
        .add_version(&intruder, &m.id, &version(b"planted", 2), true)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    assert!(
        store
            .get_version(&intruder, &m.id, 1)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .list_versions(&intruder, &m.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .inference_history(&all_of(&intruder, &m.id))
            .await
            .unwrap()
            .is_empty()
    );
    // Records claiming another tenant's model are not kept anywhere.
    store
        .log_inferences(&[inference(&intruder, &m.id, 1, 20)])
        .await
        .unwrap();
    assert!(
        store
            .inference_history(&all_of(&intruder, &m.id))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(!store.delete_model(&intruder, &m.id).await.unwrap());

    let untouched = store.get_model(&owner, &m.id).await.unwrap().unwrap();
    assert_eq!(
        untouched,
        ModelRecord {
            active_version: Some(1),
            updated_at: 1,
            ..m.clone()
        }
    );
    assert_eq!(store.list_versions(&owner, &m.id).await.unwrap().len(), 1);
    let history = store
        .inference_history(&all_of(&owner, &m.id))
        .await
        .unwrap();
    assert_eq!(history, vec![inference(&owner, &m.id, 1, 10)]);
}

async fn inference_log<S: Storage>(store: &S) {
    let tenant = unique("tenant");
    let m = model(&tenant, "logged", 1);
    let other = model(&tenant, "other", 2);
    store.create_model(&m).await.unwrap();
    store.create_model(&other).await.unwrap();
    assert!(
        store
            .inference_history(&all_of(&tenant, &m.id))
            .await
            .unwrap()
            .is_empty()
    );
    store.log_inferences(&[]).await.unwrap();

    let batch: Vec<InferenceRecord> = (0..10)
        .map(|i| inference(&tenant, &m.id, 1 + (i % 2) as u32, 1_000 + i))
        .chain([inference(&tenant, &other.id, 1, 1_005)])
        .collect();
    store.log_inferences(&batch).await.unwrap();

    let in_range = store
        .inference_history(&InferenceQuery {
            tenant: tenant.clone(),
            model_id: m.id.clone(),
            from: 1_003,
            to: 1_008,
            limit: 100,
        })
        .await
        .unwrap();
    let times: Vec<i64> = in_range.iter().map(|r| r.at).collect();
    assert_eq!(
        times,
        [1_007, 1_006, 1_005, 1_004, 1_003],
        "newest first, [from, to)"
    );
    assert_eq!(in_range[0], batch[7], "records round-trip");

    let limited = store
        .inference_history(&InferenceQuery {
            limit: 2,
            ..all_of(&tenant, &m.id)
        })
        .await
        .unwrap();
    assert_eq!(
        limited.iter().map(|r| r.at).collect::<Vec<_>>(),
        [1_009, 1_008]
    );

    let others = store
        .inference_history(&all_of(&tenant, &other.id))
        .await
        .unwrap();
    assert_eq!(others, vec![batch[10].clone()]);
}

async fn concurrent_versions<S: Storage>(store: &S) {
    const WRITERS: usize = 16;
    let tenant = unique("tenant");
    let m = model(&tenant, "contended", 1);
    store.create_model(&m).await.unwrap();
    let new_versions: Vec<_> = (0..WRITERS)
        .map(|i| version(format!("artifact {i}").as_bytes(), 5))
        .collect();
    let added = join_all(
        new_versions
            .iter()
            .map(|v| store.add_version(&tenant, &m.id, v, false)),
    )
    .await;

    let numbers: BTreeSet<u32> = added.iter().map(|r| r.as_ref().unwrap().version).collect();
    assert_eq!(
        numbers,
        (1..=WRITERS as u32).collect(),
        "distinct and consecutive"
    );
    for summary in added.into_iter().map(Result::unwrap) {
        let stored = store
            .get_version(&tenant, &m.id, summary.version)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            stored.summary, summary,
            "each writer got the number its bytes were stored under"
        );
    }
}

async fn events<S: Storage>(store: &S) {
    const WITHIN: Duration = Duration::from_secs(5);
    let tenant = unique("tenant");
    let m = model(&tenant, "watched", 1);
    store.create_model(&m).await.unwrap();
    let mut events = store.subscribe();
    let changed = ModelEvent::Changed {
        model_id: m.id.clone(),
    };

    store
        .add_version(&tenant, &m.id, &version(b"one", 2), false)
        .await
        .unwrap();
    store.activate_version(&tenant, &m.id, 1, 3).await.unwrap();
    expect_event(&mut events, &changed, WITHIN).await;

    store
        .add_version(&tenant, &m.id, &version(b"two", 4), true)
        .await
        .unwrap();
    expect_event(&mut events, &changed, WITHIN).await;

    store
        .set_model_status(&tenant, &m.id, ModelStatus::Archived, 5)
        .await
        .unwrap();
    expect_event(&mut events, &changed, WITHIN).await;

    store.delete_model(&tenant, &m.id).await.unwrap();
    expect_event(
        &mut events,
        &ModelEvent::Deleted {
            model_id: m.id.clone(),
        },
        WITHIN,
    )
    .await;
}

fn inference(tenant: &str, model_id: &str, version: u32, at: i64) -> InferenceRecord {
    InferenceRecord {
        tenant: tenant.into(),
        model_id: model_id.into(),
        version,
        at,
        input: serde_json::json!({ "bytes": at, "port": 443 }),
        output: serde_json::json!({ "prediction": 1, "confidence": 0.75 }),
        latency_us: 120 + at as u64,
    }
}

fn all_of(tenant: &str, model_id: &str) -> InferenceQuery {
    InferenceQuery {
        tenant: tenant.into(),
        model_id: model_id.into(),
        from: i64::MIN,
        to: i64::MAX,
        limit: u32::MAX,
    }
}
