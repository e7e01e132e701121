//! The model registry over HTTP: every route's happy path and the conflicts on the way.

use phantom_engine::auth::Role;
use serde_json::json;

use crate::on_every_backend;
use crate::support::{Server, training_csv, training_rows};

on_every_backend!(registry_lifecycle, registry_lifecycle_on);

async fn registry_lifecycle_on(s: &Server) {
    let key = s.tenant.key(Role::Developer);

    let created = s
        .req("POST", "/v1/models")
        .key(key)
        .json(&json!({"name": "flows", "algorithm": "random_forest", "hyperparameters": {"n_trees": 10, "seed": 7}}))
        .send()
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let model = created.json();
    let id = model["id"].as_str().unwrap().to_owned();
    assert_eq!(model["name"], "flows");
    assert_eq!(model["version_count"], 0);
    assert_eq!(
        created.header("location"),
        Some(&*format!("/v1/models/{id}"))
    );

    let taken = s
        .req("POST", "/v1/models")
        .key(key)
        .json(&json!({"name": "flows", "algorithm": "kmeans"}))
        .send()
        .await;
    assert!(taken.error(409, "conflict").contains("flows"));

    let list = s.req("GET", "/v1/models").key(key).send().await;
    assert_eq!(list.status, 200);
    assert_eq!(list.json().as_array().unwrap().len(), 1);
    for name in ["flows", id.as_str()] {
        let got = s
            .req("GET", &format!("/v1/models/{name}"))
            .key(key)
            .send()
            .await;
        assert_eq!(got.status, 200, "{}", got.text());
        assert_eq!(got.json()["id"], id.as_str());
    }

    // Version 1 from JSON rows.
    let job = s
        .req("POST", "/v1/models/flows/train")
        .key(key)
        .json(&training_rows())
        .send()
        .await;
    assert_eq!(job.status, 202, "{}", job.text());
    let job_id = job.json()["job_id"].as_str().unwrap().to_owned();
    assert_eq!(job.header("location"), Some(&*format!("/v1/jobs/{job_id}")));
    assert_eq!(job.json()["model_id"], id.as_str());
    let done = s.wait_for_job(key, &job_id).await;
    assert_eq!(
        (done["version"].clone(), done["progress"].clone()),
        (json!(1), json!(1.0))
    );

    // Version 2 from a CSV body, version 3 from a multipart upload.
    let job = s
        .req("POST", "/v1/models/flows/train?label=label")
        .key(key)
        .body(training_csv(), "text/csv")
        .send()
        .await;
    assert_eq!(job.status, 202, "{}", job.text());
    let done = s
        .wait_for_job(key, job.json()["job_id"].as_str().unwrap())
        .await;
    assert_eq!(done["version"], 2);
    let multipart = format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nweekly\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"flows.csv\"\r\nContent-Type: text/csv\r\n\r\n{}\r\n--XyZ--\r\n",
        training_csv()
    );
    let job = s
        .req("POST", "/v1/models/flows/train")
        .key(key)
        .body(multipart, "multipart/form-data; boundary=XyZ")
        .send()
        .await;
    assert_eq!(job.status, 202, "{}", job.text());
    let done = s
        .wait_for_job(key, job.json()["job_id"].as_str().unwrap())
        .await;
    assert_eq!(done["version"], 3);

    let versions = s
        .req("GET", "/v1/models/flows/versions")
        .key(key)
        .send()
        .await;
    assert_eq!(versions.status, 200);
    let versions = versions.json();
    let numbers: Vec<u64> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, vec![1, 2, 3]);
    assert_eq!(versions[2]["active"], true);
    assert_eq!(versions[1]["feature_names"], json!(["a", "b"]));

    let activated = s
        .req("POST", "/v1/models/flows/activate")
        .key(key)
        .json(&json!({"version": 1}))
        .send()
        .await;
    assert_eq!(activated.status, 200, "{}", activated.text());
    assert_eq!(activated.json()["active_version"], 1);
    let missing = s
        .req("POST", "/v1/models/flows/activate")
        .key(key)
        .json(&json!({"version": 9}))
        .send()
        .await;
    assert!(missing.error(404, "not_found").contains("1, 2, 3"));

    let compared = s
        .req("POST", "/v1/models/compare")
        .key(key)
        .json(&json!({"targets": [{"model": "flows", "version": 1}, {"model": "flows", "version": 3}], "data": training_rows()}))
        .send()
        .await;
    assert_eq!(compared.status, 200, "{}", compared.text());
    let compared = compared.json();
    assert_eq!(compared["entries"].as_array().unwrap().len(), 2);
    assert_eq!(compared["evaluated_rows"], 40);
    assert!(compared["best"]["accuracy"]["value"].as_f64().unwrap() > 0.9);

    let report = s
        .req("POST", "/v1/models/flows/validate")
        .key(key)
        .send()
        .await;
    assert_eq!(report.status, 200, "{}", report.text());
    assert_eq!(report.json()["valid"], true);
    assert_eq!(report.json()["version"], 1);
    let report = s
        .req("POST", "/v1/models/flows/validate")
        .key(key)
        .json(&json!({"version": 2}))
        .send()
        .await;
    assert_eq!(report.json()["version"], 2);

    let exported = s
        .req("GET", "/v1/models/flows/export?version=3")
        .key(key)
        .send()
        .await;
    assert_eq!(exported.status, 200, "{}", exported.text());
    assert_eq!(
        exported.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(
        exported.header("content-disposition"),
        Some("attachment; filename=\"flows.phx\"")
    );
    assert!(exported.body.starts_with(b"PHANTOMX"));
    let imported = s
        .req("POST", "/v1/models/import?name=flows-imported")
        .key(key)
        .body(exported.body.clone(), "application/octet-stream")
        .send()
        .await;
    assert_eq!(imported.status, 201, "{}", imported.text());
    assert_eq!(imported.json()["name"], "flows-imported");
    assert_eq!(imported.json()["version_count"], 1);
    let not_a_model = s
        .req("POST", "/v1/models/import")
        .key(key)
        .body(b"not a model".to_vec(), "application/octet-stream")
        .send()
        .await;
    not_a_model.error(400, "invalid_input");

    let copy = s
        .req("POST", "/v1/models/flows/clone")
        .key(key)
        .json(&json!({"name": "flows-copy"}))
        .send()
        .await;
    assert_eq!(copy.status, 201, "{}", copy.text());
    assert_eq!(copy.json()["version_count"], 3);
    let default_copy = s
        .req("POST", "/v1/models/flows/clone")
        .key(key)
        .send()
        .await;
    assert_eq!(default_copy.status, 201, "{}", default_copy.text());
    assert_eq!(default_copy.json()["name"], "flows-copy-2");

    let archived = s
        .req("POST", "/v1/models/flows/archive")
        .key(key)
        .send()
        .await;
    assert_eq!(archived.json()["status"], "archived");
    let refused = s
        .req("POST", "/v1/models/flows/predict")
        .key(key)
        .json(&json!({"features": [30, 1]}))
        .send()
        .await;
    assert!(refused.error(409, "conflict").contains("archived"));
    let restored = s
        .req("POST", "/v1/models/flows/restore")
        .key(key)
        .send()
        .await;
    assert_eq!(restored.json()["status"], "active");
    let served = s
        .req("POST", "/v1/models/flows/predict")
        .key(key)
        .json(&json!({"features": [30, 1]}))
        .send()
        .await;
    assert_eq!(served.status, 200, "{}", served.text());
    assert_eq!(served.json()["version"], 1);

    let deleted = s.req("DELETE", "/v1/models/flows").key(key).send().await;
    assert_eq!(deleted.status, 204);
    let gone = s.req("GET", "/v1/models/flows").key(key).send().await;
    gone.error(404, "not_found");
}

on_every_backend!(
    bad_training_data_is_refused_before_a_job,
    bad_training_data_on
);

async fn bad_training_data_on(s: &Server) {
    let key = s.tenant.key(Role::Developer);
    s.req("POST", "/v1/models")
        .key(key)
        .json(&json!({"name": "m", "algorithm": "random_forest"}))
        .send()
        .await;
    let ragged = s
        .req("POST", "/v1/models/m/train")
        .key(key)
        .json(&json!({"features": [[1, 2], [3]], "labels": [0, 1]}))
        .send()
        .await;
    assert!(ragged.error(400, "invalid_input").contains("features[1]"));
    let csv = s
        .req("POST", "/v1/models/m/train?label=missing")
        .key(key)
        .body(training_csv(), "text/csv")
        .send()
        .await;
    assert!(csv.error(400, "invalid_input").contains("missing"));
    let no_file = s
        .req("POST", "/v1/models/m/train")
        .key(key)
        .body(
            "--b\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nx\r\n--b--\r\n",
            "multipart/form-data; boundary=b",
        )
        .send()
        .await;
    assert!(no_file.error(400, "invalid_input").contains("file"));
    let label_on_json = s
        .req("POST", "/v1/models/m/train?label=y")
        .key(key)
        .json(&training_rows())
        .send()
        .await;
    label_on_json.error(400, "invalid_input");
    let xml = s
        .req("POST", "/v1/models/m/train")
        .key(key)
        .body("<rows/>", "application/xml")
        .send()
        .await;
    assert!(
        xml.error(415, "unsupported_media_type")
            .contains("text/csv")
    );
}
