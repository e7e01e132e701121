//! The fields every bundle must hold, checked the same way when signing and verifying, so
//! nothing signed can fail to verify for its shape.

use serde_json::{Map, Value};

use crate::error::json_type;
use crate::{EvidenceError, FORMAT};

/// The required fields of a bundle.
pub(crate) struct Summary {
    pub format: String,
    pub generated_at: String,
    pub anomalies: usize,
}

impl Summary {
    /// Reads `format` (which must be [`FORMAT`]), `generated_at` and `anomalies`.
    pub(crate) fn read(bundle: &Map<String, Value>) -> Result<Self, EvidenceError> {
        let format = match bundle.get("format") {
            Some(Value::String(format)) => format,
            _ => {
                return Err(EvidenceError::Content {
                    field: "format",
                    expected: "the string \"phantom-evidence/1\"",
                });
            }
        };
        if format != FORMAT {
            return Err(EvidenceError::UnsupportedFormat {
                found: format.clone(),
            });
        }
        let Some(Value::String(generated_at)) = bundle.get("generated_at") else {
            return Err(EvidenceError::Content {
                field: "generated_at",
                expected: "a string (the RFC 3339 time the bundle was made)",
            });
        };
        let Some(Value::Array(anomalies)) = bundle.get("anomalies") else {
            return Err(EvidenceError::Content {
                field: "anomalies",
                expected: "an array",
            });
        };
        Ok(Self {
            format: format.clone(),
            generated_at: generated_at.clone(),
            anomalies: anomalies.len(),
        })
    }
}

/// `value` as an object, or an error naming `what` and the type found.
pub(crate) fn as_object<'a>(
    value: &'a Value,
    what: &'static str,
) -> Result<&'a Map<String, Value>, EvidenceError> {
    value.as_object().ok_or(EvidenceError::NotAnObject {
        what,
        found: json_type(value),
    })
}
