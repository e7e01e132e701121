//! Logistic and linear regression: known answers, agreement with scikit-learn, determinism,
//! parameter validation.

use phantom_ml::linear_regression::{LinearRegression, LinearRegressionParams};
use phantom_ml::logistic_regression::{LogisticRegression, LogisticRegressionParams};
use phantom_ml::{Classifier, Matrix, MlError, NoProgress, Progress, Regressor};

use crate::data::{self, pick};

/// Seed and test fraction of every held-out split below (the scikit-learn references were
/// measured on exactly these rows, exported from `data::split_indices(n, 0.25, 42)`).
const SPLIT_SEED: u64 = 42;
const TEST_FRACTION: f64 = 0.25;

/// Z-scores `train` and `test` with the mean and population standard deviation of `train`
/// (scikit-learn's `StandardScaler`); constant columns are left centred.
pub fn zscore(train: &Matrix, test: &Matrix) -> (Matrix, Matrix) {
    let d = train.n_cols();
    let n = train.n_rows() as f64;
    let mut mean = vec![0.0f64; d];
    for row in train.rows() {
        mean.iter_mut()
            .zip(row)
            .for_each(|(m, &v)| *m += f64::from(v) / n);
    }
    let mut std = vec![0.0f64; d];
    for row in train.rows() {
        std.iter_mut()
            .zip(row)
            .zip(&mean)
            .for_each(|((s, &v), m)| *s += (f64::from(v) - m).powi(2) / n);
    }
    std.iter_mut()
        .for_each(|s| *s = if *s > 0.0 { s.sqrt() } else { 1.0 });
    let apply = |x: &Matrix| {
        let data = x
            .rows()
            .flat_map(|row| {
                row.iter()
                    .zip(&mean)
                    .zip(&std)
                    .map(|((&v, m), s)| ((f64::from(v) - m) / s) as f32)
                    .collect::<Vec<_>>()
            })
            .collect();
        Matrix::new(x.n_rows(), d, data).unwrap()
    };
    (apply(train), apply(test))
}

/// A classification dataset split and scaled as for the scikit-learn references.
pub struct Split {
    pub x_train: Matrix,
    pub y_train: Vec<u32>,
    pub x_test: Matrix,
    pub y_test: Vec<u32>,
    pub n_classes: usize,
}

/// Loads `name`, splits it with the reference seed and z-scores it with the training statistics.
pub fn scaled_split(name: &str) -> Split {
    let set = data::load(name);
    let (y, n_classes) = set.classes();
    let (train, test) = data::split_indices(y.len(), TEST_FRACTION, SPLIT_SEED);
    let (x_train, x_test) = zscore(&set.x.select_rows(&train), &set.x.select_rows(&test));
    Split {
        x_train,
        y_train: pick(&y, &train),
        x_test,
        y_test: pick(&y, &test),
        n_classes,
    }
}

/// Fraction of predictions equal to the labels.
pub fn accuracy(predicted: &[u32], truth: &[u32]) -> f64 {
    let correct = predicted.iter().zip(truth).filter(|(a, b)| a == b).count();
    correct as f64 / truth.len() as f64
}

/// Two or three well-separated clusters along a line in 3-D, with a little jitter.
pub fn separable_blobs(n_classes: usize, per_class: usize) -> (Matrix, Vec<u32>) {
    let mut rows = Vec::new();
    let mut y = Vec::new();
    for class in 0..n_classes {
        for i in 0..per_class {
            let jitter = (i as f32 * 0.37).sin() * 0.5;
            let centre = class as f32 * 4.0;
            rows.push(vec![centre + jitter, -centre + jitter * 0.5, jitter - 1.0]);
            y.push(class as u32);
        }
    }
    (Matrix::from_rows(&rows).unwrap(), y)
}

#[test]
fn logistic_separates_separable_data() {
    for n_classes in [2, 3] {
        let (x, y) = separable_blobs(n_classes, 40);
        let model = LogisticRegressionParams::new()
            .fit_classifier(&x, &y, n_classes, &NoProgress)
            .unwrap();
        assert_eq!(model.predict(&x), y, "{n_classes} classes");
        let probabilities = model.predict_proba(&x);
        for row in probabilities.chunks_exact(n_classes) {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }
}

/// Runs a fit to the optimum (tiny tolerance) on the whole dataset, z-scored.
fn fit_to_optimum(name: &str) -> LogisticRegression {
    let set = data::load(name);
    // Class indices in sorted label order, as scikit-learn numbers them.
    let mut names = set.labels.clone();
    names.sort();
    names.dedup();
    let y: Vec<u32> = set
        .labels
        .iter()
        .map(|l| names.iter().position(|n| n == l).unwrap() as u32)
        .collect();
    let n_classes = names.len();
    let (x, _) = zscore(&set.x, &set.x);
    let model = LogisticRegressionParams::new()
        .c(1.0)
        .max_iter(1000)
        .tol(1e-9)
        .fit_classifier(&x, &y, n_classes, &NoProgress)
        .unwrap();
    assert!(model.converged(), "{name}: {} iterations", model.n_iter());
    model
}

/// scikit-learn 1.9.1, `LogisticRegression(C=1.0, max_iter=10000, tol=1e-12)` (lbfgs) on the
/// whole z-scored breast_cancer (float32 features, StandardScaler statistics in float64):
/// objective = mean log-loss + ||coef||^2 / (2 C n), first coefficients and intercept.
const SKLEARN_BREAST_CANCER_OBJECTIVE: f64 = 0.066360185963850;
const SKLEARN_BREAST_CANCER_COEF: [f64; 5] =
    [0.36309274, 0.38767511, 0.35106248, 0.43560912, 0.16183156];
const SKLEARN_BREAST_CANCER_INTERCEPT: f64 = -0.21450295;
/// The same for iris (multinomial, three classes, classes in sorted = file order).
const SKLEARN_IRIS_OBJECTIVE: f64 = 0.209191789491503;
const SKLEARN_IRIS_COEF_CLASS0: [f64; 4] = [-1.0740658, 1.16011496, -1.93069195, -1.81155623];
const SKLEARN_IRIS_INTERCEPTS: [f64; 3] = [-0.2052411, 2.07483985, -1.86959876];

#[test]
fn logistic_binary_optimum_matches_scikit_learn() {
    let model = fit_to_optimum("breast_cancer");
    // Both solvers stop at a gradient far below 1e-8, so the optima agree to rounding.
    let relative = (model.objective() - SKLEARN_BREAST_CANCER_OBJECTIVE).abs()
        / SKLEARN_BREAST_CANCER_OBJECTIVE;
    assert!(
        relative < 1e-7,
        "objective {} (relative error {relative})",
        model.objective()
    );
    assert_eq!(model.n_coefficient_rows(), 1);
    for (ours, theirs) in model.coefficients().iter().zip(SKLEARN_BREAST_CANCER_COEF) {
        assert!((ours - theirs).abs() < 1e-4, "{ours} vs {theirs}");
    }
    assert!((model.intercepts()[0] - SKLEARN_BREAST_CANCER_INTERCEPT).abs() < 1e-4);
}

#[test]
fn logistic_multinomial_optimum_matches_scikit_learn() {
    let model = fit_to_optimum("iris");
    let relative = (model.objective() - SKLEARN_IRIS_OBJECTIVE).abs() / SKLEARN_IRIS_OBJECTIVE;
    assert!(
        relative < 1e-7,
        "objective {} (relative error {relative})",
        model.objective()
    );
    assert_eq!(model.n_coefficient_rows(), 3);
    for (ours, theirs) in model.coefficients().iter().zip(SKLEARN_IRIS_COEF_CLASS0) {
        assert!((ours - theirs).abs() < 1e-4, "{ours} vs {theirs}");
    }
    for (ours, theirs) in model.intercepts().iter().zip(SKLEARN_IRIS_INTERCEPTS) {
        assert!((ours - theirs).abs() < 1e-4, "{ours} vs {theirs}");
    }
}

/// Held-out accuracy of scikit-learn 1.9.1 `LogisticRegression()` (C=1, lbfgs, max_iter=100)
/// on the split above, StandardScaler fitted on the training rows. Test sets: iris 38 rows,
/// wine 45, breast_cancer 142 rows.
const SKLEARN_LOGISTIC_ACCURACY: [(&str, f64); 3] = [
    ("iris", 0.9473684210526315),
    ("wine", 0.9777777777777777),
    ("breast_cancer", 0.9647887323943662),
];

#[test]
fn logistic_held_out_accuracy_matches_scikit_learn() {
    for (name, reference) in SKLEARN_LOGISTIC_ACCURACY {
        let s = scaled_split(name);
        let model = LogisticRegressionParams::new()
            .fit_classifier(&s.x_train, &s.y_train, s.n_classes, &NoProgress)
            .unwrap();
        let acc = accuracy(&model.predict(&s.x_test), &s.y_test);
        // Same objective and optimum: allow at most one test row of difference from where
        // the two solvers stop at max_iter / tol.
        let one_row = 1.0 / s.y_test.len() as f64;
        assert!(
            acc >= reference - one_row - 1e-12,
            "{name}: {acc} vs {reference}"
        );
    }
}

#[test]
fn logistic_reports_iterations_and_progress() {
    struct Counter(std::sync::atomic::AtomicU64, std::sync::atomic::AtomicU64);
    impl Progress for Counter {
        fn start(&self, total: u64) {
            self.0.store(total, std::sync::atomic::Ordering::Relaxed);
        }
        fn advance(&self, steps: u64) {
            self.1
                .fetch_add(steps, std::sync::atomic::Ordering::Relaxed);
        }
    }
    let s = scaled_split("breast_cancer");
    let counter = Counter(Default::default(), Default::default());
    let model = LogisticRegressionParams::new()
        .max_iter(5)
        .fit_classifier(&s.x_train, &s.y_train, 2, &counter)
        .unwrap();
    assert_eq!((model.n_iter(), model.converged()), (5, false));
    assert_eq!(counter.0.into_inner(), 5);
    assert_eq!(counter.1.into_inner(), 5);
}

#[test]
fn logistic_feature_importance_is_normalised_and_ranks_the_signal() {
    // Only feature 1 carries the label.
    let rows: Vec<Vec<f32>> = (0..200)
        .map(|i| {
            vec![
                ((i * 7) % 13) as f32 / 13.0,
                if i % 2 == 0 { 1.0 } else { -1.0 },
            ]
        })
        .collect();
    let y: Vec<u32> = (0..200).map(|i| u32::from(i % 2 == 0)).collect();
    let x = Matrix::from_rows(&rows).unwrap();
    let model = LogisticRegressionParams::new()
        .fit_classifier(&x, &y, 2, &NoProgress)
        .unwrap();
    let importance = model.feature_importance();
    assert!((importance.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    assert!(importance[1] > 0.9, "{importance:?}");
}

#[test]
fn logistic_is_deterministic() {
    let s = scaled_split("wine");
    let fit = || {
        let model = LogisticRegressionParams::new()
            .fit_classifier(&s.x_train, &s.y_train, s.n_classes, &NoProgress)
            .unwrap();
        postcard::to_allocvec(&model).unwrap()
    };
    let first = fit();
    assert_eq!(first, fit());
    let single_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    assert_eq!(first, single_thread.install(fit));
    let restored: LogisticRegression = postcard::from_bytes(&first).unwrap();
    assert_eq!(postcard::to_allocvec(&restored).unwrap(), first);
}

#[test]
fn logistic_rejects_bad_parameters_and_input() {
    let (x, y) = separable_blobs(2, 5);
    let bad = |params: LogisticRegressionParams, name: &str| match params.fit_classifier(
        &x,
        &y,
        2,
        &NoProgress,
    ) {
        Err(MlError::InvalidParameter { name: got, .. }) => assert_eq!(got, name),
        other => panic!("expected InvalidParameter({name}), got {other:?}"),
    };
    bad(LogisticRegressionParams::new().c(0.0), "c");
    bad(LogisticRegressionParams::new().c(-1.0), "c");
    bad(LogisticRegressionParams::new().c(f64::NAN), "c");
    bad(LogisticRegressionParams::new().max_iter(0), "max_iter");
    bad(LogisticRegressionParams::new().tol(-1.0), "tol");
    let params = LogisticRegressionParams::new();
    assert!(matches!(
        params.fit_classifier(&x, &y[1..], 2, &NoProgress),
        Err(MlError::DimensionMismatch { .. })
    ));
    assert!(matches!(
        params.fit_classifier(&x, &y, 1, &NoProgress),
        Err(MlError::TooFewClasses(1))
    ));
    let mut wrong = y.clone();
    wrong[3] = 7;
    assert!(matches!(
        params.fit_classifier(&x, &wrong, 2, &NoProgress),
        Err(MlError::ClassOutOfRange {
            row: 3,
            index: 7,
            ..
        })
    ));
}

#[test]
fn linear_regression_recovers_known_coefficients() {
    let weights = [2.5, -1.25, 0.5, 4.0];
    let intercept = -3.0;
    let mut rows = Vec::new();
    let mut y = Vec::new();
    for i in 0..500 {
        let row: Vec<f32> = (0..4)
            .map(|j| ((i * (j + 3) + j * 11) % 37) as f32 / 7.0 - 2.0)
            .collect();
        let noise = 1e-5 * ((i as f64) * 1.7).sin();
        let target: f64 = intercept
            + noise
            + row
                .iter()
                .zip(weights)
                .map(|(&v, w)| f64::from(v) * w)
                .sum::<f64>();
        rows.push(row);
        y.push(target);
    }
    let x = Matrix::from_rows(&rows).unwrap();
    let model = LinearRegressionParams::new()
        .alpha(0.0)
        .fit_regressor(&x, &y, &NoProgress)
        .unwrap();
    for (got, want) in model.coefficients().iter().zip(weights) {
        assert!((got - want).abs() < 1e-3, "{got} vs {want}");
    }
    assert!((model.intercept() - intercept).abs() < 1e-3);
    let predictions = model.predict(&x);
    assert!((predictions[7] - model.predict_row(x.row(7))).abs() < 1e-12);
    let importance = model.feature_importance();
    assert!((importance.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    assert!(importance[3] > importance[0] && importance[0] > importance[1]);
}

/// scikit-learn 1.9.1 on the diabetes split above (raw features, float32 values widened to
/// float64): `Ridge(alpha=1.0)` test R^2 and `LinearRegression()` (OLS) test R^2.
const SKLEARN_DIABETES_RIDGE_R2: f64 = 0.448703469784;
const SKLEARN_DIABETES_RIDGE_COEF: [f64; 3] = [0.09115478, -24.84518443, 5.06146513];
const SKLEARN_DIABETES_OLS_R2: f64 = 0.449151306604;

fn r2(predicted: &[f64], truth: &[f64]) -> f64 {
    let mean = truth.iter().sum::<f64>() / truth.len() as f64;
    let total: f64 = truth.iter().map(|t| (t - mean).powi(2)).sum();
    let residual: f64 = truth
        .iter()
        .zip(predicted)
        .map(|(t, p)| (t - p).powi(2))
        .sum();
    1.0 - residual / total
}

#[test]
fn ridge_and_ols_match_scikit_learn_on_diabetes() {
    let set = data::load("diabetes");
    let y = set.targets();
    let (train, test) = data::split_indices(y.len(), TEST_FRACTION, SPLIT_SEED);
    let (x_train, x_test) = (set.x.select_rows(&train), set.x.select_rows(&test));
    let (y_train, y_test) = (pick(&y, &train), pick(&y, &test));
    let fit = |alpha: f64| -> LinearRegression {
        LinearRegressionParams::new()
            .alpha(alpha)
            .fit_regressor(&x_train, &y_train, &NoProgress)
            .unwrap()
    };
    let ridge = fit(1.0);
    let ridge_r2 = r2(&ridge.predict(&x_test), &y_test);
    assert!(
        ((ridge_r2 - SKLEARN_DIABETES_RIDGE_R2) / SKLEARN_DIABETES_RIDGE_R2).abs() < 1e-6,
        "{ridge_r2}"
    );
    for (ours, theirs) in ridge.coefficients().iter().zip(SKLEARN_DIABETES_RIDGE_COEF) {
        assert!(
            ((ours - theirs) / theirs).abs() < 1e-6,
            "{ours} vs {theirs}"
        );
    }
    let ols_r2 = r2(&fit(0.0).predict(&x_test), &y_test);
    assert!(
        ((ols_r2 - SKLEARN_DIABETES_OLS_R2) / SKLEARN_DIABETES_OLS_R2).abs() < 1e-6,
        "{ols_r2}"
    );
}

#[test]
fn linear_regression_is_deterministic() {
    let set = data::load("diabetes");
    let y = set.targets();
    let fit = || {
        let model = LinearRegressionParams::new()
            .fit_regressor(&set.x, &y, &NoProgress)
            .unwrap();
        postcard::to_allocvec(&model).unwrap()
    };
    let first = fit();
    let single_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    assert_eq!(first, single_thread.install(fit));
}

#[test]
fn linear_regression_rejects_bad_parameters_and_singular_ols() {
    let x = Matrix::new(4, 2, vec![1.0, 2.0, 2.0, 4.0, 3.0, 6.0, 4.0, 8.0]).unwrap();
    let y = [1.0, 2.0, 3.0, 4.0];
    for alpha in [-1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            LinearRegressionParams::new()
                .alpha(alpha)
                .fit_regressor(&x, &y, &NoProgress),
            Err(MlError::InvalidParameter { name: "alpha", .. })
        ));
    }
    // The second column is twice the first: OLS has no unique solution, ridge does.
    assert!(matches!(
        LinearRegressionParams::new()
            .alpha(0.0)
            .fit_regressor(&x, &y, &NoProgress),
        Err(MlError::InvalidParameter { name: "alpha", .. })
    ));
    assert!(
        LinearRegressionParams::new()
            .alpha(0.1)
            .fit_regressor(&x, &y, &NoProgress)
            .is_ok()
    );
    assert!(matches!(
        LinearRegressionParams::new().fit_regressor(&x, &y[1..], &NoProgress),
        Err(MlError::DimensionMismatch { .. })
    ));
    assert!(matches!(
        LinearRegressionParams::new().fit_regressor(&x, &[1.0, f64::NAN, 0.0, 0.0], &NoProgress),
        Err(MlError::NonFiniteTarget { row: 1, .. })
    ));
}

#[test]
fn linear_types_are_send_and_sync() {
    fn assert_traits<T: Send + Sync + 'static>() {}
    assert_traits::<LogisticRegressionParams>();
    assert_traits::<LogisticRegression>();
    assert_traits::<LinearRegressionParams>();
    assert_traits::<LinearRegression>();
}
