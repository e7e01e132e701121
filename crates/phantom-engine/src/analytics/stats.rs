//! Descriptive statistics shared by the analytics functions (and by feature engineering).

/// Arithmetic mean; 0 for no values.
pub(crate) fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().sum::<f64>() / values.len() as f64
}

/// Sum of squared deviations from `center`.
pub(crate) fn sum_squares(values: &[f64], center: f64) -> f64 {
    values.iter().map(|v| (v - center) * (v - center)).sum()
}

/// Population variance (divides by n); 0 for no values.
pub(crate) fn population_variance(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    sum_squares(values, mean(values)) / values.len() as f64
}

/// Whether the values hold fewer than two distinct numbers. Tested on the values themselves,
/// not on a computed variance, which rounding can make slightly positive for equal values.
pub(crate) fn is_constant(values: &[f64]) -> bool {
    values.windows(2).all(|pair| match pair {
        [a, b] => a == b,
        _ => true,
    })
}

/// The `q` quantile (0..=1) of sorted values with linear interpolation between the closest
/// ranks (numpy's default); `None` for no values.
pub(crate) fn sorted_quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let position = q.clamp(0.0, 1.0) * last as f64;
    let below = position.floor() as usize;
    let fraction = position - below as f64;
    let lo = *sorted.get(below)?;
    let hi = *sorted.get((below + 1).min(last))?;
    Some(lo + fraction * (hi - lo))
}

/// The 1-based rank of each value, tied values sharing the average of their ranks.
pub(crate) fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<(f64, usize)> = values.iter().copied().zip(0..).collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut ranks = vec![0.0; values.len()];
    let mut before = 0usize;
    for group in order.chunk_by(|a, b| a.0 == b.0) {
        let rank = before as f64 + (group.len() as f64 + 1.0) / 2.0;
        for &(_, index) in group {
            if let Some(slot) = ranks.get_mut(index) {
                *slot = rank;
            }
        }
        before += group.len();
    }
    ranks
}

/// Pearson's correlation of paired values, clamped to [-1, 1] against rounding; `None` when
/// there are fewer than two pairs or either side is constant (the correlation is undefined).
pub(crate) fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 || is_constant(x) || is_constant(y) {
        return None;
    }
    let (mx, my) = (mean(x), mean(y));
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let r = sxy / (sum_squares(x, mx).sqrt() * sum_squares(y, my).sqrt());
    r.is_finite().then(|| r.clamp(-1.0, 1.0))
}

/// Spearman's rank correlation: Pearson's correlation of the average ranks.
pub(crate) fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    pearson(&average_ranks(x), &average_ranks(y))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn ranks_average_ties() {
        assert_eq!(
            average_ranks(&[10.0, 20.0, 10.0, 5.0, 20.0, 20.0]),
            vec![2.5, 5.0, 2.5, 1.0, 5.0, 5.0]
        );
        assert!(average_ranks(&[]).is_empty());
    }

    #[test]
    fn quantiles_interpolate_like_numpy() {
        // numpy.percentile([1, 2, 4, 10], [0, 25, 50, 75, 100]) = [1, 1.75, 3, 5.5, 10]
        let sorted = [1.0, 2.0, 4.0, 10.0];
        let got: Vec<f64> = [0.0, 0.25, 0.5, 0.75, 1.0]
            .iter()
            .filter_map(|&q| sorted_quantile(&sorted, q))
            .collect();
        assert_eq!(got, vec![1.0, 1.75, 3.0, 5.5, 10.0]);
        assert_eq!(sorted_quantile(&[], 0.5), None);
        assert_eq!(sorted_quantile(&[7.0], 0.25), Some(7.0));
    }

    #[test]
    fn pearson_and_spearman_by_hand() {
        // x = 1..5, y = [2, 4, 5, 4, 5]: mean y = 4, sxy = 6, sxx = 10, syy = 6,
        // r = 6 / sqrt(60) = 0.7745966692414834.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [2.0, 4.0, 5.0, 4.0, 5.0];
        assert!((pearson(&x, &y).unwrap() - 6.0 / 60f64.sqrt()).abs() < 1e-15);
        // Ranks of y: [1, 2.5, 4.5, 2.5, 4.5], mean 3, deviations [-2, -0.5, 1.5, -0.5, 1.5];
        // sxy = 4 + 0.5 + 0 - 0.5 + 3 = 7, sxx = 10, syy = 9, rho = 7 / sqrt(90) = 0.7378647873726218.
        assert!((spearman(&x, &y).unwrap() - 7.0 / 90f64.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn undefined_correlations_are_none() {
        assert_eq!(pearson(&[1.0, 2.0, 3.0], &[0.1, 0.1, 0.1]), None);
        assert_eq!(pearson(&[1.0], &[2.0]), None);
        assert_eq!(spearman(&[4.0, 4.0], &[1.0, 2.0]), None);
    }

    #[test]
    fn variance_is_population() {
        assert_eq!(
            population_variance(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]),
            4.0
        );
        assert_eq!(population_variance(&[]), 0.0);
    }

    proptest! {
        #[test]
        fn correlations_lie_in_the_unit_interval(
            pairs in prop::collection::vec((-1e6f64..1e6, -1e6f64..1e6), 0..50),
        ) {
            let (x, y): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
            for r in [pearson(&x, &y), spearman(&x, &y)].into_iter().flatten() {
                prop_assert!((-1.0..=1.0).contains(&r), "{r}");
            }
        }

        #[test]
        fn a_variable_correlates_perfectly_with_an_increasing_function_of_itself(
            x in prop::collection::vec(-1e3f64..1e3, 2..50),
        ) {
            let y: Vec<f64> = x.iter().map(|v| v.powi(3) + 2.0 * v).collect();
            if let Some(rho) = spearman(&x, &y) {
                prop_assert!((rho - 1.0).abs() < 1e-12);
            } else {
                prop_assert!(is_constant(&x));
            }
        }
    }
}
