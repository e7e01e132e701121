//! Fixtures: an engine on a fresh data directory, the bundled datasets, and small models.

use std::path::PathBuf;

use phantom_engine::{
    DataSource, Engine, EngineConfig, ModelConfig, ModelInfo, TENANT_DEFAULT, VersionInfo,
};

pub const T: &str = TENANT_DEFAULT;

/// An engine on its own temporary data directory (kept alive by the returned guard).
pub async fn engine() -> (Engine, tempfile::TempDir) {
    engine_with(|_| {}).await
}

/// An engine on its own temporary data directory, with `tweak` applied to its config.
pub async fn engine_with(tweak: impl FnOnce(&mut EngineConfig)) -> (Engine, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = EngineConfig {
        data_dir: dir.path().to_owned(),
        ..EngineConfig::default()
    };
    tweak(&mut config);
    (Engine::open(config).await.unwrap(), dir)
}

/// A bundled dataset (repository `datasets/`).
pub fn dataset(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../datasets")
        .join(name)
}

/// Creates a model from JSON config.
pub async fn create(engine: &Engine, json: &str) -> ModelInfo {
    engine
        .create_model(T, ModelConfig::from_json(json).unwrap())
        .await
        .unwrap()
}

/// Trains `model` on a CSV file with label column `label` and waits for the version.
pub async fn train_csv(engine: &Engine, model: &str, file: &str, label: &str) -> VersionInfo {
    engine
        .train(
            T,
            model,
            DataSource::Csv {
                path: dataset(file),
                label: Some(label.into()),
            },
        )
        .await
        .unwrap()
        .wait()
        .await
        .unwrap()
}

/// The iris rows as features and species labels.
pub fn iris() -> (Vec<Vec<f64>>, Vec<String>) {
    let text = std::fs::read_to_string(dataset("iris.csv")).unwrap();
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        rows.push(cells[..4].iter().map(|c| c.parse().unwrap()).collect());
        labels.push(cells[4].to_string());
    }
    (rows, labels)
}

/// The URL in `var`, or `None` after saying on stderr that `suite` was not run.
pub fn service_url(var: &str, suite: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        Ok(_) | Err(_) => {
            eprintln!("{suite} was not run: {var} is not set");
            None
        }
    }
}

/// A tenant name no other test, in this run or another, uses.
pub fn unique_tenant(prefix: &str) -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    format!(
        "{prefix}-{}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

/// An engine on the data directory `dir` (another engine may share it), with `tweak`.
pub async fn engine_in(dir: &std::path::Path, tweak: impl FnOnce(&mut EngineConfig)) -> Engine {
    let mut config = EngineConfig {
        data_dir: dir.to_owned(),
        ..EngineConfig::default()
    };
    tweak(&mut config);
    Engine::open(config).await.unwrap()
}
