//! Phantom's machine-learning algorithms.
//!
//! The principal types are [`Matrix`] (row-major `f32` features), the parameter builders of each
//! algorithm (for example [`random_forest::RandomForestParams`]) whose `fit_*` methods return a
//! fitted model, and the fitted-model traits [`Classifier`] and [`Regressor`]. Every randomized
//! algorithm takes a `seed`; the same seed and data give a bit-identical model.
//!
//! ```
//! use phantom_ml::{Classifier, Matrix, NoProgress};
//! use phantom_ml::random_forest::RandomForestParams;
//!
//! let x = Matrix::new(4, 1, vec![0.0, 1.0, 10.0, 11.0])?;
//! let y = [0, 0, 1, 1];
//! let forest = RandomForestParams::new().n_trees(10).seed(7).fit_classifier(&x, &y, 2, &NoProgress)?;
//! assert_eq!(forest.predict(&x), vec![0, 0, 1, 1]);
//! # Ok::<(), phantom_ml::MlError>(())
//! ```
//!
//! This crate does no I/O and no async work; data parallelism uses `rayon`.
#![warn(missing_docs)]

pub mod binning;
pub mod decision_tree;
mod error;
pub mod explain;
pub mod gradient_boosting;
mod input;
pub mod isolation_forest;
pub mod kmeans;
pub mod linear_regression;
pub mod logistic_regression;
mod matrix;
pub mod metrics;
pub mod model;
pub mod neural_network;
pub mod optim;
mod progress;
pub mod random_forest;
pub mod rng;
pub mod scaling;
mod traits;
pub mod tree;

pub use error::MlError;
pub use matrix::Matrix;
pub use progress::{NoProgress, Progress};
pub use traits::{Classifier, Regressor, argmax};
