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
    /// Single-row predictions timed per path and pass (at most the test rows).
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

    // Every path is measured in the same loop, one call each per row in turn, so that drift
    // of the machine (frequency, neighbours) touches them all alike.
    let mut paths: Vec<(String, Option<Engine>)> = vec![("phantom-ml direct".into(), None)];
    paths.push((
        "engine, logging off".into(),
        Some(Engine::open(config(false, None)).await?),
    ));
    paths.push((
        "engine, logging every prediction".into(),
        Some(Engine::open(config(true, None)).await?),
    ));
    match &args.redis_url {
        Some(url) => paths.push((
            "engine + Redis cache, logging off".into(),
            Some(Engine::open(config(false, Some(url.clone()))).await?),
        )),
        None => eprintln!("Redis runs skipped: set PHANTOM_BENCH_REDIS_URL or --redis-url"),
    }
    for (_, engine) in &paths {
        if let Some(e) = engine {
            e.predict(T, &model.id, &rows64[0]).await?;
        }
    }

    let n = args.single_rows.min(test.x.n_rows());
    // 7919 is prime and does not divide the row count, so the first n picks are distinct rows:
    // the first pass is all cache misses, the second (same rows) all hits.
    let pick = |i: usize| i * 7919 % test.x.n_rows();
    let mut out = vec![0.0; raw.class_names().len()];
    let mut timings: Vec<[Vec<f64>; 2]> = paths.iter().map(|_| [Vec::new(), Vec::new()]).collect();
    for pass in 0..2 {
        for i in 0..n {
            let r = pick(i);
            for (p, (_, engine)) in paths.iter().enumerate() {
                let t = Instant::now();
                match engine {
                    None => {
                        raw.predict_proba_row(test.x.row(r), &mut out)?;
                        std::hint::black_box(&out);
                    }
                    Some(e) => {
                        std::hint::black_box(e.predict(T, &model.id, &rows64[r]).await?);
                    }
                }
                timings[p][pass].push(t.elapsed().as_secs_f64() * 1e6);
            }
        }
    }

    let mut batch: Vec<Vec<f64>> = paths.iter().map(|_| Vec::new()).collect();
    for _ in 0..args.repeats {
        for (p, (_, engine)) in paths.iter().enumerate() {
            let rows_per_s = match engine {
                None => {
                    let t = Instant::now();
                    std::hint::black_box(raw.predict(&test.x)?);
                    test.x.n_rows() as f64 / t.elapsed().as_secs_f64()
                }
                Some(e) => {
                    let rows = rows64.clone();
                    let t = Instant::now();
                    std::hint::black_box(e.predict_batch(T, &model.id, rows).await?);
                    test.x.n_rows() as f64 / t.elapsed().as_secs_f64()
                }
            };
            batch[p].push(rows_per_s);
        }
    }

    println!(
        "| path | single p50 µs | single p99 µs | single mean µs | added to p50 µs | added to mean µs | batch rows/s | batch vs direct |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let direct = latency(timings[0][0].clone());
    let direct_batch = median(batch[0].clone());
    for (p, (name, engine)) in paths.iter().enumerate() {
        let cached = engine.as_ref().is_some_and(|e| e.config().redis_url.is_some());
        let passes: &[(usize, &str)] = if cached {
            &[(0, " (misses)"), (1, " (hits)")]
        } else {
            &[(0, "")]
        };
        for &(pass, suffix) in passes {
            let single = latency(timings[p][pass].clone());
            let rows_per_s = median(batch[p].clone());
            let (added_p50, added_mean) = if p == 0 {
                ("—".to_owned(), "—".to_owned())
            } else {
                (
                    format!("{:+.2}", single.p50 - direct.p50),
                    format!("{:+.2}", single.mean - direct.mean),
                )
            };
            println!(
                "| {name}{suffix} | {:.2} | {:.2} | {:.2} | {added_p50} | {added_mean} | {rows_per_s:.0} | {:.2} |",
                single.p50,
                single.p99,
                single.mean,
                rows_per_s / direct_batch
            );
            eprintln!(
                "{}",
                json!({"path": format!("{name}{suffix}"), "p50_us": single.p50, "p99_us": single.p99,
                    "mean_us": single.mean, "batch_rows_per_s": rows_per_s})
            );
        }
    }
    for (name, engine) in &paths {
        if let Some(e) = engine {
            e.close().await;
            let stats = e.performance_stats();
            if let Some(cache) = &stats.prediction_cache {
                eprintln!("{name}: cache hit ratio {:.3}", cache.hit_ratio);
            }
            if stats.inference_log.enabled {
                eprintln!(
                    "{name}: {} records logged, {} dropped",
                    stats.inference_log.written, stats.inference_log.dropped
                );
            }
        }
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
