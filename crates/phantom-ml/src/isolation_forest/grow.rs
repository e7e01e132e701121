//! Growing one isolation tree on a random sub-sample.

use rand::RngExt;
use rand::seq::index;

use super::node::IsolationNode;
use super::path_length::average_path_length;
use crate::Matrix;
use crate::rng::ChaCha20Rng;

/// One grown tree: nodes indexed from 0 (its root) and its split statistics.
pub(crate) struct GrownTree {
    pub(crate) nodes: Vec<IsolationNode>,
    /// Per node, the path length of a row ending there (0 for splits): its depth plus `c(size)`.
    pub(crate) leaf_path_lengths: Vec<f32>,
    /// Number of splits on the longest root-to-leaf path.
    pub(crate) depth: usize,
    /// Per feature, the number of sub-sample rows that passed through a split on it.
    pub(crate) rows_through_splits: Vec<f64>,
}

/// A pending node: its index in `nodes`, its rows `order[start..end]` and its depth.
struct Pending {
    node: usize,
    start: usize,
    end: usize,
    depth: usize,
}

/// Grows one isolation tree on `sample_size` rows of `x` drawn without replacement, splitting on
/// `n_tree_features` features drawn without replacement, to depth at most `height_limit`.
///
/// Each split picks a feature uniformly among the tree's features that are not constant on the
/// node's rows (drawing without replacement until one varies, as scikit-learn does) and a
/// threshold uniformly in `[min, max)`; a node whose rows are all equal becomes a leaf.
pub(crate) fn grow_tree(
    x: &Matrix,
    sample_size: usize,
    n_tree_features: usize,
    height_limit: usize,
    rng: &mut ChaCha20Rng,
) -> GrownTree {
    let n_features = x.n_cols();
    let features: Vec<u32> = if n_tree_features >= n_features {
        (0..n_features as u32).collect()
    } else {
        let mut chosen: Vec<u32> = index::sample(rng, n_features, n_tree_features)
            .into_iter()
            .map(|f| f as u32)
            .collect();
        chosen.sort_unstable();
        chosen
    };
    let sample = index::sample(rng, x.n_rows(), sample_size).into_vec();
    // Column-major copy of the sample restricted to the tree's features: each node scans whole
    // columns for their range, so contiguous columns keep that scan in cache.
    let mut columns = vec![0.0f32; features.len() * sample_size];
    for (s, &row_index) in sample.iter().enumerate() {
        let row = x.row(row_index);
        for (c, &f) in features.iter().enumerate() {
            columns[c * sample_size + s] = row[f as usize];
        }
    }

    let mut order: Vec<u32> = (0..sample_size as u32).collect();
    let mut candidates: Vec<usize> = Vec::with_capacity(features.len());
    let mut nodes = vec![IsolationNode::leaf(0)];
    let mut leaf_path_lengths = vec![0.0f32];
    let mut tree_depth = 0;
    let mut rows_through_splits = vec![0.0; n_features];
    let mut pending = vec![Pending {
        node: 0,
        start: 0,
        end: sample_size,
        depth: 0,
    }];
    while let Some(Pending {
        node,
        start,
        end,
        depth,
    }) = pending.pop()
    {
        let size = end - start;
        let rows = &mut order[start..end];
        let split = if size > 1 && depth < height_limit {
            choose_split(&columns, sample_size, rows, &mut candidates, rng)
        } else {
            None
        };
        let Some((column, threshold)) = split else {
            nodes[node] = IsolationNode::leaf(node);
            leaf_path_lengths[node] = (depth as f64 + average_path_length(size)) as f32;
            tree_depth = tree_depth.max(depth);
            continue;
        };
        let values = &columns[column * sample_size..(column + 1) * sample_size];
        let n_left = partition(rows, |r| values[r as usize] <= threshold);
        let left = nodes.len();
        nodes[node] = IsolationNode {
            feature: features[column],
            threshold,
            left: left as u32,
        };
        nodes.push(IsolationNode::leaf(left));
        nodes.push(IsolationNode::leaf(left + 1));
        leaf_path_lengths.extend([0.0, 0.0]);
        rows_through_splits[features[column] as usize] += size as f64;
        pending.push(Pending {
            node: left + 1,
            start: start + n_left,
            end,
            depth: depth + 1,
        });
        pending.push(Pending {
            node: left,
            start,
            end: start + n_left,
            depth: depth + 1,
        });
    }
    GrownTree {
        nodes,
        leaf_path_lengths,
        depth: tree_depth,
        rows_through_splits,
    }
}

/// Picks a (column, threshold) pair for a node, or `None` when every column is constant on it.
fn choose_split(
    columns: &[f32],
    sample_size: usize,
    rows: &[u32],
    candidates: &mut Vec<usize>,
    rng: &mut ChaCha20Rng,
) -> Option<(usize, f32)> {
    candidates.clear();
    candidates.extend(0..columns.len() / sample_size);
    while !candidates.is_empty() {
        let pick = rng.random_range(0..candidates.len());
        let column = candidates.swap_remove(pick);
        let values = &columns[column * sample_size..(column + 1) * sample_size];
        let (min, max) = rows
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &r| {
                let v = values[r as usize];
                (lo.min(v), hi.max(v))
            });
        if max > min {
            let u: f64 = rng.random();
            let mut threshold = (f64::from(min) + u * (f64::from(max) - f64::from(min))) as f32;
            // Rounding to f32 can land on `max`, which would send every row left.
            if threshold >= max {
                threshold = min;
            }
            return Some((column, threshold));
        }
    }
    None
}

/// Reorders `rows` so those satisfying `goes_left` come first; returns how many do.
fn partition(rows: &mut [u32], goes_left: impl Fn(u32) -> bool) -> usize {
    let mut n_left = 0;
    for i in 0..rows.len() {
        if goes_left(rows[i]) {
            rows.swap(i, n_left);
            n_left += 1;
        }
    }
    n_left
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng;

    /// Path length of `row` in a tree, walking it the way scoring does.
    fn path_length(tree: &GrownTree, row: &[f32]) -> f64 {
        let mut total = [0.0];
        super::super::node::add_path_lengths(
            &tree.nodes,
            &tree.leaf_path_lengths,
            0,
            tree.depth,
            &[row],
            &mut total,
        );
        total[0]
    }

    #[test]
    fn isolates_every_row_of_a_small_sample() {
        let x = Matrix::new(8, 1, (0..8).map(|v| v as f32).collect()).unwrap();
        let tree = grow_tree(&x, 8, 1, 100, &mut rng::seeded(1));
        // Eight distinct values with no height limit: 8 leaves, 7 splits.
        assert_eq!(tree.nodes.len(), 15);
        assert_eq!(tree.rows_through_splits.len(), 1);
        for row in x.rows() {
            let depth = path_length(&tree, row);
            assert!(depth >= 1.0 && depth.fract() == 0.0);
        }
    }

    #[test]
    fn constant_data_is_one_leaf() {
        let x = Matrix::new(5, 2, vec![3.0; 10]).unwrap();
        let tree = grow_tree(&x, 5, 2, 3, &mut rng::seeded(1));
        assert_eq!(tree.nodes.len(), 1);
        let expected = f64::from(average_path_length(5) as f32);
        assert_eq!(path_length(&tree, &[3.0, 3.0]), expected);
    }
}
