//! `predict` and `predict_batch`: the rows callers send and the answers in the original
//! package's shape (`prediction`, `confidence`, `probability_distribution`,
//! `feature_importance`; `total_predictions`, `throughput_per_second`, `results`).

use std::collections::BTreeMap;

use phantom_engine::{BatchPrediction, PredictedValue, Prediction, PredictionExplanation};
use serde::Serialize;
use serde_json::Value;

use crate::error::BindingError;
use crate::json::{self, kind};

/// The feature row of `predict`: an array of numbers, or `{features: [...]}`.
pub fn row(what: &str, value: &Value) -> Result<Vec<f64>, BindingError> {
    match value {
        Value::Object(map) => match map.get("features") {
            Some(features) => json::numbers(what, "features", features),
            None => Err(BindingError::shape(
                what,
                "",
                "expected an array of numbers or {\"features\": [...]}",
            )),
        },
        other @ Value::Null
        | other @ Value::Bool(_)
        | other @ Value::Number(_)
        | other @ Value::String(_)
        | other @ Value::Array(_) => json::numbers(what, "", other),
    }
}

/// Rows of features with, optionally, one caller's id per row.
pub type Batch = (Vec<Vec<f64>>, Option<Vec<Value>>);

/// The rows of `predict_batch`: an array of rows, or an object holding them under `samples`,
/// `features`, `data` or `rows`, with optional `sample_ids` (one per row).
pub fn batch(what: &str, value: &Value) -> Result<Batch, BindingError> {
    let Value::Object(map) = value else {
        return Ok((json::rows(what, "", value)?, None));
    };
    let Some((key, rows)) = ["samples", "features", "data", "rows"]
        .iter()
        .find_map(|k| map.get(*k).map(|v| (*k, v)))
    else {
        return Err(BindingError::shape(
            what,
            "",
            "expected an array of rows, or an object with samples (an array of rows)",
        ));
    };
    let rows = json::rows(what, key, rows)?;
    let ids = match map.get("sample_ids") {
        None | Some(Value::Null) => None,
        Some(Value::Array(ids)) if ids.len() == rows.len() => Some(ids.clone()),
        Some(Value::Array(ids)) => {
            return Err(BindingError::shape(
                what,
                "sample_ids",
                format!(
                    "{} ids for {} rows; give one per row",
                    ids.len(),
                    rows.len()
                ),
            ));
        }
        Some(other) => {
            return Err(BindingError::shape(
                what,
                "sample_ids",
                format!("expected an array, got {}", kind(other)),
            ));
        }
    };
    Ok((rows, ids))
}

/// `predict`'s options: `{"explain": false}` skips the per-prediction attribution.
#[derive(Debug, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PredictOptions {
    /// Compute `feature_importance` (default true).
    pub explain: bool,
}

impl Default for PredictOptions {
    fn default() -> Self {
        Self { explain: true }
    }
}

/// One prediction as `predict` returns it.
#[derive(Serialize)]
pub struct PredictOut<'a> {
    model_id: &'a str,
    version: u32,
    prediction: &'a PredictedValue,
    confidence: Option<f64>,
    probability_distribution: Option<Vec<f64>>,
    classes: Option<Vec<&'a PredictedValue>>,
    anomaly_score: Option<f64>,
    threshold: Option<f64>,
    feature_importance: Option<BTreeMap<&'a str, f64>>,
    feature_importance_method: Option<&'static str>,
    feature_importance_output: Option<String>,
    cached: bool,
    inference_time_ms: f64,
}

/// Builds `predict`'s answer. `explanation`'s contributions are those to the output of the
/// predicted class when the model explains one output per class, else to its single output.
pub fn prediction<'a>(
    p: &'a Prediction,
    explanation: Option<&'a PredictionExplanation>,
    inference_time_ms: f64,
) -> PredictOut<'a> {
    let attribution = explanation.map(|e| {
        let k = if e.outputs.len() > 1 {
            e.outputs
                .iter()
                .position(|o| *o == p.prediction)
                .unwrap_or(0)
        } else {
            0
        };
        let values: BTreeMap<&str, f64> = e
            .features
            .iter()
            .map(|f| {
                (
                    f.feature.as_str(),
                    f.contributions.get(k).copied().unwrap_or(0.0),
                )
            })
            .collect();
        let output = match e.outputs.get(k) {
            Some(label) if e.output != "prediction" => {
                format!("{} of class {}", e.output, label_text(label))
            }
            Some(_) | None => e.output.to_owned(),
        };
        (values, e.method, output)
    });
    let (importance, method, output) = match attribution {
        Some((v, m, o)) => (Some(v), Some(m), Some(o)),
        None => (None, None, None),
    };
    PredictOut {
        model_id: &p.model_id,
        version: p.version,
        prediction: &p.prediction,
        confidence: p.confidence,
        probability_distribution: p
            .probabilities
            .as_ref()
            .map(|ps| ps.iter().map(|c| c.probability).collect()),
        classes: p
            .probabilities
            .as_ref()
            .map(|ps| ps.iter().map(|c| &c.label).collect()),
        anomaly_score: p.anomaly_score,
        threshold: p.threshold,
        feature_importance: importance,
        feature_importance_method: method,
        feature_importance_output: output,
        cached: p.cached,
        inference_time_ms,
    }
}

fn label_text(label: &PredictedValue) -> String {
    match label {
        PredictedValue::Number(n) => n.to_string(),
        PredictedValue::Label(s) => s.clone(),
        PredictedValue::Flag(b) => b.to_string(),
    }
}

/// A batch as `predict_batch` returns it.
#[derive(Serialize)]
pub struct BatchOut<'a> {
    model_id: &'a str,
    version: u32,
    total_predictions: usize,
    throughput_per_second: f64,
    elapsed_ms: f64,
    classes: &'a [PredictedValue],
    results: Vec<RowOut<'a>>,
}

/// One row of a batch.
#[derive(Serialize)]
struct RowOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    sample_id: Option<&'a Value>,
    prediction: &'a PredictedValue,
    confidence: Option<f64>,
    probability_distribution: Option<&'a [f64]>,
    anomaly_score: Option<f64>,
}

/// Builds `predict_batch`'s answer.
pub fn batch_out<'a>(b: &'a BatchPrediction, ids: Option<&'a [Value]>) -> BatchOut<'a> {
    BatchOut {
        model_id: &b.model_id,
        version: b.version,
        total_predictions: b.total_predictions,
        throughput_per_second: b.throughput_per_second,
        elapsed_ms: b.elapsed_ms,
        classes: &b.classes,
        results: b
            .results
            .iter()
            .enumerate()
            .map(|(i, r)| RowOut {
                sample_id: ids.and_then(|ids| ids.get(i)),
                prediction: &r.prediction,
                confidence: r.confidence,
                probability_distribution: r.probabilities.as_deref(),
                anomaly_score: r.anomaly_score,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phantom_engine::{ClassProbability, FeatureContribution};
    use serde_json::json;

    fn answer() -> Prediction {
        Prediction {
            model_id: "m".into(),
            version: 1,
            prediction: PredictedValue::Number(1.0),
            confidence: Some(0.75),
            probabilities: Some(vec![
                ClassProbability {
                    label: PredictedValue::Number(0.0),
                    probability: 0.25,
                },
                ClassProbability {
                    label: PredictedValue::Number(1.0),
                    probability: 0.75,
                },
            ]),
            anomaly_score: None,
            threshold: None,
            cached: false,
        }
    }

    #[test]
    fn attributions_are_those_of_the_predicted_class() {
        let p = answer();
        let e = PredictionExplanation {
            model_id: "m".into(),
            version: 1,
            prediction: p.clone(),
            method: "tree_shap",
            output: "probability",
            outputs: vec![PredictedValue::Number(0.0), PredictedValue::Number(1.0)],
            base: vec![0.5, 0.5],
            features: vec![FeatureContribution {
                feature: "bytes".into(),
                value: 3.0,
                contributions: vec![-0.25, 0.25],
            }],
        };
        let out = serde_json::to_value(prediction(&p, Some(&e), 0.1)).unwrap();
        assert_eq!(out["prediction"], json!(1.0));
        assert_eq!(out["probability_distribution"], json!([0.25, 0.75]));
        assert_eq!(out["feature_importance"], json!({"bytes": 0.25}));
        assert_eq!(out["feature_importance_output"], "probability of class 1");
    }

    #[test]
    fn batches_come_as_arrays_or_objects_with_ids() {
        let (rows, ids) = batch("b", &json!([[1, 2], [3, 4]])).unwrap();
        assert_eq!((rows.len(), ids), (2, None));
        let (rows, ids) = batch("b", &json!({"samples": [[1]], "sample_ids": ["a"]})).unwrap();
        assert_eq!((rows.len(), ids.map(|i| i.len())), (1, Some(1)));
        let e = batch("b", &json!({"samples": [[1]], "sample_ids": []}))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("0 ids for 1 rows"), "{e}");
    }
}
