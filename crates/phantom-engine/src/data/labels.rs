//! Turns labels written as text (a CSV column, or JSON values) into training or evaluation
//! targets, with errors that say where the bad label is.

use phantom_ml::model::{ClassNames, Target, Task};

/// A label that cannot be used, with where it is (e.g. "flows.csv: line 4, column 'y'" or
/// "labels[3]").
#[derive(Debug, thiserror::Error)]
pub enum LabelError {
    /// Classification needs two classes or more.
    #[error("{source_name} has a single class ({class}); classification needs at least two")]
    SingleClass {
        /// The label column or list.
        source_name: String,
        /// The only class.
        class: String,
    },
    /// An evaluation label names a class the model never saw.
    #[error("{location}: class '{value}' was not seen in training (the model knows: {known})")]
    UnknownClass {
        /// Where the label is.
        location: String,
        /// The label.
        value: String,
        /// The model's classes, comma-separated.
        known: String,
    },
    /// A regression label is not a finite number.
    #[error("{location}: '{value}' is not a finite number; regression labels must be numbers")]
    NotNumber {
        /// Where the label is.
        location: String,
        /// The label.
        value: String,
    },
    /// An anomaly label is not 0 or 1.
    #[error(
        "{location}: '{value}' is not 0 or 1; anomaly labels are 1 for an anomaly and 0 for normal"
    )]
    NotAnomalyFlag {
        /// Where the label is.
        location: String,
        /// The label.
        value: String,
    },
}

/// Where labels come from, to name a bad one.
pub trait LabelLocator {
    /// The whole label source, e.g. "flows.csv: the label column 'y'".
    fn source_name(&self) -> String;
    /// Where label `index` is, e.g. "flows.csv: line 4, column 'y'".
    fn locate(&self, index: usize) -> String;
}

/// Labels given inline as a list: `labels[i]`.
pub struct InlineLabels;

impl LabelLocator for InlineLabels {
    fn source_name(&self) -> String {
        "the label list".to_owned()
    }

    fn locate(&self, index: usize) -> String {
        format!("labels[{index}]")
    }
}

/// `labels` as the target a model of `task` learns from.
///
/// Classification classes are the distinct labels, sorted (numerically when every label is a
/// number); regression labels must be numbers; anomaly-detection labels must be 0 (normal) or
/// 1 (anomaly); clustering ignores labels.
pub fn training_target(
    labels: &[String],
    task: Task,
    at: &dyn LabelLocator,
) -> Result<Target, LabelError> {
    match task {
        Task::Classification => {
            let names = ClassNames::from_labels(labels);
            if names.len() < 2 {
                return Err(LabelError::SingleClass {
                    source_name: at.source_name(),
                    class: names.as_slice().first().cloned().unwrap_or_default(),
                });
            }
            let y = encode(labels, &names, at)?;
            Ok(Target::Classes { y, names })
        }
        Task::Regression => Ok(Target::Values(numbers(labels, at)?)),
        Task::AnomalyDetection => Ok(Target::Anomalies(anomaly_flags(labels, at)?)),
        Task::Clustering => Ok(Target::None),
    }
}

/// `labels` as the target to evaluate a model of `task` against, using the model's own class
/// names for classification.
pub fn evaluation_target(
    labels: &[String],
    task: Task,
    classes: &ClassNames,
    at: &dyn LabelLocator,
) -> Result<Target, LabelError> {
    match task {
        Task::Classification => Ok(Target::Classes {
            y: encode(labels, classes, at)?,
            names: classes.clone(),
        }),
        Task::Regression => Ok(Target::Values(numbers(labels, at)?)),
        Task::AnomalyDetection => Ok(Target::Anomalies(anomaly_flags(labels, at)?)),
        Task::Clustering => Ok(Target::None),
    }
}

fn encode(
    labels: &[String],
    classes: &ClassNames,
    at: &dyn LabelLocator,
) -> Result<Vec<u32>, LabelError> {
    labels
        .iter()
        .enumerate()
        .map(|(i, value)| {
            classes
                .index_of(value)
                .ok_or_else(|| LabelError::UnknownClass {
                    location: at.locate(i),
                    value: value.clone(),
                    known: classes.as_slice().join(", "),
                })
        })
        .collect()
}

fn numbers(labels: &[String], at: &dyn LabelLocator) -> Result<Vec<f64>, LabelError> {
    labels
        .iter()
        .enumerate()
        .map(|(i, value)| match value.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(LabelError::NotNumber {
                location: at.locate(i),
                value: value.clone(),
            }),
        })
        .collect()
}

fn anomaly_flags(labels: &[String], at: &dyn LabelLocator) -> Result<Vec<bool>, LabelError> {
    labels
        .iter()
        .enumerate()
        .map(|(i, value)| match value.as_str() {
            "1" | "1.0" | "true" => Ok(true),
            "0" | "0.0" | "false" => Ok(false),
            _ => Err(LabelError::NotAnomalyFlag {
                location: at.locate(i),
                value: value.clone(),
            }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn classes_are_sorted_and_encoded() {
        let t = training_target(
            &strings(&["b", "a", "b"]),
            Task::Classification,
            &InlineLabels,
        )
        .unwrap();
        let Target::Classes { y, names } = t else {
            panic!("expected classes")
        };
        assert_eq!(
            (y, names.as_slice().to_vec()),
            (vec![1, 0, 1], strings(&["a", "b"]))
        );
    }

    #[test]
    fn bad_labels_say_where() {
        let err = |labels: &[&str], task| {
            training_target(&strings(labels), task, &InlineLabels)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(&["x", "x"], Task::Classification),
            "the label list has a single class (x); classification needs at least two"
        );
        assert!(err(&["1", "z"], Task::Regression).starts_with("labels[1]: 'z' is not a finite"));
        assert!(
            err(&["1", "2"], Task::AnomalyDetection).starts_with("labels[1]: '2' is not 0 or 1")
        );
        let classes = ClassNames::new(strings(&["a", "b"]));
        let unknown = evaluation_target(
            &strings(&["a", "c"]),
            Task::Classification,
            &classes,
            &InlineLabels,
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            unknown,
            "labels[1]: class 'c' was not seen in training (the model knows: a, b)"
        );
    }
}
