//! A line search that finds a step satisfying the strong Wolfe conditions.
//!
//! Bracketing then zoom with safeguarded cubic interpolation (Nocedal & Wright, *Numerical
//! Optimization*, 2nd ed., algorithms 3.5 and 3.6). The last point it evaluates is always the
//! one it accepts, so the caller can keep the objective's gradient from that evaluation.

/// Sufficient-decrease constant (Armijo), as in scipy's L-BFGS-B and Nocedal & Wright.
const SUFFICIENT_DECREASE: f64 = 1e-4;
/// Curvature constant; 0.9 suits quasi-Newton directions.
const CURVATURE: f64 = 0.9;
/// Most objective evaluations per search (scikit-learn raises scipy's L-BFGS-B default of 20
/// to 50 for logistic regression; a search that needs many is rare and cheap to allow).
const MAX_EVALUATIONS: usize = 50;
/// Growth factor of the step while no bracket is found.
const EXPANSION: f64 = 2.0;
/// Keeps an interpolated step this far (as a fraction of the interval) from the interval ends.
const INTERVAL_MARGIN: f64 = 0.1;

/// The objective along the search direction at one step length.
#[derive(Clone, Copy, Debug)]
struct Point {
    step: f64,
    value: f64,
    slope: f64,
}

/// Searches along a descent direction for a step satisfying the strong Wolfe conditions.
///
/// `phi(step)` evaluates the objective at `x + step * d` and returns the value and the
/// directional derivative there. `value0` and `slope0` (< 0) describe `step = 0`. Returns the
/// accepted step and its value, or `None` if no acceptable step was found within the budget.
pub(crate) fn strong_wolfe(
    mut phi: impl FnMut(f64) -> (f64, f64),
    value0: f64,
    slope0: f64,
    initial_step: f64,
) -> Option<(f64, f64)> {
    let origin = Point {
        step: 0.0,
        value: value0,
        slope: slope0,
    };
    let mut evaluations = 0;
    let mut previous = origin;
    let mut step = initial_step;
    while evaluations < MAX_EVALUATIONS {
        let (value, slope) = phi(step);
        evaluations += 1;
        let current = Point { step, value, slope };
        if !sufficient_decrease(&origin, &current)
            || (evaluations > 1 && current.value >= previous.value)
        {
            return zoom(&mut phi, &origin, previous, current, evaluations);
        }
        if curvature_holds(&origin, &current) {
            return Some((current.step, current.value));
        }
        if current.slope >= 0.0 {
            return zoom(&mut phi, &origin, current, previous, evaluations);
        }
        previous = current;
        step *= EXPANSION;
    }
    None
}

/// Narrows a bracket `[low, high]` known to contain acceptable steps; `low` has the lower value.
fn zoom(
    phi: &mut impl FnMut(f64) -> (f64, f64),
    origin: &Point,
    mut low: Point,
    mut high: Point,
    mut evaluations: usize,
) -> Option<(f64, f64)> {
    while evaluations < MAX_EVALUATIONS {
        let width = (high.step - low.step).abs();
        if width <= f64::EPSILON * low.step.abs().max(1.0) {
            return None;
        }
        let step = interpolate(&low, &high);
        let (value, slope) = phi(step);
        evaluations += 1;
        let current = Point { step, value, slope };
        if !sufficient_decrease(origin, &current) || current.value >= low.value {
            high = current;
        } else {
            if curvature_holds(origin, &current) {
                return Some((current.step, current.value));
            }
            if current.slope * (high.step - low.step) >= 0.0 {
                high = low;
            }
            low = current;
        }
    }
    None
}

/// Armijo condition; a NaN value fails it, so the search backs off from overflow.
fn sufficient_decrease(origin: &Point, p: &Point) -> bool {
    p.value <= origin.value + SUFFICIENT_DECREASE * p.step * origin.slope
}

/// Strong curvature condition `|phi'(step)| <= c2 |phi'(0)|`.
fn curvature_holds(origin: &Point, p: &Point) -> bool {
    p.slope.abs() <= -CURVATURE * origin.slope
}

/// The minimiser of the cubic through two points with slopes, kept well inside the interval;
/// bisection when the cubic has no usable minimiser.
fn interpolate(a: &Point, b: &Point) -> f64 {
    let (lo, hi) = if a.step < b.step {
        (a.step, b.step)
    } else {
        (b.step, a.step)
    };
    let margin = INTERVAL_MARGIN * (hi - lo);
    let d1 = a.slope + b.slope - 3.0 * (a.value - b.value) / (a.step - b.step);
    let discriminant = d1 * d1 - a.slope * b.slope;
    let bisection = 0.5 * (lo + hi);
    if discriminant.is_nan() || discriminant < 0.0 {
        return bisection;
    }
    let d2 = (b.step - a.step).signum() * discriminant.sqrt();
    let candidate =
        b.step - (b.step - a.step) * (b.slope + d2 - d1) / (b.slope - a.slope + 2.0 * d2);
    if candidate.is_finite() && candidate >= lo + margin && candidate <= hi - margin {
        candidate
    } else {
        bisection
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// phi(t) = (t - 3)^2 from the origin with slope -6.
    fn parabola(t: f64) -> (f64, f64) {
        ((t - 3.0).powi(2), 2.0 * (t - 3.0))
    }

    fn assert_strong_wolfe(step: f64, value: f64) {
        let (v0, s0) = parabola(0.0);
        let (_, slope) = parabola(step);
        assert!(value <= v0 + SUFFICIENT_DECREASE * step * s0);
        assert!(slope.abs() <= CURVATURE * s0.abs());
    }

    #[test]
    fn expands_a_too_short_step() {
        let (v0, s0) = parabola(0.0);
        let (step, value) = strong_wolfe(parabola, v0, s0, 0.01).unwrap();
        assert_strong_wolfe(step, value);
    }

    #[test]
    fn zooms_into_a_too_long_step() {
        let (v0, s0) = parabola(0.0);
        let (step, value) = strong_wolfe(parabola, v0, s0, 100.0).unwrap();
        assert_strong_wolfe(step, value);
    }

    #[test]
    fn backs_off_from_nan() {
        let phi = |t: f64| {
            if t > 4.0 {
                (f64::NAN, f64::NAN)
            } else {
                parabola(t)
            }
        };
        let (v0, s0) = parabola(0.0);
        let (step, value) = strong_wolfe(phi, v0, s0, 50.0).unwrap();
        assert_strong_wolfe(step, value);
    }

    #[test]
    fn cubic_interpolation_finds_the_parabola_minimum() {
        let a = Point {
            step: 0.0,
            value: 9.0,
            slope: -6.0,
        };
        let b = Point {
            step: 5.0,
            value: 4.0,
            slope: 4.0,
        };
        assert!((interpolate(&a, &b) - 3.0).abs() < 1e-12);
    }
}
