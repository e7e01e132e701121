//! Impurity-based feature importance of one tree or an ensemble, as scikit-learn's
//! `feature_importances_`.

use super::Tree;

/// Each tree's split gains summed per feature and normalised to sum 1, averaged over the trees
/// that split at least once, and normalised again; all zeros when no tree splits.
pub(crate) fn mean_importance(trees: &[Tree], n_features: usize) -> Vec<f64> {
    let mut total = vec![0.0; n_features];
    let mut per_tree = vec![0.0; n_features];
    for tree in trees.iter().filter(|t| t.n_nodes() > 1) {
        per_tree.fill(0.0);
        tree.add_gain_importance(&mut per_tree);
        normalise(&mut per_tree);
        for (t, p) in total.iter_mut().zip(&per_tree) {
            *t += p;
        }
    }
    normalise(&mut total);
    total
}

fn normalise(values: &mut [f64]) {
    let sum: f64 = values.iter().sum();
    if sum > 0.0 {
        values.iter_mut().for_each(|v| *v /= sum);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trees_count_equally_and_leaves_are_ignored() {
        let mut a = Tree::new(2, 1);
        let s = a.push_split(0, 0.0, 2.0, 100.0);
        let (l, r) = (a.push_leaf(&[0.0], 1.0), a.push_leaf(&[1.0], 1.0));
        a.set_children(s, l, r);
        let mut b = Tree::new(2, 1);
        let s = b.push_split(1, 0.0, 2.0, 1.0);
        let (l, r) = (b.push_leaf(&[0.0], 1.0), b.push_leaf(&[1.0], 1.0));
        b.set_children(s, l, r);
        let mut stump = Tree::new(2, 1);
        stump.push_leaf(&[0.5], 2.0);
        assert_eq!(mean_importance(&[a, b, stump.clone()], 2), vec![0.5, 0.5]);
        assert_eq!(mean_importance(&[stump], 2), vec![0.0, 0.0]);
    }
}
