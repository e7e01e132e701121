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
use std::io::Write;
use std::time::Instant;

use anyhow::{Result, ensure};
use clap::Parser;
use flate2::Compression;
use flate2::write::GzEncoder;
use phantom_otlp::proto::collector::ExportLogsServiceRequest;
use phantom_otlp::proto::common::{AnyValue, InstrumentationScope, KeyValue, Resource, any_value};
use phantom_otlp::proto::logs::{LogRecord, ResourceLogs, ScopeLogs};
use phantom_otlp::{BodyFormat, Signal, decode, decode_body, decode_logs};
use prost::Message;
use serde_json::{Value, json};

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

const T0: u64 = 1_764_000_000_000_000_000;

fn string(s: &str) -> AnyValue {
    AnyValue {
        value: Some(any_value::Value::StringValue(s.to_owned())),
    }
}

fn int(i: i64) -> AnyValue {
    AnyValue {
        value: Some(any_value::Value::IntValue(i)),
    }
}

fn kv(key: &str, value: AnyValue) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(value),
    }
}

/// One generated record: four templates with ids, routes, users and durations.
fn record(i: usize) -> LogRecord {
    let h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let pick = |shift: u32, n: u64| (h >> shift) % n;
    let route = [
        "/api/orders/{id}",
        "/api/users/{id}",
        "/api/cart",
        "/api/search",
    ][pick(40, 4) as usize];
    let status = [200, 200, 200, 201, 404, 500][pick(8, 6) as usize];
    let (severity, text) = match pick(32, 10) {
        0..=6 => (
            9,
            format!(
                "request completed method=GET route={route} status={status} duration_ms={} bytes={}",
                pick(20, 300),
                pick(12, 50_000)
            ),
        ),
        7 => (
            13,
            format!(
                "slow query on table orders took {} ms, rows examined {}",
                200 + pick(20, 800),
                pick(12, 100_000)
            ),
        ),
        8 => (
            17,
            format!(
                "payment provider returned error code={} for order {} after {} retries",
                pick(20, 50),
                pick(12, 1_000_000),
                pick(4, 4)
            ),
        ),
        _ => (
            9,
            format!(
                "user {} logged in from 10.{}.{}.{} with mfa",
                pick(12, 5_000),
                pick(8, 4),
                pick(16, 256),
                pick(24, 256)
            ),
        ),
    };
    LogRecord {
        time_unix_nano: T0 + i as u64 * 1_000_000,
        observed_time_unix_nano: T0 + i as u64 * 1_000_000 + 250_000,
        severity_number: severity,
        severity_text: match severity {
            9 => "INFO",
            13 => "WARN",
            _ => "ERROR",
        }
        .to_owned(),
        body: Some(string(&text)),
        attributes: vec![
            kv("http.request.method", string("GET")),
            kv("http.route", string(route)),
            kv("http.response.status_code", int(status)),
            kv("user.id", string(&format!("u-{}", pick(12, 5_000)))),
        ],
        flags: 1,
        trace_id: h.to_be_bytes().repeat(2),
        span_id: h.rotate_left(17).to_be_bytes().to_vec(),
        ..LogRecord::default()
    }
}

fn request(records: usize) -> ExportLogsServiceRequest {
    let resource = Resource {
        attributes: vec![
            kv("service.name", string("checkout")),
            kv("service.version", string("2.14.1")),
            kv(
                "service.instance.id",
                string("7f3c9b2e-4d1a-4f6e-9c3b-2a1d0e5f6a7b"),
            ),
            kv("deployment.environment.name", string("production")),
            kv("host.name", string("checkout-7d9f8c6b5-x2k4q")),
            kv("process.pid", int(4242)),
            kv("telemetry.sdk.name", string("opentelemetry")),
            kv("telemetry.sdk.language", string("java")),
            kv("telemetry.sdk.version", string("1.44.1")),
        ],
        dropped_attributes_count: 0,
    };
    let scope = InstrumentationScope {
        name: "com.example.checkout".to_owned(),
        version: "2.14.1".to_owned(),
        ..InstrumentationScope::default()
    };
    ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            resource: Some(resource),
            scope_logs: vec![ScopeLogs {
                scope: Some(scope),
                log_records: (0..records).map(record).collect(),
                schema_url: String::new(),
            }],
            schema_url: "https://opentelemetry.io/schemas/1.26.0".to_owned(),
        }],
    }
}

/// The request in OTLP/JSON, as an SDK's JSON exporter writes it.
fn to_json(request: &ExportLogsServiceRequest) -> Value {
    fn value(v: &AnyValue) -> Value {
        match &v.value {
            Some(any_value::Value::StringValue(s)) => json!({ "stringValue": s }),
            Some(any_value::Value::IntValue(i)) => json!({ "intValue": i.to_string() }),
            other => panic!("the benchmark request holds only strings and ints, not {other:?}"),
        }
    }
    let attributes = |kvs: &[KeyValue]| -> Value {
        kvs.iter().map(|kv| json!({ "key": kv.key, "value": value(kv.value.as_ref().unwrap_or(&AnyValue::default())) })).collect()
    };
    let resource_logs: Vec<Value> = request.resource_logs.iter().map(|rl| {
        let scope_logs: Vec<Value> = rl.scope_logs.iter().map(|sl| {
            let scope = sl.scope.clone().unwrap_or_default();
            let records: Vec<Value> = sl.log_records.iter().map(|r| json!({
                "timeUnixNano": r.time_unix_nano.to_string(),
                "observedTimeUnixNano": r.observed_time_unix_nano.to_string(),
                "severityNumber": r.severity_number,
                "severityText": r.severity_text,
                "body": value(r.body.as_ref().unwrap_or(&AnyValue::default())),
                "attributes": attributes(&r.attributes),
                "flags": r.flags,
                "traceId": hex(&r.trace_id),
                "spanId": hex(&r.span_id),
            })).collect();
            json!({ "scope": { "name": scope.name, "version": scope.version }, "logRecords": records })
        }).collect();
        let resource = rl.resource.clone().unwrap_or_default();
        json!({ "resource": { "attributes": attributes(&resource.attributes) }, "scopeLogs": scope_logs, "schemaUrl": rl.schema_url })
    }).collect();
    json!({ "resourceLogs": resource_logs })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
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
    let request = request(args.records);
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
