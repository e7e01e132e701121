//! The request bodies of an ingestion run: for each of several services, a few consecutive
//! exports of generated log records, one of them carrying an incident (a burst of panics) so
//! the detectors have something to find.

use anyhow::Result;
use bytes::Bytes;
use clap::ValueEnum;
use phantom_otlp::proto::common::{AnyValue, any_value};
use phantom_otlp::{BodyFormat, RecordBody, Signal, decode, decode_body};
use prost::Message;

use crate::otlp_logs::{gzip, request, to_json};

/// Service names, in order; a workload uses the first `services`.
const SERVICES: [&str; 8] = [
    "checkout", "payments", "search", "auth", "catalog", "shipping", "cart", "profile",
];

/// Which of a service's exports carries the incident.
const INCIDENT_BODY: usize = 3;

/// Records of the incident, from the export's 100th record.
const INCIDENT_RECORDS: std::ops::Range<usize> = 100..164;

/// How a body is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `application/x-protobuf`.
    Protobuf,
    /// `application/json` (OTLP/JSON).
    Json,
    /// Protobuf with `Content-Encoding: gzip`.
    ProtobufGzip,
}

impl Format {
    /// The `Content-Type` header.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Protobuf | Format::ProtobufGzip => "application/x-protobuf",
            Format::Json => "application/json",
        }
    }

    /// The `Content-Encoding` header, if any.
    pub fn content_encoding(self) -> Option<&'static str> {
        match self {
            Format::Protobuf | Format::Json => None,
            Format::ProtobufGzip => Some("gzip"),
        }
    }

    /// The format as phantom-otlp names it.
    pub fn body_format(self) -> BodyFormat {
        match self {
            Format::Protobuf | Format::ProtobufGzip => BodyFormat::Protobuf,
            Format::Json => BodyFormat::Json,
        }
    }

    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::Protobuf => "protobuf",
            Format::Json => "JSON",
            Format::ProtobufGzip => "protobuf + gzip",
        }
    }
}

/// The bodies of a run, interleaved by service (body `j` is from service `j % services`), so
/// connections that start at different bodies feed different streams.
pub struct Workload {
    /// How the bodies are encoded.
    pub format: Format,
    /// Log records per body.
    pub records: usize,
    /// The bodies as sent.
    pub bodies: Vec<Bytes>,
}

impl Workload {
    /// `per_service` consecutive exports of `records` records for each of `services` services.
    pub fn build(
        format: Format,
        records: usize,
        services: usize,
        per_service: usize,
    ) -> Result<Self> {
        anyhow::ensure!(
            (1..=SERVICES.len()).contains(&services),
            "--services must be 1 to {}, not {services}",
            SERVICES.len()
        );
        anyhow::ensure!(
            records >= INCIDENT_RECORDS.end,
            "--records must be at least {} (the incident's last record)",
            INCIDENT_RECORDS.end
        );
        let mut bodies = Vec::with_capacity(services * per_service);
        for export in 0..per_service {
            for (s, service) in SERVICES.iter().take(services).enumerate() {
                let first = (s * per_service + export) * records;
                let mut export_request = request(service, first..first + records);
                if export == INCIDENT_BODY {
                    let log_records =
                        &mut export_request.resource_logs[0].scope_logs[0].log_records;
                    for (i, r) in log_records[INCIDENT_RECORDS].iter_mut().enumerate() {
                        r.severity_number = 21;
                        r.severity_text = "FATAL".to_owned();
                        r.body = Some(AnyValue {
                            value: Some(any_value::Value::StringValue(incident_line(first + i))),
                        });
                    }
                }
                let protobuf = export_request.encode_to_vec();
                let bytes = match format {
                    Format::Protobuf => protobuf,
                    Format::Json => serde_json::to_vec(&to_json(&export_request))?,
                    Format::ProtobufGzip => gzip(&protobuf)?,
                };
                bodies.push(Bytes::from(bytes));
            }
        }
        Ok(Self {
            format,
            records,
            bodies,
        })
    }

    /// The text each body's records reach the detector with, as the server decodes them.
    pub fn texts(&self) -> Result<Vec<Vec<String>>> {
        self.bodies
            .iter()
            .map(|body| {
                let bytes = decode_body(body, self.format.content_encoding(), usize::MAX)?;
                let batch = decode(Signal::Logs, &bytes, self.format.body_format())?;
                Ok(batch
                    .records
                    .into_iter()
                    .filter_map(|r| match r.body {
                        RecordBody::Text(text) => Some(text),
                        RecordBody::Value { .. } => None,
                    })
                    .collect())
            })
            .collect()
    }
}

/// A line of the incident: a panic with its goroutine and handler address.
fn incident_line(i: usize) -> String {
    let h = (i as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93);
    format!(
        "panic: runtime error: index out of range [{}] with length {} goroutine {} [running]: main.(*Handler).ServeHTTP(0xc000{:06x})",
        h % 64,
        h >> 8 & 63,
        h >> 16 & 4095,
        h >> 32 & 0xFF_FFFF
    )
}
