//! Every role against every permission, through real credentials, and tenant isolation of
//! users and keys.

use phantom_engine::ErrorKind;
use phantom_engine::auth::{Permission, Quotas, Role};

use super::{assert_unauthenticated, by_key, by_token};
use crate::support::{engine, unique_tenant};

/// The contract's table, one row per permission: admin, developer, viewer, auditor.
const TABLE: [(Permission, [bool; 4]); 10] = [
    (Permission::ReadModels, [true, true, true, false]),
    (Permission::WriteModels, [true, true, false, false]),
    (Permission::Predict, [true, true, true, false]),
    (Permission::Analyze, [true, true, true, false]),
    (Permission::ReadOperations, [true, true, true, false]),
    (Permission::ReadAudit, [true, false, false, true]),
    (Permission::ManageAccess, [true, false, false, false]),
    (Permission::Ingest, [true, true, false, false]),
    (Permission::ReadAnomalies, [true, true, true, true]),
    (Permission::ManageAnomalies, [true, true, false, false]),
];

#[tokio::test]
async fn every_role_has_exactly_its_permissions_by_key_and_by_token() {
    let (engine, _dir) = engine().await;
    let t = unique_tenant("roles");
    engine.create_tenant(&t, Quotas::default()).await.unwrap();
    let roles = [Role::Admin, Role::Developer, Role::Viewer, Role::Auditor];
    assert_eq!(roles, Role::ALL);
    for (i, role) in roles.into_iter().enumerate() {
        let key = engine
            .create_api_key(&t, role.as_str(), role, None, None)
            .await
            .unwrap();
        let username = format!("user-{role}");
        engine
            .create_user(&t, &username, "a long enough password", role)
            .await
            .unwrap();
        let token = engine
            .login(&t, &username, "a long enough password")
            .await
            .unwrap()
            .token;
        for principal in [
            by_key(&engine, &key.key).await.unwrap(),
            by_token(&engine, &token).await.unwrap(),
        ] {
            assert_eq!(principal.role, role);
            for (permission, allowed) in TABLE {
                let outcome = principal.authorize(permission);
                assert_eq!(outcome.is_ok(), allowed[i], "{role} {permission}");
                if let Err(err) = outcome {
                    assert_eq!(err.kind(), ErrorKind::Forbidden);
                    assert_eq!(
                        err.to_string(),
                        format!("forbidden: role {role} lacks permission {permission}")
                    );
                }
            }
        }
    }
    assert_eq!(TABLE.len(), Permission::ALL.len());
}

#[tokio::test]
async fn tenants_never_see_each_others_users_and_keys() {
    let (engine, _dir) = engine().await;
    let a = unique_tenant("iso-a");
    let b = unique_tenant("iso-b");
    for t in [&a, &b] {
        engine.create_tenant(t, Quotas::default()).await.unwrap();
    }
    engine
        .create_user(&a, "ann", "a long enough password", Role::Admin)
        .await
        .unwrap();
    let key = engine
        .create_api_key(&a, "a-key", Role::Admin, None, None)
        .await
        .unwrap();

    assert!(engine.list_users(&b).await.unwrap().is_empty());
    assert!(engine.list_api_keys(&b).await.unwrap().is_empty());
    let err = engine.delete_user(&b, "ann").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let err = engine.revoke_api_key(&b, &key.info.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_unauthenticated(
        engine.login(&b, "ann", "a long enough password").await,
        "wrong tenant",
    );

    assert_eq!(engine.list_users(&a).await.unwrap().len(), 1);
    let principal = by_key(&engine, &key.key).await.unwrap();
    assert_eq!(
        principal.tenant, a,
        "the key still works, in its own tenant"
    );

    // The same user name in another tenant is another user.
    engine
        .create_user(&b, "ann", "another long password", Role::Viewer)
        .await
        .unwrap();
    let token = engine
        .login(&b, "ann", "another long password")
        .await
        .unwrap()
        .token;
    let principal = by_token(&engine, &token).await.unwrap();
    assert_eq!(
        (principal.tenant, principal.role),
        (b.clone(), Role::Viewer)
    );
    assert_unauthenticated(
        engine.login(&a, "ann", "another long password").await,
        "wrong tenant",
    );
}

#[tokio::test]
async fn tenants_are_created_once_with_their_quotas() {
    let (engine, _dir) = engine().await;
    let t = unique_tenant("tenants");
    let quotas = Quotas {
        max_models: Some(4),
        max_stored_rows: Some(1_000),
        max_streams: None,
    };
    let created = engine.create_tenant(&t, quotas.clone()).await.unwrap();
    assert_eq!(
        (created.name.as_str(), &created.quotas),
        (t.as_str(), &quotas)
    );
    let err = engine
        .create_tenant(&t, Quotas::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.to_string(), format!("tenant '{t}' already exists"));
    assert_eq!(engine.list_tenants().await.unwrap(), vec![created]);
    assert_eq!(engine.tenant_quotas(&t).await.unwrap(), quotas);
    assert_eq!(
        engine.tenant_quotas("never-created").await.unwrap(),
        Quotas::default()
    );
    let err = engine
        .create_tenant("bad name", Quotas::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}
