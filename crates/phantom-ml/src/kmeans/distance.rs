//! Squared Euclidean distances between rows and centres.

/// Independent partial sums: they let the compiler use SIMD without reassociating floats.
const LANES: usize = 8;

/// The dot product of two equal-length slices.
#[inline]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    let (a_chunks, b_chunks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f32 = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a_chunks.zip(b_chunks) {
        for lane in 0..LANES {
            acc[lane] += x[lane] * y[lane];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// The squared Euclidean distance between two equal-length slices, by differences (exact
/// enough for inertia, unlike the norm expansion near a centre).
#[inline]
pub(crate) fn squared_distance(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    let (a_chunks, b_chunks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f32 = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(x, y)| (x - y) * (x - y))
        .sum();
    for (x, y) in a_chunks.zip(b_chunks) {
        for lane in 0..LANES {
            let d = x[lane] - y[lane];
            acc[lane] += d * d;
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// Centres laid out for fast nearest-centre search: row-major values and squared norms.
pub(crate) struct Centers<'a> {
    pub(crate) values: &'a [f32],
    pub(crate) squared_norms: &'a [f32],
    pub(crate) n_features: usize,
}

impl Centers<'_> {
    /// The nearest centre to `row` and the squared distance to it.
    ///
    /// Uses `||x - c||² = ||x||² - 2 x·c + ||c||²`: one dot product per centre instead of a
    /// difference and a product, with `||c||²` precomputed; the distance is clamped at 0
    /// against rounding.
    #[inline]
    pub(crate) fn nearest(&self, row: &[f32], row_squared_norm: f32) -> (usize, f32) {
        let mut best = (0, f32::INFINITY);
        for (c, (center, norm)) in self
            .values
            .chunks_exact(self.n_features.max(1))
            .zip(self.squared_norms)
            .enumerate()
        {
            let partial = norm - 2.0 * dot(row, center);
            if partial < best.1 {
                best = (c, partial);
            }
        }
        (best.0, (best.1 + row_squared_norm).max(0.0))
    }
}

/// Squared norm of every row of a row-major array with `n_features` columns.
pub(crate) fn squared_norms(values: &[f32], n_features: usize) -> Vec<f32> {
    values
        .chunks_exact(n_features.max(1))
        .map(|r| dot(r, r))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_and_distance_cover_the_tail() {
        let a: Vec<f32> = (0..11).map(|v| v as f32).collect();
        let b = vec![1.0; 11];
        assert_eq!(dot(&a, &b), 55.0);
        assert_eq!(squared_distance(&a, &a), 0.0);
        assert_eq!(squared_distance(&[0.0, 3.0], &[4.0, 0.0]), 25.0);
    }

    #[test]
    fn nearest_picks_the_closest_centre() {
        let values = [0.0, 0.0, 10.0, 10.0];
        let norms = squared_norms(&values, 2);
        let centers = Centers {
            values: &values,
            squared_norms: &norms,
            n_features: 2,
        };
        let row = [9.0, 8.0];
        assert_eq!(centers.nearest(&row, dot(&row, &row)), (1, 5.0));
    }
}
