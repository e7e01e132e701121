//! The binary decision tree shared by decision trees, random forests and gradient boosting.
//!
//! A [`Tree`] stores split nodes and leaves in one array (node 0 is the root). A split sends a
//! row left when `row[feature] <= threshold`. Each leaf holds `n_outputs` values: class
//! probabilities for a classification tree, one value for regression and boosting trees. Every
//! node records its cover (the weighted number of training rows that reached it) and every split
//! its gain (the weighted impurity decrease), which feature importance and TreeSHAP use.

use serde::{Deserialize, Serialize};

pub(crate) mod batch;
pub(crate) mod builder;
mod growth;
mod importance;
pub(crate) mod row_bins;
mod shap;
mod split;

pub(crate) use growth::Growth;
pub use growth::MaxFeatures;
pub(crate) use importance::mean_importance;
pub use shap::{Contributions, expected_value, tree_shap};

/// Marks a leaf in [`Node::feature`].
const LEAF: u32 = u32::MAX;

/// One node: a split (`feature`, `threshold`, `left`, `right`) or a leaf.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// The feature tested, or `u32::MAX` for a leaf.
    feature: u32,
    /// Rows with `row[feature] <= threshold` go left.
    threshold: f32,
    /// Left child of a split; for a leaf, the index of its values in `Tree::values`.
    left: u32,
    /// Right child of a split; unused for a leaf.
    right: u32,
}

/// A fitted binary decision tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    nodes: Vec<Node>,
    values: Vec<f64>,
    covers: Vec<f64>,
    gains: Vec<f64>,
    n_outputs: usize,
    n_features: usize,
}

impl Tree {
    /// An empty tree over `n_features` features whose leaves hold `n_outputs` values.
    pub fn new(n_features: usize, n_outputs: usize) -> Self {
        Self {
            nodes: Vec::new(),
            values: Vec::new(),
            covers: Vec::new(),
            gains: Vec::new(),
            n_outputs,
            n_features,
        }
    }

    /// Appends a leaf with `values` (length `n_outputs`) reached by `cover` training rows.
    pub fn push_leaf(&mut self, values: &[f64], cover: f64) -> u32 {
        debug_assert_eq!(values.len(), self.n_outputs);
        let leaf = (self.values.len() / self.n_outputs) as u32;
        self.values.extend_from_slice(values);
        self.push(
            Node {
                feature: LEAF,
                threshold: 0.0,
                left: leaf,
                right: 0,
            },
            cover,
            0.0,
        )
    }

    /// Appends a split whose children are set later with [`Tree::set_children`].
    pub fn push_split(&mut self, feature: usize, threshold: f32, cover: f64, gain: f64) -> u32 {
        debug_assert!(feature < self.n_features);
        self.push(
            Node {
                feature: feature as u32,
                threshold,
                left: 0,
                right: 0,
            },
            cover,
            gain,
        )
    }

    /// Sets the children of split `node`.
    pub fn set_children(&mut self, node: u32, left: u32, right: u32) {
        let n = &mut self.nodes[node as usize];
        debug_assert_ne!(n.feature, LEAF);
        n.left = left;
        n.right = right;
    }

    fn push(&mut self, node: Node, cover: f64, gain: f64) -> u32 {
        self.nodes.push(node);
        self.covers.push(cover);
        self.gains.push(gain);
        (self.nodes.len() - 1) as u32
    }

    /// Number of features the tree was built on.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Number of values per leaf.
    pub fn n_outputs(&self) -> usize {
        self.n_outputs
    }

    /// Number of nodes (splits and leaves).
    pub fn n_nodes(&self) -> usize {
        self.nodes.len()
    }

    /// Number of leaves.
    pub fn n_leaves(&self) -> usize {
        self.values.len() / self.n_outputs.max(1)
    }

    /// Whether `node` is a leaf.
    pub fn is_leaf(&self, node: u32) -> bool {
        self.nodes[node as usize].feature == LEAF
    }

    /// The feature and threshold of split `node`, or `None` for a leaf.
    pub fn split(&self, node: u32) -> Option<(usize, f32)> {
        let n = &self.nodes[node as usize];
        (n.feature != LEAF).then_some((n.feature as usize, n.threshold))
    }

    /// The children of split `node` (left, right).
    pub fn children(&self, node: u32) -> (u32, u32) {
        let n = &self.nodes[node as usize];
        (n.left, n.right)
    }

    /// The values of leaf `node`.
    pub fn leaf_values(&self, node: u32) -> &[f64] {
        let start = self.nodes[node as usize].left as usize * self.n_outputs;
        &self.values[start..start + self.n_outputs]
    }

    /// Weighted number of training rows that reached `node`.
    pub fn cover(&self, node: u32) -> f64 {
        self.covers[node as usize]
    }

    /// Weighted impurity decrease of split `node` (0 for a leaf).
    pub fn gain(&self, node: u32) -> f64 {
        self.gains[node as usize]
    }

    /// The leaf that `row` reaches.
    #[inline]
    pub fn leaf_of(&self, row: &[f32]) -> u32 {
        let mut i = 0usize;
        loop {
            let n = &self.nodes[i];
            if n.feature == LEAF {
                return i as u32;
            }
            i = if row[n.feature as usize] <= n.threshold {
                n.left
            } else {
                n.right
            } as usize;
        }
    }

    /// The leaf values that `row` reaches.
    #[inline]
    pub fn predict_row(&self, row: &[f32]) -> &[f64] {
        self.leaf_values(self.leaf_of(row))
    }

    /// Adds each split's gain to `importance[feature]` (length `n_features`).
    pub fn add_gain_importance(&self, importance: &mut [f64]) {
        for (n, g) in self.nodes.iter().zip(&self.gains) {
            if n.feature != LEAF {
                importance[n.feature as usize] += g;
            }
        }
    }

    /// Checks that the tree is well formed for rows of `n_features` values and leaves of
    /// `n_outputs` values: a root exists, every split tests an existing feature and points to two
    /// later nodes (so every walk ends), and every leaf's values exist. Fitting always produces
    /// such trees; loading checks them, so a hand-edited model file is an error, not a panic.
    pub fn check_structure(&self, n_features: usize, n_outputs: usize) -> Result<(), String> {
        if self.n_features != n_features || self.n_outputs != n_outputs || n_outputs == 0 {
            return Err(format!(
                "a tree has {} features and {} outputs, the model {n_features} and {n_outputs}",
                self.n_features, self.n_outputs
            ));
        }
        let n_nodes = self.nodes.len();
        if n_nodes == 0
            || self.covers.len() != n_nodes
            || self.gains.len() != n_nodes
            || !self.values.len().is_multiple_of(n_outputs)
        {
            return Err("a tree's node arrays are empty or of different lengths".into());
        }
        let n_leaves = self.values.len() / n_outputs;
        for (i, node) in self.nodes.iter().enumerate() {
            let ok = if node.feature == LEAF {
                (node.left as usize) < n_leaves
            } else {
                (node.feature as usize) < n_features
                    && (i + 1..n_nodes).contains(&(node.left as usize))
                    && (i + 1..n_nodes).contains(&(node.right as usize))
            };
            if !ok {
                return Err(format!("tree node {i} points outside the tree"));
            }
        }
        Ok(())
    }

    /// Length of the longest root-to-leaf path (0 for a single leaf).
    pub fn depth(&self) -> usize {
        let mut deepest = 0;
        let mut stack = vec![(0u32, 0usize)];
        while let Some((node, d)) = stack.pop() {
            deepest = deepest.max(d);
            if self.split(node).is_some() {
                let (l, r) = self.children(node);
                stack.push((l, d + 1));
                stack.push((r, d + 1));
            }
        }
        deepest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// x0 <= 0.5 ? [1, 0] : (x1 <= 2 ? [0.5, 0.5] : [0, 1])
    fn small_tree() -> Tree {
        let mut t = Tree::new(2, 2);
        let root = t.push_split(0, 0.5, 10.0, 4.0);
        let a = t.push_leaf(&[1.0, 0.0], 4.0);
        let s = t.push_split(1, 2.0, 6.0, 1.0);
        let b = t.push_leaf(&[0.5, 0.5], 2.0);
        let c = t.push_leaf(&[0.0, 1.0], 4.0);
        t.set_children(root, a, s);
        t.set_children(s, b, c);
        t
    }

    #[test]
    fn traversal_follows_thresholds() {
        let t = small_tree();
        assert_eq!(t.predict_row(&[0.5, 9.0]), &[1.0, 0.0]);
        assert_eq!(t.predict_row(&[0.6, 2.0]), &[0.5, 0.5]);
        assert_eq!(t.predict_row(&[0.6, 2.1]), &[0.0, 1.0]);
        assert_eq!((t.n_nodes(), t.n_leaves(), t.depth()), (5, 3, 2));
    }

    #[test]
    fn gain_importance_sums_per_feature() {
        let mut imp = vec![0.0; 2];
        small_tree().add_gain_importance(&mut imp);
        assert_eq!(imp, vec![4.0, 1.0]);
    }
}
