//! Exact path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent Individualized
//! Feature Attribution for Tree Ensembles", Algorithm 2), in time polynomial in the tree depth.
//!
//! A feature outside the coalition follows both children of a split, weighted by the children's
//! covers; the Shapley values of that game are computed for every output of the leaves at once,
//! because the path weights do not depend on the leaf values.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Tree;

/// Trees one parallel task explains: a forest's trees take milliseconds each to explain when
/// deep, so small tasks balance the threads without costing much to hand out.
const TREES_PER_TASK: usize = 4;

/// Feature attributions of one prediction.
///
/// `base[k] + sum_f values[f * n_outputs + k]` equals the model's output `k` for the row
/// (class `k`'s probability for classifiers, the prediction for regressors).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contributions {
    /// The expected output over the training data (cover-weighted), one per output.
    pub base: Vec<f64>,
    /// Each feature's contribution to each output, feature-major: `values[f * n_outputs + k]`.
    pub values: Vec<f64>,
}

impl Contributions {
    /// The mean attributions of the trees of an ensemble whose output is the trees' mean.
    ///
    /// The trees are explained in parallel, in fixed chunks whose sums are added in order, so
    /// the result is the same bit for bit whatever the number of threads.
    pub(crate) fn mean_over_trees(
        trees: &[Tree],
        n_features: usize,
        n_outputs: usize,
        row: &[f32],
    ) -> Self {
        let chunks: Vec<(Vec<f64>, Vec<f64>)> = trees
            .par_chunks(TREES_PER_TASK)
            .map(|chunk| {
                let mut base = vec![0.0; n_outputs];
                let mut values = vec![0.0; n_features * n_outputs];
                for tree in chunk {
                    expected_value(tree, &mut base);
                    tree_shap(tree, row, &mut values);
                }
                (base, values)
            })
            .collect();
        let mut base = vec![0.0; n_outputs];
        let mut values = vec![0.0; n_features * n_outputs];
        for (chunk_base, chunk_values) in chunks {
            base.iter_mut().zip(chunk_base).for_each(|(a, b)| *a += b);
            values
                .iter_mut()
                .zip(chunk_values)
                .for_each(|(a, b)| *a += b);
        }
        let scale = 1.0 / trees.len().max(1) as f64;
        base.iter_mut()
            .chain(values.iter_mut())
            .for_each(|v| *v *= scale);
        Self { base, values }
    }
}

/// Adds the cover-weighted mean of `tree`'s leaf values (one per output) into `out`.
pub fn expected_value(tree: &Tree, out: &mut [f64]) {
    let root_cover = tree.cover(0);
    if root_cover <= 0.0 {
        return;
    }
    for node in 0..tree.n_nodes() as u32 {
        if tree.is_leaf(node) {
            let share = tree.cover(node) / root_cover;
            for (o, v) in out.iter_mut().zip(tree.leaf_values(node)) {
                *o += share * v;
            }
        }
    }
}

/// Adds the SHAP values of `row` under `tree` into `out`, laid out feature-major:
/// `out[f * n_outputs + k]` for feature `f` and output `k` (length `n_features * n_outputs`).
pub fn tree_shap(tree: &Tree, row: &[f32], out: &mut [f64]) {
    if tree.n_nodes() == 0 {
        return;
    }
    let depth = tree.depth();
    // Each level of the recursion keeps its own copy of the path, one element longer.
    let mut path = vec![PathElement::default(); (depth + 2) * (depth + 3) / 2];
    let mut walk = Walk {
        tree,
        row,
        out,
        n_outputs: tree.n_outputs(),
    };
    walk.recurse(0, &mut path, 0, 1.0, 1.0, None);
}

/// One feature on the path from the root: the fraction of zero paths (feature not in the
/// coalition) and one paths (feature in it) that flow through, and the permutation weight.
#[derive(Clone, Copy, Debug, Default)]
struct PathElement {
    feature: Option<usize>,
    zero_fraction: f64,
    one_fraction: f64,
    weight: f64,
}

struct Walk<'a> {
    tree: &'a Tree,
    row: &'a [f32],
    out: &'a mut [f64],
    n_outputs: usize,
}

impl Walk<'_> {
    /// Visits `node`. `storage[..=depth]` holds the parent's path (its last slot is free); this
    /// node's path is built just after it, and the children's after that.
    fn recurse(
        &mut self,
        node: u32,
        storage: &mut [PathElement],
        depth: usize,
        zero_fraction: f64,
        one_fraction: f64,
        feature: Option<usize>,
    ) {
        let (parent, path) = storage.split_at_mut(depth + 1);
        path[..=depth].copy_from_slice(parent);
        extend_path(path, depth, zero_fraction, one_fraction, feature);
        let Some((split_feature, threshold)) = self.tree.split(node) else {
            let values = self.tree.leaf_values(node);
            for i in 1..=depth {
                let el = path[i];
                let scale = unwound_path_sum(path, depth, i) * (el.one_fraction - el.zero_fraction);
                if let Some(f) = el.feature {
                    let out = &mut self.out[f * self.n_outputs..(f + 1) * self.n_outputs];
                    for (o, v) in out.iter_mut().zip(values) {
                        *o += scale * v;
                    }
                }
            }
            return;
        };
        let (left, right) = self.tree.children(node);
        let (hot, cold) = if self.row[split_feature] <= threshold {
            (left, right)
        } else {
            (right, left)
        };
        let cover = self.tree.cover(node);
        let (hot_zero, cold_zero) = if cover > 0.0 {
            (self.tree.cover(hot) / cover, self.tree.cover(cold) / cover)
        } else {
            (0.0, 0.0)
        };
        let mut incoming_zero = 1.0;
        let mut incoming_one = 1.0;
        let mut depth = depth;
        // A feature split on again higher up: undo that split so it is redone here.
        if let Some(i) = (0..=depth).find(|&i| path[i].feature == Some(split_feature)) {
            incoming_zero = path[i].zero_fraction;
            incoming_one = path[i].one_fraction;
            unwind_path(path, depth, i);
            depth -= 1;
        }
        let f = Some(split_feature);
        self.recurse(
            hot,
            path,
            depth + 1,
            hot_zero * incoming_zero,
            incoming_one,
            f,
        );
        self.recurse(cold, path, depth + 1, cold_zero * incoming_zero, 0.0, f);
    }
}

/// Appends a feature to the path and updates the permutation weights.
fn extend_path(
    path: &mut [PathElement],
    depth: usize,
    zero_fraction: f64,
    one_fraction: f64,
    feature: Option<usize>,
) {
    path[depth] = PathElement {
        feature,
        zero_fraction,
        one_fraction,
        weight: if depth == 0 { 1.0 } else { 0.0 },
    };
    let len = (depth + 1) as f64;
    for i in (0..depth).rev() {
        path[i + 1].weight += one_fraction * path[i].weight * (i + 1) as f64 / len;
        path[i].weight = zero_fraction * path[i].weight * (depth - i) as f64 / len;
    }
}

/// Removes element `index` from the path, undoing its effect on the permutation weights.
fn unwind_path(path: &mut [PathElement], depth: usize, index: usize) {
    let one = path[index].one_fraction;
    let zero = path[index].zero_fraction;
    let len = (depth + 1) as f64;
    let mut next_one = path[depth].weight;
    for i in (0..depth).rev() {
        if one != 0.0 {
            let kept = path[i].weight;
            path[i].weight = next_one * len / ((i + 1) as f64 * one);
            next_one = kept - path[i].weight * zero * (depth - i) as f64 / len;
        } else if zero != 0.0 {
            path[i].weight = path[i].weight * len / (zero * (depth - i) as f64);
        }
    }
    for i in index..depth {
        path[i].feature = path[i + 1].feature;
        path[i].zero_fraction = path[i + 1].zero_fraction;
        path[i].one_fraction = path[i + 1].one_fraction;
    }
}

/// The total permutation weight the path would have without element `index`.
fn unwound_path_sum(path: &[PathElement], depth: usize, index: usize) -> f64 {
    let one = path[index].one_fraction;
    let zero = path[index].zero_fraction;
    let len = (depth + 1) as f64;
    let mut next_one = path[depth].weight;
    let mut total = 0.0;
    for i in (0..depth).rev() {
        if one != 0.0 {
            let w = next_one * len / ((i + 1) as f64 * one);
            total += w;
            next_one = path[i].weight - w * zero * (depth - i) as f64 / len;
        } else if zero != 0.0 {
            total += path[i].weight * len / (zero * (depth - i) as f64);
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::Matrix;
    use crate::binning::BinMapper;
    use crate::rng;
    use crate::tree::builder::{GrowParams, Target, grow_tree};

    /// E[f(x) | x_S] under the path-dependent rule: outside `S`, average the children by cover.
    fn conditional(tree: &Tree, node: u32, row: &[f32], in_coalition: u32) -> Vec<f64> {
        match tree.split(node) {
            None => tree.leaf_values(node).to_vec(),
            Some((f, t)) => {
                let (l, r) = tree.children(node);
                if in_coalition & (1 << f) != 0 {
                    conditional(tree, if row[f] <= t { l } else { r }, row, in_coalition)
                } else {
                    let (el, er) = (
                        conditional(tree, l, row, in_coalition),
                        conditional(tree, r, row, in_coalition),
                    );
                    let c = tree.cover(node);
                    el.iter()
                        .zip(&er)
                        .map(|(a, b)| (tree.cover(l) * a + tree.cover(r) * b) / c)
                        .collect()
                }
            }
        }
    }

    fn factorial(n: usize) -> f64 {
        (1..=n).map(|i| i as f64).product()
    }

    /// Shapley values by enumerating every coalition.
    fn brute_force(tree: &Tree, row: &[f32]) -> Vec<f64> {
        let m = tree.n_features();
        let k = tree.n_outputs();
        let mut phi = vec![0.0; m * k];
        for i in 0..m {
            for subset in 0u32..(1 << m) {
                if subset & (1 << i) != 0 {
                    continue;
                }
                let s = subset.count_ones() as usize;
                let w = factorial(s) * factorial(m - s - 1) / factorial(m);
                let with = conditional(tree, 0, row, subset | (1 << i));
                let without = conditional(tree, 0, row, subset);
                for j in 0..k {
                    phi[i * k + j] += w * (with[j] - without[j]);
                }
            }
        }
        phi
    }

    fn random_tree(values: &[f32], n_features: usize, labels: &[u32], n_classes: usize) -> Tree {
        let n_rows = labels.len();
        let x = Matrix::new(n_rows, n_features, values[..n_rows * n_features].to_vec()).unwrap();
        let mapper = BinMapper::fit(&x, 8).unwrap();
        let data = crate::tree::row_bins::RowBins::from_binned(&mapper.transform(&x).unwrap());
        let params = GrowParams {
            max_depth: Some(7),
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: 2.min(n_features),
        };
        let weights: Vec<u32> = (0..n_rows as u32).map(|i| 1 + i % 3).collect();
        let target = Target::Classes {
            y: labels,
            n_classes,
        };
        grow_tree(
            &data,
            &mapper,
            target,
            &weights,
            &params,
            &mut rng::seeded(n_rows as u64),
        )
    }

    fn explain(tree: &Tree, row: &[f32]) -> (Vec<f64>, Vec<f64>) {
        let mut base = vec![0.0; tree.n_outputs()];
        let mut phi = vec![0.0; tree.n_features() * tree.n_outputs()];
        expected_value(tree, &mut base);
        tree_shap(tree, row, &mut phi);
        (base, phi)
    }

    #[test]
    fn single_split_gives_the_textbook_values() {
        let mut t = Tree::new(2, 1);
        let root = t.push_split(1, 0.5, 4.0, 0.0);
        let a = t.push_leaf(&[10.0], 1.0);
        let b = t.push_leaf(&[20.0], 3.0);
        t.set_children(root, a, b);
        let (base, phi) = explain(&t, &[0.0, 0.0]);
        assert_eq!(base, vec![17.5]);
        assert_eq!(phi, vec![0.0, -7.5]);
    }

    #[test]
    fn a_forest_is_explained_alike_on_one_thread_and_many() {
        let values: Vec<f32> = (0..4 * 60).map(|i| ((i * 37) % 17) as f32 / 4.0).collect();
        let labels: Vec<u32> = (0..60).map(|i| (i * 7 % 3) as u32).collect();
        let trees: Vec<Tree> = (20..33)
            .map(|n| random_tree(&values, 4, &labels[..n + 20], 3))
            .collect();
        let row = [1.0, 2.5, 0.5, 3.0];
        let parallel = Contributions::mean_over_trees(&trees, 4, 3, &row);
        let serial = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| Contributions::mean_over_trees(&trees, 4, 3, &row));
        assert_eq!(parallel, serial);
        let mean: Vec<f64> = (0..3)
            .map(|k| trees.iter().map(|t| t.predict_row(&row)[k]).sum::<f64>() / 13.0)
            .collect();
        for (k, m) in mean.iter().enumerate() {
            let sum = parallel.base[k] + (0..4).map(|f| parallel.values[f * 3 + k]).sum::<f64>();
            assert!((sum - m).abs() < 1e-9, "{sum} vs {m}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn matches_brute_force_and_adds_up(
            n_features in 3usize..=4,
            values in prop::collection::vec(0.0f32..4.0, 4 * 60),
            labels in prop::collection::vec(0u32..3, 20..60),
            probe in prop::collection::vec(0.0f32..4.0, 4),
        ) {
            let tree = random_tree(&values, n_features, &labels, 3);
            let row = &probe[..n_features];
            let (base, phi) = explain(&tree, row);
            let expected = brute_force(&tree, row);
            for (a, b) in phi.iter().zip(&expected) {
                prop_assert!((a - b).abs() < 1e-9, "{phi:?} vs {expected:?}");
            }
            let prediction = tree.predict_row(row);
            for k in 0..3 {
                let sum: f64 = base[k] + (0..n_features).map(|f| phi[f * 3 + k]).sum::<f64>();
                prop_assert!((sum - prediction[k]).abs() < 1e-9);
            }
        }
    }
}
