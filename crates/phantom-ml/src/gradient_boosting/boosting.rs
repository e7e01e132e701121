//! The boosting loop shared by the classifier and the regressor, and the fitted ensemble.

use rand::seq::SliceRandom;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::grower::{TreeGrower, TreeShape};
use super::loss::{GradHess, Objective};
use super::params::GradientBoostingParams;
use super::row_bins::RowBins;
use super::split::SplitRules;
use crate::binning::BinMapper;
use crate::tree::Tree;
use crate::tree::{Contributions, expected_value, tree_shap};
use crate::{Matrix, MlError, Progress, rng};

/// Rows per rayon task when adding a tree's predictions to the validation scores.
const VALIDATION_CHUNK_ROWS: usize = 1024;

/// A fitted sum of trees: `raw score[k] = initial_scores[k] + sum of the trees of score k`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Ensemble {
    n_features: usize,
    initial_scores: Vec<f64>,
    /// Round-major: the tree of score `k` in round `r` is `trees[r * n_scores + k]`.
    trees: Vec<Tree>,
    n_rounds_fitted: usize,
    best_iteration: Option<usize>,
    validation_loss: Vec<f64>,
}

impl Ensemble {
    /// Number of features a row must have.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Number of raw scores per row (trees per round).
    pub fn n_scores(&self) -> usize {
        self.initial_scores.len()
    }

    /// The constant scores the trees start from.
    pub fn initial_scores(&self) -> &[f64] {
        &self.initial_scores
    }

    /// The trees, round-major.
    pub fn trees(&self) -> &[Tree] {
        &self.trees
    }

    /// Number of rounds kept in the model.
    pub fn n_rounds(&self) -> usize {
        self.trees.len() / self.n_scores().max(1)
    }

    /// Number of rounds boosted before the fit ended.
    pub fn n_rounds_fitted(&self) -> usize {
        self.n_rounds_fitted
    }

    /// With early stopping, the zero-based round with the lowest validation loss.
    pub fn best_iteration(&self) -> Option<usize> {
        self.best_iteration
    }

    /// With early stopping, the validation loss after each fitted round.
    pub fn validation_loss(&self) -> &[f64] {
        &self.validation_loss
    }

    /// The raw score of a single-score model for `row`.
    #[inline]
    pub fn raw_score(&self, row: &[f32]) -> f64 {
        let mut s = self.initial_scores.first().copied().unwrap_or(0.0);
        for tree in &self.trees {
            s += tree.predict_row(row)[0];
        }
        s
    }

    /// Writes the raw scores of `row` into `out` (length `n_scores`).
    #[inline]
    pub fn raw_scores(&self, row: &[f32], out: &mut [f64]) {
        out.copy_from_slice(&self.initial_scores);
        for round in self.trees.chunks_exact(out.len()) {
            for (o, tree) in out.iter_mut().zip(round) {
                *o += tree.predict_row(row)[0];
            }
        }
    }

    /// TreeSHAP attributions of the raw scores of `row`: `base[k]` is the initial score plus
    /// each tree's cover-weighted mean leaf value, and `base[k] + sum_f values[f * n_scores + k]`
    /// equals raw score `k`.
    pub fn explain_row(&self, row: &[f32]) -> Contributions {
        let k = self.n_scores();
        let mut base = self.initial_scores.clone();
        let mut values = vec![0.0; self.n_features * k];
        let mut tree_values = vec![0.0; self.n_features];
        for round in self.trees.chunks_exact(k.max(1)) {
            for (score, tree) in round.iter().enumerate() {
                expected_value(tree, &mut base[score..=score]);
                tree_values.fill(0.0);
                tree_shap(tree, row, &mut tree_values);
                for (f, v) in tree_values.iter().enumerate() {
                    values[f * k + score] += v;
                }
            }
        }
        Contributions { base, values }
    }

    /// Total split gain per feature, normalised to sum to 1 (all zero without splits).
    pub fn feature_importance(&self) -> Vec<f64> {
        let mut importance = vec![0.0; self.n_features];
        for tree in &self.trees {
            tree.add_gain_importance(&mut importance);
        }
        let total: f64 = importance.iter().sum();
        if total > 0.0 {
            for v in &mut importance {
                *v /= total;
            }
        }
        importance
    }
}

/// Held-out rows for early stopping and the loss measured on them.
pub(crate) struct Validation<'a> {
    /// The held-out features.
    pub x: &'a Matrix,
    /// Their targets.
    pub objective: Objective<'a>,
}

/// Splits `0..n` into (training, validation) rows with a seeded shuffle; each side keeps at
/// least one row. Rows keep ascending order within each side.
pub(crate) fn validation_split(
    n: usize,
    fraction: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>), MlError> {
    if n < 2 {
        return Err(MlError::EmptyData(
            "early stopping needs at least two rows to hold some out",
        ));
    }
    let mut idx: Vec<usize> = (0..n).collect();
    idx.shuffle(&mut rng::seeded(seed));
    let n_validation = ((n as f64 * fraction).round() as usize).clamp(1, n - 1);
    let mut validation = idx.split_off(n - n_validation);
    idx.sort_unstable();
    validation.sort_unstable();
    Ok((idx, validation))
}

/// Boosts trees on `x` for `objective`, stopping early on `validation` when given.
pub(crate) fn boost(
    params: &GradientBoostingParams,
    x: &Matrix,
    objective: Objective<'_>,
    validation: Option<Validation<'_>>,
    progress: &dyn Progress,
) -> Result<Ensemble, MlError> {
    let n = x.n_rows();
    if u32::try_from(n).is_err() {
        return Err(MlError::DimensionMismatch {
            what: "training rows (gradient boosting indexes rows with u32)",
            expected: u32::MAX as usize,
            got: n,
        });
    }
    let mapper = BinMapper::fit(x, params.max_bins)?;
    let binned = mapper.transform(x)?;
    let data = RowBins::new(&binned);
    let rules = SplitRules {
        min_samples_leaf: params.min_samples_leaf as f64,
        min_hessian_leaf: params.min_hessian_leaf,
        lambda: params.l2_regularization,
    };
    let shape = TreeShape {
        max_leaves: params.max_leaves,
        max_depth: params.max_depth.unwrap_or(usize::MAX),
        learning_rate: params.learning_rate,
    };
    let mut grower = TreeGrower::new(&data, &binned, &mapper, rules, shape);

    let k = objective.n_scores();
    let initial_scores = objective.initial_scores();
    let mut scores: Vec<f64> = initial_scores
        .iter()
        .flat_map(|&s| std::iter::repeat_n(s, n))
        .collect();
    let mut grads = vec![GradHess::default(); n * k];
    let mut validation_scores: Vec<f64> = validation.as_ref().map_or_else(Vec::new, |v| {
        initial_scores
            .iter()
            .flat_map(|&s| std::iter::repeat_n(s, v.x.n_rows()))
            .collect()
    });
    let mut trees = Vec::with_capacity(params.n_rounds * k);
    let mut validation_loss = Vec::new();
    let mut best: Option<(usize, f64)> = None;
    let mut n_rounds_fitted = 0;

    progress.start(params.n_rounds as u64);
    for round in 0..params.n_rounds {
        objective.gradients(&scores, &mut grads);
        for (grads, scores) in grads.chunks_exact(n).zip(scores.chunks_exact_mut(n)) {
            trees.push(grower.grow(grads, scores));
        }
        n_rounds_fitted = round + 1;
        progress.advance(1);
        if let Some(v) = &validation {
            let round_trees = &trees[round * k..];
            add_tree_predictions(v.x, round_trees, &mut validation_scores);
            let loss = v.objective.mean_loss(&validation_scores);
            validation_loss.push(loss);
            match best {
                Some((_, best_loss)) if loss >= best_loss - params.tolerance => {}
                _ => best = Some((round, loss)),
            }
            if best.is_some_and(|(b, _)| round - b >= params.n_iter_no_change) {
                break;
            }
        }
    }
    let best_iteration = best.map(|(b, _)| b);
    if let Some(b) = best_iteration {
        trees.truncate((b + 1) * k);
    }
    Ok(Ensemble {
        n_features: x.n_cols(),
        initial_scores,
        trees,
        n_rounds_fitted,
        best_iteration,
        validation_loss,
    })
}

/// Adds each score column's new tree (one per column, in order) to the class-major `scores`.
fn add_tree_predictions(x: &Matrix, round_trees: &[Tree], scores: &mut [f64]) {
    let n = x.n_rows();
    if n == 0 {
        return;
    }
    for (tree, column) in round_trees.iter().zip(scores.chunks_exact_mut(n)) {
        column
            .par_chunks_mut(VALIDATION_CHUNK_ROWS)
            .enumerate()
            .for_each(|(chunk, dst)| {
                let first = chunk * VALIDATION_CHUNK_ROWS;
                for (i, s) in dst.iter_mut().enumerate() {
                    *s += tree.predict_row(x.row(first + i))[0];
                }
            });
    }
}
