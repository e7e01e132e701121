//! What to train: the task, the algorithm and its hyperparameters.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::MlError;

/// What a model learns to do.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// Predict one of a fixed set of classes.
    Classification,
    /// Predict a real number.
    Regression,
    /// Score how unusual a row is, without labels.
    AnomalyDetection,
    /// Group rows into clusters, without labels.
    Clustering,
}

/// The learning algorithm.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// A single CART tree.
    DecisionTree,
    /// Bagged CART trees with feature subsampling.
    RandomForest,
    /// Histogram-based gradient-boosted trees.
    GradientBoosting,
    /// Multinomial logistic regression with L2, fitted by L-BFGS.
    LogisticRegression,
    /// Ridge linear regression.
    LinearRegression,
    /// A multilayer perceptron trained with Adam.
    NeuralNetwork,
    /// Isolation forest (Liu et al. 2008).
    IsolationForest,
    /// k-means with k-means++ initialisation.
    #[serde(rename = "kmeans")]
    KMeans,
}

macro_rules! names {
    ($ty:ty, $what:literal, [$($variant:ident = $name:literal = $tag:literal),+ $(,)?]) => {
        impl $ty {
            /// Every value, in tag order.
            pub const ALL: &'static [$ty] = &[$(<$ty>::$variant),+];

            /// The name used on the command line, in JSON and in files.
            pub fn name(self) -> &'static str {
                match self { $(<$ty>::$variant => $name),+ }
            }

            /// The tag stored in a model file header.
            pub fn tag(self) -> u8 {
                match self { $(<$ty>::$variant => $tag),+ }
            }

            /// The value a model file header tag stands for.
            pub fn from_tag(tag: u8) -> Option<Self> {
                match tag { $($tag => Some(<$ty>::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl FromStr for $ty {
            type Err = MlError;

            fn from_str(s: &str) -> Result<Self, MlError> {
                match s {
                    $($name => Ok(<$ty>::$variant),)+
                    _ => Err(MlError::InvalidParameter {
                        name: $what,
                        reason: format!(
                            "unknown {} '{s}'; expected one of: {}",
                            $what,
                            [$($name),+].join(", ")
                        ),
                    }),
                }
            }
        }
    };
}

names!(
    Task,
    "task",
    [
        Classification = "classification" = 0,
        Regression = "regression" = 1,
        AnomalyDetection = "anomaly_detection" = 2,
        Clustering = "clustering" = 3,
    ]
);

names!(
    Algorithm,
    "algorithm",
    [
        DecisionTree = "decision_tree" = 0,
        RandomForest = "random_forest" = 1,
        GradientBoosting = "gradient_boosting" = 2,
        LogisticRegression = "logistic_regression" = 3,
        LinearRegression = "linear_regression" = 4,
        NeuralNetwork = "neural_network" = 5,
        IsolationForest = "isolation_forest" = 6,
        KMeans = "kmeans" = 7,
    ]
);

impl Task {
    /// Whether training needs a label column.
    pub fn needs_label(self) -> bool {
        matches!(self, Task::Classification | Task::Regression)
    }
}

impl Algorithm {
    /// The tasks this algorithm can learn; the first is its default.
    pub fn tasks(self) -> &'static [Task] {
        match self {
            Algorithm::DecisionTree
            | Algorithm::RandomForest
            | Algorithm::GradientBoosting
            | Algorithm::NeuralNetwork => &[Task::Classification, Task::Regression],
            Algorithm::LogisticRegression => &[Task::Classification],
            Algorithm::LinearRegression => &[Task::Regression],
            Algorithm::IsolationForest => &[Task::AnomalyDetection],
            Algorithm::KMeans => &[Task::Clustering],
        }
    }

    /// The task used when none is given.
    pub fn default_task(self) -> Task {
        self.tasks()[0]
    }

    /// Checks that this algorithm can learn `task`.
    pub fn check_task(self, task: Task) -> Result<(), MlError> {
        if self.tasks().contains(&task) {
            Ok(())
        } else {
            let tasks: Vec<&str> = self.tasks().iter().map(|t| t.name()).collect();
            Err(MlError::InvalidParameter {
                name: "task",
                reason: format!(
                    "{self} cannot learn {task}; it supports: {}",
                    tasks.join(", ")
                ),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_tags_round_trip() {
        for a in Algorithm::ALL {
            assert_eq!(a.name().parse::<Algorithm>().unwrap(), *a);
            assert_eq!(Algorithm::from_tag(a.tag()), Some(*a));
            assert_eq!(serde_json::to_string(a).unwrap(), format!("\"{a}\""));
        }
        for t in Task::ALL {
            assert_eq!(t.name().parse::<Task>().unwrap(), *t);
            assert_eq!(Task::from_tag(t.tag()), Some(*t));
            assert_eq!(serde_json::to_string(t).unwrap(), format!("\"{t}\""));
        }
    }

    #[test]
    fn unknown_names_list_the_valid_ones() {
        let err = "forest".parse::<Algorithm>().unwrap_err().to_string();
        assert!(
            err.contains(
                "unknown algorithm 'forest'; expected one of: decision_tree, random_forest"
            )
        );
    }

    #[test]
    fn tasks_are_checked() {
        assert!(Algorithm::RandomForest.check_task(Task::Regression).is_ok());
        let err = Algorithm::KMeans
            .check_task(Task::Classification)
            .unwrap_err()
            .to_string();
        assert!(err.contains("kmeans cannot learn classification; it supports: clustering"));
    }
}
