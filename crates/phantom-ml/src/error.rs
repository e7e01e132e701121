//! The error type shared by every algorithm.

/// Why fitting, predicting or loading a model failed.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum MlError {
    /// The data has no rows (or no columns) to learn from.
    #[error("the data is empty: {0}")]
    EmptyData(&'static str),
    /// Two sizes that must agree do not, for example a row length and a model's feature count.
    #[error("{what}: expected {expected}, got {got}")]
    DimensionMismatch {
        /// What was being compared, e.g. "feature count".
        what: &'static str,
        /// The size the model or data requires.
        expected: usize,
        /// The size that was given.
        got: usize,
    },
    /// A feature value is NaN or infinite; algorithms accept finite values only.
    #[error("value at row {row}, column {col} is {value}; features must be finite numbers")]
    NonFinite {
        /// Zero-based row index.
        row: usize,
        /// Zero-based column index.
        col: usize,
        /// The offending value.
        value: f64,
    },
    /// A regression target is NaN or infinite.
    #[error("the target at row {row} is {value}; targets must be finite numbers")]
    NonFiniteTarget {
        /// Zero-based row index.
        row: usize,
        /// The offending value.
        value: f64,
    },
    /// A classification target has fewer than two classes.
    #[error("the label has {0} distinct class(es); classification needs at least two")]
    TooFewClasses(usize),
    /// A class index is outside `0..n_classes`.
    #[error("class index {index} at row {row} is out of range for {n_classes} classes")]
    ClassOutOfRange {
        /// Zero-based row index.
        row: usize,
        /// The class index found.
        index: u32,
        /// The declared number of classes.
        n_classes: usize,
    },
    /// A hyperparameter is outside its valid range.
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter {
        /// The parameter's name as it appears in the params builder.
        name: &'static str,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// A saved model could not be read.
    #[error("model file: {0}")]
    Format(#[from] crate::model::FormatError),
}
