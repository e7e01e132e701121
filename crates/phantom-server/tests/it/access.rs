//! Users, API keys, login, credentials that no longer work, rate limits, failed-login
//! throttling and the audit log.

use phantom_engine::auth::Role;
use serde_json::{Value, json};

use crate::on_every_backend;
use crate::support::{Server, now_ms};

on_every_backend!(users_and_login, users_and_login_on);

async fn users_and_login_on(s: &Server) {
    let admin = s.tenant.admin();
    let listed = s.req("GET", "/v1/users").key(admin).send().await;
    assert_eq!(listed.status, 200, "{}", listed.text());

    let created = s
        .req("POST", "/v1/users")
        .key(admin)
        .json(
            &json!({"username": "alice", "password": "correct horse battery", "role": "developer"}),
        )
        .send()
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(created.json()["role"], "developer");
    assert!(!created.text().contains("correct horse"));
    let again = s
        .req("POST", "/v1/users")
        .key(admin)
        .json(
            &json!({"username": "alice", "password": "another long passphrase", "role": "viewer"}),
        )
        .send()
        .await;
    again.error(409, "conflict");
    let bad_role = s
        .req("POST", "/v1/users")
        .key(admin)
        .json(&json!({"username": "bob", "password": "a long enough passphrase", "role": "root"}))
        .send()
        .await;
    assert!(bad_role.error(400, "invalid_input").contains("`role`"));
    let users = s.req("GET", "/v1/users").key(admin).send().await.json();
    assert!(
        users
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["username"] == "alice")
    );

    let login = s
        .req("POST", "/v1/auth/login")
        .json(&json!({"tenant": s.tenant.name, "username": "alice", "password": "correct horse battery"}))
        .send()
        .await;
    assert_eq!(login.status, 200, "{}", login.text());
    let token = login.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(login.json()["token_type"], "Bearer");
    let as_alice = s.req("GET", "/v1/models").key(&token).send().await;
    assert_eq!(as_alice.status, 200, "{}", as_alice.text());
    let not_admin = s
        .req("POST", "/v1/users")
        .key(&token)
        .json(&json!({"username": "eve", "password": "a long enough passphrase", "role": "admin"}))
        .send()
        .await;
    let message = not_admin.error(403, "forbidden").replace('_', "");
    assert!(message.contains("manageaccess"), "{message}");

    let wrong = s
        .req("POST", "/v1/auth/login")
        .json(&json!({"tenant": s.tenant.name, "username": "alice", "password": "wrong"}))
        .send()
        .await;
    wrong.error(401, "unauthenticated");
    assert!(wrong.header("www-authenticate").is_some());

    let deleted = s.req("DELETE", "/v1/users/alice").key(admin).send().await;
    assert_eq!(deleted.status, 204);
    let twice = s.req("DELETE", "/v1/users/alice").key(admin).send().await;
    twice.error(404, "not_found");
}

on_every_backend!(keys_stop_working_when_revoked_or_expired, keys_on);

async fn keys_on(s: &Server) {
    let admin = s.tenant.admin();
    let created = s
        .req("POST", "/v1/keys")
        .key(admin)
        .json(&json!({"name": "ci", "role": "viewer"}))
        .send()
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let created = created.json();
    let secret = created["key"].as_str().unwrap().to_owned();
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("phk_"));
    assert!(secret.starts_with(created["prefix"].as_str().unwrap()));

    let listed = s.req("GET", "/v1/keys").key(admin).send().await;
    assert_eq!(listed.status, 200);
    assert!(
        !listed.text().contains(&secret),
        "a listing never shows a secret"
    );
    assert!(
        listed
            .json()
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["id"] == id.as_str())
    );

    let by_header = s
        .req("GET", "/v1/models")
        .header("x-api-key", &secret)
        .send()
        .await;
    assert_eq!(by_header.status, 200, "{}", by_header.text());

    let revoked = s
        .req("POST", &format!("/v1/keys/{id}/revoke"))
        .key(admin)
        .send()
        .await;
    assert_eq!(revoked.status, 200, "{}", revoked.text());
    assert!(revoked.json()["revoked_at"].is_i64());
    let refused = s.req("GET", "/v1/models").key(&secret).send().await;
    assert!(refused.error(401, "unauthenticated").contains("revoked"));
    assert!(refused.header("www-authenticate").is_some());

    let past = s
        .req("POST", "/v1/keys")
        .key(admin)
        .json(&json!({"name": "old", "role": "viewer", "expires_at": now_ms() - 1_000}))
        .send()
        .await;
    assert!(past.error(400, "invalid_input").contains("expiry"));
    let expiring = s
        .req("POST", "/v1/keys")
        .key(admin)
        .json(&json!({"name": "brief", "role": "viewer", "expires_at": now_ms() + 1_500}))
        .send()
        .await;
    assert_eq!(expiring.status, 201, "{}", expiring.text());
    let secret = expiring.json()["key"].as_str().unwrap().to_owned();
    let works = s.req("GET", "/v1/models").key(&secret).send().await;
    assert_eq!(works.status, 200, "{}", works.text());
    tokio::time::sleep(std::time::Duration::from_millis(2_000)).await;
    let refused = s.req("GET", "/v1/models").key(&secret).send().await;
    assert!(refused.error(401, "unauthenticated").contains("expired"));

    let unknown = s
        .req("GET", "/v1/models")
        .key("phk_0000000000000000000000")
        .send()
        .await;
    unknown.error(401, "unauthenticated");
    let none = s.req("GET", "/v1/models").send().await;
    assert!(none.error(401, "unauthenticated").contains("no credential"));
    let basic = s
        .req("GET", "/v1/models")
        .header("authorization", "Basic YWxpY2U6cHc=")
        .send()
        .await;
    basic.error(401, "unauthenticated");
}

on_every_backend!(rate_limits_answer_429_with_retry_after, rate_limit_on);

async fn rate_limit_on(s: &Server) {
    let created = s
        .req("POST", "/v1/keys")
        .key(s.tenant.admin())
        .json(&json!({"name": "slow", "role": "viewer", "rate_limit_per_second": 2}))
        .send()
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let secret = created.json()["key"].as_str().unwrap().to_owned();
    let mut limited = None;
    for _ in 0..20 {
        let r = s.req("GET", "/v1/models").key(&secret).send().await;
        if r.status == 429 {
            limited = Some(r);
            break;
        }
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let limited = limited.expect("20 requests at once exceed 2 per second");
    limited.error(429, "rate_limited");
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
}

on_every_backend!(failed_logins_are_throttled_and_audited, login_throttle_on);

async fn login_throttle_on(s: &Server) {
    // The default: 10 failures per minute per user name and per address.
    let guess = |username: &str| {
        s.req("POST", "/v1/auth/login").json(&json!({
            "tenant": s.tenant.name, "username": username, "password": "a guessed password"
        }))
    };
    for _ in 0..10 {
        guess("mallory").send().await.error(401, "unauthenticated");
    }
    let refused = guess("mallory").send().await;
    let message = refused.error(429, "rate_limited");
    assert!(message.contains("too many failed logins"), "{message}");
    let wait: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Every user name from the same address is refused now, before any password check.
    guess("someone-else")
        .send()
        .await
        .error(429, "rate_limited");

    let audit = s
        .req("GET", "/v1/audit?action=auth.login&result=denied&limit=10")
        .key(s.tenant.admin())
        .send()
        .await;
    assert_eq!(audit.status, 200, "{}", audit.text());
    let records = audit.json();
    let throttled: Vec<_> = records
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["detail"]
                .as_str()
                .is_some_and(|d| d.contains("too many failed logins"))
        })
        .collect();
    assert_eq!(throttled.len(), 2, "{records}");
    assert_eq!(throttled[1]["actor"], "mallory");
    assert_eq!(throttled[1]["source"], "127.0.0.1");
}

on_every_backend!(the_audit_log_records_changes_and_denials, audit_on);

async fn audit_on(s: &Server) {
    let admin = s.tenant.admin();
    let created = s
        .req("POST", "/v1/models")
        .key(s.tenant.key(Role::Developer))
        .header("x-request-id", "create-flows-1")
        .json(&json!({"name": "flows", "algorithm": "kmeans"}))
        .send()
        .await;
    assert_eq!(created.status, 201);
    let denied = s
        .req("DELETE", "/v1/models/flows")
        .key(s.tenant.key(Role::Viewer))
        .send()
        .await;
    denied.error(403, "forbidden");
    let denied_id = denied.header("x-request-id").unwrap().to_owned();
    let failed = s
        .req("POST", "/v1/models/ghost/activate")
        .key(admin)
        .json(&json!({"version": 1}))
        .send()
        .await;
    failed.error(404, "not_found");
    // A read that succeeds is not audited.
    s.req("GET", "/v1/models").key(admin).send().await;

    let log = s.req("GET", "/v1/audit").key(admin).send().await;
    assert_eq!(log.status, 200, "{}", log.text());
    let log = log.json();
    let find = |action: &str, result: &str| -> Value {
        log.as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == action && e["result"] == result)
            .cloned()
            .unwrap_or_else(|| panic!("no {action} {result} in {log}"))
    };
    let create = find("models.create", "success");
    assert_eq!(create["request_id"], "create-flows-1");
    assert_eq!(create["resource"], "models/flows");
    assert_eq!(create["tenant"], s.tenant.name.as_str());
    assert_eq!(create["source"], "127.0.0.1");
    let delete = find("models.delete", "denied");
    assert_eq!(delete["request_id"], denied_id.as_str());
    let detail = delete["detail"].as_str().unwrap().replace('_', "");
    assert!(detail.contains("writemodels"), "{detail}");
    let activate = find("models.activate", "failed");
    assert_eq!(activate["resource"], "models/ghost");
    assert!(
        !log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "models.list"),
        "successful reads are not audited"
    );

    let filtered = s
        .req("GET", "/v1/audit?result=denied&limit=10")
        .key(s.tenant.key(Role::Auditor))
        .send()
        .await;
    assert_eq!(filtered.status, 200, "{}", filtered.text());
    assert!(
        filtered
            .json()
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["result"] == "denied")
    );
    let bad_filter = s
        .req("GET", "/v1/audit?result=maybe")
        .key(admin)
        .send()
        .await;
    assert!(bad_filter.error(400, "invalid_input").contains("result"));

    // The log is append-only: no route edits or deletes it.
    for method in ["DELETE", "POST", "PUT", "PATCH"] {
        let r = s.req(method, "/v1/audit").key(admin).send().await;
        r.error(405, "method_not_allowed");
    }
}
