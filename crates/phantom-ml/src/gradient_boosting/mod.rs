//! Histogram-based gradient boosting in the spirit of LightGBM.
//!
//! [`GradientBoostingParams`] fits a [`GradientBoostingClassifier`] (log-loss with one tree per
//! round for two classes, softmax with one tree per class per round for more) or a
//! [`GradientBoostingRegressor`] (squared error). Features are binned once (at most 256 bins,
//! [`crate::binning::BinMapper`]); each tree is grown leaf-wise, always splitting the leaf with
//! the largest gain `G_L^2/(H_L+l) + G_R^2/(H_R+l) - G^2/(H+l)`, until `max_leaves`. Trees are
//! stored as [`crate::tree::Tree`] with raw `f32` thresholds, so prediction reads raw rows.
//!
//! Speed comes from: histograms built only for the smaller child (the larger is the parent's
//! minus it); rows stored as their non-default bins only (sparse and one-hot features cost
//! nothing in the rows where they hold their most frequent value); gradients gathered in node
//! order; feature groups built in parallel with one task per bin, which also makes the result
//! identical under any thread count.
//!
//! ```no_run
//! use phantom_ml::{Classifier, Matrix, NoProgress};
//! use phantom_ml::gradient_boosting::GradientBoostingParams;
//!
//! let x = Matrix::new(4, 1, vec![0.0, 1.0, 10.0, 11.0])?;
//! let y = [0, 0, 1, 1];
//! let model = GradientBoostingParams::new()
//!     .min_samples_leaf(1)
//!     .fit_classifier(&x, &y, 2, &NoProgress)?;
//! let classes = model.predict(&x);
//! # Ok::<(), phantom_ml::MlError>(())
//! ```

mod boosting;
mod classifier;
mod grower;
mod histogram;
mod loss;
mod params;
mod regressor;
mod row_bins;
mod split;

pub use classifier::GradientBoostingClassifier;
pub use params::GradientBoostingParams;
pub use regressor::GradientBoostingRegressor;
