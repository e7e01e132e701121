//! Why a request could not be decoded at all.

use crate::format::BodyFormat;
use crate::signal::Signal;

/// A request that cannot be decoded at all (HTTP 400, or 415 when
/// [`is_unsupported_media_type`](OtlpError::is_unsupported_media_type)), with a message that
/// names where and what. Records that are individually bad are not errors: they are counted in
/// [`Decoded::rejected`](crate::Decoded::rejected).
#[derive(Debug, thiserror::Error)]
pub enum OtlpError {
    /// The `Content-Type` is missing or not one Phantom reads.
    #[error(
        "unsupported content type {}; send application/x-protobuf or application/json \
         (OTLP), or application/x-ndjson (events, or one OTLP/JSON request per line)",
        found.as_deref().map_or_else(|| "(none)".to_owned(), |t| format!("\"{t}\""))
    )]
    UnsupportedContentType {
        /// The header as sent, if any.
        found: Option<String>,
    },
    /// The `Content-Encoding` is not `gzip` or `identity`.
    #[error("unsupported content encoding \"{found}\"; send gzip or identity (none)")]
    UnsupportedContentEncoding {
        /// The header as sent.
        found: String,
    },
    /// The body format does not exist for this signal (events are JSON only).
    #[error("{signal} cannot be sent as {format}; {accepted}")]
    FormatNotAccepted {
        /// The signal of the request.
        signal: Signal,
        /// The format that was sent.
        format: BodyFormat,
        /// What to send instead.
        accepted: &'static str,
    },
    /// The body, once decompressed, is larger than allowed.
    #[error(
        "the decompressed body is larger than the limit of {limit} bytes; send smaller batches"
    )]
    BodyTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The gzip stream is corrupt or truncated.
    #[error("the body is not valid gzip: {source}")]
    Gzip {
        /// What the decompressor found.
        #[source]
        source: std::io::Error,
    },
    /// The protobuf body is malformed.
    #[error("invalid protobuf at {path}: {source}")]
    Protobuf {
        /// Where, e.g. `resourceLogs[0].scopeLogs[1].logRecords[3]`, or `.` for the request.
        path: String,
        /// What prost found.
        #[source]
        source: prost::DecodeError,
    },
    /// The JSON body is malformed or does not follow the OTLP/JSON mapping.
    #[error("invalid JSON at {path}: {source}")]
    Json {
        /// Where, e.g. `resourceLogs[0].scopeLogs[1].logRecords[3].body`, or `.` for the body.
        path: String,
        /// What the parser found.
        #[source]
        source: serde_json::Error,
    },
    /// One line of an NDJSON body is malformed.
    #[error("line {line}: {source}")]
    Line {
        /// The line number, from 1.
        line: usize,
        /// What is wrong with it.
        #[source]
        source: Box<OtlpError>,
    },
}

impl OtlpError {
    /// Whether the request should be answered 415 Unsupported Media Type (a content type or
    /// encoding Phantom does not read) rather than 400 Bad Request.
    pub fn is_unsupported_media_type(&self) -> bool {
        match self {
            OtlpError::UnsupportedContentType { .. }
            | OtlpError::UnsupportedContentEncoding { .. }
            | OtlpError::FormatNotAccepted { .. } => true,
            OtlpError::BodyTooLarge { .. }
            | OtlpError::Gzip { .. }
            | OtlpError::Protobuf { .. }
            | OtlpError::Json { .. }
            | OtlpError::Line { .. } => false,
        }
    }

    /// Whether the request should be answered 413 Payload Too Large.
    pub fn is_too_large(&self) -> bool {
        matches!(self, OtlpError::BodyTooLarge { .. })
    }
}
