//! `phantom models`: the stored-model lifecycle from the shell, on the embedded store and on
//! PostgreSQL when PHANTOM_TEST_POSTGRES_URL is set.

use crate::support::{dataset, phantom, workdir};

/// Where a test keeps its models: a data directory, or PostgreSQL with a tenant of its own.
fn store_args(kind: &str, dir: &std::path::Path) -> Option<Vec<String>> {
    match kind {
        "sqlite" => Some(vec![
            "--data-dir".into(),
            dir.join("store").display().to_string(),
        ]),
        _ => {
            let Ok(url) = std::env::var("PHANTOM_TEST_POSTGRES_URL") else {
                eprintln!(
                    "phantom models on PostgreSQL was not run: PHANTOM_TEST_POSTGRES_URL is not set"
                );
                return None;
            };
            let tenant = format!(
                "cli-{}-{}",
                std::process::id(),
                dir.display().to_string().len()
            );
            let unique = format!("{tenant}-{}", dir.file_name().unwrap().to_string_lossy());
            Some(vec![
                "--database-url".into(),
                url,
                "--tenant".into(),
                unique,
            ])
        }
    }
}

fn lifecycle(kind: &str) {
    let dir = workdir();
    let Some(store) = store_args(kind, dir.path()) else {
        return;
    };
    let models = |args: &[&str]| {
        let mut all: Vec<&str> = vec!["models"];
        all.extend(store.iter().map(String::as_str));
        all.extend_from_slice(args);
        phantom(dir.path(), &all)
    };
    let train = phantom(
        dir.path(),
        &[
            "train",
            "--data",
            &dataset("iris.csv"),
            "--label",
            "species",
            "--algorithm",
            "random_forest",
            "--trees",
            "10",
            "--out",
            "iris.phm",
        ],
    );
    train.json();

    assert_eq!(models(&["list"]).stdout, "no models\n");
    let imported = models(&["--json", "import", "iris.phm", "--name", "iris"]).json();
    assert_eq!(imported["name"], "iris");
    assert_eq!(imported["active_version"], 1);
    let id = imported["id"].as_str().unwrap().to_owned();

    let list = models(&["list"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    let lines: Vec<&str> = list.stdout.lines().collect();
    assert!(lines[0].starts_with("NAME"), "{}", list.stdout);
    assert!(
        lines[1].starts_with("iris ") && lines[1].contains(&id),
        "{}",
        list.stdout
    );

    let show = models(&["show", &id]);
    assert!(show.stdout.contains("petal_length"), "{}", show.stdout);

    let export = models(&["export", "iris", "--out", "iris.phx"]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    let copy = models(&["--json", "import", "iris.phx"]).json();
    assert_eq!(copy["name"], "iris-2");
    let versions = models(&["versions", "iris-2", "--json"]).json();
    assert_eq!(versions[0]["version"], 1);
    assert_eq!(versions[0]["origin"]["kind"], "imported");

    let err = models(&["activate", "iris", "4"]);
    assert_eq!(
        err.error().trim(),
        "error: model 'iris' has no version 4 (it has: 1)"
    );
    assert_eq!(models(&["activate", "iris", "1"]).code, 0);
    let err = models(&["show", "nope"]);
    assert!(err.error().contains("no model 'nope'"), "{}", err.stderr);
    std::fs::write(dir.path().join("junk.phx"), b"PHANTOMXjunk").unwrap();
    let err = models(&["import", "junk.phx"]);
    assert!(
        err.error()
            .contains("junk.phx: cannot import: the export is truncated"),
        "{}",
        err.stderr
    );

    assert_eq!(models(&["delete", "iris-2"]).code, 0);
    assert_eq!(
        models(&["--json", "list"]).json().as_array().unwrap().len(),
        1
    );
    assert_eq!(models(&["delete", "iris"]).code, 0);
}

#[test]
fn models_lifecycle_on_the_embedded_store() {
    lifecycle("sqlite");
}

#[test]
fn models_lifecycle_on_postgres() {
    lifecycle("postgres");
}

#[test]
fn a_bad_database_url_is_named() {
    let dir = workdir();
    let run = phantom(
        dir.path(),
        &["models", "--database-url", "mysql://x", "list"],
    );
    assert!(
        run.error()
            .contains("invalid database location 'mysql://x'"),
        "{}",
        run.stderr
    );
}
