//! Why feature engineering rejected its input or options.

use phantom_ml::MlError;
use phantom_ml::scaling::ScalerKind;

/// Why [`engineer_features`](super::engineer_features) or
/// [`engineer_batch`](super::engineer_batch) could not run. Values that are merely unusable
/// (a null, an unparseable IP in a field declared `ip`) are not errors but
/// [`FeatureIssue`](super::FeatureIssue)s; these are inputs of the wrong shape.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum FeatureError {
    /// The input is not a JSON object.
    #[error("the input must be a JSON object of fields, got {got}")]
    NotAnObject {
        /// The JSON type given.
        got: &'static str,
    },
    /// An array element is not a number.
    #[error("field `{field}`, element {index} is {got}; arrays must hold numbers only")]
    ArrayElement {
        /// The (dotted) field name.
        field: String,
        /// Zero-based index in the array.
        index: usize,
        /// The JSON type found.
        got: &'static str,
    },
    /// Two fields have the same name once nested objects are flattened (`{"a.b": 1, "a": {"b": 2}}`).
    #[error(
        "field `{field}` appears twice once nested objects are flattened to dotted names; rename one"
    )]
    DuplicateField {
        /// The flattened name.
        field: String,
    },
    /// A suspicious keyword is unusable.
    #[error("suspicious keyword {keyword:?}: {reason}")]
    InvalidKeyword {
        /// The keyword as given.
        keyword: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Two suspicious keywords would give the same feature name.
    #[error(
        "suspicious keywords {first:?} and {second:?} both give the feature name `keyword.{name}` \
         (letters and digits are kept, other runs become `_`); drop or change one"
    )]
    KeywordNameClash {
        /// The first keyword.
        first: String,
        /// The second keyword.
        second: String,
        /// The feature-name part they share.
        name: String,
    },
    /// More suspicious keywords than allowed.
    #[error("{count} suspicious keywords given; at most {max} are allowed")]
    TooManyKeywords {
        /// How many were given.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A scaler that learns per-feature statistics was asked for on a single object.
    #[error(
        "scaling `{scaler}` learns each feature's statistics from many rows; use engineer_batch \
         for it, or `unit_vector`, which scales a single row"
    )]
    ScalingNeedsBatch {
        /// The scaler asked for.
        scaler: ScalerKind,
    },
    /// The batch has no rows.
    #[error("the batch is empty; give at least one object")]
    EmptyBatch,
    /// A row of a batch was rejected.
    #[error("row {row}: {source}")]
    Row {
        /// Zero-based row index.
        row: usize,
        /// Why.
        #[source]
        source: Box<FeatureError>,
    },
    /// A row of a batch gives other feature names than the first row.
    #[error(
        "row {row} gives other features than row 0 (missing: [{}]; extra: [{}]); every row \
         needs the same fields with values of the same kinds",
        missing.join(", "),
        extra.join(", ")
    )]
    ShapeMismatch {
        /// Zero-based row index.
        row: usize,
        /// Features of row 0 that this row lacks.
        missing: Vec<String>,
        /// Features of this row that row 0 lacks.
        extra: Vec<String>,
    },
    /// A value is too large for the 32-bit floats the scalers (and models) work in, before or
    /// after scaling.
    #[error(
        "feature `{feature}` of row {row} is {value}, beyond the 32-bit float range the scalers \
         work in"
    )]
    NotRepresentable {
        /// Zero-based row index.
        row: usize,
        /// The feature's name.
        feature: String,
        /// The value.
        value: f64,
    },
    /// The scaler could not be fitted.
    #[error("scaling: {0}")]
    Scaling(#[from] MlError),
}
