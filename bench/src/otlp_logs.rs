//! Generated OTLP log exports, as an OpenTelemetry SDK sends them: a resource with nine
//! attributes, one scope, records with severity, a text body of about 100 bytes (four templates
//! with ids, routes, users and durations), four attributes, trace and span ids; in protobuf
//! (`prost`), OTLP/JSON and gzip. Shared by the decoding and ingestion benchmarks.

use std::io::Write;
use std::ops::Range;

use anyhow::Result;
use flate2::Compression;
use flate2::write::GzEncoder;
use phantom_otlp::proto::collector::ExportLogsServiceRequest;
use phantom_otlp::proto::common::{AnyValue, InstrumentationScope, KeyValue, Resource, any_value};
use phantom_otlp::proto::logs::{LogRecord, ResourceLogs, ScopeLogs};
use serde_json::{Value, json};

/// The first record's time, ns since the Unix epoch.
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

/// Generated record number `i`: four templates with ids, routes, users and durations.
pub fn record(i: usize) -> LogRecord {
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

/// An SDK's export of `records` (generated records with those numbers) from `service`: one
/// resource with nine attributes, one scope.
pub fn request(service: &str, records: Range<usize>) -> ExportLogsServiceRequest {
    let resource = Resource {
        attributes: vec![
            kv("service.name", string(service)),
            kv("service.version", string("2.14.1")),
            kv(
                "service.instance.id",
                string("7f3c9b2e-4d1a-4f6e-9c3b-2a1d0e5f6a7b"),
            ),
            kv("deployment.environment.name", string("production")),
            kv("host.name", string(&format!("{service}-7d9f8c6b5-x2k4q"))),
            kv("process.pid", int(4242)),
            kv("telemetry.sdk.name", string("opentelemetry")),
            kv("telemetry.sdk.language", string("java")),
            kv("telemetry.sdk.version", string("1.44.1")),
        ],
        dropped_attributes_count: 0,
    };
    let scope = InstrumentationScope {
        name: format!("com.example.{service}"),
        version: "2.14.1".to_owned(),
        ..InstrumentationScope::default()
    };
    ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            resource: Some(resource),
            scope_logs: vec![ScopeLogs {
                scope: Some(scope),
                log_records: records.map(record).collect(),
                schema_url: String::new(),
            }],
            schema_url: "https://opentelemetry.io/schemas/1.26.0".to_owned(),
        }],
    }
}

/// The request in OTLP/JSON, as an SDK's JSON exporter writes it.
pub fn to_json(request: &ExportLogsServiceRequest) -> Value {
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

/// `bytes` gzip-compressed, as an exporter with `compression: gzip` sends them.
pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}
