//! Bad requests: malformed JSON, wrong types, missing fields, wrong feature counts, NaN and
//! huge numbers, oversized bodies, batches and uploads, unknown models, routes and methods,
//! and the request id on every answer.

use phantom_engine::auth::Role;
use phantom_server::ServerConfig;
use serde_json::json;

use crate::on_every_backend;
use crate::support::{Server, backends, training_csv};

on_every_backend!(bad_bodies_are_named, bad_bodies_on);

async fn bad_bodies_on(s: &Server) {
    let key = s.tenant.key(Role::Developer);
    s.trained_model(key, "m").await;
    let predict = |body: &'static str| {
        s.req("POST", "/v1/models/m/predict")
            .key(key)
            .body(body, "application/json")
            .send()
    };

    let message = predict("{\"features\": [1,\n 2,,]}")
        .await
        .error(400, "malformed_json");
    assert!(message.contains("line 2 column 4"), "{message}");
    let message = predict("").await.error(400, "malformed_json");
    assert!(message.contains("EOF"), "{message}");
    let message = predict(r#"{"features": "1, 2"}"#)
        .await
        .error(400, "invalid_input");
    assert!(
        message.contains("`features`") && message.contains("expected a sequence"),
        "{message}"
    );
    let message = predict(r#"{"features": [1, true]}"#)
        .await
        .error(400, "invalid_input");
    assert!(message.contains("`features[1]`"), "{message}");
    let message = predict(r#"{}"#).await.error(400, "invalid_input");
    assert!(message.contains("missing field `features`"), "{message}");
    let message = predict(r#"{"features": [1, 2], "model": "other"}"#)
        .await
        .error(400, "invalid_input");
    assert!(message.contains("unknown field `model`"), "{message}");
    let message = predict(r#"{"features": [1]}"#)
        .await
        .error(400, "invalid_input");
    assert!(
        message.contains("wrong feature count") && message.contains("expects 2"),
        "{message}"
    );
    // JSON has no NaN: a string "NaN" is a wrong type, a huge literal overflows.
    let message = predict(r#"{"features": [1, "NaN"]}"#)
        .await
        .error(400, "invalid_input");
    assert!(message.contains("`features[1]`"), "{message}");
    let message = predict(r#"{"features": [1, NaN]}"#)
        .await
        .error(400, "malformed_json");
    assert!(message.contains("column"), "{message}");
    let message = predict(r#"{"features": [1, 1e400]}"#)
        .await
        .error(400, "malformed_json");
    assert!(message.contains("number out of range"), "{message}");
    // Finite in JSON but not as the models' 32-bit floats.
    let message = predict(r#"{"features": [1, 1e300]}"#)
        .await
        .error(400, "invalid_input");
    assert!(
        message.contains("features[0][1]") && message.contains("finite"),
        "{message}"
    );

    let message = s
        .req("POST", "/v1/models/m/predict")
        .key(key)
        .body(r#"{"features": [1, 2]}"#, "text/plain")
        .send()
        .await
        .error(415, "unsupported_media_type");
    assert!(message.contains("application/json"), "{message}");

    let message = s
        .req("POST", "/v1/models/ghost/predict")
        .key(key)
        .json(&json!({"features": [1, 2]}))
        .send()
        .await
        .error(404, "not_found");
    assert!(message.contains("ghost"), "{message}");
    let message = s
        .req("GET", "/v1/jobs/no-such-job")
        .key(key)
        .send()
        .await
        .error(404, "not_found");
    assert!(message.contains("no-such-job"), "{message}");
    let message = s
        .req("GET", "/v2/models")
        .send()
        .await
        .error(404, "not_found");
    assert!(message.contains("/v2/models"), "{message}");
    s.req("PUT", "/v1/models")
        .key(key)
        .send()
        .await
        .error(405, "method_not_allowed");
    let bad_query = s
        .req("GET", "/v1/models/m/history?limit=lots")
        .key(key)
        .send()
        .await;
    assert!(bad_query.error(400, "invalid_input").contains("`limit`"));
    let ragged = s
        .req("POST", "/v1/models/m/predict/batch")
        .key(key)
        .json(&json!({"rows": [[1, 2], [1]]}))
        .send()
        .await;
    ragged.error(400, "invalid_input");
}

/// The server's limits, small enough to hit.
fn small_limits() -> ServerConfig {
    ServerConfig {
        max_body_bytes: 1_024,
        max_batch_rows: 5,
        max_upload_bytes: 512,
        ..ServerConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_are_named_in_the_errors() {
    for backend in backends() {
        let s = Server::start_with(&backend, small_limits()).await;
        let key = s.tenant.key(Role::Developer).to_owned();
        s.req("POST", "/v1/models")
            .key(&key)
            .json(&json!({"name": "m", "algorithm": "random_forest"}))
            .send()
            .await;

        let big = json!({"features": vec![1.0; 400]});
        let message = s
            .req("POST", "/v1/models/m/predict")
            .key(&key)
            .json(&big)
            .send()
            .await
            .error(413, "payload_too_large");
        assert_eq!(
            message,
            "the request body is larger than the limit of 1024 bytes (max_body_bytes)"
        );
        // Without a Content-Length the body is counted as it arrives.
        let chunked = s
            .req("POST", "/v1/models/m/predict")
            .key(&key)
            .json(&big)
            .header("transfer-encoding", "chunked")
            .send()
            .await;
        chunked.error(413, "payload_too_large");

        let message = s
            .req("POST", "/v1/models/m/predict/batch")
            .key(&key)
            .json(&json!({"rows": vec![[1.0, 2.0]; 6]}))
            .send()
            .await
            .error(413, "payload_too_large");
        assert!(
            message.contains("limit of 5 rows (max_batch_rows)"),
            "{message}"
        );
        let message = s
            .req("POST", "/v1/analytics/anomalies")
            .key(&key)
            .json(&json!({"values": [1, 2, 3, 4, 5, 6]}))
            .send()
            .await
            .error(413, "payload_too_large");
        assert!(message.contains("max_batch_rows"), "{message}");

        let csv = training_csv().repeat(3);
        assert!(csv.len() > 512);
        let message = s
            .req("POST", "/v1/models/m/train")
            .key(&key)
            .body(csv.clone(), "text/csv")
            .header("transfer-encoding", "chunked")
            .send()
            .await
            .error(413, "payload_too_large");
        assert_eq!(
            message,
            "the upload is larger than the limit of 512 bytes (max_upload_bytes)"
        );
        let multipart = format!(
            "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n{csv}\r\n--b--\r\n"
        );
        let message = s
            .req("POST", "/v1/models/m/train")
            .key(&key)
            .body(multipart, "multipart/form-data; boundary=b")
            .header("transfer-encoding", "chunked")
            .send()
            .await
            .error(413, "payload_too_large");
        assert!(message.contains("max_upload_bytes"), "{message}");
        let message = s
            .req("POST", "/v1/models/import")
            .key(&key)
            .body(vec![0u8; 600], "application/octet-stream")
            .send()
            .await
            .error(413, "payload_too_large");
        assert!(message.contains("max_upload_bytes"), "{message}");
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_body_limit_is_16_mib() {
    let s = Server::start(&crate::support::Backend::Sqlite).await;
    let key = s.tenant.key(Role::Viewer).to_owned();
    // The declared length is refused before any of the body is read.
    let reply = s
        .raw(&format!(
            "POST /v1/analytics/summary HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {key}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            16 * 1024 * 1024 + 1
        ))
        .await;
    let message = reply.error(413, "payload_too_large");
    assert_eq!(
        message,
        "the request body is larger than the limit of 16777216 bytes (max_body_bytes)"
    );
    s.stop().await;
}

on_every_backend!(every_response_carries_a_request_id, request_ids_on);

async fn request_ids_on(s: &Server) {
    let echoed = s
        .req("GET", "/healthz")
        .header("x-request-id", "trace-42:a.b_c")
        .send()
        .await;
    assert_eq!(echoed.header("x-request-id"), Some("trace-42:a.b_c"));
    let replaced = s
        .req("GET", "/healthz")
        .header("x-request-id", "<script>alert(1)</script>")
        .send()
        .await;
    let id = replaced.header("x-request-id").unwrap();
    assert!(!id.contains('<'));
    assert_eq!(id.len(), 36, "a generated UUID: {id}");
    let first = s.req("GET", "/healthz").send().await;
    let second = s.req("GET", "/healthz").send().await;
    assert_ne!(first.header("x-request-id"), second.header("x-request-id"));
    // Errors carry it in the body as well (checked by Reply::error).
    s.req("GET", "/v1/models")
        .send()
        .await
        .error(401, "unauthenticated");
    s.req("GET", "/nowhere")
        .send()
        .await
        .error(404, "not_found");
}
