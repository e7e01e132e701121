//! What a prediction returns.

use serde::{Deserialize, Serialize};

/// A predicted value: a class label (a number when every class label of the model is a
/// number, as with 0/1 labels), a regression value or cluster index, or an anomaly flag.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PredictedValue {
    /// A number: a numeric class label, a regression value or a cluster index.
    Number(f64),
    /// A text class label.
    Label(String),
    /// Anomaly detection: whether the row is an anomaly.
    Flag(bool),
}

impl PredictedValue {
    /// The class label as the model stores it, shown as a number when it is one.
    pub fn of_class(name: &str) -> Self {
        match name.parse::<f64>() {
            Ok(v) if v.is_finite() => PredictedValue::Number(v),
            Ok(_) | Err(_) => PredictedValue::Label(name.to_owned()),
        }
    }
}

/// The probability of one class.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassProbability {
    /// The class label.
    pub label: PredictedValue,
    /// Its probability.
    pub probability: f64,
}

/// The answer for one row.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// The model that answered.
    pub model_id: String,
    /// The version that answered.
    pub version: u32,
    /// The predicted class, value, cluster or anomaly flag.
    pub prediction: PredictedValue,
    /// Classification: the probability of the predicted class.
    pub confidence: Option<f64>,
    /// Classification: every class's probability, in the model's class order.
    pub probabilities: Option<Vec<ClassProbability>>,
    /// Anomaly detection: the anomaly score in [0, 1] (higher is more anomalous).
    pub anomaly_score: Option<f64>,
    /// Anomaly detection: the score from which a row is an anomaly.
    pub threshold: Option<f64>,
    /// Whether the answer came from the Redis prediction cache.
    pub cached: bool,
}

/// The answer for one row of a batch (the model, version and class list are given once).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchRow {
    /// The predicted class, value, cluster or anomaly flag.
    pub prediction: PredictedValue,
    /// Classification: the probability of the predicted class.
    pub confidence: Option<f64>,
    /// Classification: every class's probability, in the order of `classes`.
    pub probabilities: Option<Vec<f64>>,
    /// Anomaly detection: the anomaly score.
    pub anomaly_score: Option<f64>,
}

/// The answer for a batch.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchPrediction {
    /// The model that answered.
    pub model_id: String,
    /// The version that answered.
    pub version: u32,
    /// Class labels in probability order (classification), else empty.
    pub classes: Vec<PredictedValue>,
    /// One answer per row, in order.
    pub results: Vec<BatchRow>,
    /// Rows predicted.
    pub total_predictions: usize,
    /// Time spent in the engine, in milliseconds.
    pub elapsed_ms: f64,
    /// Rows per second over this batch, measured.
    pub throughput_per_second: f64,
}
