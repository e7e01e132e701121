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

    // Each engine path is measured call by call in one loop with the direct path, so that
    // drift of the machine (frequency, neighbours) touches both alike; each row compares with
    // the direct path of its own loop. The logging and Redis paths get loops of their own: the
    // log writer's work and the Redis round trips (which evict the caches) would otherwise
    // slow the paths beside them.
    let serving = vec![
        Path::direct(),
        Path::engine("engine, logging off", config(false, None)).await?,
    ];
    let cached = match &args.redis_url {
        Some(url) => vec![
            Path::direct(),
            Path::engine(
                "engine + Redis cache, logging off",
                config(false, Some(url.clone())),
            )
            .await?,
        ],
        None => {
            eprintln!("Redis runs skipped: set PHANTOM_BENCH_REDIS_URL or --redis-url");
            Vec::new()
        }
    };
    let logging = vec![
        Path::direct(),
        Path::engine("engine, logging every prediction", config(true, None)).await?,
    ];
    let bench = Bench {
        raw: &raw,
        model: &model.id,
        test: &test.x,
        rows64: &rows64,
        n: args.single_rows.min(test.x.n_rows()),
        repeats: args.repeats,
    };
    let first = bench.measure(&serving).await?;
    let second = bench.measure(&logging).await?;
    let third = if cached.is_empty() {
        Vec::new()
    } else {
        bench.measure(&cached).await?
    };

    println!(
        "| path | single p50 µs | single p99 µs | single mean µs | added to p50 µs | added to mean µs | batch rows/s (f64 rows) | vs direct | batch rows/s (matrix) | vs direct |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    print_rows(&serving, &first, true);
    print_rows(&logging, &second, false);
    if !cached.is_empty() {
        print_rows(&cached, &third, false);
    }
    for path in serving.iter().chain(&logging).chain(&cached) {
        if let Some(e) = &path.engine {
            e.close().await;
            let stats = e.performance_stats();
            if let Some(cache) = &stats.prediction_cache {
                eprintln!("{}: cache hit ratio {:.3}", path.name, cache.hit_ratio);
            }
            if stats.inference_log.enabled {
                eprintln!(
                    "{}: {} records logged, {} dropped",
                    path.name, stats.inference_log.written, stats.inference_log.dropped
                );
            }
        }
    }
    Ok(())
}

/// One way of predicting: phantom-ml directly, or an engine.
struct Path {
    name: String,
    engine: Option<Engine>,
}

impl Path {
    fn direct() -> Self {
        Path {
            name: "phantom-ml direct".into(),
            engine: None,
        }
    }

    async fn engine(name: &str, config: EngineConfig) -> Result<Self> {
        Ok(Path {
            name: name.into(),
            engine: Some(Engine::open(config).await?),
        })
    }

    fn cached(&self) -> bool {
        self.engine
            .as_ref()
            .is_some_and(|e| e.config().redis_url.is_some())
    }
}

/// Timings of one path: single-row µs per pass (the second pass repeats the first's rows, so
/// with Redis it is all hits) and batch rows/s per repetition.
struct Measured {
    single: [Vec<f64>; 2],
    batch: Vec<f64>,
    matrix: Vec<f64>,
}

/// What every path predicts.
struct Bench<'a> {
    raw: &'a Model,
    model: &'a str,
    test: &'a phantom_ml::Matrix,
    rows64: &'a [Vec<f64>],
    n: usize,
    repeats: usize,
}

impl Bench<'_> {
    async fn measure(&self, paths: &[Path]) -> Result<Vec<Measured>> {
        for path in paths {
            if let Some(e) = &path.engine {
                e.predict(T, self.model, &self.rows64[0]).await?;
            }
        }
        // 7919 is prime and does not divide the row count, so the first n picks are distinct.
        let pick = |i: usize| i * 7919 % self.test.n_rows();
        let mut out = vec![0.0; self.raw.class_names().len()];
        let mut measured: Vec<Measured> = paths
            .iter()
            .map(|_| Measured {
                single: [Vec::new(), Vec::new()],
                batch: Vec::new(),
                matrix: Vec::new(),
            })
            .collect();
        for pass in 0..2 {
            for i in 0..self.n {
                let r = pick(i);
                for (path, m) in paths.iter().zip(&mut measured) {
                    let t = Instant::now();
                    match &path.engine {
                        None => {
                            self.raw.predict_proba_row(self.test.row(r), &mut out)?;
                            std::hint::black_box(&out);
                        }
                        Some(e) => {
                            std::hint::black_box(e.predict(T, self.model, &self.rows64[r]).await?);
                        }
                    }
                    m.single[pass].push(t.elapsed().as_secs_f64() * 1e6);
                }
            }
        }
        for _ in 0..self.repeats {
            for (path, m) in paths.iter().zip(&mut measured) {
                let rows = self.rows64.to_vec();
                let t = Instant::now();
                match &path.engine {
                    None => {
                        std::hint::black_box(self.raw.predict(self.test)?);
                    }
                    Some(e) => {
                        std::hint::black_box(e.predict_batch(T, self.model, rows).await?);
                    }
                }
                let rows_per_s = self.test.n_rows() as f64 / t.elapsed().as_secs_f64();
                m.batch.push(rows_per_s);
                match &path.engine {
                    None => m.matrix.push(rows_per_s),
                    Some(e) => {
                        let x = self.test.clone();
                        let t = Instant::now();
                        std::hint::black_box(e.predict_matrix(T, self.model, x).await?);
                        m.matrix
                            .push(self.test.n_rows() as f64 / t.elapsed().as_secs_f64());
                    }
                }
            }
        }
        Ok(measured)
    }
}

/// Prints one table row per path (two for a cached path: misses, then hits), each compared
/// with the direct path measured in the same loop (the first).
fn print_rows(paths: &[Path], measured: &[Measured], with_direct: bool) {
    let direct = latency(measured[0].single[0].clone());
    let direct_batch = median(measured[0].batch.clone());
    for (p, (path, m)) in paths.iter().zip(measured).enumerate() {
        if p == 0 && !with_direct {
            continue;
        }
        let passes: &[(usize, &str)] = if path.cached() {
            &[(0, " (misses)"), (1, " (hits)")]
        } else {
            &[(0, "")]
        };
        for &(pass, suffix) in passes {
            let single = latency(m.single[pass].clone());
            let rows_per_s = median(m.batch.clone());
            let matrix_per_s = median(m.matrix.clone());
            let (added_p50, added_mean) = if p == 0 {
                ("—".to_owned(), "—".to_owned())
            } else {
                (
                    format!("{:+.2}", single.p50 - direct.p50),
                    format!("{:+.2}", single.mean - direct.mean),
                )
            };
            println!(
                "| {}{suffix} | {:.2} | {:.2} | {:.2} | {added_p50} | {added_mean} | {rows_per_s:.0} | {:.2} | {matrix_per_s:.0} | {:.2} |",
                path.name,
                single.p50,
                single.p99,
                single.mean,
                rows_per_s / direct_batch,
                matrix_per_s / direct_batch
            );
            eprintln!(
                "{}",
                json!({"path": format!("{}{suffix}", path.name), "p50_us": single.p50,
                    "p99_us": single.p99, "mean_us": single.mean, "batch_rows_per_s": rows_per_s,
                    "direct_p50_us": direct.p50, "direct_batch_rows_per_s": direct_batch})
            );
        }
    }
}

/// The model the engine serves, loaded from its stored artifact through an export.
async fn load_served_model(engine: &Engine, model: &str) -> Result<Model> {
    let export = engine.export_model(T, model, None).await?;
    let manifest_len = u32::from_le_bytes(export[10..14].try_into()?) as usize;
    let start = 14 + manifest_len + 8;
    Ok(Model::from_bytes(&export[start..export.len() - 32])?)
}
