//! Model explanations.
//!
//! [`permutation_importance`] measures, for any model, how much a score drops when one feature's
//! values are shuffled across rows. Linear models' per-row attributions are computed here too
//! (tree models' are TreeSHAP, in `tree`).

mod linear;
mod permutation;

pub(crate) use linear::linear_contributions;

pub use permutation::permutation_importance;
