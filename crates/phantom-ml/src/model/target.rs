//! What a model learns from or is evaluated against, and the names of its classes.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// The class labels of a classifier, as given in training, in class-index order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClassNames(Vec<String>);

impl ClassNames {
    /// The distinct labels, sorted: numerically when every label is a number (so "2" < "10"),
    /// otherwise as text.
    pub fn from_labels(labels: &[String]) -> Self {
        let mut names: Vec<String> = labels.to_vec();
        names.sort_unstable();
        names.dedup();
        let numeric: Option<Vec<f64>> = names.iter().map(|n| n.parse::<f64>().ok()).collect();
        if let Some(values) = numeric {
            let mut pairs: Vec<(f64, String)> = values.into_iter().zip(names).collect();
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
            names = pairs.into_iter().map(|(_, n)| n).collect();
        }
        Self(names)
    }

    /// Class names given directly, in class-index order.
    pub fn new(names: Vec<String>) -> Self {
        Self(names)
    }

    /// Number of classes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no classes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The names in class-index order.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// The name of class `index`, or "?" if out of range.
    pub fn name(&self, index: u32) -> &str {
        self.0.get(index as usize).map_or("?", String::as_str)
    }

    /// The index of the class named `label`.
    pub fn index_of(&self, label: &str) -> Option<u32> {
        self.0.iter().position(|n| n == label).map(|i| i as u32)
    }

    /// Every label as its class index, or `None` if a label is not a known class.
    pub fn encode(&self, labels: &[String]) -> Option<Vec<u32>> {
        let index: HashMap<&str, u32> = self
            .0
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i as u32))
            .collect();
        labels
            .iter()
            .map(|l| index.get(l.as_str()).copied())
            .collect()
    }
}

/// The labels that go with a feature matrix.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// Class indices and the class names they stand for.
    Classes {
        /// One class index per row.
        y: Vec<u32>,
        /// The names of the classes.
        names: ClassNames,
    },
    /// One real value per row.
    Values(Vec<f64>),
    /// One flag per row: `true` for an anomaly.
    Anomalies(Vec<bool>),
    /// No labels.
    None,
}

impl Target {
    /// Number of rows labelled, or `None` without labels.
    pub fn n_rows(&self) -> Option<usize> {
        match self {
            Target::Classes { y, .. } => Some(y.len()),
            Target::Values(v) => Some(v.len()),
            Target::Anomalies(a) => Some(a.len()),
            Target::None => None,
        }
    }

    /// The target restricted to `rows`, in that order.
    pub fn select(&self, rows: &[usize]) -> Target {
        fn pick<T: Clone>(v: &[T], rows: &[usize]) -> Vec<T> {
            rows.iter().map(|&i| v[i].clone()).collect()
        }
        match self {
            Target::Classes { y, names } => Target::Classes {
                y: pick(y, rows),
                names: names.clone(),
            },
            Target::Values(v) => Target::Values(pick(v, rows)),
            Target::Anomalies(a) => Target::Anomalies(pick(a, rows)),
            Target::None => Target::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn numeric_labels_sort_by_value() {
        let names = ClassNames::from_labels(&strings(&["10", "2", "2", "1"]));
        assert_eq!(names.as_slice(), &strings(&["1", "2", "10"]));
        assert_eq!(names.encode(&strings(&["10", "1"])), Some(vec![2, 0]));
        assert_eq!(names.encode(&strings(&["3"])), None);
    }

    #[test]
    fn text_labels_sort_as_text() {
        let names = ClassNames::from_labels(&strings(&["dog", "cat", "dog"]));
        assert_eq!(names.as_slice(), &strings(&["cat", "dog"]));
        assert_eq!(
            (names.index_of("dog"), names.name(0), names.name(9)),
            (Some(1), "cat", "?")
        );
    }

    #[test]
    fn select_picks_rows() {
        let t = Target::Values(vec![1.0, 2.0, 3.0]);
        assert_eq!(t.select(&[2, 0]), Target::Values(vec![3.0, 1.0]));
        assert_eq!(Target::None.n_rows(), None);
    }
}
