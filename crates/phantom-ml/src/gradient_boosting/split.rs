//! Finding a node's best split from its histogram.

use super::histogram::BinSums;
use super::row_bins::FeatureBins;

/// The limits a split must respect.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SplitRules {
    /// Fewest rows per child.
    pub min_samples_leaf: f64,
    /// Smallest hessian sum per child.
    pub min_hessian_leaf: f64,
    /// L2 penalty on leaf values.
    pub lambda: f64,
}

impl SplitRules {
    /// The loss reduction a node's leaf value achieves: `G^2 / (H + lambda)`.
    #[inline]
    fn score(&self, s: BinSums) -> f64 {
        s.g * s.g / (s.h + self.lambda)
    }

    /// Whether a child with sums `s` is allowed.
    #[inline]
    fn child_ok(&self, s: BinSums) -> bool {
        s.n >= self.min_samples_leaf && s.h >= self.min_hessian_leaf
    }
}

/// The best split of a node: rows whose bin of `feature` is at most `bin` go left.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Split {
    /// Gain: `G_L^2/(H_L+l) + G_R^2/(H_R+l) - G^2/(H+l)`, greater than 0.
    pub gain: f64,
    /// The feature tested.
    pub feature: usize,
    /// The last bin that goes left.
    pub bin: u8,
    /// Sums of the left child (the right child's are the node's minus these).
    pub left: BinSums,
}

/// The split with the largest positive gain over every feature and bin, or `None`. Ties go to
/// the lowest feature, then the lowest bin, so the choice is deterministic.
pub(crate) fn best_split(
    features: &FeatureBins,
    hist: &[BinSums],
    totals: BinSums,
    rules: &SplitRules,
) -> Option<Split> {
    let parent_score = rules.score(totals);
    let mut best: Option<Split> = None;
    for f in 0..features.n_features() {
        let bins = &hist[features.range(f)];
        let mut left = BinSums::default();
        // The last bin can't be a threshold: everything would go left.
        for (b, s) in bins.iter().enumerate().take(bins.len().saturating_sub(1)) {
            left += *s;
            if left.n < rules.min_samples_leaf || left.h < rules.min_hessian_leaf {
                continue;
            }
            let right = totals - left;
            if !rules.child_ok(right) {
                // Moving more rows left only shrinks the right child further.
                if right.n < rules.min_samples_leaf {
                    break;
                }
                continue;
            }
            let gain = rules.score(left) + rules.score(right) - parent_score;
            if gain > best.map_or(0.0, |s| s.gain) {
                best = Some(Split {
                    gain,
                    feature: f,
                    bin: b as u8,
                    left,
                });
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Matrix;
    use crate::binning::BinMapper;
    use crate::gradient_boosting::histogram::HistogramBuilder;
    use crate::gradient_boosting::loss::GradHess;
    use crate::gradient_boosting::row_bins::RowBins;

    #[test]
    fn finds_the_separating_threshold_and_respects_min_samples() {
        // Feature 0 is noise-free: rows 0..6 have gradient -1, rows 6..10 gradient +1.
        let x = Matrix::new(10, 1, (0..10).map(|i| i as f32).collect()).unwrap();
        let binned = BinMapper::fit(&x, 255).unwrap().transform(&x).unwrap();
        let data = RowBins::new(&binned);
        let grads: Vec<GradHess> = (0..10)
            .map(|i| GradHess {
                g: if i < 6 { -1.0 } else { 1.0 },
                h: 1.0,
            })
            .collect();
        let rows: Vec<u32> = (0..10).collect();
        let totals = BinSums::of(&grads);
        let mut hist = vec![BinSums::default(); data.features.total_bins()];
        HistogramBuilder::new(data.features.total_bins())
            .build(&data, &rows, &grads, totals, &mut hist);
        let rules = SplitRules {
            min_samples_leaf: 1.0,
            min_hessian_leaf: 0.0,
            lambda: 0.0,
        };
        let s = best_split(&data.features, &hist, totals, &rules).unwrap();
        assert_eq!((s.feature, s.bin), (0, 5));
        // 36/6 + 16/4 - 4/10
        assert!((s.gain - (6.0 + 4.0 - 0.4)).abs() < 1e-12);
        let strict = SplitRules {
            min_samples_leaf: 5.0,
            ..rules
        };
        let s = best_split(&data.features, &hist, totals, &strict).unwrap();
        assert_eq!(s.bin, 4, "each side needs five rows");
        let impossible = SplitRules {
            min_samples_leaf: 6.0,
            ..rules
        };
        assert!(best_split(&data.features, &hist, totals, &impossible).is_none());
    }
}
