//! Choosing and opening a store from a location.

use phantom_store::{PostgresStore, SqliteStore, Storage, Store, StoreError, StoreLocation};

use crate::support::{PgSchema, model, postgres_url};

#[tokio::test]
async fn a_data_dir_is_created_with_the_database_inside() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested").join("data");
    let store = Store::open(&StoreLocation::DataDir(data.clone()))
        .await
        .unwrap();
    assert_eq!(store.backend(), "sqlite");
    store.create_model(&model("t", "m", 1)).await.unwrap();
    assert!(data.join(SqliteStore::FILE_NAME).is_file());
}

#[tokio::test]
async fn a_sqlite_url_opens_that_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    let url = format!("sqlite://{}", path.display());
    let store = Store::open(&StoreLocation::Url(url)).await.unwrap();
    assert_eq!(store.backend(), "sqlite");
    let m = model("t", "m", 1);
    store.create_model(&m).await.unwrap();
    drop(store);
    let reopened = SqliteStore::open(&path).await.unwrap();
    assert_eq!(reopened.path(), path);
    assert_eq!(reopened.get_model("t", &m.id).await.unwrap(), Some(m));
}

#[tokio::test]
async fn unusable_locations_are_refused_with_the_reason() {
    let err = Store::open(&StoreLocation::Url("mysql://localhost/db".into()))
        .await
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::InvalidLocation { .. }), "{err:?}");

    let err = PostgresStore::connect("postgres://host:notaport/db")
        .await
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::InvalidLocation { .. }), "{err:?}");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"not a directory").unwrap();
    let err = SqliteStore::open_in_dir(file.join("data"))
        .await
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Io { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_url_connects_to_postgres() {
    let Some(base) = postgres_url("location: postgres URL") else {
        return;
    };
    let schema = PgSchema::create(&base).await;
    let store = Store::open(&StoreLocation::Url(schema.url()))
        .await
        .unwrap();
    assert_eq!(store.backend(), "postgres");
    store.ping().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_path_without_an_existing_schema_is_refused() {
    let Some(base) = postgres_url("location: missing schema") else {
        return;
    };
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{separator}options=-c%20search_path%3Dphantom_no_such_schema");
    let err = PostgresStore::connect(&url).await.err().unwrap();
    assert!(matches!(err, StoreError::InvalidLocation { .. }), "{err:?}");
}
