//! Permutation feature importance (Breiman 2001; scikit-learn's `permutation_importance`).

use rand::seq::SliceRandom;
use rayon::prelude::*;

use crate::{Matrix, MlError, rng};

/// The mean decrease of `score` when each feature's column is shuffled, one feature at a time.
///
/// `score` evaluates a fitted model on a matrix shaped like `x` (for example the accuracy of its
/// predictions against fixed labels); higher must mean better. For feature `j` the column is
/// shuffled `n_repeats` times, repeat `r` drawing from `rng::stream(seed, j * n_repeats + r)`,
/// and the result is `score(x) - mean(score(shuffled))`. Values are not normalised and may be
/// negative (shuffling helped by chance). Features run in parallel, each on its own copy of `x`,
/// so the result does not depend on the thread count.
///
/// Errors: `n_repeats` 0, an empty `x`, or a score that is not finite.
pub fn permutation_importance(
    x: &Matrix,
    score: impl Fn(&Matrix) -> f64 + Sync,
    n_repeats: usize,
    seed: u64,
) -> Result<Vec<f64>, MlError> {
    if n_repeats == 0 {
        return Err(MlError::InvalidParameter {
            name: "n_repeats",
            reason: "must be at least 1, got 0".into(),
        });
    }
    if x.n_rows() == 0 || x.n_cols() == 0 {
        return Err(MlError::EmptyData("no rows or features to permute"));
    }
    let baseline = finite_score(score(x))?;
    (0..x.n_cols())
        .into_par_iter()
        .map(|feature| {
            let mut shuffled = x.clone();
            let mut column = x.column(feature);
            let mut total = 0.0;
            for repeat in 0..n_repeats {
                let stream = (feature * n_repeats + repeat) as u64;
                column.shuffle(&mut rng::stream(seed, stream));
                for (row, &v) in column.iter().enumerate() {
                    shuffled.row_mut(row)[feature] = v;
                }
                total += finite_score(score(&shuffled))?;
            }
            Ok(baseline - total / n_repeats as f64)
        })
        .collect()
}

/// Rejects a NaN or infinite score, which would poison every importance.
fn finite_score(value: f64) -> Result<f64, MlError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(MlError::InvalidParameter {
            name: "score",
            reason: format!("the scoring function returned {value}; it must be finite"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows whose label is feature 0 > 0.5; feature 1 is noise.
    fn data() -> (Matrix, Vec<bool>) {
        let values: Vec<f32> = (0..100)
            .flat_map(|i| [(i % 10) as f32 / 10.0, ((i * 7) % 13) as f32])
            .collect();
        let x = Matrix::new(100, 2, values).unwrap();
        let y = x.rows().map(|r| r[0] > 0.5).collect();
        (x, y)
    }

    #[test]
    fn only_the_used_feature_matters() {
        let (x, y) = data();
        let accuracy = |m: &Matrix| {
            let correct = m
                .rows()
                .zip(&y)
                .filter(|(r, t)| (r[0] > 0.5) == **t)
                .count();
            correct as f64 / y.len() as f64
        };
        let importance = permutation_importance(&x, accuracy, 5, 3).unwrap();
        assert!(importance[0] > 0.3, "{importance:?}");
        assert_eq!(importance[1], 0.0);
        assert_eq!(
            importance,
            permutation_importance(&x, accuracy, 5, 3).unwrap()
        );
    }

    #[test]
    fn rejects_bad_arguments() {
        let (x, _) = data();
        assert!(matches!(
            permutation_importance(&x, |_| 1.0, 0, 0),
            Err(MlError::InvalidParameter {
                name: "n_repeats",
                ..
            })
        ));
        assert!(matches!(
            permutation_importance(&x, |_| f64::NAN, 1, 0),
            Err(MlError::InvalidParameter { name: "score", .. })
        ));
    }
}
