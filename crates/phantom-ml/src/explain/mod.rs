//! Model explanations.
//!
//! [`permutation_importance`] measures, for any model, how much a score drops when one feature's
//! values are shuffled across rows.

mod permutation;

pub use permutation::permutation_importance;
