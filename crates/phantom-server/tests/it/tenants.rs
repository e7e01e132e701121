//! Two tenants: every route that names another tenant's model, job, key, user, anomaly or
//! evidence bundle answers as if it did not exist, every listing shows only the caller's own,
//! and nothing of the other tenant changes.

use phantom_engine::auth::Role;
use phantom_server::{Access, ROUTES};
use serde_json::{Value, json};

use crate::on_every_backend;
use crate::roles::concrete;
use crate::support::{Server, training_rows, unique};

on_every_backend!(a_tenant_never_reaches_another, tenants_on);

async fn tenants_on(s: &Server) {
    // Tenant A: a trained model, its job, a key and a user.
    let a = &s.tenant;
    let a_dev = a.key(Role::Developer);
    let model_name = unique("secret-model");
    let model_id = s.trained_model(a_dev, &model_name).await;
    let job = s
        .req("POST", &format!("/v1/models/{model_name}/train"))
        .key(a_dev)
        .json(&training_rows())
        .send()
        .await;
    let job_id = job.json()["job_id"].as_str().unwrap().to_owned();
    s.wait_for_job(a_dev, &job_id).await;
    let key = s
        .req("POST", "/v1/keys")
        .key(a.admin())
        .json(&json!({"name": "a-key", "role": "viewer"}))
        .send()
        .await
        .json();
    let key_id = key["id"].as_str().unwrap().to_owned();
    let username = unique("secret-user");
    let user = s
        .req("POST", "/v1/users")
        .key(a.admin())
        .json(&json!({"username": username, "password": "a long enough passphrase", "role": "viewer"}))
        .send()
        .await;
    assert_eq!(user.status, 201);
    s.req("POST", &format!("/v1/models/{model_name}/predict"))
        .key(a_dev)
        .json(&json!({"features": [30, 1]}))
        .send()
        .await;
    // A's telemetry: a metric stream with a spike, so A has a stream and an anomaly.
    let service = unique("secret-service");
    let anomaly_id = s.metric_spike(a_dev, &service).await;
    let stream_key = format!("{service}%2Fmetrics%2Fdepth");
    // A's evidence: a signed bundle, kept under its id.
    let evidence = s.req("GET", "/v1/evidence").key(a_dev).send().await;
    assert_eq!(evidence.status, 200, "{}", evidence.text());
    let bundle_id = evidence.json()["bundle_id"].as_str().unwrap().to_owned();
    let secrets = [
        model_id.as_str(),
        model_name.as_str(),
        job_id.as_str(),
        key_id.as_str(),
        username.as_str(),
        a.name.as_str(),
        service.as_str(),
        anomaly_id.as_str(),
        bundle_id.as_str(),
    ];

    // Tenant B's admin tries every route with A's identifiers.
    let b = s.new_tenant().await;
    let mut tried = 0;
    for route in ROUTES {
        if route.access == Access::Public {
            continue;
        }
        let targets: Vec<&str> = if route.path.contains("{model}") {
            vec![model_id.as_str(), model_name.as_str()]
        } else if route.path.contains("{job}") {
            vec![job_id.as_str()]
        } else if route.path.contains("{id}") {
            vec![key_id.as_str(), anomaly_id.as_str(), bundle_id.as_str()]
        } else if route.path.contains("{key}") {
            vec![stream_key.as_str()]
        } else if route.path.contains("{username}") {
            vec![username.as_str()]
        } else {
            vec![""]
        };
        for target in targets {
            let path = concrete(route.path, target);
            let body = body_for(route.path, &model_id);
            let reply = s
                .req(route.method.as_str(), &path)
                .key(b.admin())
                .json(&body)
                .send()
                .await;
            // Settings name a stream of the caller's own tenant: B configures its own stream
            // of that name (checked below to leave A's alone).
            let own_namespace = route.path.ends_with("/settings");
            let names_a_thing =
                !own_namespace && (route.path.contains('{') || route.path == "/v1/models/compare");
            if names_a_thing {
                assert!(
                    [403, 404].contains(&reply.status),
                    "{} {path} reached tenant A: {} {}",
                    route.method,
                    reply.status,
                    reply.text()
                );
            }
            if route.path == "/v1/audit" {
                // B's own records repeat the identifiers B sent; none is A's.
                let records = reply.json();
                assert!(!records.as_array().unwrap().is_empty());
                for record in records.as_array().unwrap() {
                    assert_eq!(record["tenant"], b.name.as_str(), "{record}");
                }
                tried += 1;
                continue;
            }
            let text = reply.text();
            let sent = format!("{path} {body}");
            for secret in secrets {
                // A 404 may repeat what the caller sent; nothing else of A may show.
                assert!(
                    !text.contains(secret)
                        || (sent.contains(secret) && (reply.status == 404 || own_namespace)),
                    "{} {path} showed tenant A's {secret}: {text}",
                    route.method
                );
            }
            tried += 1;
        }
    }
    let theirs = s
        .req("GET", &format!("/v1/streams/{stream_key}"))
        .key(a_dev)
        .send()
        .await
        .json();
    assert_eq!(
        theirs["events_seen"], 60,
        "B's settings reset A's stream: {theirs}"
    );
    assert!(tried > ROUTES.len() - 6);

    // Nothing of A changed.
    let model = s
        .req("GET", &format!("/v1/models/{model_id}"))
        .key(a_dev)
        .send()
        .await;
    assert_eq!(model.status, 200, "{}", model.text());
    assert_eq!(model.json()["status"], "active");
    assert_eq!(model.json()["active_version"], 2);
    assert_eq!(model.json()["version_count"], 2);
    let keys = s.req("GET", "/v1/keys").key(a.admin()).send().await.json();
    let a_key = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == key_id.as_str())
        .unwrap();
    assert_eq!(a_key["revoked_at"], Value::Null);
    let users = s.req("GET", "/v1/users").key(a.admin()).send().await;
    assert!(users.text().contains(&username));
    let kept = s
        .req("GET", &format!("/v1/evidence/bundles/{bundle_id}"))
        .key(a_dev)
        .send()
        .await;
    assert!(kept.body == evidence.body, "A's bundle changed");
}

/// A body that, for routes taking one, points at tenant A's model where it can.
fn body_for(path: &str, model_id: &str) -> Value {
    match path {
        "/v1/models/compare" => json!({"targets": [{"model": model_id}]}),
        p if p.ends_with("/activate") => json!({"version": 1}),
        p if p.ends_with("/predict") || p.ends_with("/explain") => json!({"features": [30, 1]}),
        p if p.ends_with("/predict/batch") => json!({"rows": [[30, 1]]}),
        p if p.ends_with("/train") => training_rows(),
        p if p.ends_with("/settings") => json!({"detector": "series"}),
        p if p.ends_with("/status") => json!({"status": "resolved"}),
        _ => json!({}),
    }
}
