//! Numerical optimisers shared by the linear models and the neural network.
//!
//! [`lbfgs::minimize`] is a deterministic L-BFGS for smooth objectives (logistic regression);
//! [`adam::Adam`] is the stochastic first-order method the neural network trains with.

pub mod adam;
pub mod lbfgs;
mod line_search;
