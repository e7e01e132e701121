//! Several stores on one database, as several engine processes would be: versions stay
//! numbered without gaps or repeats, changes made through one store reach the others, and
//! access records (revocations, first keys, settings) are shared at once.

use std::collections::BTreeSet;
use std::time::Duration;

use futures_util::future::join_all;
use phantom_store::{ApiKeyRecord, ModelEvent, PostgresStore, SqliteStore, Storage};

use crate::access::{api_key, tenant};
use crate::support::{PgSchema, expect_event, model, pg_client, postgres_url, unique, version};

/// Adds `per_store` versions through each store at once and checks the numbers are
/// 1..=total, each artifact stored under the number its writer was given.
async fn concurrent_writers_number_versions_without_gaps<S: Storage>(
    stores: &[S],
    per_store: usize,
) {
    let m = model("t", "shared", 1);
    stores[0].create_model(&m).await.unwrap();
    let new_versions: Vec<_> = (0..stores.len() * per_store)
        .map(|i| version(format!("artifact {i}").as_bytes(), 2))
        .collect();
    let added = join_all(
        new_versions
            .iter()
            .enumerate()
            .map(|(i, v)| stores[i % stores.len()].add_version("t", &m.id, v, false)),
    )
    .await;
    let numbers: BTreeSet<u32> = added.iter().map(|r| r.as_ref().unwrap().version).collect();
    assert_eq!(numbers, (1..=new_versions.len() as u32).collect());
    for summary in added.into_iter().map(Result::unwrap) {
        let stored = stores[1]
            .get_version("t", &m.id, summary.version)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.summary, summary);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_stores_on_one_file_number_versions_without_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(SqliteStore::FILE_NAME);
    let stores = [
        SqliteStore::open(&path).await.unwrap(),
        SqliteStore::open(&path).await.unwrap(),
        SqliteStore::open(&path).await.unwrap(),
    ];
    concurrent_writers_number_versions_without_gaps(&stores, 8).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stores_on_one_schema_number_versions_without_gaps() {
    let Some(base) = postgres_url("shared database: concurrent writers") else {
        return;
    };
    let schema = PgSchema::create(&base).await;
    let stores = [
        PostgresStore::connect(&schema.url()).await.unwrap(),
        PostgresStore::connect(&schema.url()).await.unwrap(),
        PostgresStore::connect(&schema.url()).await.unwrap(),
    ];
    concurrent_writers_number_versions_without_gaps(&stores, 8).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_changes_reach_the_other_store_within_a_second() {
    let Some(base) = postgres_url("shared database: events between stores") else {
        return;
    };
    let schema = PgSchema::create(&base).await;
    let writer = PostgresStore::connect(&schema.url()).await.unwrap();
    let watcher = PostgresStore::connect(&schema.url()).await.unwrap();
    let mut events = watcher.subscribe();

    let m = model("t", "watched", 1);
    writer.create_model(&m).await.unwrap();
    writer
        .add_version("t", &m.id, &version(b"v1", 2), false)
        .await
        .unwrap();
    writer.activate_version("t", &m.id, 1, 3).await.unwrap();
    let changed = ModelEvent::Changed {
        model_id: m.id.clone(),
    };
    expect_event(&mut events, &changed, Duration::from_secs(1)).await;

    writer.delete_model("t", &m.id).await.unwrap();
    let deleted = ModelEvent::Deleted {
        model_id: m.id.clone(),
    };
    expect_event(&mut events, &deleted, Duration::from_secs(1)).await;

    // A store on another schema hears none of this.
    let elsewhere = PgSchema::create(&base).await;
    let stranger = PostgresStore::connect(&elsewhere.url()).await.unwrap();
    let mut strangers_events = stranger.subscribe();
    let m2 = model("t", "unheard", 4);
    writer.create_model(&m2).await.unwrap();
    writer
        .add_version("t", &m2.id, &version(b"v1", 5), true)
        .await
        .unwrap();
    let changed = ModelEvent::Changed {
        model_id: m2.id.clone(),
    };
    expect_event(&mut events, &changed, Duration::from_secs(1)).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        strangers_events.try_recv().is_err(),
        "other schemas hear nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_listener_reconnects_and_asks_for_a_resync() {
    let Some(base) = postgres_url("shared database: listener reconnection") else {
        return;
    };
    let schema = PgSchema::create(&base).await;
    let store = PostgresStore::connect(&schema.url()).await.unwrap();
    let mut events = store.subscribe();

    let admin = pg_client(&base).await;
    let terminated = admin
        .query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE query = 'LISTEN \"phantom_models_' || $1 || '\"'",
            &[&schema.name()],
        )
        .await
        .unwrap();
    assert_eq!(terminated.len(), 1, "the store's listening session");
    expect_event(&mut events, &ModelEvent::Resync, Duration::from_secs(5)).await;

    // Listening again: changes are heard as before.
    let m = model("t", "after", 1);
    store.create_model(&m).await.unwrap();
    store
        .add_version("t", &m.id, &version(b"v1", 2), true)
        .await
        .unwrap();
    let changed = ModelEvent::Changed {
        model_id: m.id.clone(),
    };
    expect_event(&mut events, &changed, Duration::from_secs(1)).await;
}

/// A revocation through one store is seen by the next read through another; of stores
/// racing to add a tenant's first key, one wins; all agree on a setting.
async fn access_is_shared<S: Storage>(stores: &[S]) {
    let t = tenant(&unique("tenant"), 1);
    let keys: Vec<ApiKeyRecord> = (0..stores.len() * 3)
        .map(|i| api_key(&t.name, i as i64))
        .collect();
    let created = join_all(
        keys.iter()
            .enumerate()
            .map(|(i, k)| stores[i % stores.len()].create_first_api_key(&t, k)),
    )
    .await;
    assert_eq!(
        created.into_iter().filter(|r| *r.as_ref().unwrap()).count(),
        1,
        "one first key across every store"
    );
    let key = stores[0].list_api_keys(&t.name).await.unwrap().remove(0);

    let reader = stores.last().unwrap();
    let before = reader.get_api_key_by_prefix(&key.prefix).await.unwrap();
    assert_eq!(before.unwrap().revoked_at, None);
    stores[0]
        .revoke_api_key(&t.name, &key.id, 77)
        .await
        .unwrap();
    let after = reader.get_api_key_by_prefix(&key.prefix).await.unwrap();
    assert_eq!(after.unwrap().revoked_at, Some(77), "seen at once");

    let name = unique("setting");
    let values: Vec<String> = (0..stores.len() * 3).map(|i| format!("v{i}")).collect();
    let got = join_all(
        values
            .iter()
            .enumerate()
            .map(|(i, v)| stores[i % stores.len()].get_or_create_setting(&name, v)),
    )
    .await;
    let got: BTreeSet<String> = got.into_iter().map(Result::unwrap).collect();
    assert_eq!(got.len(), 1, "one value for everyone: {got:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_stores_on_one_file_share_access_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(SqliteStore::FILE_NAME);
    let stores = [
        SqliteStore::open(&path).await.unwrap(),
        SqliteStore::open(&path).await.unwrap(),
    ];
    access_is_shared(&stores).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stores_on_one_schema_share_access_records() {
    let Some(base) = postgres_url("shared database: access records") else {
        return;
    };
    let schema = PgSchema::create(&base).await;
    let stores = [
        PostgresStore::connect(&schema.url()).await.unwrap(),
        PostgresStore::connect(&schema.url()).await.unwrap(),
        PostgresStore::connect(&schema.url()).await.unwrap(),
    ];
    access_is_shared(&stores).await;
}
