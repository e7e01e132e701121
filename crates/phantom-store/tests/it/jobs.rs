//! The training-job steps of the conformance suite: a job is written once, changes only
//! while unfinished, is read only within its tenant, and an engine instance's unfinished jobs
//! can be ended together.

use phantom_store::{JobRecord, Storage, StoreError};

use crate::support::unique;

/// Every job step, in order.
pub async fn run_jobs<S: Storage>(store: &S) {
    step("jobs: put, get, tenant isolation");
    put_and_get(store).await;
    step("jobs: updates stop once finished");
    updates(store).await;
    step("jobs: an owner's unfinished jobs fail together");
    fail_unfinished(store).await;
}

fn step(name: &str) {
    eprintln!("conformance: {name}");
}

/// A queued job of `tenant` run by `owner`.
fn job(tenant: &str, owner: &str, created_at: i64) -> JobRecord {
    JobRecord {
        id: unique("job"),
        tenant: tenant.into(),
        model_id: unique("model"),
        state: JobRecord::QUEUED.into(),
        steps_done: 0,
        steps_total: 0,
        created_at,
        finished_at: None,
        version: None,
        error: None,
        owner: owner.into(),
        heartbeat_at: created_at,
    }
}

async fn put_and_get<S: Storage>(store: &S) {
    let tenant = unique("tenant");
    let other = unique("tenant");
    let queued = job(&tenant, "engine-a", 1_000);
    store.put_job(&queued).await.unwrap();
    assert_eq!(
        store.get_job(&tenant, &queued.id).await.unwrap(),
        Some(queued.clone())
    );
    assert_eq!(
        store.get_job(&other, &queued.id).await.unwrap(),
        None,
        "another tenant's job looks missing"
    );
    assert_eq!(store.get_job(&tenant, "no-such-job").await.unwrap(), None);

    let err = store.put_job(&queued).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");

    let mut done = job(&tenant, "engine-a", 2_000);
    done.state = "succeeded".into();
    done.steps_done = u64::from(u32::MAX) * 4;
    done.steps_total = u64::from(u32::MAX) * 4;
    done.finished_at = Some(2_500);
    done.version = Some(u32::MAX);
    store.put_job(&done).await.unwrap();
    assert_eq!(
        store.get_job(&tenant, &done.id).await.unwrap(),
        Some(done),
        "large counts and versions round-trip"
    );
}

async fn updates<S: Storage>(store: &S) {
    let tenant = unique("tenant");
    let mut j = job(&tenant, "engine-a", 1_000);
    store.put_job(&j).await.unwrap();

    j.state = JobRecord::RUNNING.into();
    j.steps_done = 3;
    j.steps_total = 10;
    j.heartbeat_at = 1_500;
    assert!(store.update_job(&j).await.unwrap());
    assert_eq!(
        store.get_job(&tenant, &j.id).await.unwrap(),
        Some(j.clone())
    );

    let mut moved = j.clone();
    moved.model_id = "another-model".into();
    moved.owner = "engine-b".into();
    moved.created_at = 9;
    moved.steps_done = 4;
    assert!(store.update_job(&moved).await.unwrap());
    let stored = store.get_job(&tenant, &j.id).await.unwrap().unwrap();
    assert_eq!(
        (
            stored.model_id.as_str(),
            stored.owner.as_str(),
            stored.created_at
        ),
        (j.model_id.as_str(), "engine-a", 1_000),
        "model, owner and creation time are kept"
    );
    assert_eq!(stored.steps_done, 4);

    let mut other_tenant = j.clone();
    other_tenant.tenant = unique("tenant");
    assert!(
        !store.update_job(&other_tenant).await.unwrap(),
        "another tenant cannot change the job"
    );

    let mut finished = j.clone();
    finished.state = "succeeded".into();
    finished.steps_done = 10;
    finished.finished_at = Some(2_000);
    finished.version = Some(3);
    finished.heartbeat_at = 2_000;
    assert!(store.update_job(&finished).await.unwrap());

    let mut late = j.clone();
    late.steps_done = 9;
    late.heartbeat_at = 2_100;
    assert!(
        !store.update_job(&late).await.unwrap(),
        "a finished job's row is final"
    );
    assert_eq!(store.get_job(&tenant, &j.id).await.unwrap(), Some(finished));

    let missing = job(&tenant, "engine-a", 1);
    assert!(!store.update_job(&missing).await.unwrap());
}

async fn fail_unfinished<S: Storage>(store: &S) {
    let tenant = unique("tenant");
    let other_tenant = unique("tenant");
    let owner = unique("engine");
    let queued = job(&tenant, &owner, 1_000);
    let mut running = job(&other_tenant, &owner, 1_100);
    running.state = JobRecord::RUNNING.into();
    let mut succeeded = job(&tenant, &owner, 1_200);
    succeeded.state = "succeeded".into();
    succeeded.finished_at = Some(1_300);
    succeeded.version = Some(1);
    let elsewhere = job(&tenant, &unique("engine"), 1_400);
    for j in [&queued, &running, &succeeded, &elsewhere] {
        store.put_job(j).await.unwrap();
    }

    let ended = store
        .fail_unfinished_jobs(&owner, 5_000, "the engine restarted")
        .await
        .unwrap();
    assert_eq!(ended, 2, "the queued and the running job, in any tenant");
    for (t, j) in [(&tenant, &queued), (&other_tenant, &running)] {
        let stored = store.get_job(t, &j.id).await.unwrap().unwrap();
        assert_eq!(stored.state, JobRecord::FAILED);
        assert_eq!(stored.finished_at, Some(5_000));
        assert_eq!(stored.error.as_deref(), Some("the engine restarted"));
        assert!(!stored.is_unfinished());
    }
    assert_eq!(
        store.get_job(&tenant, &succeeded.id).await.unwrap(),
        Some(succeeded),
        "a finished job is untouched"
    );
    assert_eq!(
        store.get_job(&tenant, &elsewhere.id).await.unwrap(),
        Some(elsewhere),
        "another owner's job is untouched"
    );
    assert_eq!(
        store
            .fail_unfinished_jobs(&owner, 6_000, "again")
            .await
            .unwrap(),
        0
    );
}
