//! Data given to the engine: feature rows with optional labels, inline or from a CSV file, and
//! the checks that turn them into a matrix and a target with errors that say where.

mod labels;
mod table;

use std::path::PathBuf;

use phantom_ml::Matrix;
use phantom_ml::model::{ClassNames, Target, Task};
use serde::{Deserialize, Serialize};

pub use labels::{InlineLabels, LabelError, LabelLocator, evaluation_target, training_target};
pub use table::{FeatureColumns, Table, TableError, TableLabels, read_table};

/// A label as written in JSON: text, a number or a boolean. Numbers keep their shortest form
/// (`1`, not `1.0`), so labels `0`/`1` come back as `0`/`1`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Label {
    /// A text label, e.g. "malicious".
    Text(String),
    /// A numeric label, e.g. 1.
    Number(f64),
    /// A boolean label (anomaly detection: true = anomaly).
    Flag(bool),
}

impl Label {
    /// The label as the text models are trained on.
    pub fn to_text(&self) -> String {
        match self {
            Label::Text(s) => s.clone(),
            Label::Number(n) => n.to_string(),
            Label::Flag(b) => b.to_string(),
        }
    }
}

impl From<f64> for Label {
    fn from(v: f64) -> Self {
        Label::Number(v)
    }
}

impl From<&str> for Label {
    fn from(s: &str) -> Self {
        Label::Text(s.to_owned())
    }
}

/// Where training or evaluation data comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum DataSource {
    /// Rows given inline: one array of numbers per row, and one label per row when the task
    /// needs labels.
    Rows {
        /// Feature rows, all of the same length.
        features: Vec<Vec<f64>>,
        /// Labels, one per row (required for classification and regression).
        #[serde(default)]
        labels: Option<Vec<Label>>,
    },
    /// A CSV file with a header row; every column but the label is a numeric feature.
    Csv {
        /// The file.
        path: PathBuf,
        /// The label column (default: the model's configured label column).
        #[serde(default)]
        label: Option<String>,
    },
}

/// What is wrong with data given to the engine.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The CSV file could not be read as features.
    #[error(transparent)]
    Table(#[from] TableError),
    /// A label is unusable.
    #[error(transparent)]
    Label(#[from] LabelError),
    /// No rows were given.
    #[error("{what} has no rows; give at least one row of features")]
    NoRows {
        /// "features" or the file.
        what: String,
    },
    /// Rows have different lengths.
    #[error(
        "features[{row}] has {got} values but features[0] has {expected}; every row needs the same features"
    )]
    RaggedRow {
        /// Row index.
        row: usize,
        /// Length of the first row.
        expected: usize,
        /// Length of this row.
        got: usize,
    },
    /// The rows have a different number of features than expected.
    #[error(
        "wrong feature count: the model expects {expected} features ({names}) but the data has {got}"
    )]
    FeatureCount {
        /// Features the model expects.
        expected: usize,
        /// The model's feature names, comma-separated.
        names: String,
        /// Features in the data.
        got: usize,
    },
    /// A feature value is NaN or infinite.
    #[error(
        "features[{row}][{column}] ('{name}') is {value:?}; feature values must be finite numbers"
    )]
    NonFinite {
        /// Row index.
        row: usize,
        /// Column index.
        column: usize,
        /// Feature name.
        name: String,
        /// The value.
        value: f64,
    },
    /// The label list does not match the rows.
    #[error("there are {rows} feature rows but {labels} labels; give one label per row")]
    LabelCount {
        /// Feature rows.
        rows: usize,
        /// Labels.
        labels: usize,
    },
    /// The task needs labels and none were given.
    #[error("{task} needs labels: give `labels` (one per row) or a CSV label column")]
    MissingLabels {
        /// The task.
        task: Task,
    },
}

impl Table {
    /// The label column `label` as the target a model of `task` learns from (no target
    /// when the table was read without labels).
    pub fn training_target(&self, label: &str, task: Task) -> Result<Target, LabelError> {
        match &self.labels {
            Some(values) => training_target(values, task, &TableLabels::new(self, label)),
            None => Ok(Target::None),
        }
    }

    /// The label column `label` as the target to evaluate a model of `task` with `classes`
    /// against (no target when the table was read without labels).
    pub fn evaluation_target(
        &self,
        label: &str,
        task: Task,
        classes: &ClassNames,
    ) -> Result<Target, LabelError> {
        match &self.labels {
            Some(values) => {
                evaluation_target(values, task, classes, &TableLabels::new(self, label))
            }
            None => Ok(Target::None),
        }
    }
}

/// Features read from a source, with their labels as text and a way to name a bad label.
pub(crate) struct LoadedData {
    pub(crate) x: Matrix,
    pub(crate) feature_names: Vec<String>,
    pub(crate) labels: Option<LoadedLabels>,
}

/// Labels as text plus where they came from.
pub(crate) struct LoadedLabels {
    pub(crate) values: Vec<String>,
    pub(crate) locator: Box<dyn LabelLocator + Send>,
}

impl LoadedData {
    /// Reads `source`. `feature_names`, when given, names the feature columns: CSV columns are
    /// picked by these names in this order, inline rows must have this many values. Otherwise
    /// CSV features are every column but the label, and inline features are named
    /// `feature_0`, `feature_1`, ...
    pub(crate) fn read(
        source: &DataSource,
        feature_names: Option<&[String]>,
        default_label: Option<&str>,
        label_required: bool,
    ) -> Result<Self, DataError> {
        match source {
            DataSource::Rows { features, labels } => {
                let x = rows_to_matrix(features, feature_names)?;
                let names = match feature_names {
                    Some(names) => names.to_vec(),
                    None => (0..x.n_cols()).map(|i| format!("feature_{i}")).collect(),
                };
                let labels = match labels {
                    Some(labels) if labels.len() != x.n_rows() => {
                        return Err(DataError::LabelCount {
                            rows: x.n_rows(),
                            labels: labels.len(),
                        });
                    }
                    Some(labels) => Some(LoadedLabels {
                        values: labels.iter().map(Label::to_text).collect(),
                        locator: Box::new(InlineLabels),
                    }),
                    None => None,
                };
                Ok(LoadedData {
                    x,
                    feature_names: names,
                    labels,
                })
            }
            DataSource::Csv { path, label } => {
                let label = label.as_deref().or(default_label);
                let columns = match feature_names {
                    Some(names) => FeatureColumns::Named(names),
                    None => FeatureColumns::AllExcept(&[]),
                };
                let table = read_table(path, columns, label, label_required)?;
                let labels = match (&table.labels, label) {
                    (Some(values), Some(column)) => Some(LoadedLabels {
                        values: values.clone(),
                        locator: Box::new(TableLabels::new(&table, column)),
                    }),
                    (Some(_), None) | (None, _) => None,
                };
                Ok(LoadedData {
                    x: table.x,
                    feature_names: table.feature_names,
                    labels,
                })
            }
        }
    }

    /// The target a model of `task` learns from.
    pub(crate) fn training_target(&self, task: Task) -> Result<Target, DataError> {
        match &self.labels {
            Some(l) => Ok(training_target(&l.values, task, l.locator.as_ref())?),
            None if task.needs_label() => Err(DataError::MissingLabels { task }),
            None => Ok(Target::None),
        }
    }

    /// The target to evaluate a model of `task` with `classes` against.
    pub(crate) fn evaluation_target(
        &self,
        task: Task,
        classes: &ClassNames,
    ) -> Result<Target, DataError> {
        match &self.labels {
            Some(l) => Ok(evaluation_target(
                &l.values,
                task,
                classes,
                l.locator.as_ref(),
            )?),
            None if task.needs_label() => Err(DataError::MissingLabels { task }),
            None => Ok(Target::None),
        }
    }
}

/// Checks inline rows (same length, finite, `names.len()` columns when given) and packs them
/// into a matrix.
pub(crate) fn rows_to_matrix(
    rows: &[Vec<f64>],
    names: Option<&[String]>,
) -> Result<Matrix, DataError> {
    let Some(first) = rows.first() else {
        return Err(DataError::NoRows {
            what: "features".into(),
        });
    };
    let n_cols = first.len();
    if let Some(names) = names
        && names.len() != n_cols
    {
        return Err(DataError::FeatureCount {
            expected: names.len(),
            names: names.join(", "),
            got: n_cols,
        });
    }
    let mut data = Vec::with_capacity(rows.len() * n_cols);
    for (r, row) in rows.iter().enumerate() {
        if row.len() != n_cols {
            return Err(DataError::RaggedRow {
                row: r,
                expected: n_cols,
                got: row.len(),
            });
        }
        for (c, &v) in row.iter().enumerate() {
            if !v.is_finite() || !(v as f32).is_finite() {
                return Err(DataError::NonFinite {
                    row: r,
                    column: c,
                    name: names
                        .and_then(|n| n.get(c).cloned())
                        .unwrap_or_else(|| format!("feature_{c}")),
                    value: v,
                });
            }
            data.push(v as f32);
        }
    }
    Matrix::new(rows.len(), n_cols, data).map_err(|_| DataError::NoRows {
        what: "features".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_checked_with_positions() {
        let err = |rows: Vec<Vec<f64>>| rows_to_matrix(&rows, None).unwrap_err().to_string();
        assert!(err(vec![]).contains("no rows"));
        assert!(err(vec![vec![1.0, 2.0], vec![1.0]]).starts_with("features[1] has 1 values"));
        assert!(err(vec![vec![1.0, f64::NAN]]).starts_with("features[0][1] ('feature_1') is NaN"));
        assert!(err(vec![vec![1e300]]).contains("is 1e300"));
        let names = vec!["a".to_string()];
        let wrong = rows_to_matrix(&[vec![1.0, 2.0]], Some(&names)).unwrap_err();
        assert_eq!(
            wrong.to_string(),
            "wrong feature count: the model expects 1 features (a) but the data has 2"
        );
    }

    #[test]
    fn labels_keep_their_written_form() {
        let json = r#"{"features": [[1], [2]], "labels": [0, "x"]}"#;
        let source: DataSource = serde_json::from_str(json).unwrap();
        let data = LoadedData::read(&source, None, None, true).unwrap();
        assert_eq!(data.labels.unwrap().values, vec!["0", "x"]);
        assert_eq!(data.feature_names, vec!["feature_0"]);
    }
}
