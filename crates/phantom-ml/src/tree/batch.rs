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
