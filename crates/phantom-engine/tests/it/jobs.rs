//! Training jobs live in the store: a second engine on the same store reports them, another
//! tenant cannot see them, a job whose engine went quiet is reported failed, and a restarted
//! engine ends the jobs it left unfinished.

use std::path::Path;

use phantom_engine::{
    DataSource, Engine, EngineConfig, ErrorKind, INSTANCE_FILE, JobState, ModelConfig,
};
use phantom_store::{JobRecord, Storage, Store, StoreLocation};

use crate::support::{T, dataset, engine_in, unique_tenant};

fn iris() -> DataSource {
    DataSource::Csv {
        path: dataset("iris.csv"),
        label: Some("species".into()),
    }
}

async fn model(engine: &Engine, tenant: &str) -> String {
    let config = ModelConfig::from_json(r#"{"name": "j", "algorithm": "decision_tree"}"#).unwrap();
    engine.create_model(tenant, config).await.unwrap().id
}

/// A job row run by `owner`, last reported `age_ms` ago.
fn row(tenant: &str, owner: &str, state: &str, age_ms: i64) -> JobRecord {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    JobRecord {
        id: unique_tenant("job"),
        tenant: tenant.into(),
        model_id: "some-model".into(),
        state: state.into(),
        steps_done: 3,
        steps_total: 10,
        created_at: now - age_ms,
        finished_at: None,
        version: None,
        error: None,
        owner: owner.into(),
        heartbeat_at: now - age_ms,
    }
}

async fn store_in(dir: &Path) -> Store {
    Store::open(&StoreLocation::DataDir(dir.to_owned()))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_engine_opened_later_on_the_same_data_dir_reports_the_job() {
    let dir = tempfile::tempdir().unwrap();
    let a = engine_in(dir.path(), |_| {}).await;
    model(&a, T).await;
    let job = a.train(T, "j", iris()).await.unwrap();
    let id = job.id().to_owned();
    let version = job.wait().await.unwrap().version;
    let other = unique_tenant("other");
    assert_eq!(
        a.job_status(&other, &id).await.unwrap_err().kind(),
        ErrorKind::NotFound,
        "another tenant does not see the running engine's job"
    );
    a.close().await;
    drop(a);

    let b = engine_in(dir.path(), |_| {}).await;
    let status = b.job_status(T, &id).await.unwrap();
    assert_eq!(status.state, JobState::Succeeded);
    assert_eq!(status.version, Some(version));
    assert_eq!(status.progress, 1.0);
    assert!(status.steps_total > 0 && status.steps_done == status.steps_total);
    assert!(status.finished_at.is_some());
    assert_eq!(
        b.job_status(&other, &id).await.unwrap_err().kind(),
        ErrorKind::NotFound,
        "another tenant does not see the stored job"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_engine_on_postgres_reports_the_job() {
    let Some(url) = crate::support::service_url(
        "PHANTOM_TEST_POSTGRES_URL",
        "the PostgreSQL training-job suite",
    ) else {
        return;
    };
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let on = |dir: &Path| EngineConfig {
        data_dir: dir.to_owned(),
        database_url: Some(url.clone()),
        ..EngineConfig::default()
    };
    let a = Engine::open(on(dir_a.path())).await.unwrap();
    let b = Engine::open(on(dir_b.path())).await.unwrap();
    let tenant = unique_tenant("jobs");
    model(&a, &tenant).await;
    let job = a.train(&tenant, "j", iris()).await.unwrap();
    let id = job.id().to_owned();
    let seen = b.job_status(&tenant, &id).await.unwrap();
    assert_ne!(seen.state, JobState::Failed, "{seen:?}");
    assert_eq!(seen.job_id, id);

    let version = job.wait().await.unwrap().version;
    let status = b.job_status(&tenant, &id).await.unwrap();
    assert_eq!(
        (status.state, status.version),
        (JobState::Succeeded, Some(version))
    );
    assert_eq!(status, a.job_status(&tenant, &id).await.unwrap());
    assert_eq!(
        b.job_status(&unique_tenant("other"), &id)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    a.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_whose_engine_went_quiet_is_reported_failed() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_in(dir.path(), |_| {}).await;
    let store = store_in(dir.path()).await;
    let quiet = row(T, "a-replica-that-died", JobRecord::RUNNING, 60_000);
    let alive = row(T, "a-replica-still-running", JobRecord::RUNNING, 1_000);
    store.put_job(&quiet).await.unwrap();
    store.put_job(&alive).await.unwrap();

    let status = engine.job_status(T, &quiet.id).await.unwrap();
    assert_eq!(status.state, JobState::Failed);
    let error = status.error.unwrap();
    assert!(
        error.contains("the replica running this job stopped"),
        "{error}"
    );
    assert!(error.contains("train again"), "{error}");

    let status = engine.job_status(T, &alive.id).await.unwrap();
    assert_eq!(
        (status.state, status.steps_done, status.progress),
        (JobState::Running, 3, 0.3)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_engine_fails_the_jobs_it_left_unfinished() {
    let dir = tempfile::tempdir().unwrap();
    let before = engine_in(dir.path(), |_| {}).await;
    let identity = std::fs::read_to_string(dir.path().join(INSTANCE_FILE)).unwrap();
    let identity = identity.trim();
    let store = store_in(dir.path()).await;
    let left = row(T, identity, JobRecord::RUNNING, 1_000);
    let queued = row(T, identity, JobRecord::QUEUED, 1_000);
    let elsewhere = row(T, "another-replica", JobRecord::RUNNING, 1_000);
    for job in [&left, &queued, &elsewhere] {
        store.put_job(job).await.unwrap();
    }
    let other_process = engine_in(dir.path(), |_| {}).await;
    assert_eq!(
        other_process.job_status(T, &left.id).await.unwrap().state,
        JobState::Running,
        "an engine opened beside a live one claims nothing"
    );
    before.close().await;
    drop(before);
    other_process.close().await;
    drop(other_process);

    let after = engine_in(dir.path(), |_| {}).await;
    for job in [&left, &queued] {
        let status = after.job_status(T, &job.id).await.unwrap();
        assert_eq!(status.state, JobState::Failed);
        let error = status.error.unwrap();
        assert!(error.contains("restarted"), "{error}");
        assert!(status.finished_at.is_some());
    }
    assert_eq!(
        after.job_status(T, &elsewhere.id).await.unwrap().state,
        JobState::Running,
        "another replica's job is its own business"
    );
}
