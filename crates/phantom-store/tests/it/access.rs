//! The access part of the conformance suite: tenants, users, API keys, the first-key
//! bootstrap, the audit log, settings, the model limit and the inference count.

use futures_util::future::join_all;
use phantom_store::{
    ApiKeyRecord, AuditFilter, AuditRecord, InferenceRecord, Storage, StoreError, TenantRecord,
    UserRecord,
};

use crate::support::{Backdoor, model, unique};

/// Every access step, in order.
pub async fn run_access<S: Storage, B: Backdoor>(store: &S, backdoor: &B) {
    step("tenants");
    tenants(store).await;
    step("users");
    users(store).await;
    step("API keys");
    api_keys(store).await;
    step("the first API key of a tenant");
    first_api_key(store).await;
    step("the audit log");
    audit_log(store, backdoor).await;
    step("settings");
    settings(store).await;
    step("the model limit");
    model_limit(store).await;
    step("counting logged inferences");
    inference_count(store).await;
}

fn step(name: &str) {
    eprintln!("conformance: {name}");
}

pub fn tenant(name: &str, created_at: i64) -> TenantRecord {
    TenantRecord {
        name: name.into(),
        quotas: serde_json::json!({ "max_models": 3, "max_stored_rows": null }),
        created_at,
    }
}

fn user(tenant: &str, username: &str, created_at: i64) -> UserRecord {
    UserRecord {
        tenant: tenant.into(),
        username: username.into(),
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$salt${username}"),
        role: "developer".into(),
        created_at,
    }
}

/// A key with a unique id and prefix.
pub fn api_key(tenant: &str, created_at: i64) -> ApiKeyRecord {
    let id = unique("key");
    ApiKeyRecord {
        prefix: format!("phk_{id}"),
        id,
        tenant: tenant.into(),
        name: "ci".into(),
        secret_hash: "ab".repeat(32),
        role: "viewer".into(),
        created_at,
        expires_at: None,
        revoked_at: None,
        rate_limit_per_second: None,
    }
}

async fn tenants<S: Storage>(store: &S) {
    let b = tenant(&unique("tenant_b"), 2);
    let a = tenant(&unique("tenant_a"), 1);
    store.create_tenant(&b).await.unwrap();
    store.create_tenant(&a).await.unwrap();
    assert_eq!(store.get_tenant(&a.name).await.unwrap(), Some(a.clone()));
    assert_eq!(store.get_tenant(&unique("missing")).await.unwrap(), None);

    let err = store.create_tenant(&tenant(&a.name, 9)).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert_eq!(
        store.get_tenant(&a.name).await.unwrap(),
        Some(a.clone()),
        "a refused duplicate changes nothing"
    );

    let listed = store.list_tenants().await.unwrap();
    let names: Vec<&str> = listed.iter().map(|t| t.name.as_str()).collect();
    let (ia, ib) = (
        names.iter().position(|n| *n == a.name).unwrap(),
        names.iter().position(|n| *n == b.name).unwrap(),
    );
    assert!(ia < ib, "by name: {names:?}");
    assert_eq!(listed[ia], a);
}

async fn users<S: Storage>(store: &S) {
    let t = tenant(&unique("tenant"), 1);
    let other = tenant(&unique("tenant"), 1);
    let err = store
        .create_user(&user(&t.name, "ann", 1))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    store.create_tenant(&t).await.unwrap();
    store.create_tenant(&other).await.unwrap();

    let zoe = user(&t.name, "zoe", 2);
    let ann = user(&t.name, "ann", 3);
    store.create_user(&zoe).await.unwrap();
    store.create_user(&ann).await.unwrap();
    let err = store
        .create_user(&user(&t.name, "ann", 4))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    let ann_elsewhere = user(&other.name, "ann", 5);
    store.create_user(&ann_elsewhere).await.unwrap();

    assert_eq!(
        store.get_user(&t.name, "ann").await.unwrap(),
        Some(ann.clone())
    );
    assert_eq!(
        store.get_user(&other.name, "ann").await.unwrap(),
        Some(ann_elsewhere.clone())
    );
    assert_eq!(store.get_user(&other.name, "zoe").await.unwrap(), None);
    assert_eq!(
        store.list_users(&t.name).await.unwrap(),
        vec![ann.clone(), zoe.clone()],
        "by name"
    );

    assert!(!store.delete_user(&other.name, "zoe").await.unwrap());
    assert!(store.delete_user(&t.name, "ann").await.unwrap());
    assert!(!store.delete_user(&t.name, "ann").await.unwrap());
    assert_eq!(store.list_users(&t.name).await.unwrap(), vec![zoe]);
    assert_eq!(
        store.list_users(&other.name).await.unwrap(),
        vec![ann_elsewhere]
    );
}

async fn api_keys<S: Storage>(store: &S) {
    let t = tenant(&unique("tenant"), 1);
    let other = tenant(&unique("tenant"), 1);
    let err = store
        .create_api_key(&api_key(&t.name, 1))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    store.create_tenant(&t).await.unwrap();
    store.create_tenant(&other).await.unwrap();

    let newer = ApiKeyRecord {
        expires_at: Some(9_000),
        rate_limit_per_second: Some(u32::MAX),
        role: "admin".into(),
        ..api_key(&t.name, 20)
    };
    let older = api_key(&t.name, 10);
    store.create_api_key(&newer).await.unwrap();
    store.create_api_key(&older).await.unwrap();

    let same_prefix = ApiKeyRecord {
        prefix: older.prefix.clone(),
        ..api_key(&other.name, 30)
    };
    let err = store.create_api_key(&same_prefix).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { .. }),
        "a prefix is unique across tenants: {err:?}"
    );
    let same_id = ApiKeyRecord {
        id: older.id.clone(),
        ..api_key(&t.name, 30)
    };
    let err = store.create_api_key(&same_id).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");

    assert_eq!(
        store.get_api_key(&t.name, &newer.id).await.unwrap(),
        Some(newer.clone()),
        "round-trips, u32::MAX rate limit included"
    );
    assert_eq!(
        store.get_api_key(&other.name, &newer.id).await.unwrap(),
        None
    );
    assert_eq!(
        store.get_api_key_by_prefix(&older.prefix).await.unwrap(),
        Some(older.clone())
    );
    assert_eq!(
        store.get_api_key_by_prefix("phk_missing").await.unwrap(),
        None
    );
    assert_eq!(
        store.list_api_keys(&t.name).await.unwrap(),
        vec![older.clone(), newer.clone()],
        "oldest first"
    );
    assert!(store.list_api_keys(&other.name).await.unwrap().is_empty());

    assert_eq!(
        store
            .revoke_api_key(&other.name, &older.id, 50)
            .await
            .unwrap(),
        None,
        "another tenant's key cannot be revoked"
    );
    assert_eq!(
        store
            .get_api_key(&t.name, &older.id)
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        None
    );
    let revoked = store
        .revoke_api_key(&t.name, &older.id, 100)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        revoked,
        ApiKeyRecord {
            revoked_at: Some(100),
            ..older.clone()
        }
    );
    let again = store
        .revoke_api_key(&t.name, &older.id, 200)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        again.revoked_at,
        Some(100),
        "the first revocation time stays"
    );
    assert_eq!(
        store
            .get_api_key_by_prefix(&older.prefix)
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        Some(100)
    );
    assert_eq!(
        store.revoke_api_key(&t.name, "missing", 1).await.unwrap(),
        None
    );
}

async fn first_api_key<S: Storage>(store: &S) {
    let fresh = tenant(&unique("tenant"), 1);
    let first = api_key(&fresh.name, 1);
    assert!(store.create_first_api_key(&fresh, &first).await.unwrap());
    assert_eq!(
        store.get_tenant(&fresh.name).await.unwrap(),
        Some(fresh.clone()),
        "the tenant is created"
    );
    let second = api_key(&fresh.name, 2);
    assert!(!store.create_first_api_key(&fresh, &second).await.unwrap());
    assert_eq!(store.list_api_keys(&fresh.name).await.unwrap(), vec![first]);

    let with_user = tenant(&unique("tenant"), 1);
    store.create_tenant(&with_user).await.unwrap();
    store
        .create_user(&user(&with_user.name, "ann", 1))
        .await
        .unwrap();
    assert!(
        !store
            .create_first_api_key(&with_user, &api_key(&with_user.name, 1))
            .await
            .unwrap(),
        "a tenant with a user needs no first key"
    );
    assert!(
        store
            .list_api_keys(&with_user.name)
            .await
            .unwrap()
            .is_empty()
    );

    let existing = tenant(&unique("tenant"), 1);
    store.create_tenant(&existing).await.unwrap();
    assert!(
        store
            .create_first_api_key(&existing, &api_key(&existing.name, 1))
            .await
            .unwrap(),
        "an existing tenant without access gets its key"
    );

    let contended = tenant(&unique("tenant"), 1);
    let candidates: Vec<ApiKeyRecord> = (0..8).map(|i| api_key(&contended.name, i)).collect();
    let created = join_all(
        candidates
            .iter()
            .map(|k| store.create_first_api_key(&contended, k)),
    )
    .await;
    let winners = created.into_iter().filter(|r| *r.as_ref().unwrap()).count();
    assert_eq!(
        winners, 1,
        "exactly one of the concurrent callers adds its key"
    );
    assert_eq!(store.list_api_keys(&contended.name).await.unwrap().len(), 1);
}

pub fn audit(tenant: &str, actor: &str, action: &str, result: &str, at: i64) -> AuditRecord {
    AuditRecord {
        tenant: tenant.into(),
        actor: actor.into(),
        action: action.into(),
        resource: format!("models/m{at}"),
        result: result.into(),
        request_id: format!("req-{at}"),
        at,
        source: (at % 2 == 0).then(|| "10.0.0.7".to_owned()),
        detail: (result != "success").then(|| format!("why {at}")),
    }
}

fn everything(tenant: &str) -> AuditFilter {
    AuditFilter {
        tenant: tenant.into(),
        from: i64::MIN,
        to: i64::MAX,
        actor: None,
        action: None,
        result: None,
        limit: u32::MAX,
    }
}

async fn audit_log<S: Storage, B: Backdoor>(store: &S, backdoor: &B) {
    let t = unique("tenant");
    let other = unique("tenant");
    let records = [
        audit(&t, "ann", "models.create", "success", 10),
        audit(&t, "bob", "models.create", "denied", 20),
        audit(&t, "ann", "models.delete", "failed", 30),
        audit(&t, "ann", "models.create", "success", 40),
        audit(&other, "eve", "models.create", "success", 25),
    ];
    for r in &records {
        store.append_audit(r).await.unwrap();
    }
    let query = |f: AuditFilter| async move {
        store
            .query_audit(&f)
            .await
            .unwrap()
            .iter()
            .map(|r| r.at)
            .collect::<Vec<_>>()
    };
    let all = store.query_audit(&everything(&t)).await.unwrap();
    assert_eq!(all.len(), 4, "only the tenant's records");
    assert_eq!(all[0], records[3], "newest first, and records round-trip");
    assert_eq!(all[3], records[0]);
    assert_eq!(
        query(AuditFilter {
            from: 20,
            to: 40,
            ..everything(&t)
        })
        .await,
        [30, 20],
        "[from, to)"
    );
    assert_eq!(
        query(AuditFilter {
            actor: Some("ann".into()),
            ..everything(&t)
        })
        .await,
        [40, 30, 10]
    );
    assert_eq!(
        query(AuditFilter {
            action: Some("models.create".into()),
            ..everything(&t)
        })
        .await,
        [40, 20, 10]
    );
    assert_eq!(
        query(AuditFilter {
            result: Some("denied".into()),
            ..everything(&t)
        })
        .await,
        [20]
    );
    assert_eq!(
        query(AuditFilter {
            actor: Some("ann".into()),
            action: Some("models.create".into()),
            result: Some("success".into()),
            limit: 1,
            ..everything(&t)
        })
        .await,
        [40]
    );
    assert_eq!(query(everything(&other)).await, [25]);

    assert!(
        !backdoor.tamper_audit(&t).await,
        "the schema refuses to change or delete audit records"
    );
    assert_eq!(store.query_audit(&everything(&t)).await.unwrap(), all);
}

async fn settings<S: Storage>(store: &S) {
    let name = unique("setting");
    assert_eq!(
        store.get_or_create_setting(&name, "first").await.unwrap(),
        "first"
    );
    assert_eq!(
        store.get_or_create_setting(&name, "second").await.unwrap(),
        "first"
    );

    let contended = unique("setting");
    let values: Vec<String> = (0..8).map(|i| format!("value {i}")).collect();
    let got = join_all(
        values
            .iter()
            .map(|v| store.get_or_create_setting(&contended, v)),
    )
    .await;
    let got: Vec<String> = got.into_iter().map(Result::unwrap).collect();
    assert!(values.contains(&got[0]));
    assert!(
        got.iter().all(|v| *v == got[0]),
        "everyone sees one value: {got:?}"
    );
}

async fn model_limit<S: Storage>(store: &S) {
    let t = unique("tenant");
    store
        .create_model_within_limit(&model(&t, "one", 1), 2)
        .await
        .unwrap();
    store
        .create_model_within_limit(&model(&t, "two", 2), 2)
        .await
        .unwrap();
    let err = store
        .create_model_within_limit(&model(&t, "three", 3), 2)
        .await
        .unwrap_err();
    let StoreError::LimitReached { tenant, limit, .. } = err else {
        panic!("expected LimitReached, got {err:?}");
    };
    assert_eq!((tenant.as_str(), limit), (t.as_str(), 2));
    assert_eq!(store.list_models(&t).await.unwrap().len(), 2);
    let err = store
        .create_model_within_limit(&model(&t, "one", 4), 5)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");

    let other = unique("tenant");
    store
        .create_model_within_limit(&model(&other, "one", 1), 1)
        .await
        .unwrap();

    let contended = unique("tenant");
    let candidates: Vec<_> = (0..8)
        .map(|i| model(&contended, &format!("m{i}"), i))
        .collect();
    let created = join_all(
        candidates
            .iter()
            .map(|m| store.create_model_within_limit(m, 3)),
    )
    .await;
    let ok = created.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 3, "concurrent creations stop at the limit: {created:?}");
    assert!(
        created
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|e| matches!(e, StoreError::LimitReached { .. }))
    );
    assert_eq!(store.list_models(&contended).await.unwrap().len(), 3);
}

async fn inference_count<S: Storage>(store: &S) {
    let t = unique("tenant");
    let other = unique("tenant");
    assert_eq!(store.count_inferences(&t).await.unwrap(), 0);
    let a = model(&t, "a", 1);
    let b = model(&t, "b", 1);
    let c = model(&other, "c", 1);
    for m in [&a, &b, &c] {
        store.create_model(m).await.unwrap();
    }
    let record = |tenant: &str, model_id: &str, at: i64| InferenceRecord {
        tenant: tenant.into(),
        model_id: model_id.into(),
        version: 1,
        at,
        input: serde_json::json!([1.0]),
        output: serde_json::json!({ "prediction": 0 }),
        latency_us: 5,
    };
    store
        .log_inferences(&[
            record(&t, &a.id, 1),
            record(&t, &a.id, 2),
            record(&t, &b.id, 3),
            record(&other, &c.id, 4),
        ])
        .await
        .unwrap();
    assert_eq!(store.count_inferences(&t).await.unwrap(), 3);
    assert_eq!(store.count_inferences(&other).await.unwrap(), 1);
}
