//! The Rust side of `bench/node.sh`: the same calls the Node.js package makes, on the same
//! model and rows, straight on phantom-engine. Reads the setup the Node script wrote (data
//! directory, model id, rows, call counts) and prints one JSON object: per call kind, each
//! call's latency in microseconds and the loop's total seconds. The Node script runs it once
//! per round, between its own rounds, and computes the figures over all rounds.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use phantom_engine::config::InferenceLogConfig;
use phantom_engine::{Engine, EngineConfig};
use serde_json::{Value, json};

/// Node-package comparison benchmark, Rust side.
#[derive(Parser)]
struct Args {
    /// The setup file written by bench/node-bench.js.
    #[arg(long)]
    setup: PathBuf,
}

/// Each call's latency in microseconds, and the seconds the loop took.
fn timings(micros: Vec<f64>, total_s: f64) -> Value {
    json!({ "micros": micros, "total_s": total_s })
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<()> {
    let args = Args::parse();
    let setup: Value = serde_json::from_slice(
        &std::fs::read(&args.setup).with_context(|| format!("reading {:?}", args.setup))?,
    )?;
    let text = |k: &str| -> Result<String> {
        setup[k]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("setup has no {k}"))
    };
    let count = |k: &str| -> Result<usize> {
        setup[k]
            .as_u64()
            .map(|n| n as usize)
            .with_context(|| format!("setup has no {k}"))
    };
    let rows: Vec<Vec<f64>> = serde_json::from_value(setup["rows"].clone())?;
    let batch: Vec<Vec<f64>> = serde_json::from_value(setup["batch"].clone())?;
    let model = text("model_id")?;
    let linear = text("linear_model_id")?;
    let engine = Engine::open(EngineConfig {
        data_dir: PathBuf::from(text("data_dir")?),
        inference_log: InferenceLogConfig {
            enabled: false,
            ..Default::default()
        },
        ..Default::default()
    })
    .await?;
    let t = phantom_engine::TENANT_DEFAULT;

    let mut out = serde_json::Map::new();
    for (name, model, calls, explain) in [
        ("predict", &model, count("predict_calls")?, false),
        ("predict_explained", &model, count("explain_calls")?, true),
        ("predict_linear", &linear, count("predict_calls")?, true),
    ] {
        for row in rows.iter().take(1_000) {
            engine.predict(t, model, row).await?;
        }
        let mut micros = Vec::with_capacity(calls);
        let started = Instant::now();
        for i in 0..calls {
            let row = &rows[i % rows.len()];
            let call = Instant::now();
            engine.predict(t, model, row).await?;
            if explain {
                engine.explain(t, model, row).await?;
            }
            micros.push(call.elapsed().as_secs_f64() * 1e6);
        }
        out.insert(
            name.into(),
            timings(micros, started.elapsed().as_secs_f64()),
        );
    }
    let calls = count("batch_calls")?;
    let mut micros = Vec::with_capacity(calls);
    let mut total = 0.0;
    for i in 0..calls + 5 {
        let input = batch.clone();
        let call = Instant::now();
        engine.predict_batch(t, &model, input).await?;
        let took = call.elapsed().as_secs_f64();
        if i >= 5 {
            micros.push(took * 1e6);
            total += took;
        }
    }
    out.insert("predict_batch".into(), timings(micros, total));
    engine.close().await;
    println!("{}", Value::Object(out));
    Ok(())
}
