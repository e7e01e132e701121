//! The flat records that decoding produces.

/// The service name used when a record names none (the OpenTelemetry convention).
pub const UNKNOWN_SERVICE: &str = "unknown_service";

/// One record, flattened for the stream detectors.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// Resource attribute `service.name`; `unknown_service` when absent (OTel convention).
    pub service: String,
    /// Nanoseconds since the Unix epoch; the record's time, else its observed time, else 0.
    pub time_unix_nano: u64,
    /// Resource, scope and record attributes, flattened to strings (`key` → value; nested
    /// values as compact JSON), record attributes overriding resource ones. Used to pick a
    /// stream's optional partitioning attribute.
    pub attributes: Vec<(String, String)>,
    /// What the detectors read.
    pub body: RecordBody,
}

impl Record {
    /// The value of attribute `key`, if the record has it.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// What a record holds for the detectors.
#[derive(Clone, Debug, PartialEq)]
pub enum RecordBody {
    /// A text event for the compression-based detector: a log line, a span or a JSON event.
    Text(String),
    /// One numeric point for the series detector: the metric name and its value.
    Value {
        /// The metric's name.
        metric: String,
        /// The point's value (a histogram's or summary's mean).
        value: f64,
    },
}

/// Every record of a request, and how many were rejected and why (the first reason).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decoded {
    /// The accepted records, in request order.
    pub records: Vec<Record>,
    /// How many records (log records, data points, spans, events) were rejected.
    pub rejected: u64,
    /// Why the first rejected record was rejected, with where it was.
    pub rejection: Option<String>,
}

impl Decoded {
    /// How many records were accepted.
    pub fn accepted(&self) -> u64 {
        self.records.len() as u64
    }
}
