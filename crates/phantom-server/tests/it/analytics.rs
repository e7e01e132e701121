//! Feature engineering and analytics over HTTP.

use phantom_engine::auth::Role;
use serde_json::json;

use crate::on_every_backend;
use crate::support::Server;

on_every_backend!(features_and_analytics_answer, features_and_analytics_on);

async fn features_and_analytics_on(s: &Server) {
    let key = s.tenant.key(Role::Viewer);
    let post = |path: &'static str, body: serde_json::Value| {
        s.req("POST", path).key(key).json(&body).send()
    };

    let one = post(
        "/v1/features",
        json!({"event": {"src_ip": "10.0.0.5", "body": "URGENT: verify your password", "bytes": 512}}),
    )
    .await;
    assert_eq!(one.status, 200, "{}", one.text());
    let one = one.json();
    let names = one["feature_names"].as_array().unwrap();
    assert!(names.contains(&json!("src_ip.is_private")));
    let at = names
        .iter()
        .position(|n| n == "body.keyword_total")
        .unwrap();
    assert_eq!(one["values"][at], 3.0);

    let typed = post(
        "/v1/features",
        json!({"event": {"host": "nope"}, "options": {"field_types": {"host": "ip"}}}),
    )
    .await;
    assert_eq!(typed.json()["issues"][0]["field"], "host");

    let batch = post(
        "/v1/features/batch",
        json!({"events": [{"bytes": 1, "port": 443}, {"bytes": 3, "port": 80}], "options": {"scaling": "min_max"}}),
    )
    .await;
    assert_eq!(batch.status, 200, "{}", batch.text());
    assert_eq!(batch.json()["rows"], json!([[0.0, 1.0], [1.0, 0.0]]));

    let series = [
        12.0, 11.5, 12.3, 11.9, 12.1, 250.0, 12.2, 11.8, 12.4, 12.0, 11.7, 12.2,
    ];
    let anomalies = post("/v1/analytics/anomalies", json!({"values": series})).await;
    assert_eq!(anomalies.status, 200, "{}", anomalies.text());
    let anomalies = anomalies.json();
    assert_eq!(anomalies["anomalies_detected"], 1);
    assert_eq!(anomalies["anomalies"][0]["index"], 5);
    assert_eq!(anomalies["risk_level"], "critical");
    let seasonal = post(
        "/v1/analytics/anomalies",
        json!({"values": series, "options": {"method": {"seasonal": {"period": 3}}, "sensitivity": 2}}),
    )
    .await;
    assert_eq!(seasonal.status, 200, "{}", seasonal.text());

    let trend = post(
        "/v1/analytics/trend",
        json!({"values": [1, 2, 3, 4, 5, 6, 7, 8], "options": {"horizon": 2}}),
    )
    .await;
    assert_eq!(trend.status, 200, "{}", trend.text());
    assert_eq!(trend.json()["direction"], "increasing");

    let rows = json!([{"a": 1, "b": 2}, {"a": 2, "b": 4}, {"a": 3, "b": 6.5}, {"a": 4, "b": null}]);
    let correlation = post("/v1/analytics/correlation", json!({"rows": rows})).await;
    assert_eq!(correlation.status, 200, "{}", correlation.text());
    assert_eq!(correlation.json()["pairs"][0]["n"], 3);

    let summary = post(
        "/v1/analytics/summary",
        json!({"dataset": {"names": ["x"], "columns": [[1, 2, 3, null]]}}),
    )
    .await;
    assert_eq!(summary.status, 200, "{}", summary.text());
    assert_eq!(summary.json()["columns"][0]["missing"], 1);

    let quality = post(
        "/v1/analytics/quality",
        json!({"rows": rows, "options": {"ranges": {"b": [0, 5]}}}),
    )
    .await;
    assert_eq!(quality.status, 200, "{}", quality.text());
    let quality = quality.json();
    assert_eq!(quality["rows"], 4);
    assert_eq!(quality["columns"][1]["out_of_range"], 1);

    let both = post(
        "/v1/analytics/summary",
        json!({"rows": rows, "dataset": {"names": ["x"], "columns": [[1]]}}),
    )
    .await;
    assert!(both.error(400, "invalid_input").contains("exactly one"));
    let empty = post("/v1/analytics/anomalies", json!({"values": []})).await;
    empty.error(400, "invalid_input");
}
