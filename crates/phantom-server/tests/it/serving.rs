//! Predictions, batches, explanations, importance and the inference history over HTTP.

use std::time::Duration;

use phantom_engine::auth::Role;
use serde_json::{Value, json};

use crate::on_every_backend;
use crate::support::Server;

on_every_backend!(serving_answers, serving_answers_on);

async fn serving_answers_on(s: &Server) {
    let key = s.tenant.key(Role::Viewer);
    let id = s.trained_model(s.tenant.key(Role::Developer), "svc").await;

    let high = s
        .req("POST", "/v1/models/svc/predict")
        .key(key)
        .json(&json!({"features": [35, 1]}))
        .send()
        .await;
    assert_eq!(high.status, 200, "{}", high.text());
    let high = high.json();
    assert_eq!(high["prediction"], 1.0);
    assert_eq!(high["model_id"], id.as_str());
    assert_eq!(high["version"], 1);
    let p: f64 = high["probabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["probability"].as_f64().unwrap())
        .sum();
    assert!((p - 1.0).abs() < 1e-9);
    let low = s
        .req("POST", &format!("/v1/models/{id}/predict"))
        .key(key)
        .json(&json!({"features": [2, 0]}))
        .send()
        .await;
    assert_eq!(low.json()["prediction"], 0.0);

    let batch = s
        .req("POST", "/v1/models/svc/predict/batch")
        .key(key)
        .json(&json!({"rows": [[35, 1], [2, 0], [25, 2]]}))
        .send()
        .await;
    assert_eq!(batch.status, 200, "{}", batch.text());
    let batch = batch.json();
    assert_eq!(batch["total_predictions"], 3);
    let predicted: Vec<f64> = batch["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["prediction"].as_f64().unwrap())
        .collect();
    assert_eq!(predicted, vec![1.0, 0.0, 1.0]);

    // The same rows as little-endian f32 values give the same answers.
    let binary: Vec<u8> = [35f32, 1.0, 2.0, 0.0, 25.0, 2.0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let f32_batch = s
        .req("POST", "/v1/models/svc/predict/batch?columns=2")
        .key(key)
        .body(binary.clone(), "application/octet-stream")
        .send()
        .await;
    assert_eq!(f32_batch.status, 200, "{}", f32_batch.text());
    assert_eq!(f32_batch.json()["results"], batch["results"]);
    let no_columns = s
        .req("POST", "/v1/models/svc/predict/batch")
        .key(key)
        .body(binary.clone(), "application/octet-stream")
        .send()
        .await;
    assert!(
        no_columns
            .error(400, "invalid_input")
            .contains("needs ?columns=N")
    );
    let torn = s
        .req("POST", "/v1/models/svc/predict/batch?columns=4")
        .key(key)
        .body(binary[..20].to_vec(), "application/octet-stream")
        .send()
        .await;
    assert!(
        torn.error(400, "invalid_input")
            .contains("20 bytes, not a whole number of rows of 4 f32 values")
    );
    let wrong_width = s
        .req("POST", "/v1/models/svc/predict/batch?columns=3")
        .key(key)
        .body(binary, "application/octet-stream")
        .send()
        .await;
    assert!(wrong_width.status == 400, "{}", wrong_width.text());
    assert!(
        wrong_width.text().contains("expects 2"),
        "{}",
        wrong_width.text()
    );
    let nan: Vec<u8> = [1f32, f32::NAN]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let nan = s
        .req("POST", "/v1/models/svc/predict/batch?columns=2")
        .key(key)
        .body(nan, "application/octet-stream")
        .send()
        .await;
    assert!(
        nan.error(400, "invalid_input")
            .contains("row 0, column 1: NaN is not a finite number")
    );
    let ragged = s
        .req("POST", "/v1/models/svc/predict/batch")
        .key(key)
        .json(&json!({"rows": [[35, 1], [2]]}))
        .send()
        .await;
    assert!(
        ragged
            .error(400, "invalid_input")
            .contains("row 1 has 1 values but row 0 has 2")
    );

    let explained = s
        .req("POST", "/v1/models/svc/explain")
        .key(key)
        .json(&json!({"features": [35, 1]}))
        .send()
        .await;
    assert_eq!(explained.status, 200, "{}", explained.text());
    let explained = explained.json();
    assert_eq!(explained["method"], "tree_shap");
    assert_eq!(explained["features"].as_array().unwrap().len(), 2);
    // base + contributions = the explained output, for the last output.
    let last = explained["base"].as_array().unwrap().len() - 1;
    let total = explained["base"][last].as_f64().unwrap()
        + explained["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["contributions"][last].as_f64().unwrap())
            .sum::<f64>();
    let probabilities = explained["prediction"]["probabilities"].as_array().unwrap();
    let explained_p = probabilities[probabilities.len() - 1]["probability"]
        .as_f64()
        .unwrap();
    assert!(
        (total - explained_p).abs() < 1e-6,
        "{total} vs {explained_p}"
    );

    let importance = s
        .req("GET", "/v1/models/svc/importance")
        .key(key)
        .send()
        .await;
    assert_eq!(importance.status, 200, "{}", importance.text());
    assert_eq!(importance.json()["features"][0]["feature"], "feature_0");

    // The log is written in the background: wait for the eight predictions (two single rows
    // and two batches of three).
    let mut history = Value::Null;
    for _ in 0..100 {
        history = s
            .req("GET", "/v1/models/svc/history?limit=20")
            .key(key)
            .send()
            .await
            .json();
        if history.as_array().is_some_and(|h| h.len() >= 8) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let records = history.as_array().unwrap();
    assert_eq!(records.len(), 8, "{history}");
    assert!(
        records
            .windows(2)
            .all(|w| w[0]["at"].as_i64() >= w[1]["at"].as_i64())
    );
    let one = s
        .req("GET", "/v1/models/svc/history?limit=1&from=0")
        .key(key)
        .send()
        .await;
    assert_eq!(one.json().as_array().unwrap().len(), 1);
    let backwards = s
        .req("GET", "/v1/models/svc/history?from=10&to=5")
        .key(key)
        .send()
        .await;
    assert!(backwards.error(400, "invalid_input").contains("from"));
}

on_every_backend!(untrained_models_do_not_serve, untrained_on);

async fn untrained_on(s: &Server) {
    let key = s.tenant.key(Role::Developer);
    s.req("POST", "/v1/models")
        .key(key)
        .json(&json!({"name": "empty", "algorithm": "kmeans"}))
        .send()
        .await;
    let r = s
        .req("POST", "/v1/models/empty/predict")
        .key(key)
        .json(&json!({"features": [1]}))
        .send()
        .await;
    assert!(r.error(409, "conflict").contains("train it first"));
    let r = s
        .req("GET", "/v1/models/empty/export")
        .key(key)
        .send()
        .await;
    r.error(409, "conflict");
}
