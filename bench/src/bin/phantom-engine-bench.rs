//! Predictions through the engine against phantom-ml called directly, in one run: single-row
//! latency (p50/p99/mean) and batch throughput, with and without inference logging, with and
//! without the Redis prediction cache. Prints a markdown table and one JSON object per line.
//!
//! Used by `bench/engine.sh`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use phantom_engine::data::{FeatureColumns, read_table};
use phantom_engine::{DataSource, Engine, EngineConfig, ModelConfig, TENANT_DEFAULT as T};
use phantom_ml::model::Model;
use serde_json::json;

/// Engine overhead benchmark.
#[derive(Parser)]
struct Args {
    /// Training file (header row, numeric features, a `label` column).
    #[arg(long, default_value = "bench/data/nslkdd_train.csv")]
    train: PathBuf,
    /// Test file with the same columns; its rows are predicted.
    #[arg(long, default_value = "bench/data/nslkdd_test.csv")]
    test: PathBuf,
    /// Trees in the random forest.
    #[arg(long, default_value_t = 100)]
    trees: usize,
    /// Single-row predictions timed per configuration.
    #[arg(long, default_value_t = 20_000)]
    single_rows: usize,
    /// Timed batch predictions of the whole test file per configuration; the median is kept.
    #[arg(long, default_value_t = 5)]
    repeats: usize,
    /// Redis for the cache runs (skipped, and said so, when unset).
    #[arg(long, env = "PHANTOM_BENCH_REDIS_URL")]
    redis_url: Option<String>,
}

/// Latency figures of single-row predictions, in microseconds.
struct Latency {
    p50: f64,
    p99: f64,
    mean: f64,
}

fn latency(mut micros: Vec<f64>) -> Latency {
    micros.sort_by(f64::total_cmp);
    let at = |q: f64| micros[((micros.len() as f64 * q) as usize).min(micros.len() - 1)];
    Latency {
        p50: at(0.50),
        p99: at(0.99),
        mean: micros.iter().sum::<f64>() / micros.len() as f64,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> Result<()> {
    let test = read_table(
        &args.test,
        FeatureColumns::AllExcept(&[]),
        Some("label"),
        true,
    )
    .context("reading the test file (run bench/engine.sh to create it)")?;
    let rows64: Vec<Vec<f64>> = test
        .x
        .rows()
        .map(|r| r.iter().map(|&v| f64::from(v)).collect())
        .collect();
    let dir = tempfile::tempdir()?;
    let config = |log: bool, redis: Option<String>| {
        let mut c = EngineConfig {
            data_dir: dir.path().to_owned(),
            redis_url: redis,
            ..EngineConfig::default()
        };
        c.inference_log.enabled = log;
        c.inference_log.queue_capacity = 1 << 22;
        c
    };

    // Train once through the engine; every configuration serves this same version.
    let engine = Engine::open(config(false, None)).await?;
    let spec = format!(
        r#"{{"name": "bench", "algorithm": "random_forest", "validation_split": 0, "hyperparameters": {{"n_trees": {}, "seed": 0}}}}"#,
        args.trees
    );
    let model = engine
        .create_model(T, ModelConfig::from_json(&spec)?)
        .await?;
    let started = Instant::now();
    engine
        .train(
            T,
            &model.id,
            DataSource::Csv {
                path: args.train.clone(),
                label: Some("label".into()),
            },
        )
        .await?
        .wait()
        .await?;
    eprintln!("trained in {:.1} s", started.elapsed().as_secs_f64());
    let raw = load_served_model(&engine, &model.id).await?;
    engine.close().await;
    drop(engine);

    let mut results = Vec::new();
    let n = args.single_rows;
    let pick = |i: usize| i * 7919 % test.x.n_rows();

    // phantom-ml directly: f32 rows prepared in advance, one reused probability buffer.
    let mut out = vec![0.0; raw.class_names().len()];
    let mut micros = Vec::with_capacity(n);
    for i in 0..n {
        let row = test.x.row(pick(i));
        let t = Instant::now();
        raw.predict_proba_row(row, &mut out)?;
        micros.push(t.elapsed().as_secs_f64() * 1e6);
        std::hint::black_box(&out);
    }
    let raw_single = latency(micros);
    let mut raw_batch = Vec::new();
    for _ in 0..args.repeats {
        let t = Instant::now();
        std::hint::black_box(raw.predict(&test.x)?);
        raw_batch.push(test.x.n_rows() as f64 / t.elapsed().as_secs_f64());
    }
    let raw_rows_per_s = median(raw_batch);
    results.push(
        json!({"path": "phantom-ml direct", "p50_us": raw_single.p50, "p99_us": raw_single.p99,
        "mean_us": raw_single.mean, "batch_rows_per_s": raw_rows_per_s}),
    );
    println!(
        "| path | single p50 µs | single p99 µs | single mean µs | added to p50 µs | batch rows/s | batch vs direct |"
    );
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| phantom-ml direct | {:.2} | {:.2} | {:.2} | — | {:.0} | 1.00 |",
        raw_single.p50, raw_single.p99, raw_single.mean, raw_rows_per_s
    );

    let mut runs: Vec<(&str, bool, Option<String>)> = vec![
        ("engine, logging off", false, None),
        ("engine, logging every prediction", true, None),
    ];
    match &args.redis_url {
        Some(url) => runs.push((
            "engine + Redis cache, logging off",
            false,
            Some(url.clone()),
        )),
        None => eprintln!("Redis runs skipped: set PHANTOM_BENCH_REDIS_URL or --redis-url"),
    }
    for (label, log, redis) in runs {
        let with_redis = redis.is_some();
        let engine = Engine::open(config(log, redis)).await?;
        engine.predict(T, &model.id, &rows64[0]).await?;
        let passes: &[&str] = if with_redis {
            &["misses", "hits"]
        } else {
            &[""]
        };
        for pass in passes {
            let mut micros = Vec::with_capacity(n);
            for i in 0..n {
                let row = &rows64[if *pass == "hits" {
                    pick(i % 1000)
                } else {
                    pick(i)
                }];
                let t = Instant::now();
                std::hint::black_box(engine.predict(T, &model.id, row).await?);
                micros.push(t.elapsed().as_secs_f64() * 1e6);
            }
            let single = latency(micros);
            let mut batch = Vec::new();
            if !with_redis || *pass == "hits" {
                for _ in 0..args.repeats {
                    let b = engine.predict_batch(T, &model.id, rows64.clone()).await?;
                    batch.push(b.throughput_per_second);
                }
            }
            let rows_per_s = if batch.is_empty() {
                None
            } else {
                Some(median(batch))
            };
            let name = if pass.is_empty() {
                label.to_owned()
            } else {
                format!("{label} ({pass})")
            };
            println!(
                "| {name} | {:.2} | {:.2} | {:.2} | {:+.2} | {} | {} |",
                single.p50,
                single.p99,
                single.mean,
                single.p50 - raw_single.p50,
                rows_per_s.map_or("—".into(), |r| format!("{r:.0}")),
                rows_per_s.map_or("—".into(), |r| format!("{:.2}", r / raw_rows_per_s)),
            );
            results.push(
                json!({"path": name, "p50_us": single.p50, "p99_us": single.p99,
                "mean_us": single.mean, "added_p50_us": single.p50 - raw_single.p50,
                "batch_rows_per_s": rows_per_s}),
            );
        }
        let stats = engine.performance_stats();
        if let Some(cache) = &stats.prediction_cache {
            eprintln!("{label}: cache hit ratio {:.3}", cache.hit_ratio);
        }
        engine.close().await;
        let logged = engine.performance_stats().inference_log;
        if log {
            eprintln!(
                "{label}: {} records logged, {} dropped",
                logged.written, logged.dropped
            );
        }
    }
    for r in results {
        eprintln!("{r}");
    }
    Ok(())
}

/// The model the engine serves, loaded from its stored artifact through an export.
async fn load_served_model(engine: &Engine, model: &str) -> Result<Model> {
    let export = engine.export_model(T, model, None).await?;
    let manifest_len = u32::from_le_bytes(export[10..14].try_into()?) as usize;
    let start = 14 + manifest_len + 8;
    Ok(Model::from_bytes(&export[start..export.len() - 32])?)
}
