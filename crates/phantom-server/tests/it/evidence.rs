//! Stored evidence over HTTP: a bundle handed out by `GET /v1/evidence` is kept, listed, and
//! served again byte for byte by its id after its anomalies change, still verifying with the
//! deployment's public key; the PDF of a stored bundle is rendered from it; fetches are
//! audited.

use phantom_engine::auth::Role;
use serde_json::{Value, json};

use crate::on_every_backend;
use crate::support::{Server, unique};

on_every_backend!(a_bundle_handed_out_is_kept_byte_for_byte, kept_on);

async fn kept_on(s: &Server) {
    let auditor = s.tenant.key(Role::Auditor);
    let viewer = s.tenant.key(Role::Viewer);
    let anomaly = s
        .metric_spike(s.tenant.key(Role::Developer), &unique("queue"))
        .await;

    let handed_out = s.req("GET", "/v1/evidence").key(auditor).send().await;
    assert_eq!(handed_out.status, 200, "{}", handed_out.text());
    assert_eq!(handed_out.header("content-type"), Some("application/json"));
    let bundle = handed_out.json();
    let id = bundle["bundle_id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("ev_"), "{id}");
    let location = format!("/v1/evidence/bundles/{id}");
    assert_eq!(
        handed_out.header("content-location"),
        Some(location.as_str())
    );
    assert_eq!(bundle["anomalies"][0]["id"], anomaly.as_str());
    assert_eq!(bundle["anomalies"][0]["status"], "open");

    // The anomaly moves on; the bundle handed out does not.
    let moved = s
        .req("POST", &format!("/v1/anomalies/{anomaly}/status"))
        .key(s.tenant.key(Role::Developer))
        .json(&json!({"status": "false_positive"}))
        .send()
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text());
    let stored = s.req("GET", &location).key(viewer).send().await;
    assert_eq!(stored.status, 200, "{}", stored.text());
    assert_eq!(stored.header("content-type"), Some("application/json"));
    assert!(
        stored.body == handed_out.body,
        "the stored bundle differs from the one handed out:\n{}\n{}",
        handed_out.text(),
        stored.text()
    );
    let key = s.req("GET", "/v1/evidence/public-key").send().await.json();
    let trusted =
        phantom_evidence::PublicKey::from_base64(key["public_key"].as_str().unwrap()).unwrap();
    let verified = phantom_evidence::verify(&stored.json(), &trusted).unwrap();
    assert_eq!(verified.anomalies, 1);
    assert_eq!(stored.json()["anomalies"][0]["status"], "open");

    // A new bundle shows the new status under a new id.
    let fresh = s
        .req("GET", "/v1/evidence")
        .key(auditor)
        .send()
        .await
        .json();
    let fresh_id = fresh["bundle_id"].as_str().unwrap().to_owned();
    assert_ne!(fresh_id, id);
    assert_eq!(fresh["anomalies"][0]["status"], "false_positive");

    // The report of the stored bundle is rendered from it; a PDF export is stored too.
    let pdf = s
        .req("GET", &format!("{location}?format=pdf"))
        .key(auditor)
        .send()
        .await;
    assert_eq!(pdf.status, 200, "{}", pdf.text());
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    assert!(pdf.body.starts_with(b"%PDF-"));
    assert!(
        pdf.header("content-disposition").unwrap().contains(&id),
        "{:?}",
        pdf.header("content-disposition")
    );
    let exported = s
        .req("GET", "/v1/evidence?format=pdf&stream=nothing%2Flogs")
        .key(auditor)
        .send()
        .await;
    assert_eq!(exported.status, 200, "{}", exported.text());
    let exported_at = exported.header("content-location").unwrap().to_owned();
    assert!(exported_at.ends_with("?format=pdf"), "{exported_at}");
    let exported_id = exported_at
        .trim_start_matches("/v1/evidence/bundles/")
        .trim_end_matches("?format=pdf")
        .to_owned();

    // Listed newest first, without their content, in pages.
    let listed = s
        .req("GET", "/v1/evidence/bundles")
        .key(viewer)
        .send()
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    let listed = listed.json();
    let bundles = listed["bundles"].as_array().unwrap();
    let ids: Vec<&str> = bundles.iter().map(|b| b["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [exported_id.as_str(), fresh_id.as_str(), id.as_str()],
        "{listed}"
    );
    assert_eq!(listed["next"], Value::Null);
    let first = &bundles[2];
    assert_eq!(first["anomaly_count"], 1);
    assert_eq!(first["size"], handed_out.body.len());
    let sha256 = first["sha256"].as_str().unwrap();
    assert!(
        sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()),
        "{first}"
    );
    assert_eq!(first["query"]["stream"], Value::Null);
    assert_eq!(bundles[0]["query"]["stream"], "nothing/logs");
    assert_eq!(bundles[0]["anomaly_count"], 0);
    assert!(first.get("json").is_none() && first.get("bundle").is_none());

    let page = s
        .req("GET", "/v1/evidence/bundles?limit=2")
        .key(viewer)
        .send()
        .await
        .json();
    assert_eq!(page["bundles"].as_array().unwrap().len(), 2);
    let next = page["next"].as_u64().unwrap();
    let rest = s
        .req(
            "GET",
            &format!("/v1/evidence/bundles?limit=2&before={next}"),
        )
        .key(viewer)
        .send()
        .await
        .json();
    assert_eq!(rest["bundles"][0]["id"], id.as_str());
    assert_eq!(rest["next"], Value::Null);

    // Mistakes are named.
    let message = s
        .req("GET", "/v1/evidence/bundles?limit=0")
        .key(viewer)
        .send()
        .await
        .error(400, "invalid_input");
    assert!(message.contains("limit"), "{message}");
    s.req("GET", &format!("{location}?format=xml"))
        .key(viewer)
        .send()
        .await
        .error(400, "invalid_input");
    let message = s
        .req("GET", "/v1/evidence/bundles/ev_missing")
        .key(viewer)
        .send()
        .await
        .error(404, "not_found");
    assert!(message.contains("ev_missing"), "{message}");

    // Every fetch of a stored bundle is audited, naming it.
    let audit = s
        .req("GET", "/v1/audit?action=evidence.get&result=success")
        .key(s.tenant.admin())
        .send()
        .await
        .json();
    let fetched: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["resource"].as_str().unwrap())
        .collect();
    let resource = format!("evidence/{id}");
    assert_eq!(fetched, [resource.as_str(), resource.as_str()], "{audit}");
    let made = s
        .req("GET", "/v1/audit?action=evidence.bundle")
        .key(s.tenant.admin())
        .send()
        .await
        .json();
    assert!(
        made.as_array()
            .unwrap()
            .iter()
            .any(|r| r["resource"] == resource.as_str() && r["detail"] == "1 anomalies"),
        "{made}"
    );
}
