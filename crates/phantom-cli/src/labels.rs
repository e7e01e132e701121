//! Turns a label column read as text into training or evaluation targets, with errors that
//! name the file, line and column.

use anyhow::{Context, Result, bail};
use phantom_ml::model::{ClassNames, Target, Task};

use crate::table::Table;

/// The label column of `table` as the target a model of `task` learns from.
///
/// Classification classes are the distinct labels, sorted (numerically when every label is a
/// number); regression labels must be numbers; anomaly-detection labels must be 0 (normal) or
/// 1 (anomaly); clustering ignores labels.
pub fn training_target(table: &Table, label: &str, task: Task) -> Result<Target> {
    let Some(labels) = &table.labels else {
        return Ok(Target::None);
    };
    match task {
        Task::Classification => {
            let names = ClassNames::from_labels(labels);
            if names.len() < 2 {
                bail!(
                    "{}: the label column '{label}' has a single class ({}); classification needs at least two",
                    table.path.display(),
                    names.as_slice().first().map_or("none", String::as_str)
                );
            }
            let y = names
                .encode(labels)
                .context("every label was just collected into the class names")?;
            Ok(Target::Classes { y, names })
        }
        Task::Regression => Ok(Target::Values(numbers(table, label, labels)?)),
        Task::AnomalyDetection => Ok(Target::Anomalies(anomaly_flags(table, label, labels)?)),
        Task::Clustering => Ok(Target::None),
    }
}

/// The label column of `table` as the target to evaluate a model against, using the model's
/// own class names for classification.
pub fn evaluation_target(
    table: &Table,
    label: &str,
    task: Task,
    classes: &ClassNames,
) -> Result<Target> {
    let Some(labels) = &table.labels else {
        return Ok(Target::None);
    };
    match task {
        Task::Classification => {
            let mut y = Vec::with_capacity(labels.len());
            for (value, line) in labels.iter().zip(&table.lines) {
                let Some(class) = classes.index_of(value) else {
                    bail!(
                        "{}: line {line}, column '{label}': class '{value}' was not seen in training (the model knows: {})",
                        table.path.display(),
                        classes.as_slice().join(", ")
                    );
                };
                y.push(class);
            }
            Ok(Target::Classes {
                y,
                names: classes.clone(),
            })
        }
        Task::Regression => Ok(Target::Values(numbers(table, label, labels)?)),
        Task::AnomalyDetection => Ok(Target::Anomalies(anomaly_flags(table, label, labels)?)),
        Task::Clustering => Ok(Target::None),
    }
}

fn numbers(table: &Table, label: &str, labels: &[String]) -> Result<Vec<f64>> {
    labels
        .iter()
        .zip(&table.lines)
        .map(|(value, line)| match value.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => bail!(
                "{}: line {line}, column '{label}': '{value}' is not a finite number; regression labels must be numbers",
                table.path.display()
            ),
        })
        .collect()
}

fn anomaly_flags(table: &Table, label: &str, labels: &[String]) -> Result<Vec<bool>> {
    labels
        .iter()
        .zip(&table.lines)
        .map(|(value, line)| match value.as_str() {
            "1" | "1.0" => Ok(true),
            "0" | "0.0" => Ok(false),
            _ => bail!(
                "{}: line {line}, column '{label}': '{value}' is not 0 or 1; anomaly labels are 1 for an anomaly and 0 for normal",
                table.path.display()
            ),
        })
        .collect()
}
