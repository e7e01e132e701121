//! The evidence steps of the conformance suite: a bundle comes back byte for byte with the
//! checksum of its bytes, ids are unique, listings page newest first without the bytes,
//! damaged bytes are refused, and nothing crosses tenants.

use phantom_store::{NewEvidence, Storage, StoreError, sha256_hex};

use crate::support::{Backdoor, unique};

/// Every evidence step, in order.
pub async fn run_evidence<S: Storage, B: Backdoor>(store: &S, backdoor: &B) {
    step("evidence: stored byte for byte, tenant isolation, unique ids");
    stored_exactly(store).await;
    step("evidence: listed newest first, paged");
    listed_and_paged(store).await;
    step("evidence: damaged bytes are refused");
    damaged(store, backdoor).await;
}

fn step(name: &str) {
    eprintln!("conformance: {name}");
}

/// A bundle of `tenant` whose bytes are `bundle`.
fn evidence(tenant: &str, created_at: i64, bundle: &[u8]) -> NewEvidence {
    NewEvidence {
        id: unique("ev"),
        tenant: tenant.into(),
        created_at,
        query_from: Some(created_at - 3_600_000),
        query_to: created_at,
        query_stream: Some("checkout/logs".into()),
        anomaly_count: 2,
        bundle: bundle.to_vec(),
    }
}

/// Bytes no text column would keep as they are: whitespace and member order a parser would
/// drop, a number a parser would round, non-ASCII text, a NUL and a byte that is not UTF-8.
fn awkward_bytes() -> Vec<u8> {
    let mut bytes =
        b"{ \"z\": 1,\n  \"a\": 0.30000000000000004, \"s\": \"caf\xc3\xa9 \\u0000\" }".to_vec();
    bytes.extend_from_slice(&[0, 0xff, b'\n']);
    bytes
}

async fn stored_exactly<S: Storage>(store: &S) {
    let tenant = unique("tenant");
    let other = unique("tenant");
    let new = evidence(&tenant, 1_700_000_000_000, &awkward_bytes());
    let summary = store.put_evidence(&new).await.unwrap();
    assert!(summary.seq > 0);
    assert_eq!(summary.sha256, sha256_hex(&new.bundle));
    assert_eq!(summary.size, new.bundle.len() as u64);
    assert_eq!(
        (
            summary.id.as_str(),
            summary.tenant.as_str(),
            summary.created_at,
            summary.query_from,
            summary.query_to,
            summary.query_stream.as_deref(),
            summary.anomaly_count,
        ),
        (
            new.id.as_str(),
            tenant.as_str(),
            new.created_at,
            new.query_from,
            new.query_to,
            Some("checkout/logs"),
            2,
        )
    );

    let got = store.get_evidence(&tenant, &new.id).await.unwrap().unwrap();
    assert_eq!(got.bundle, new.bundle, "the bytes come back exactly");
    assert_eq!(got.summary, summary);
    assert_eq!(store.get_evidence(&other, &new.id).await.unwrap(), None);
    assert_eq!(
        store.get_evidence(&tenant, "ev_missing").await.unwrap(),
        None
    );

    // An id is taken in every tenant, and the bundle under it stays as it was.
    let mut clash = evidence(&other, 1_700_000_000_001, b"{}");
    clash.id = new.id.clone();
    let err = store.put_evidence(&clash).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    let again = store.get_evidence(&tenant, &new.id).await.unwrap().unwrap();
    assert_eq!(again.bundle, new.bundle);
    assert_eq!(store.get_evidence(&other, &new.id).await.unwrap(), None);
    assert!(
        store
            .list_evidence(&other, 10, None)
            .await
            .unwrap()
            .is_empty(),
        "another tenant lists none"
    );

    // No limit on the size beyond the database's own: a bundle of several megabytes.
    let large: Vec<u8> = (0..5_000_000u32).map(|i| (i % 251) as u8).collect();
    let big = evidence(&tenant, 1_700_000_000_002, &large);
    store.put_evidence(&big).await.unwrap();
    let got = store.get_evidence(&tenant, &big.id).await.unwrap().unwrap();
    assert!(got.bundle == large, "a large bundle comes back exactly");
}

async fn listed_and_paged<S: Storage>(store: &S) {
    let tenant = unique("tenant");
    let other = unique("tenant");
    let mut ids = Vec::new();
    for i in 0..3 {
        let mut new = evidence(&tenant, 1_000 + i, format!("{{\"n\":{i}}}").as_bytes());
        new.query_from = None;
        new.query_stream = None;
        new.anomaly_count = i as u64;
        store.put_evidence(&new).await.unwrap();
        ids.push(new.id);
    }
    store
        .put_evidence(&evidence(&other, 5_000, b"{}"))
        .await
        .unwrap();

    let listed = store.list_evidence(&tenant, 10, None).await.unwrap();
    let listed_ids: Vec<&str> = listed.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(listed_ids, [&ids[2], &ids[1], &ids[0]], "newest first");
    assert!(listed.windows(2).all(|w| w[0].seq > w[1].seq));
    assert_eq!(listed[0].anomaly_count, 2);
    assert_eq!(
        (listed[0].query_from, listed[0].query_stream.as_deref()),
        (None, None)
    );
    assert_eq!(listed[0].sha256, sha256_hex(b"{\"n\":2}"));
    assert_eq!(listed[0].size, 7);
    assert!(listed.iter().all(|e| e.tenant == tenant));

    let first = store.list_evidence(&tenant, 2, None).await.unwrap();
    assert_eq!(first.len(), 2);
    let rest = store
        .list_evidence(&tenant, 2, Some(first[1].seq))
        .await
        .unwrap();
    assert_eq!(
        rest.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        [&ids[0]]
    );
    assert!(
        store
            .list_evidence(&tenant, 2, Some(rest[0].seq))
            .await
            .unwrap()
            .is_empty()
    );
    let theirs = store.list_evidence(&other, 10, None).await.unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].tenant, other);
}

async fn damaged<S: Storage, B: Backdoor>(store: &S, backdoor: &B) {
    let tenant = unique("tenant");
    let new = evidence(&tenant, 2_000, b"{\"anomalies\":[]}");
    store.put_evidence(&new).await.unwrap();
    backdoor.corrupt_evidence(&new.id).await;
    let err = store.get_evidence(&tenant, &new.id).await.unwrap_err();
    let StoreError::Malformed { what } = &err else {
        panic!("expected Malformed, got {err:?}");
    };
    assert!(
        what.contains(&new.id) && what.contains(&sha256_hex(&new.bundle)),
        "{what}"
    );
    let listed = store.list_evidence(&tenant, 10, None).await.unwrap();
    assert_eq!(listed.len(), 1, "a listing does not read the bytes");
}
