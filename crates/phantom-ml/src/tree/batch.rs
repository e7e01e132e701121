//! Batch traversal: several rows walk one tree in lock step, so the CPU overlaps their node
//! loads and comparisons instead of waiting on one row's path at a time.

use super::{LEAF, Tree};
use crate::Matrix;

/// Rows walked together.
const LANES: usize = 16;

impl Tree {
    /// For rows `first..first + out.len() / n_outputs` of `x`, adds the values of the leaf each
    /// row reaches into that row's `n_outputs` slots of `out`.
    ///
    /// `LANES` rows walk at once; a lane whose row reaches its leaf takes the next row, so no
    /// lane idles while another finishes a long path.
    pub fn add_leaf_values(&self, x: &Matrix, first: usize, out: &mut [f64]) {
        let k = self.n_outputs;
        if k == 0 || self.nodes.is_empty() {
            return;
        }
        let n_rows = out.len() / k;
        let n_lanes = LANES.min(n_rows);
        let mut lane_row: [usize; LANES] = std::array::from_fn(|j| j);
        let mut lane_values: [&[f32]; LANES] = [&[]; LANES];
        for (j, values) in lane_values.iter_mut().enumerate().take(n_lanes) {
            *values = x.row(first + j);
        }
        let mut lane_node = [0usize; LANES];
        let mut active = n_lanes;
        let mut next_row = n_lanes;
        while active > 0 {
            let mut j = 0;
            while j < active {
                let n = &self.nodes[lane_node[j]];
                if n.feature != LEAF {
                    let go_left = lane_values[j][n.feature as usize] <= n.threshold;
                    lane_node[j] = if go_left { n.left } else { n.right } as usize;
                    j += 1;
                    continue;
                }
                let row = lane_row[j];
                let leaf = self.leaf_values(lane_node[j] as u32);
                for (o, v) in out[row * k..(row + 1) * k].iter_mut().zip(leaf) {
                    *o += v;
                }
                if next_row < n_rows {
                    lane_row[j] = next_row;
                    lane_values[j] = x.row(first + next_row);
                    lane_node[j] = 0;
                    next_row += 1;
                    j += 1;
                } else {
                    // Retire the lane: the last active lane takes its place.
                    active -= 1;
                    lane_row[j] = lane_row[active];
                    lane_values[j] = lane_values[active];
                    lane_node[j] = lane_node[active];
                }
            }
        }
    }
}

/// Trees whose leaves one call of [`leaves_of_row`] finds.
const TREES_PER_WALK: usize = 64;

/// Adds the leaf values `row` reaches in every tree of `trees` into `out` (length
/// `n_outputs`), tree by tree in order, so the sum is bit-identical to batch prediction's.
pub(crate) fn add_forest_row(trees: &[Tree], row: &[f32], out: &mut [f64]) {
    let mut leaves = [0u32; TREES_PER_WALK];
    for chunk in trees.chunks(TREES_PER_WALK) {
        leaves_of_row(chunk, row, &mut leaves);
        for (tree, &leaf) in chunk.iter().zip(&leaves) {
            for (o, v) in out.iter_mut().zip(tree.leaf_values(leaf)) {
                *o += v;
            }
        }
    }
}

/// Writes the leaf `row` reaches in `trees[t]` into `leaves[t]`. `LANES` trees are walked at
/// once, each lane taking the next tree when its walk ends, so one row's paths overlap instead
/// of running one after another.
fn leaves_of_row(trees: &[Tree], row: &[f32], leaves: &mut [u32]) {
    let n_lanes = LANES.min(trees.len());
    let mut lane_tree: [usize; LANES] = std::array::from_fn(|j| j);
    let mut lane_node = [0usize; LANES];
    let mut active = n_lanes;
    let mut next_tree = n_lanes;
    while active > 0 {
        let mut j = 0;
        while j < active {
            let n = &trees[lane_tree[j]].nodes[lane_node[j]];
            if n.feature != LEAF {
                let go_left = row[n.feature as usize] <= n.threshold;
                lane_node[j] = if go_left { n.left } else { n.right } as usize;
                j += 1;
                continue;
            }
            leaves[lane_tree[j]] = lane_node[j] as u32;
            if next_tree < trees.len() {
                lane_tree[j] = next_tree;
                lane_node[j] = 0;
                next_tree += 1;
                j += 1;
            } else {
                active -= 1;
                lane_tree[j] = lane_tree[active];
                lane_node[j] = lane_node[active];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forest_row_sums_every_tree() {
        let mut stump = Tree::new(1, 1);
        let s = stump.push_split(0, 0.0, 2.0, 1.0);
        let (l, r) = (stump.push_leaf(&[1.0], 1.0), stump.push_leaf(&[10.0], 1.0));
        stump.set_children(s, l, r);
        let mut leaf = Tree::new(1, 1);
        leaf.push_leaf(&[100.0], 2.0);
        let trees: Vec<Tree> = (0..100)
            .map(|i| {
                if i % 3 == 0 {
                    leaf.clone()
                } else {
                    stump.clone()
                }
            })
            .collect();
        let mut out = [0.0];
        add_forest_row(&trees, &[1.0], &mut out);
        assert_eq!(out[0], 34.0 * 100.0 + 66.0 * 10.0);
    }

    #[test]
    fn matches_row_by_row_prediction() {
        let mut t = Tree::new(2, 2);
        let root = t.push_split(0, 0.5, 10.0, 4.0);
        let a = t.push_leaf(&[1.0, 0.0], 4.0);
        let s = t.push_split(1, 2.0, 6.0, 1.0);
        let b = t.push_leaf(&[0.5, 0.5], 2.0);
        let c = t.push_leaf(&[0.0, 1.0], 4.0);
        t.set_children(root, a, s);
        t.set_children(s, b, c);
        // More rows than lanes, so lanes are refilled and retired.
        let data: Vec<f32> = (0..120).map(|i| (i % 7) as f32 * 0.4).collect();
        let x = Matrix::new(60, 2, data).unwrap();
        for n_rows in [1, 11, 55] {
            let mut out = vec![0.0; n_rows * 2];
            t.add_leaf_values(&x, 3, &mut out);
            for (i, got) in out.chunks_exact(2).enumerate() {
                assert_eq!(got, t.predict_row(x.row(3 + i)));
            }
        }
    }
}
