//! The compact node of an isolation tree and the walk that scores rows.

use serde::{Deserialize, Serialize};

/// One node of an isolation tree, 12 bytes, stored with every other tree's nodes in one array.
///
/// A split sends a row to `left` when `row[feature] <= threshold` and to `left + 1` otherwise
/// (children are always adjacent, so one index suffices). A leaf is a self-loop: `threshold` is
/// `+inf` and `left` its own index, so a walk can take a fixed number of steps without a branch
/// per node; its path length is kept in a separate array.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct IsolationNode {
    pub(crate) feature: u32,
    pub(crate) threshold: f32,
    pub(crate) left: u32,
}

impl IsolationNode {
    /// A leaf at index `index`.
    pub(crate) fn leaf(index: usize) -> Self {
        Self {
            feature: 0,
            threshold: f32::INFINITY,
            left: index as u32,
        }
    }
}

/// Rows walked through a tree together: their loads are independent, so the CPU overlaps them.
pub(crate) const WALK_LANES: usize = 8;

/// Adds to `totals[i]` the path length of `rows[i]` in the tree rooted at `root`, which reaches
/// its leaves in at most `depth` steps. `rows` and `totals` hold at most [`WALK_LANES`] entries.
///
/// A feature missing from a too-short row reads as "go left"; a node index out of range (only
/// possible in a corrupted model) stops that row's walk where it is.
#[inline]
pub(crate) fn add_path_lengths(
    nodes: &[IsolationNode],
    leaf_path_lengths: &[f32],
    root: u32,
    depth: usize,
    rows: &[&[f32]],
    totals: &mut [f64],
) {
    let mut at = [root; WALK_LANES];
    for _ in 0..depth {
        for (index, row) in at.iter_mut().zip(rows) {
            if let Some(node) = nodes.get(*index as usize) {
                let goes_right = row
                    .get(node.feature as usize)
                    .is_some_and(|&v| v > node.threshold);
                *index = node.left + u32::from(goes_right);
            }
        }
    }
    for (index, total) in at.iter().zip(totals) {
        *total += f64::from(
            leaf_path_lengths
                .get(*index as usize)
                .copied()
                .unwrap_or(0.0),
        );
    }
}
