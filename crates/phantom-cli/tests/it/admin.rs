//! `phantom admin`: tenants, users, keys and the audit log from the shell, on the embedded
//! store and on PostgreSQL when PHANTOM_TEST_POSTGRES_URL is set; the keys it prints work
//! with the engine, and revoking them ends them.

use phantom_engine::auth::{Credential, Role};
use phantom_engine::{Engine, EngineConfig};

use crate::support::{phantom, phantom_with_stdin, workdir};

/// A tenant name of its own for each run.
fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{}-{nanos}", std::process::id())
}

/// The store flags of a test: a data directory, or PostgreSQL.
fn store_args(kind: &str, dir: &std::path::Path) -> Option<Vec<String>> {
    match kind {
        "sqlite" => Some(vec![
            "--data-dir".into(),
            dir.join("store").display().to_string(),
        ]),
        _ => match std::env::var("PHANTOM_TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => Some(vec!["--database-url".into(), url]),
            Ok(_) | Err(_) => {
                eprintln!(
                    "phantom admin on PostgreSQL was not run: PHANTOM_TEST_POSTGRES_URL is not set"
                );
                None
            }
        },
    }
}

/// An engine on the same store as the flags name.
async fn engine_for(store: &[String], dir: &std::path::Path) -> Engine {
    let mut config = EngineConfig {
        data_dir: dir.join("unused"),
        ..EngineConfig::default()
    };
    match store[0].as_str() {
        "--data-dir" => config.data_dir = store[1].clone().into(),
        _ => config.database_url = Some(store[1].clone()),
    }
    config.inference_log.enabled = false;
    // This engine checks keys that another process revokes: read them fresh every time.
    config.auth.key_cache_ms = 0;
    Engine::open(config).await.unwrap()
}

fn lifecycle(kind: &str) {
    let dir = workdir();
    let Some(store) = store_args(kind, dir.path()) else {
        return;
    };
    let t = unique("cli-admin");
    let with = |args: &[&str]| {
        let mut all: Vec<String> = vec!["admin".into()];
        all.extend(store.iter().cloned());
        all.extend(["--tenant".to_owned(), t.clone()]);
        all.extend(args.iter().map(|a| (*a).to_owned()));
        all
    };
    let admin = |args: &[&str]| {
        let all = with(args);
        phantom(
            dir.path(),
            &all.iter().map(String::as_str).collect::<Vec<_>>(),
        )
    };
    let admin_stdin = |args: &[&str], input: &str| {
        let all = with(args);
        phantom_with_stdin(
            dir.path(),
            &all.iter().map(String::as_str).collect::<Vec<_>>(),
            input,
        )
    };

    let created = admin(&[
        "--json",
        "tenants",
        "create",
        &t,
        "--max-models",
        "5",
        "--max-stored-rows",
        "1000",
        "--max-streams",
        "300",
    ])
    .json();
    assert_eq!(created["name"], t.as_str());
    assert_eq!(created["quotas"]["max_models"], 5);
    assert_eq!(created["quotas"]["max_streams"], 300);
    let listed = admin(&["tenants", "list"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let line = listed.stdout.lines().find(|l| l.starts_with(&t)).unwrap();
    assert!(
        line.contains(" 5 ") && line.contains(" 1000 ") && line.ends_with("300"),
        "{line}"
    );
    assert!(
        admin(&["tenants", "create", &t])
            .error()
            .contains("already exists")
    );

    let user = admin_stdin(
        &[
            "users",
            "create",
            "ann",
            "--role",
            "developer",
            "--password-stdin",
        ],
        "correct horse battery\n",
    );
    assert_eq!(user.code, 0, "{}", user.stderr);
    assert_eq!(
        user.stdout,
        format!("created user ann (developer) in tenant {t}\n")
    );
    let users = admin(&["--json", "users", "list"]).json();
    assert_eq!(users.as_array().unwrap().len(), 1);
    assert_eq!(users[0]["role"], "developer");
    assert!(!users.to_string().contains("argon2"));

    let no_stdin = admin(&["users", "create", "bob", "--role", "viewer"]);
    assert!(
        no_stdin.error().contains("--password-stdin"),
        "{}",
        no_stdin.stderr
    );
    let short = admin_stdin(
        &[
            "users",
            "create",
            "bob",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        "short\n",
    );
    assert!(short.error().contains("at least 12 characters"));
    let bad_role = admin(&["users", "create", "bob", "--role", "root"]);
    assert_eq!(bad_role.code, 2, "{}", bad_role.stderr);
    assert!(
        bad_role.stderr.contains("'root' is not a role"),
        "{}",
        bad_role.stderr
    );

    let key = admin(&[
        "keys",
        "create",
        "ci-deploy",
        "--role",
        "viewer",
        "--expires-in-days",
        "30",
        "--rate-limit",
        "20",
    ]);
    assert_eq!(key.code, 0, "{}", key.stderr);
    let secret = key.stdout.trim_end().to_owned();
    assert_eq!(key.stdout.lines().count(), 1, "only the key on stdout");
    assert!(secret.starts_with("phk_") && secret.len() == 53, "{secret}");
    assert!(
        key.stderr.contains("only time it is shown"),
        "{}",
        key.stderr
    );

    let keys = admin(&["--json", "keys", "list"]).json();
    let listed = &keys.as_array().unwrap()[0];
    assert_eq!(listed["name"], "ci-deploy");
    assert_eq!(listed["rate_limit_per_second"], 20);
    assert!(listed["expires_at"].as_i64().is_some());
    assert!(
        !keys.to_string().contains(&secret[13..]),
        "never the secret"
    );
    let id = listed["id"].as_str().unwrap().to_owned();
    let table = admin(&["keys", "list"]).stdout;
    assert!(
        table.contains("active") && table.contains("20/s"),
        "{table}"
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let engine = runtime.block_on(engine_for(&store, dir.path()));
    let principal = runtime
        .block_on(engine.authenticate(Credential::ApiKey(&secret)))
        .unwrap();
    assert_eq!(
        (principal.tenant.as_str(), principal.role),
        (t.as_str(), Role::Viewer)
    );
    let token = runtime
        .block_on(engine.login(&t, "ann", "correct horse battery"))
        .unwrap();
    assert!(!token.token.is_empty());

    let revoked = admin(&["keys", "revoke", &id]);
    assert_eq!(revoked.code, 0, "{}", revoked.stderr);
    assert!(admin(&["keys", "list"]).stdout.contains("revoked"));
    let err = runtime
        .block_on(engine.authenticate(Credential::ApiKey(&secret)))
        .unwrap_err();
    assert!(err.to_string().contains("revoked"), "{err}");
    assert!(
        admin(&["keys", "revoke", "no-such-id"])
            .error()
            .contains("no API key")
    );

    assert_eq!(admin(&["users", "delete", "ann"]).code, 0);
    assert!(
        admin(&["users", "delete", "ann"])
            .error()
            .contains("no user 'ann'")
    );
    assert_eq!(admin(&["users", "list"]).stdout, "no users\n");

    let audit = admin(&["--json", "audit"]).json();
    let actions: Vec<(&str, &str)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["result"].as_str().unwrap()))
        .collect();
    assert_eq!(
        actions,
        [
            ("users.delete", "failed"),
            ("users.delete", "success"),
            ("keys.revoke", "failed"),
            ("keys.revoke", "success"),
            ("keys.create", "success"),
            ("users.create", "failed"),
            ("users.create", "success"),
            ("tenants.create", "failed"),
            ("tenants.create", "success"),
        ],
        "newest first; the bad role never reached the store"
    );
    assert!(audit[0]["actor"].as_str().unwrap().starts_with("cli:"));
    let failed = admin(&["audit", "--result", "failed", "--limit", "2"]);
    assert_eq!(failed.code, 0, "{}", failed.stderr);
    assert_eq!(failed.stdout.lines().count(), 3, "{}", failed.stdout);
    assert!(failed.stdout.contains("no user 'ann'"));
    assert_eq!(admin(&["audit", "--result", "maybe"]).code, 2);
    runtime.block_on(engine.close());
}

#[test]
fn admin_manages_access_on_the_embedded_store() {
    lifecycle("sqlite");
}

#[test]
fn admin_manages_access_on_postgres() {
    lifecycle("postgres");
}

#[test]
fn admin_help_names_roles_and_examples() {
    let dir = workdir();
    let help = phantom(dir.path(), &["admin", "--help"]);
    assert_eq!(help.code, 0);
    for word in [
        "tenants",
        "users",
        "keys",
        "audit",
        "auditor",
        "--password-stdin",
    ] {
        assert!(help.stdout.contains(word), "admin --help lacks {word}");
    }
}
