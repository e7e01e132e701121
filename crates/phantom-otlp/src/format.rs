//! Body formats, told from the `Content-Type` header.

use std::fmt;

use crate::error::OtlpError;

/// The body format of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BodyFormat {
    /// Binary protobuf, `application/x-protobuf`.
    Protobuf,
    /// JSON, `application/json`.
    Json,
    /// One JSON document per line, `application/x-ndjson`.
    Ndjson,
}

impl BodyFormat {
    /// The canonical media type of the format.
    pub fn media_type(self) -> &'static str {
        match self {
            BodyFormat::Protobuf => "application/x-protobuf",
            BodyFormat::Json => "application/json",
            BodyFormat::Ndjson => "application/x-ndjson",
        }
    }
}

impl fmt::Display for BodyFormat {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.media_type())
    }
}

/// The format of a body from its `Content-Type` header (parameters such as `; charset=utf-8`
/// ignored, case-insensitive). Protobuf is `application/x-protobuf` or `application/protobuf`,
/// JSON `application/json`, NDJSON `application/x-ndjson` or `application/jsonl`; anything
/// else, or no header, is an error naming the accepted types.
pub fn body_format(content_type: Option<&str>) -> Result<BodyFormat, OtlpError> {
    let media_type = content_type.map(|t| t.split(';').next().unwrap_or_default().trim());
    let format = media_type.and_then(|t| {
        [
            ("application/x-protobuf", BodyFormat::Protobuf),
            ("application/protobuf", BodyFormat::Protobuf),
            ("application/json", BodyFormat::Json),
            ("application/x-ndjson", BodyFormat::Ndjson),
            ("application/jsonl", BodyFormat::Ndjson),
        ]
        .into_iter()
        .find_map(|(name, format)| name.eq_ignore_ascii_case(t).then_some(format))
    });
    format.ok_or_else(|| OtlpError::UnsupportedContentType {
        found: content_type.map(str::to_owned),
    })
}

/// The response content type for `format`: protobuf answers in protobuf, JSON and NDJSON in
/// JSON.
pub fn response_content_type(format: BodyFormat) -> &'static str {
    match format {
        BodyFormat::Protobuf => BodyFormat::Protobuf.media_type(),
        BodyFormat::Json | BodyFormat::Ndjson => BodyFormat::Json.media_type(),
    }
}
