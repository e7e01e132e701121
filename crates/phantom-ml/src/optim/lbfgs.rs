//! Limited-memory BFGS for smooth unconstrained minimisation.
//!
//! Directions come from the two-loop recursion over the last [`LbfgsSettings::memory`]
//! curvature pairs; steps from a strong-Wolfe line search. The method is deterministic: the same
//! objective and start give the same iterates.

use std::cell::Cell;
use std::collections::VecDeque;

use super::line_search::strong_wolfe;

/// When to stop and how much history to keep.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LbfgsSettings {
    /// Number of curvature pairs kept (10, as in scipy's L-BFGS-B default used by scikit-learn).
    pub memory: usize,
    /// Most iterations (each is one line search).
    pub max_iter: usize,
    /// Converged when the largest absolute gradient component is at most this.
    pub gradient_tol: f64,
    /// Converged when `(f_old - f_new) / max(|f_old|, |f_new|, 1)` is at most this.
    pub relative_value_tol: f64,
}

impl LbfgsSettings {
    /// Memory 10, the given iteration cap and gradient tolerance, and scikit-learn's relative
    /// value tolerance of `64 * f64::EPSILON` (which only stops a fit that no longer moves).
    pub fn new(max_iter: usize, gradient_tol: f64) -> Self {
        Self {
            memory: 10,
            max_iter,
            gradient_tol,
            relative_value_tol: 64.0 * f64::EPSILON,
        }
    }
}

/// The outcome of a minimisation.
#[derive(Clone, Debug, PartialEq)]
pub struct LbfgsResult {
    /// The final point.
    pub x: Vec<f64>,
    /// The objective at `x`.
    pub value: f64,
    /// Iterations run.
    pub n_iter: usize,
    /// Objective evaluations made (one per line-search trial, plus the start).
    pub n_evaluations: usize,
    /// Whether a tolerance was met (as opposed to the iteration cap or a failed line search).
    pub converged: bool,
}

/// A stored curvature pair `s = x_{k+1} - x_k`, `y = g_{k+1} - g_k` with `rho = 1 / (y . s)`.
struct CurvaturePair {
    s: Vec<f64>,
    y: Vec<f64>,
    rho: f64,
}

/// Minimises `objective` from `x0`.
///
/// `objective(x, gradient)` returns the value at `x` and writes the gradient. `on_iteration`
/// is called once after each iteration (for progress reporting).
pub fn minimize(
    mut objective: impl FnMut(&[f64], &mut [f64]) -> f64,
    x0: Vec<f64>,
    settings: &LbfgsSettings,
    mut on_iteration: impl FnMut(),
) -> LbfgsResult {
    let evaluations = Cell::new(0);
    let mut objective = |x: &[f64], g: &mut [f64]| {
        evaluations.set(evaluations.get() + 1);
        objective(x, g)
    };
    let n = x0.len();
    let mut x = x0;
    let mut gradient = vec![0.0; n];
    let mut value = objective(&x, &mut gradient);
    let mut history: VecDeque<CurvaturePair> = VecDeque::with_capacity(settings.memory);
    let mut direction = vec![0.0; n];
    let mut x_trial = vec![0.0; n];
    let mut gradient_trial = vec![0.0; n];
    let mut alpha = vec![0.0; settings.memory];

    if max_abs(&gradient) <= settings.gradient_tol {
        return LbfgsResult {
            x,
            value,
            n_iter: 0,
            converged: true,
            n_evaluations: evaluations.get(),
        };
    }
    for iteration in 1..=settings.max_iter {
        two_loop_direction(&gradient, &history, &mut alpha, &mut direction);
        let mut slope0 = dot(&gradient, &direction);
        if slope0.is_nan() || slope0 >= 0.0 {
            // Rounding can make the quasi-Newton direction non-descent: restart from steepest
            // descent with an empty history.
            history.clear();
            direction
                .iter_mut()
                .zip(&gradient)
                .for_each(|(d, g)| *d = -g);
            slope0 = -dot(&gradient, &gradient);
        }
        // Without curvature information the scale is unknown: take a unit-length first step.
        let initial_step = if history.is_empty() {
            (1.0 / norm(&direction)).min(1.0)
        } else {
            1.0
        };
        let search = strong_wolfe(
            |step| {
                for ((t, xi), di) in x_trial.iter_mut().zip(&x).zip(&direction) {
                    *t = xi + step * di;
                }
                let v = objective(&x_trial, &mut gradient_trial);
                (v, dot(&gradient_trial, &direction))
            },
            value,
            slope0,
            initial_step,
        );
        let Some((_, new_value)) = search else {
            return LbfgsResult {
                x,
                value,
                n_iter: iteration - 1,
                converged: false,
                n_evaluations: evaluations.get(),
            };
        };
        remember_curvature(
            &mut history,
            settings.memory,
            &x,
            &x_trial,
            &gradient,
            &gradient_trial,
        );
        std::mem::swap(&mut x, &mut x_trial);
        std::mem::swap(&mut gradient, &mut gradient_trial);
        let old_value = value;
        value = new_value;
        on_iteration();
        let scale = old_value.abs().max(value.abs()).max(1.0);
        if max_abs(&gradient) <= settings.gradient_tol
            || (old_value - value) / scale <= settings.relative_value_tol
        {
            return LbfgsResult {
                x,
                value,
                n_iter: iteration,
                converged: true,
                n_evaluations: evaluations.get(),
            };
        }
    }
    LbfgsResult {
        x,
        value,
        n_iter: settings.max_iter,
        converged: false,
        n_evaluations: evaluations.get(),
    }
}

/// Stores the pair from the last step if it has positive curvature (otherwise the inverse
/// Hessian approximation would stop being positive definite).
fn remember_curvature(
    history: &mut VecDeque<CurvaturePair>,
    memory: usize,
    x_old: &[f64],
    x_new: &[f64],
    g_old: &[f64],
    g_new: &[f64],
) {
    let s: Vec<f64> = x_new.iter().zip(x_old).map(|(a, b)| a - b).collect();
    let y: Vec<f64> = g_new.iter().zip(g_old).map(|(a, b)| a - b).collect();
    let ys = dot(&y, &s);
    if ys > f64::EPSILON * dot(&y, &y) {
        if history.len() == memory {
            history.pop_front();
        }
        if memory > 0 {
            history.push_back(CurvaturePair {
                s,
                y,
                rho: 1.0 / ys,
            });
        }
    }
}

/// Writes `-H g` into `direction`, with `H` the L-BFGS inverse Hessian approximation.
fn two_loop_direction(
    gradient: &[f64],
    history: &VecDeque<CurvaturePair>,
    alpha: &mut [f64],
    direction: &mut [f64],
) {
    direction.copy_from_slice(gradient);
    for (pair, a) in history.iter().rev().zip(alpha.iter_mut()) {
        *a = pair.rho * dot(&pair.s, direction);
        axpy(-*a, &pair.y, direction);
    }
    if let Some(last) = history.back() {
        // Initial Hessian scaling gamma = s.y / y.y (Nocedal & Wright eq. 7.20).
        let gamma = 1.0 / (last.rho * dot(&last.y, &last.y));
        direction.iter_mut().for_each(|d| *d *= gamma);
    }
    for (pair, a) in history.iter().zip(alpha.iter().take(history.len()).rev()) {
        let b = pair.rho * dot(&pair.y, direction);
        axpy(a - b, &pair.s, direction);
    }
    direction.iter_mut().for_each(|d| *d = -*d);
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

fn max_abs(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |m, v| m.max(v.abs()))
}

fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    y.iter_mut().zip(x).for_each(|(yi, xi)| *yi += a * xi);
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn rosenbrock(x: &[f64], g: &mut [f64]) -> f64 {
        let (a, b) = (x[0], x[1]);
        g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
        g[1] = 200.0 * (b - a * a);
        (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
    }

    #[test]
    fn minimises_rosenbrock() {
        let settings = LbfgsSettings::new(200, 1e-8);
        let r = minimize(rosenbrock, vec![-1.2, 1.0], &settings, || {});
        assert!(r.converged, "{r:?}");
        assert!(
            (r.x[0] - 1.0).abs() < 1e-6 && (r.x[1] - 1.0).abs() < 1e-6,
            "{r:?}"
        );
        assert!(r.n_iter < 100, "{r:?}");
        assert!(
            r.n_evaluations > r.n_iter && r.n_evaluations < 2 * r.n_iter,
            "{r:?}"
        );
    }

    #[test]
    fn reports_the_iteration_cap() {
        let settings = LbfgsSettings::new(3, 1e-12);
        let mut calls = 0;
        let r = minimize(rosenbrock, vec![-1.2, 1.0], &settings, || calls += 1);
        assert_eq!((r.n_iter, r.converged, calls), (3, false, 3));
    }

    #[test]
    fn starts_at_the_optimum() {
        let settings = LbfgsSettings::new(10, 1e-8);
        let r = minimize(rosenbrock, vec![1.0, 1.0], &settings, || {});
        assert_eq!((r.n_iter, r.converged), (0, true));
    }

    proptest! {
        /// A diagonal quadratic sum_i c_i (x_i - m_i)^2 is minimised at m.
        #[test]
        fn minimises_quadratics(
            terms in prop::collection::vec((0.1f64..100.0, -10.0f64..10.0), 1..30)
        ) {
            let quadratic = |x: &[f64], g: &mut [f64]| {
                let mut v = 0.0;
                for ((xi, gi), (c, m)) in x.iter().zip(g.iter_mut()).zip(&terms) {
                    v += c * (xi - m).powi(2);
                    *gi = 2.0 * c * (xi - m);
                }
                v
            };
            let settings = LbfgsSettings {
                relative_value_tol: 0.0,
                ..LbfgsSettings::new(500, 1e-9)
            };
            let r = minimize(quadratic, vec![0.0; terms.len()], &settings, || {});
            prop_assert!(r.converged);
            for (xi, (c, m)) in r.x.iter().zip(&terms) {
                prop_assert!((xi - m).abs() * c <= 1e-9, "{} vs {}", xi, m);
            }
        }
    }
}
