//! Speed of OTLP log decoding on one core: a realistic `ExportLogsServiceRequest` (an SDK's
//! resource with nine attributes, one scope, records with severity, a text body of about 100
//! bytes, four attributes, trace and span ids) in protobuf and in OTLP/JSON, each plain and
//! gzip-compressed, is decoded into Phantom's flat records again and again. Prints a markdown
//! table with records/s and MB/s of the body as sent (median of the repeats), by the wall clock
//! and by the thread's CPU time (Linux `schedstat`), which other processes on a busy machine do
//! not inflate. Each body is decoded into self-contained records (`decode_logs`) and into a
//! batch whose records share their resource's attributes (`decode`); the first row is the
//! protobuf parse alone, without flattening, for scale.

use std::hint::black_box;
use std::time::Instant;

use anyhow::{Result, ensure};
use clap::Parser;
use phantom_bench::otlp_logs::{gzip, request, to_json};
use phantom_otlp::proto::collector::ExportLogsServiceRequest;
use phantom_otlp::{BodyFormat, Signal, decode, decode_body, decode_logs};
use prost::Message;

/// OTLP decoding benchmark.
#[derive(Parser)]
struct Args {
    /// Log records in the request.
    #[arg(long, default_value_t = 10_000)]
    records: usize,
    /// Timed runs of each path; the median is kept.
    #[arg(long, default_value_t = 7)]
    repeats: usize,
    /// Decodes of the request within one timed run.
    #[arg(long, default_value_t = 10)]
    decodes: usize,
}

/// One way of decoding a request, returning how many records it produced.
type Decode<'a> = Box<dyn Fn() -> Result<usize> + 'a>;

/// What the decoding produces.
#[derive(Clone, Copy)]
enum Form {
    /// Self-contained records (`decode_logs`).
    Records,
    /// Records sharing their origin (`decode`).
    Batch,
}

impl Form {
    fn name(self) -> &'static str {
        match self {
            Form::Records => "records",
            Form::Batch => "batch",
        }
    }
}

/// The full path the server takes: undo the content encoding, then decode the logs.
fn decoder<'a>(
    body: &'a [u8],
    encoding: Option<&'static str>,
    format: BodyFormat,
    form: Form,
) -> Decode<'a> {
    Box::new(move || {
        let body = decode_body(body, encoding, 256 << 20)?;
        Ok(match form {
            Form::Records => decode_logs(&body, format)?.records.len(),
            Form::Batch => decode(Signal::Logs, &body, format)?.records.len(),
        })
    })
}

/// Nanoseconds this thread has run on a CPU, from `/proc/thread-self/schedstat`; `None` where
/// that file does not exist.
fn cpu_nanos() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<()> {
    let args = Args::parse();
    let request = request("checkout", 0..args.records);
    let protobuf = request.encode_to_vec();
    let json = serde_json::to_vec(&to_json(&request))?;
    let protobuf_gz = gzip(&protobuf)?;
    let json_gz = gzip(&json)?;

    let parse_only: Decode = Box::new(|| {
        let request = ExportLogsServiceRequest::decode(protobuf.as_slice())?;
        Ok(request.resource_logs[0].scope_logs[0].log_records.len())
    });
    let mut paths: Vec<(String, &[u8], Decode)> = vec![(
        "protobuf, parse only (prost)".to_owned(),
        &protobuf,
        parse_only,
    )];
    let bodies: [(&str, &[u8], Option<&'static str>, BodyFormat); 4] = [
        ("protobuf", &protobuf, None, BodyFormat::Protobuf),
        (
            "protobuf + gzip",
            &protobuf_gz,
            Some("gzip"),
            BodyFormat::Protobuf,
        ),
        ("JSON", &json, None, BodyFormat::Json),
        ("JSON + gzip", &json_gz, Some("gzip"), BodyFormat::Json),
    ];
    for form in [Form::Records, Form::Batch] {
        for (name, body, encoding, format) in bodies {
            let name = format!("{name}, {}", form.name());
            paths.push((name, body, decoder(body, encoding, format, form)));
        }
    }

    println!(
        "{} log records per request, one core, median of {} runs of {} decodes\n",
        args.records, args.repeats, args.decodes
    );
    println!("| path | body bytes | records/s | records per CPU-second | MB/s of body (CPU) |");
    println!("|---|---:|---:|---:|---:|");
    for (name, body, run) in &paths {
        ensure!(
            run()? == args.records,
            "{name}: decoded a different number of records"
        );
        let mut wall = Vec::with_capacity(args.repeats);
        let mut cpu = Vec::with_capacity(args.repeats);
        for _ in 0..args.repeats {
            let (start, start_cpu) = (Instant::now(), cpu_nanos());
            for _ in 0..args.decodes {
                black_box(run()?);
            }
            let seconds = start.elapsed().as_secs_f64();
            let cpu_seconds = match (start_cpu, cpu_nanos()) {
                (Some(a), Some(b)) => b.saturating_sub(a) as f64 / 1e9,
                (None, _) | (_, None) => seconds,
            };
            wall.push(seconds / args.decodes as f64);
            cpu.push(cpu_seconds / args.decodes as f64);
        }
        let (wall, cpu) = (median(wall), median(cpu));
        let records = args.records as f64;
        println!(
            "| {name} | {} | {:.0} | {:.0} | {:.1} |",
            body.len(),
            records / wall,
            records / cpu,
            body.len() as f64 / cpu / 1e6
        );
    }
    Ok(())
}
