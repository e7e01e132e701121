//! What a model is created with: [`ModelConfig`] as given (every field but `algorithm` may be
//! left out) and [`ModelSettings`], the same with every default filled in, as stored.

use phantom_ml::model::{Algorithm, Hyperparameters, ModelSpec, Task, default_scaler};
use phantom_ml::scaling::ScalerKind;
use serde::{Deserialize, Serialize};

use crate::EngineError;

/// Default share of rows held out to compute validation metrics.
pub const DEFAULT_VALIDATION_SPLIT: f64 = 0.2;

/// Longest model name accepted.
pub const MAX_NAME_LEN: usize = 128;

/// Feature scaling choice: a scaler, or none.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scaling {
    /// No scaling.
    None,
    /// Scale each feature to [0, 1].
    MinMax,
    /// Centre on the mean, divide by the standard deviation.
    ZScore,
    /// Centre on the median, divide by the interquartile range.
    Robust,
    /// Scale each row to unit length.
    UnitVector,
}

impl Scaling {
    fn kind(self) -> Option<ScalerKind> {
        match self {
            Scaling::None => None,
            Scaling::MinMax => Some(ScalerKind::MinMax),
            Scaling::ZScore => Some(ScalerKind::ZScore),
            Scaling::Robust => Some(ScalerKind::Robust),
            Scaling::UnitVector => Some(ScalerKind::UnitVector),
        }
    }

    fn from_kind(kind: Option<ScalerKind>) -> Self {
        match kind {
            None => Scaling::None,
            Some(ScalerKind::MinMax) => Scaling::MinMax,
            Some(ScalerKind::ZScore) => Scaling::ZScore,
            Some(ScalerKind::Robust) => Scaling::Robust,
            Some(ScalerKind::UnitVector) => Scaling::UnitVector,
        }
    }
}

/// A model as asked for. Only `algorithm` is required; unknown fields are an error.
///
/// Defaults: `name` = "<algorithm>-<first 8 characters of the id>"; `task` = the algorithm's
/// first task (classification for algorithms that do both); `hyperparameters` = the
/// algorithm's defaults (docs/MODELS.md); `feature_names` = the CSV header, or `feature_0`,
/// `feature_1`, ... for inline rows; `scaling` = z_score for logistic_regression,
/// neural_network and kmeans, none otherwise; `validation_split` = 0.2; `label` = "label".
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelConfig {
    /// Unique name within the tenant (1–128 characters: letters, digits, `-`, `_`, `.`).
    pub name: Option<String>,
    /// What the model is for, free text.
    pub description: Option<String>,
    /// The learning algorithm (required).
    pub algorithm: Option<Algorithm>,
    /// What the model learns.
    pub task: Option<Task>,
    /// Hyperparameters; each one left out takes the algorithm's default.
    pub hyperparameters: Hyperparameters,
    /// Names of the features, in order; data given later must match them.
    pub feature_names: Option<Vec<String>>,
    /// Feature scaling fitted on the training rows.
    pub scaling: Option<Scaling>,
    /// Share of rows held out for validation metrics, in [0, 1).
    pub validation_split: Option<f64>,
    /// The label column of CSV training files.
    pub label: Option<String>,
}

/// A model's configuration with every default applied; what the registry stores.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSettings {
    /// What the model is for.
    pub description: Option<String>,
    /// The learning algorithm.
    pub algorithm: Algorithm,
    /// What the model learns.
    pub task: Task,
    /// Hyperparameters as given (unset ones take the algorithm's defaults).
    pub hyperparameters: Hyperparameters,
    /// Feature names, when fixed at creation.
    pub feature_names: Option<Vec<String>>,
    /// Feature scaling.
    pub scaling: Scaling,
    /// Share of rows held out for validation metrics.
    pub validation_split: f64,
    /// The label column of CSV training files.
    pub label: String,
}

impl ModelConfig {
    /// Parses a configuration from JSON; an unknown field or a wrong type is an error that
    /// names it.
    pub fn from_json(json: &str) -> Result<Self, EngineError> {
        let mut de = serde_json::Deserializer::from_str(json);
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            EngineError::InvalidConfig {
                field: if path == "." { "config".into() } else { path },
                reason: e.into_inner().to_string(),
            }
        })
    }

    /// Checks every field and fills in the defaults. Returns the name (if given) and the
    /// settings.
    pub fn resolve(self) -> Result<(Option<String>, ModelSettings), EngineError> {
        let Some(algorithm) = self.algorithm else {
            return Err(invalid(
                "algorithm",
                "is required: one of decision_tree, random_forest, gradient_boosting, logistic_regression, linear_regression, neural_network, isolation_forest, kmeans",
            ));
        };
        if let Some(name) = &self.name {
            check_name(name)?;
        }
        let task = self.task.unwrap_or(algorithm.default_task());
        algorithm
            .check_task(task)
            .map_err(|e| invalid("task", &e.to_string()))?;
        self.hyperparameters
            .check_applies_to(algorithm)
            .map_err(|e| invalid("hyperparameters", &e.to_string()))?;
        if let Some(names) = &self.feature_names {
            check_feature_names(names)?;
        }
        let validation_split = self.validation_split.unwrap_or(DEFAULT_VALIDATION_SPLIT);
        if !(0.0..1.0).contains(&validation_split) {
            return Err(invalid(
                "validation_split",
                &format!("must be at least 0 and below 1, got {validation_split}"),
            ));
        }
        let label = self.label.unwrap_or_else(|| "label".to_owned());
        if label.trim().is_empty() {
            return Err(invalid("label", "must not be empty"));
        }
        let scaling = self
            .scaling
            .unwrap_or(Scaling::from_kind(default_scaler(algorithm)));
        let settings = ModelSettings {
            description: self.description,
            algorithm,
            task,
            hyperparameters: self.hyperparameters,
            feature_names: self.feature_names,
            scaling,
            validation_split,
            label,
        };
        settings
            .spec()
            .validate()
            .map_err(|e| invalid("hyperparameters", &e.to_string()))?;
        Ok((self.name, settings))
    }
}

impl ModelSettings {
    /// What phantom-ml trains from these settings.
    pub fn spec(&self) -> ModelSpec {
        ModelSpec::new(self.algorithm, self.task)
            .hyperparameters(self.hyperparameters.clone())
            .scaler(self.scaling.kind())
    }

    /// Settings describing an existing trained model (for imports of bare model files).
    pub fn of_model(spec: &ModelSpec, feature_names: &[String]) -> Self {
        Self {
            description: None,
            algorithm: spec.algorithm,
            task: spec.task,
            hyperparameters: spec.hyperparameters.clone(),
            feature_names: Some(feature_names.to_vec()),
            scaling: Scaling::from_kind(spec.scaler),
            validation_split: DEFAULT_VALIDATION_SPLIT,
            label: "label".to_owned(),
        }
    }
}

/// Checks a model name: 1–128 characters of letters, digits, `-`, `_` and `.`.
pub fn check_name(name: &str) -> Result<(), EngineError> {
    if name.is_empty() || name.chars().count() > MAX_NAME_LEN {
        return Err(invalid(
            "name",
            &format!(
                "must be 1 to {MAX_NAME_LEN} characters, got {}",
                name.chars().count()
            ),
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(invalid(
            "name",
            &format!("'{name}' contains '{bad}'; use letters, digits, '-', '_' and '.'"),
        ));
    }
    Ok(())
}

fn check_feature_names(names: &[String]) -> Result<(), EngineError> {
    if names.is_empty() {
        return Err(invalid("feature_names", "must name at least one feature"));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, name) in names.iter().enumerate() {
        if name.trim().is_empty() {
            return Err(invalid("feature_names", &format!("entry {i} is empty")));
        }
        if !seen.insert(name.as_str()) {
            return Err(invalid("feature_names", &format!("'{name}' appears twice")));
        }
    }
    Ok(())
}

fn invalid(field: &str, reason: &str) -> EngineError {
    EngineError::InvalidConfig {
        field: field.to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(json: &str) -> Result<ModelSettings, String> {
        ModelConfig::from_json(json)
            .and_then(ModelConfig::resolve)
            .map(|(_, s)| s)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_are_filled_in() {
        let s = resolve(r#"{"algorithm": "logistic_regression"}"#).unwrap();
        assert_eq!(s.task, Task::Classification);
        assert_eq!(s.scaling, Scaling::ZScore);
        assert_eq!(s.validation_split, 0.2);
        assert_eq!(s.label, "label");
        let s = resolve(r#"{"algorithm": "random_forest"}"#).unwrap();
        assert_eq!(s.scaling, Scaling::None);
    }

    #[test]
    fn each_wrong_field_is_named() {
        let cases = [
            (r#"{}"#, "algorithm"),
            (r#"{"algorithm": "magic"}"#, "unknown variant `magic`"),
            (
                r#"{"algorithm": "kmeans", "colour": 1}"#,
                "unknown field `colour`",
            ),
            (r#"{"algorithm": "kmeans", "task": "regression"}"#, "task"),
            (
                r#"{"algorithm": "kmeans", "hyperparameters": {"n_trees": 3}}"#,
                "n_trees",
            ),
            (
                r#"{"algorithm": "kmeans", "hyperparameters": {"k": 0}}"#,
                "k",
            ),
            (
                r#"{"algorithm": "kmeans", "validation_split": 1.5}"#,
                "validation_split",
            ),
            (r#"{"algorithm": "kmeans", "name": "a b"}"#, "name"),
            (
                r#"{"algorithm": "kmeans", "feature_names": ["a", "a"]}"#,
                "feature_names",
            ),
            (
                r#"{"algorithm": "kmeans", "scaling": "log"}"#,
                "unknown variant `log`",
            ),
            (
                r#"{"algorithm": "kmeans", "validation_split": "x"}"#,
                "validation_split",
            ),
        ];
        for (json, needle) in cases {
            let err = resolve(json).unwrap_err();
            assert!(err.contains(needle), "{json}: {err}");
        }
    }
}
