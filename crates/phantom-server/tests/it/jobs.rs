//! Training jobs in a fleet: a job started on one replica is reported by another sharing the
//! database, and stays invisible to other tenants there.

use phantom_engine::auth::Role;
use serde_json::json;

use crate::support::{Backend, Server, backends, training_rows};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_replica_reports_a_job() {
    let Some(backend) = backends()
        .into_iter()
        .find(|b| matches!(b, Backend::Postgres(_)))
    else {
        return;
    };
    let (a, b) = (Server::start(&backend).await, Server::start(&backend).await);
    let key = a.tenant.key(Role::Developer);
    let created = a
        .req("POST", "/v1/models")
        .key(key)
        .json(&json!({"name": "fleet", "algorithm": "decision_tree"}))
        .send()
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let job = a
        .req("POST", "/v1/models/fleet/train")
        .key(key)
        .json(&training_rows())
        .send()
        .await;
    assert_eq!(job.status, 202, "{}", job.text());
    let job_id = job.json()["job_id"].as_str().unwrap().to_owned();

    let done = b.wait_for_job(key, &job_id).await;
    assert_eq!(
        (done["state"].clone(), done["version"].clone()),
        (json!("succeeded"), json!(1))
    );
    let elsewhere = b
        .req("GET", &format!("/v1/jobs/{job_id}"))
        .key(b.tenant.key(Role::Viewer))
        .send()
        .await;
    assert_eq!(elsewhere.status, 404, "{}", elsewhere.text());
    assert!(!elsewhere.text().contains("fleet"));
    a.stop().await;
    b.stop().await;
}
