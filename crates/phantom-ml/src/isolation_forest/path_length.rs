//! The average path length `c(n)` that normalises isolation depths.

/// The Euler–Mascheroni constant, for the harmonic-number approximation `H(i) ~ ln(i) + gamma`.
const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;

/// `c(n)`: the average path length of an unsuccessful search in a binary search tree of `n`
/// points, `2 H(n - 1) - 2 (n - 1) / n` (Liu, Ting & Zhou 2008).
///
/// `c(0) = c(1) = 0`, and `c(2) = 1` exactly (as scikit-learn does), because the harmonic
/// approximation is poor for `H(1)`.
pub(crate) fn average_path_length(n: usize) -> f64 {
    match n {
        0 | 1 => 0.0,
        2 => 1.0,
        _ => {
            let n = n as f64;
            2.0 * ((n - 1.0).ln() + EULER_GAMMA) - 2.0 * (n - 1.0) / n
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert_eq!(average_path_length(1), 0.0);
        assert_eq!(average_path_length(2), 1.0);
        // 2 (ln 255 + gamma) - 2 * 255 / 256, as in the paper's normalisation for psi = 256.
        assert!((average_path_length(256) - 10.244_770_920_119_9).abs() < 1e-9);
    }

    #[test]
    fn grows_like_twice_the_log() {
        let mut previous = 0.0;
        for n in 3..2000 {
            let c = average_path_length(n);
            assert!(c > previous);
            previous = c;
        }
    }
}
