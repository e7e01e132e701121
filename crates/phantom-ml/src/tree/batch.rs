//! Batch traversal: several rows walk one tree in lock step, so the CPU overlaps their node
//! loads and comparisons instead of waiting on one row's path at a time.

use super::{LEAF, Tree};
use crate::Matrix;

/// Rows walked together.
const LANES: usize = 16;

impl Tree {
    /// For rows `first..first + out.len() / n_outputs` of `x`, adds the values of the leaf each
    /// row reaches into that row's `n_outputs` slots of `out`.
    pub fn add_leaf_values(&self, x: &Matrix, first: usize, out: &mut [f64]) {
        let k = self.n_outputs;
        if k == 0 || self.nodes.is_empty() {
            return;
        }
        for (group, dst) in out.chunks_mut(LANES * k).enumerate() {
            let start = first + group * LANES;
            let lanes = dst.len() / k;
            // Short groups repeat their last row; the repeats are walked but not added.
            let rows: [&[f32]; LANES] = std::array::from_fn(|j| x.row(start + j.min(lanes - 1)));
            let mut at = [0usize; LANES];
            loop {
                let mut moved = false;
                for (node, row) in at.iter_mut().zip(&rows) {
                    let n = &self.nodes[*node];
                    if n.feature != LEAF {
                        let go_left = row[n.feature as usize] <= n.threshold;
                        *node = if go_left { n.left } else { n.right } as usize;
                        moved = true;
                    }
                }
                if !moved {
                    break;
                }
            }
            for (values, &node) in dst.chunks_exact_mut(k).zip(&at) {
                for (o, v) in values.iter_mut().zip(self.leaf_values(node as u32)) {
                    *o += v;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let data: Vec<f32> = (0..26).map(|i| (i % 7) as f32 * 0.4).collect();
        let x = Matrix::new(13, 2, data).unwrap();
        let mut out = vec![0.0; 11 * 2];
        t.add_leaf_values(&x, 2, &mut out);
        for (i, got) in out.chunks_exact(2).enumerate() {
            assert_eq!(got, t.predict_row(x.row(2 + i)));
        }
    }
}
