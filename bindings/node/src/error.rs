//! Why a call failed: every failure becomes a JavaScript `Error` whose message says what was
//! wrong (and where, for bad JSON).

use phantom_engine::EngineError;

/// A failed call.
#[derive(Debug, thiserror::Error)]
pub enum BindingError {
    /// An argument is not valid JSON.
    #[error("bad JSON in {what} at line {line}, column {column}: {reason}{hint}")]
    Syntax {
        /// The argument.
        what: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What the parser expected.
        reason: String,
        /// A hint for the common mistakes (NaN, Infinity).
        hint: &'static str,
    },
    /// An argument is JSON of the wrong shape.
    #[error("invalid {what}{at}: {reason}")]
    Shape {
        /// The argument.
        what: String,
        /// Where in it (` at features[2]`), or empty for the whole value.
        at: String,
        /// What is wrong.
        reason: String,
    },
    /// The engine refused or failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A file could not be read or written.
    #[error("{action} '{path}': {source}")]
    File {
        /// What was being done ("writing the backup to").
        action: &'static str,
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl BindingError {
    /// A wrong-shape error for `what` at `at` (empty for the whole value).
    pub fn shape(what: &str, at: &str, reason: impl Into<String>) -> Self {
        BindingError::Shape {
            what: what.to_owned(),
            at: if at.is_empty() {
                String::new()
            } else {
                format!(" at {at}")
            },
            reason: reason.into(),
        }
    }
}

impl From<BindingError> for napi::Error {
    fn from(e: BindingError) -> Self {
        napi::Error::new(napi::Status::InvalidArg, e.to_string())
    }
}

impl From<phantom_engine::analytics::AnalyticsError> for BindingError {
    fn from(e: phantom_engine::analytics::AnalyticsError) -> Self {
        BindingError::Engine(e.into())
    }
}

impl From<phantom_engine::features::FeatureError> for BindingError {
    fn from(e: phantom_engine::features::FeatureError) -> Self {
        BindingError::Engine(e.into())
    }
}
