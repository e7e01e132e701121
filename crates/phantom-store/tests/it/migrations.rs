//! Migrations run once, and a database from a newer Phantom is refused.

use phantom_store::{PostgresStore, SqliteStore, Storage, StoreError};

use crate::support::{PgSchema, model, pg_client, postgres_url};

/// `(version, name, applied_at)` of every applied migration, in order.
type Applied = Vec<(i64, String, i64)>;

fn sqlite_applied(path: &std::path::Path) -> Applied {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test]
async fn sqlite_reopening_runs_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(SqliteStore::FILE_NAME);
    let store = SqliteStore::open_in_dir(dir.path()).await.unwrap();
    let m = model("t", "kept", 1);
    store.create_model(&m).await.unwrap();
    let applied = sqlite_applied(&path);
    assert!(!applied.is_empty());
    assert_eq!(applied[0].0, 1);
    drop(store);

    std::thread::sleep(std::time::Duration::from_millis(5));
    let store = SqliteStore::open(&path).await.unwrap();
    assert_eq!(sqlite_applied(&path), applied, "no migration applied again");
    assert_eq!(store.get_model("t", &m.id).await.unwrap(), Some(m));
}

#[tokio::test]
async fn sqlite_refuses_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(SqliteStore::FILE_NAME);
    drop(SqliteStore::open(&path).await.unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'from the future', 0)",
        [],
    )
    .unwrap();
    drop(conn);

    let err = SqliteStore::open(&path).await.err().unwrap();
    let StoreError::SchemaTooNew { found, known } = err else {
        panic!("expected SchemaTooNew, got {err:?}");
    };
    assert_eq!(found, 9999);
    assert!(known < found && known >= 1);
}

async fn postgres_applied(url: &str) -> Applied {
    let client = pg_client(url).await;
    client
        .query(
            "SELECT version, name, applied_at FROM schema_migrations ORDER BY version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_reopening_runs_nothing_twice() {
    let Some(base) = postgres_url("migrations: reopening") else {
        return;
    };
    let schema = PgSchema::create(&base).await;
    // Two stores starting together: the advisory lock lets one migrate, the other waits.
    let url = schema.url();
    let (a, b) = tokio::join!(PostgresStore::connect(&url), PostgresStore::connect(&url));
    let (a, b) = (a.unwrap(), b.unwrap());
    let m = model("t", "kept", 1);
    a.create_model(&m).await.unwrap();
    let applied = postgres_applied(&schema.url()).await;
    assert!(!applied.is_empty());
    assert_eq!(applied[0].0, 1);
    drop((a, b));

    let store = PostgresStore::connect(&schema.url()).await.unwrap();
    assert_eq!(
        postgres_applied(&schema.url()).await,
        applied,
        "no migration applied again"
    );
    assert_eq!(store.get_model("t", &m.id).await.unwrap(), Some(m));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_refuses_a_newer_schema() {
    let Some(base) = postgres_url("migrations: newer schema") else {
        return;
    };
    let schema = PgSchema::create(&base).await;
    drop(PostgresStore::connect(&schema.url()).await.unwrap());
    pg_client(&schema.url())
        .await
        .execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'from the future', 0)",
            &[],
        )
        .await
        .unwrap();

    let err = PostgresStore::connect(&schema.url()).await.err().unwrap();
    let StoreError::SchemaTooNew { found, known } = err else {
        panic!("expected SchemaTooNew, got {err:?}");
    };
    assert_eq!(found, 9999);
    assert!(known < found && known >= 1);
}
