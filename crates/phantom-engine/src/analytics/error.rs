//! Why an analytics call rejected its input.

use phantom_detect::series::SeriesError;

/// Why an analytics function could not run. Every variant names what was wrong (the field,
/// row, column or value) and what was expected.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum AnalyticsError {
    /// The series has no points.
    #[error("the series is empty; give at least one number")]
    EmptySeries,
    /// A point of the series is NaN or infinite.
    #[error("point {index} of the series is {value}; every point must be a finite number")]
    NonFinitePoint {
        /// Zero-based index of the point.
        index: usize,
        /// The value.
        value: f64,
    },
    /// The series has fewer points than the function needs.
    #[error("{what} needs at least {needed} points, got {got}")]
    TooFewPoints {
        /// What needs them, e.g. "trend".
        what: &'static str,
        /// The minimum.
        needed: usize,
        /// How many were given.
        got: usize,
    },
    /// An option is outside its valid range.
    #[error("option `{field}` is {value}; expected {expected}")]
    InvalidOption {
        /// The option's name as in the JSON options.
        field: &'static str,
        /// The value given, as text.
        value: String,
        /// What is allowed.
        expected: &'static str,
    },
    /// The anomaly detector rejected the series or its options (for example a seasonal period
    /// longer than half the series).
    #[error(transparent)]
    Detector(#[from] SeriesError),
    /// JSON rows were not an array.
    #[error("the rows must be a JSON array of objects, got {got}")]
    RowsNotArray {
        /// The JSON type given.
        got: &'static str,
    },
    /// A JSON row was not an object.
    #[error("row {row} must be a JSON object of numbers, got {got}")]
    RowNotObject {
        /// Zero-based row index.
        row: usize,
        /// The JSON type given.
        got: &'static str,
    },
    /// A JSON cell was neither a number nor null.
    #[error("row {row}, field `{field}` is {got}; expected a number or null")]
    CellNotNumber {
        /// Zero-based row index.
        row: usize,
        /// The field name.
        field: String,
        /// The JSON type given.
        got: &'static str,
    },
    /// The dataset has no columns.
    #[error("the dataset has no columns; give at least one named numeric column")]
    NoColumns,
    /// The dataset has no rows.
    #[error("the dataset has no rows; give at least one")]
    NoRows,
    /// The number of names differs from the number of columns.
    #[error("the dataset has {names} names for {columns} columns; give one name per column")]
    NameCount {
        /// Number of names.
        names: usize,
        /// Number of columns.
        columns: usize,
    },
    /// Two columns share a name.
    #[error("column name `{name}` appears more than once; names must be unique")]
    DuplicateName {
        /// The repeated name.
        name: String,
    },
    /// A column's length differs from the first column's.
    #[error(
        "column `{column}` has {got} rows but the first column has {expected}; columns must be equally long"
    )]
    ColumnLength {
        /// The column's name.
        column: String,
        /// The first column's length.
        expected: usize,
        /// This column's length.
        got: usize,
    },
    /// A cell is NaN or infinite where finite numbers are required.
    #[error("column `{column}`, row {row} is {value}; expected a finite number or a missing value")]
    NonFiniteCell {
        /// The column's name.
        column: String,
        /// Zero-based row index.
        row: usize,
        /// The value.
        value: f64,
    },
    /// An option names a column the dataset does not have.
    #[error(
        "option `{field}` names column `{name}`, which the dataset does not have; columns: {available}"
    )]
    UnknownColumn {
        /// The option's name.
        field: &'static str,
        /// The unknown column name.
        name: String,
        /// The dataset's column names, comma-separated.
        available: String,
    },
    /// Too few columns were selected.
    #[error("{what} needs at least {needed} columns, got {got}")]
    TooFewColumns {
        /// What needs them, e.g. "correlation".
        what: &'static str,
        /// The minimum.
        needed: usize,
        /// How many were selected.
        got: usize,
    },
    /// An expected range is empty or not a pair of numbers in order.
    #[error("the expected range of column `{column}` is [{min}, {max}]; expected min <= max")]
    InvalidRange {
        /// The column's name.
        column: String,
        /// The lower bound given.
        min: f64,
        /// The upper bound given.
        max: f64,
    },
}

/// The name of a JSON value's type, for error messages.
pub(crate) fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}
