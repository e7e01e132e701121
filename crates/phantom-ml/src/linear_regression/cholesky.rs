//! Solving a symmetric positive definite system by Cholesky factorisation.

/// A pivot at or below this fraction of the largest diagonal entry means the matrix is
/// singular to working precision.
const RELATIVE_PIVOT_FLOOR: f64 = 1e-12;

/// Solves `a x = b` for a symmetric positive definite `a` (`n x n`, row-major).
///
/// Returns `None` if `a` is not positive definite to working precision.
pub(super) fn solve(a: &[f64], b: &[f64]) -> Option<Vec<f64>> {
    let n = b.len();
    if a.len() != n * n {
        return None;
    }
    let largest_diagonal = (0..n).map(|i| a[i * n + i].abs()).fold(0.0, f64::max);
    let floor = RELATIVE_PIVOT_FLOOR * largest_diagonal;
    // Lower-triangular factor L with a = L L^T, row-major.
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let dot: f64 = l[i * n..i * n + j]
                .iter()
                .zip(&l[j * n..j * n + j])
                .map(|(p, q)| p * q)
                .sum();
            let s = a[i * n + j] - dot;
            if i == j {
                if s.is_nan() || s <= floor {
                    return None;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    // Forward substitution L z = b, then back substitution L^T x = z.
    let mut z = vec![0.0; n];
    for i in 0..n {
        let dot: f64 = l[i * n..i * n + i].iter().zip(&z).map(|(p, q)| p * q).sum();
        z[i] = (b[i] - dot) / l[i * n + i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let dot: f64 = ((i + 1)..n).map(|k| l[k * n + i] * x[k]).sum();
        x[i] = (z[i] - dot) / l[i * n + i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn solves_a_known_system() {
        let a = [4.0, 2.0, 2.0, 3.0];
        let x = solve(&a, &[2.0, 1.0]).unwrap();
        assert!((x[0] - 0.5).abs() < 1e-12 && x[1].abs() < 1e-12, "{x:?}");
    }

    #[test]
    fn rejects_singular_matrices() {
        assert!(solve(&[1.0, 1.0, 1.0, 1.0], &[1.0, 1.0]).is_none());
        assert!(solve(&[0.0], &[1.0]).is_none());
    }

    proptest! {
        /// For a = M^T M + I (positive definite), a * solve(a, b) reproduces b.
        #[test]
        fn residual_is_tiny(
            m in prop::collection::vec(-5.0f64..5.0, 16),
            b in prop::collection::vec(-5.0f64..5.0, 4),
        ) {
            let n = 4;
            let mut a = vec![0.0; n * n];
            for i in 0..n {
                for j in 0..n {
                    a[i * n + j] = (0..n).map(|k| m[k * n + i] * m[k * n + j]).sum::<f64>()
                        + if i == j { 1.0 } else { 0.0 };
                }
            }
            let x = solve(&a, &b).unwrap();
            for i in 0..n {
                let ax: f64 = (0..n).map(|j| a[i * n + j] * x[j]).sum();
                prop_assert!((ax - b[i]).abs() < 1e-9);
            }
        }
    }
}
