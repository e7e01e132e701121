//! Exact attributions of a linear model's output: each feature contributes its weight times its
//! (scaled) value, and the base is the intercept, so base + contributions = the model's raw
//! output. With z-score scaling a scaled value of 0 is the training mean, so this equals
//! linear SHAP under feature independence; without scaling the reference is the all-zero row.

use crate::tree::Contributions;

/// Attributions of `row` for `n_outputs` linear outputs whose weights are row-major
/// (`n_outputs` rows of `row.len()` values) with one intercept per output.
pub(crate) fn linear_contributions(
    weights: &[f64],
    intercepts: &[f64],
    row: &[f32],
) -> Contributions {
    let n_outputs = intercepts.len();
    let n_features = row.len();
    let mut values = vec![0.0; n_features * n_outputs];
    for (k, block) in weights
        .chunks(n_features.max(1))
        .take(n_outputs)
        .enumerate()
    {
        for (f, (&w, &x)) in block.iter().zip(row).enumerate() {
            values[f * n_outputs + k] = w * f64::from(x);
        }
    }
    Contributions {
        base: intercepts.to_vec(),
        values,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_plus_contributions_is_the_linear_output() {
        let weights = [1.0, -2.0, 0.5, 3.0];
        let intercepts = [0.25, -1.0];
        let row = [2.0f32, 4.0];
        let c = linear_contributions(&weights, &intercepts, &row);
        for k in 0..2 {
            let out = intercepts[k] + weights[2 * k] * 2.0 + weights[2 * k + 1] * 4.0;
            let sum = c.base[k] + c.values[k] + c.values[2 + k];
            assert!((out - sum).abs() < 1e-12);
        }
    }
}
