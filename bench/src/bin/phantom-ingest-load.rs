//! Load generator and in-process stages of the full-path ingestion benchmark
//! (`bench/ingest.sh`): OTLP log exports of several services, in protobuf, OTLP/JSON or
//! protobuf + gzip, sent to `POST /v1/logs` of a running `phantom serve`; the raw zstd
//! throughput of the same log text; and decode, detect and store timed in this process.
//! Each subcommand prints one JSON object per line.

use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args as ClapArgs, Parser, Subcommand};
use phantom_bench::ingest::{Format, ServerProcess, Workload, load, median, raw_zstd, stages};
use serde_json::json;

/// Full-path ingestion benchmark.
#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sends the workload to a server for a fixed time and reports its speed and cost.
    Load(LoadArgs),
    /// Compresses the workload's log text with zstd, one thread.
    Zstd(WorkloadArgs),
    /// Runs decode, detect and store in this process, one task.
    Stages(StagesArgs),
}

/// The bodies.
#[derive(ClapArgs)]
struct WorkloadArgs {
    /// How bodies are encoded.
    #[arg(long, value_enum, default_value_t = Format::Protobuf)]
    format: Format,
    /// Log records per export (the OpenTelemetry SDK's default batch is 512).
    #[arg(long, default_value_t = 512)]
    records: usize,
    /// Services, each its own stream.
    #[arg(long, default_value_t = 8)]
    services: usize,
    /// Distinct exports per service, sent round and round.
    #[arg(long, default_value_t = 8)]
    exports: usize,
    /// Timed passes (zstd: the median is kept; stages: passes over the bodies).
    #[arg(long, default_value_t = 5)]
    repeats: usize,
}

impl WorkloadArgs {
    fn build(&self) -> Result<Workload> {
        Workload::build(self.format, self.records, self.services, self.exports)
    }
}

#[derive(ClapArgs)]
struct LoadArgs {
    #[command(flatten)]
    workload: WorkloadArgs,
    /// The server, host:port.
    #[arg(long, default_value = "127.0.0.1:18081")]
    addr: String,
    /// An API key allowed to ingest and to read `/metrics`.
    #[arg(long, env = "PHANTOM_KEY", hide_env_values = true)]
    key: String,
    /// The server's process id, for its CPU time and peak memory.
    #[arg(long)]
    server_pid: u32,
    /// Connections, each sending one request at a time.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Seconds of sending.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// A label for the report (e.g. the database).
    #[arg(long, default_value = "sqlite")]
    label: String,
}

#[derive(ClapArgs)]
struct StagesArgs {
    #[command(flatten)]
    workload: WorkloadArgs,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Command::Load(args) => runtime.block_on(load_command(args)),
        Command::Zstd(args) => {
            let workload = args.build()?;
            let texts = workload.texts()?;
            let (lines_per_s, ratio) = raw_zstd(&texts, args.repeats)?;
            let line = json!({
                "lines": texts.iter().map(Vec::len).sum::<usize>(),
                "block_lines": workload.records,
                "lines_per_s": lines_per_s,
                "compressed_ratio": ratio,
            });
            println!("{line}");
            Ok(())
        }
        Command::Stages(args) => {
            let workload = args.workload.build()?;
            for stage in runtime.block_on(stages::run(&workload, args.workload.repeats))? {
                let line = json!({
                    "stage": stage.name,
                    "format": workload.format.name(),
                    "records_per_body": workload.records,
                    "records": stage.records,
                    "records_per_s": stage.records as f64 / stage.seconds,
                    "records_per_cpu_s": stage.records as f64 / stage.cpu_seconds.max(0.01),
                    "cpu_seconds": stage.cpu_seconds,
                    "anomalies": stage.anomalies,
                });
                println!("{line}");
            }
            Ok(())
        }
    }
}

async fn load_command(args: LoadArgs) -> Result<()> {
    let workload = args.workload.build()?;
    let target = load::Target {
        addr: args.addr.clone(),
        key: args.key.clone(),
    };
    let server = ServerProcess::new(args.server_pid);
    let anomalies_before = load::logs_counter(&target, "phantom_anomalies_found_total").await?;
    let records_before = load::logs_counter(&target, "phantom_ingested_records_total").await?;
    let cpu_before = server.cpu_seconds()?;
    let outcome = load::run(
        &target,
        &workload,
        args.concurrency,
        Duration::from_secs(args.seconds),
    )
    .await?;
    let cpu = server.cpu_seconds()? - cpu_before;
    let anomalies =
        load::logs_counter(&target, "phantom_anomalies_found_total").await? - anomalies_before;
    let stored =
        load::logs_counter(&target, "phantom_ingested_records_total").await? - records_before;
    let records = outcome.requests as f64 * workload.records as f64;
    anyhow::ensure!(
        (stored - records).abs() < 0.5,
        "the server counted {stored} records applied, the answers {records}"
    );
    let seconds = outcome.elapsed.as_secs_f64();
    let ms = |q: f64| -> f64 {
        let mut l: Vec<f64> = outcome
            .latencies
            .iter()
            .map(|d| d.as_secs_f64() * 1e3)
            .collect();
        l.sort_by(f64::total_cmp);
        l.get(((l.len() as f64 * q) as usize).min(l.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    };
    let line = json!({
        "database": args.label,
        "format": workload.format.name(),
        "records_per_body": workload.records,
        "concurrency": args.concurrency,
        "seconds": seconds,
        "requests": outcome.requests,
        "failures": outcome.failures,
        "first_failure": outcome.first_failure,
        "requests_per_s": outcome.requests as f64 / seconds,
        "records_per_s": records / seconds,
        "p50_ms": median(outcome.latencies.iter().map(|d| d.as_secs_f64() * 1e3).collect()),
        "p99_ms": ms(0.99),
        "anomalies": anomalies,
        "server_cpu_s": cpu,
        "records_per_cpu_s": records / cpu.max(0.01),
        "server_peak_rss_bytes": server.peak_rss_bytes().context("reading the server's memory")?,
    });
    println!("{line}");
    Ok(())
}
