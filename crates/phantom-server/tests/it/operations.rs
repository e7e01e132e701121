//! Health, readiness, version, metrics (parsed), figures and the OpenAPI document.

use std::collections::{BTreeSet, HashMap};

use phantom_engine::auth::Role;
use phantom_server::ROUTES;
use serde_json::{Value, json};

use crate::on_every_backend;
use crate::support::Server;

on_every_backend!(probes_and_version_need_no_credential, probes_on);

async fn probes_on(s: &Server) {
    for (path, field, value) in [
        ("/healthz", "status", "ok"),
        ("/readyz", "status", "ready"),
        ("/v1/version", "version", env!("CARGO_PKG_VERSION")),
    ] {
        let r = s.req("GET", path).send().await;
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        assert_eq!(r.json()[field], value);
    }
    let stats = s
        .req("GET", "/v1/stats")
        .key(s.tenant.key(Role::Viewer))
        .send()
        .await;
    assert_eq!(stats.status, 200, "{}", stats.text());
    assert!(stats.json()["total_predictions"].is_u64());
    let health = s
        .req("GET", "/v1/health")
        .key(s.tenant.key(Role::Developer))
        .send()
        .await;
    assert_eq!(health.status, 200, "{}", health.text());
    assert_eq!(health.json()["status"], "healthy");
    assert_eq!(health.json()["storage"]["reachable"], true);
}

on_every_backend!(metrics_are_valid_prometheus_text, metrics_on);

async fn metrics_on(s: &Server) {
    let viewer = s.tenant.key(Role::Viewer);
    let id = s
        .trained_model(s.tenant.key(Role::Developer), "scored")
        .await;
    for _ in 0..3 {
        let r = s
            .req("POST", "/v1/models/scored/predict")
            .key(viewer)
            .json(&json!({"features": [30, 1]}))
            .send()
            .await;
        assert_eq!(r.status, 200);
    }
    s.req("GET", "/v1/models/no-such-model-xyz")
        .key(viewer)
        .send()
        .await;
    s.req("GET", "/no/such/route").send().await;
    let other = s.new_tenant().await;
    let other_id = s.trained_model(other.key(Role::Developer), "theirs").await;
    s.req("POST", "/v1/models/theirs/predict")
        .key(other.key(Role::Viewer))
        .json(&json!({"features": [30, 1]}))
        .send()
        .await;

    let anonymous = s.req("GET", "/metrics").send().await;
    anonymous.error(401, "unauthenticated");
    let auditor = s
        .req("GET", "/metrics")
        .key(s.tenant.key(Role::Auditor))
        .send()
        .await;
    auditor.error(403, "forbidden");

    let r = s.req("GET", "/metrics").key(viewer).send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = r.text();
    let samples = parse_exposition(&text);

    let get = |name: &str, labels: &[(&str, &str)]| -> Option<f64> {
        samples
            .iter()
            .find(|(n, l, _)| {
                n == name
                    && labels
                        .iter()
                        .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
            })
            .map(|(_, _, v)| *v)
    };
    // Request series are server-wide: the other tenant's prediction counts too.
    assert_eq!(
        get(
            "phantom_http_requests_total",
            &[
                ("route", "/v1/models/{model}/predict"),
                ("method", "POST"),
                ("status", "200")
            ]
        ),
        Some(4.0)
    );
    assert_eq!(
        get(
            "phantom_http_requests_total",
            &[
                ("route", "/v1/models/{model}"),
                ("method", "GET"),
                ("status", "404")
            ]
        ),
        Some(1.0)
    );
    assert_eq!(
        get(
            "phantom_http_requests_total",
            &[("route", "unmatched"), ("status", "404")]
        ),
        Some(1.0)
    );
    assert_eq!(
        get(
            "phantom_http_request_duration_seconds_count",
            &[("route", "/v1/models/{model}/predict"), ("method", "POST")]
        ),
        Some(4.0)
    );
    assert_eq!(
        get("phantom_predictions_total", &[("model", id.as_str())]),
        Some(3.0)
    );
    assert!(
        get("phantom_predictions_total", &[("model", other_id.as_str())]).is_none(),
        "another tenant's models are not shown"
    );
    assert!(get("phantom_training_jobs_started_total", &[]).unwrap() >= 2.0);
    assert!(
        get(
            "phantom_training_jobs_finished_total",
            &[("result", "succeeded")]
        )
        .unwrap()
            >= 2.0
    );
    assert_eq!(get("phantom_storage_errors_total", &[]), Some(0.0));
    assert!(
        !text.contains("no-such-model-xyz"),
        "routes are templates, not paths"
    );
}

/// Parses the text exposition format strictly: every sample's family has a TYPE line before
/// it, histogram buckets are cumulative and end at `+Inf` = `_count`. Returns (name,
/// labels, value) for each sample.
fn parse_exposition(text: &str) -> Vec<(String, HashMap<String, String>, f64)> {
    let mut types: HashMap<String, String> = HashMap::new();
    let mut samples = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
            assert!(
                types.insert(name.to_owned(), kind.to_owned()).is_none(),
                "TYPE twice: {line}"
            );
            continue;
        }
        if line.starts_with("# HELP ") || line.is_empty() {
            continue;
        }
        assert!(!line.starts_with('#'), "unknown comment: {line}");
        let (series, value) = line.rsplit_once(' ').unwrap();
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("bad value: {line}"));
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => (name, parse_labels(rest.strip_suffix('}').unwrap())),
            None => (series, HashMap::new()),
        };
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "bad metric name: {line}"
        );
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| {
                name.strip_suffix(s)
                    .filter(|f| types.get(*f).is_some_and(|t| t == "histogram"))
            })
            .unwrap_or(name);
        assert!(types.contains_key(family), "no TYPE before {line}");
        samples.push((name.to_owned(), labels, value));
    }
    // Buckets per series: cumulative, and +Inf equals the count.
    let key = |family: &str, labels: &HashMap<String, String>| {
        let mut pairs: Vec<String> = labels
            .iter()
            .filter(|(k, _)| *k != "le")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        pairs.sort();
        format!("{family}{{{}}}", pairs.join(","))
    };
    let mut buckets: HashMap<String, Vec<(String, f64)>> = HashMap::new();
    let mut counts: HashMap<String, f64> = HashMap::new();
    for (name, labels, value) in &samples {
        if let Some(family) = name.strip_suffix("_bucket") {
            buckets
                .entry(key(family, labels))
                .or_default()
                .push((labels["le"].clone(), *value));
        } else if let Some(family) = name.strip_suffix("_count") {
            counts.insert(key(family, labels), *value);
        }
    }
    assert!(!buckets.is_empty());
    for (series, bs) in &buckets {
        assert!(
            bs.windows(2).all(|w| w[0].1 <= w[1].1),
            "not cumulative: {series}"
        );
        let (le, inf) = bs.last().unwrap();
        assert_eq!(le, "+Inf", "{series}");
        assert_eq!(counts.get(series), Some(inf), "{series}");
    }
    samples
}

fn parse_labels(text: &str) -> HashMap<String, String> {
    let mut labels = HashMap::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (name, after) = rest.split_once("=\"").unwrap();
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            let (i, c) = chars.next().expect("unterminated label value");
            match c {
                '\\' => match chars.next().unwrap().1 {
                    'n' => value.push('\n'),
                    other => value.push(other),
                },
                '"' => break i,
                other => value.push(other),
            }
        };
        labels.insert(name.to_owned(), value);
        rest = after[end + 1..].trim_start_matches(',');
    }
    labels
}

on_every_backend!(openapi_documents_every_route, openapi_on);

async fn openapi_on(s: &Server) {
    let r = s.req("GET", "/openapi.json").send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let routed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_owned()))
        .collect();
    assert_eq!(routed, documented, "the router and the document disagree");
    assert_eq!(routed.len(), ROUTES.len(), "a route is in the table twice");

    // Every reference resolves.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(refs.len() > 50);
    for reference in refs {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {reference}"));
        assert!(schemas.contains_key(name), "dangling $ref {reference}");
    }
    // The engine's types are the schemas.
    for name in [
        "ModelInfo",
        "ModelConfig",
        "Prediction",
        "BatchPrediction",
        "JobStatus",
        "AnomalyReport",
        "AuditEvent",
        "ErrorBody",
    ] {
        assert!(schemas.contains_key(name), "no schema {name}");
    }
    // No server type shadows an engine type of the same name.
    assert!(schemas["VersionInfo"].to_string().contains("\"sha256\""));
    assert!(
        schemas["ModelInfo"]["properties"]
            .get("active_version")
            .is_some()
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["api_key"]["name"],
        json!("x-api-key")
    );
    // Public routes say so.
    assert_eq!(paths["/healthz"]["get"]["security"], json!([{}]));
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    out.push(v.as_str().unwrap().to_owned());
                } else {
                    collect_refs(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
    }
}
