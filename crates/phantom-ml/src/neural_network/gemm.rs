//! A safe wrapper over `matrixmultiply::sgemm` for strided row-major views.

/// A read-only strided view of an `rows x cols` matrix inside a slice.
#[derive(Clone, Copy)]
pub(super) struct View<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
}

impl<'a> View<'a> {
    /// A contiguous row-major `rows x cols` matrix.
    pub(super) fn row_major(data: &'a [f32], rows: usize, cols: usize) -> Self {
        Self {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The transpose of a contiguous row-major `rows x cols` matrix (so a `cols x rows` view).
    pub(super) fn transposed(data: &'a [f32], rows: usize, cols: usize) -> Self {
        Self {
            data,
            rows: cols,
            cols: rows,
            row_stride: 1,
            col_stride: cols,
        }
    }

    /// Whether every element the view addresses lies inside its slice.
    fn in_bounds(&self) -> bool {
        self.rows == 0
            || self.cols == 0
            || (self.rows - 1) * self.row_stride + (self.cols - 1) * self.col_stride
                < self.data.len()
    }
}

/// `c = a b + beta c` with `c` a contiguous row-major `a.rows x b.cols` matrix.
///
/// The shapes are fixed by the network's layer sizes, never by user input, so a mismatch is a
/// bug in this module; the assertion keeps the unsafe call sound regardless.
pub(super) fn gemm(a: View<'_>, b: View<'_>, beta: f32, c: &mut [f32]) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert!(
        b.rows == k && a.in_bounds() && b.in_bounds() && c.len() >= m * n,
        "gemm shape mismatch"
    );
    if m == 0 || n == 0 {
        return;
    }
    // SAFETY: the assertion above guarantees that every element addressed through the shapes and
    // strides of `a`, `b` and `c` lies inside the corresponding slice; `c` is borrowed mutably so
    // it cannot alias `a` or `b`. Strides fit in isize because they index existing slices.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.data.as_ptr(),
            a.row_stride as isize,
            a.col_stride as isize,
            b.data.as_ptr(),
            b.row_stride as isize,
            b.col_stride as isize,
            beta,
            c.as_mut_ptr(),
            n as isize,
            1,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiplies_plain_and_transposed_views() {
        // a = [[1, 2, 3], [4, 5, 6]], b = [[1, 0], [0, 1], [1, 1]].
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [1.0, 0.0, 0.0, 1.0, 1.0, 1.0];
        let mut c = [1.0; 4];
        gemm(
            View::row_major(&a, 2, 3),
            View::row_major(&b, 3, 2),
            1.0,
            &mut c,
        );
        assert_eq!(c, [5.0, 6.0, 11.0, 12.0]);
        // a^T a is 3 x 3.
        let mut ata = [0.0; 9];
        gemm(
            View::transposed(&a, 2, 3),
            View::row_major(&a, 2, 3),
            0.0,
            &mut ata,
        );
        assert_eq!(ata, [17.0, 22.0, 27.0, 22.0, 29.0, 36.0, 27.0, 36.0, 45.0]);
    }
}
