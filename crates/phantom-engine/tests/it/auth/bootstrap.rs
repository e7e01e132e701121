//! The first admin key: created once, in a file only the owner reads.

use std::os::unix::fs::PermissionsExt;

use phantom_engine::TENANT_DEFAULT;
use phantom_engine::auth::{BOOTSTRAP_KEY_FILE, Permission, Role};

use super::by_key;
use crate::support::{engine, engine_in};

#[tokio::test]
async fn the_first_start_writes_an_admin_key_only_the_owner_can_read() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("not/yet/there");
    let engine = engine_in(&data, |_| {}).await;
    let boot = engine.bootstrap_admin().await.unwrap().unwrap();
    assert_eq!(boot.path, data.join(BOOTSTRAP_KEY_FILE));
    let mode = std::fs::metadata(&boot.path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let leftovers: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let text = std::fs::read_to_string(&boot.path).unwrap();
    assert_eq!(text.lines().count(), 1);
    let key = text.trim_end();
    let principal = by_key(&engine, key).await.unwrap();
    assert_eq!(
        (principal.tenant.as_str(), principal.role),
        (TENANT_DEFAULT, Role::Admin)
    );
    principal.authorize(Permission::ManageAccess).unwrap();
    assert_eq!(boot.info.name, "bootstrap-admin");
    assert_eq!(
        engine.list_api_keys(TENANT_DEFAULT).await.unwrap(),
        vec![boot.info.clone()]
    );
    assert_eq!(engine.list_tenants().await.unwrap()[0].name, TENANT_DEFAULT);

    assert_eq!(engine.bootstrap_admin().await.unwrap(), None, "only once");
    let again = engine_in(&data, |_| {}).await;
    assert_eq!(
        again.bootstrap_admin().await.unwrap(),
        None,
        "only once per store"
    );
    assert_eq!(
        std::fs::read_to_string(&boot.path).unwrap(),
        text,
        "the file is kept"
    );
}

#[tokio::test]
async fn a_default_tenant_with_a_user_needs_no_bootstrap() {
    let (engine, dir) = engine().await;
    engine
        .create_user(
            TENANT_DEFAULT,
            "root",
            "a long enough password",
            Role::Admin,
        )
        .await
        .unwrap();
    assert_eq!(engine.bootstrap_admin().await.unwrap(), None);
    assert!(!dir.path().join(BOOTSTRAP_KEY_FILE).exists());
    assert!(
        engine
            .list_api_keys(TENANT_DEFAULT)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engines_starting_together_create_one_key() {
    let dir = tempfile::tempdir().unwrap();
    let engines = [
        engine_in(dir.path(), |_| {}).await,
        engine_in(dir.path(), |_| {}).await,
        engine_in(dir.path(), |_| {}).await,
    ];
    let (a, b, c) = tokio::join!(
        engines[0].bootstrap_admin(),
        engines[1].bootstrap_admin(),
        engines[2].bootstrap_admin()
    );
    let created: Vec<_> = [a, b, c].into_iter().filter_map(Result::unwrap).collect();
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(
        engines[0].list_api_keys(TENANT_DEFAULT).await.unwrap(),
        vec![created[0].info.clone()]
    );
    let key = std::fs::read_to_string(&created[0].path).unwrap();
    by_key(&engines[2], key.trim_end()).await.unwrap();
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains("admin.key"))
        .collect();
    assert_eq!(
        files,
        vec![BOOTSTRAP_KEY_FILE.to_owned()],
        "no temporary file is left"
    );
}
