//! Metrics: properties over random input and cross-checks against scikit-learn.

use phantom_ml::metrics::{
    accuracy, f1, log_loss, macro_f1, macro_precision, macro_recall, mae, precision, r2, recall,
    rmse, roc_auc, roc_auc_ovr, silhouette_score,
};
use phantom_ml::{MlError, NoProgress};
use proptest::prelude::*;

use crate::data;

/// Binary labels with both classes present, and a score per label.
fn labelled_scores() -> impl Strategy<Value = (Vec<u32>, Vec<f64>)> {
    (2usize..60).prop_flat_map(|n| {
        (
            prop::collection::vec(0u32..2, n),
            prop::collection::vec(-100.0f64..100.0, n),
        )
            .prop_filter("both classes", |(y, _)| y.contains(&0) && y.contains(&1))
    })
}

/// Class labels and predictions over 3 classes.
fn predictions() -> impl Strategy<Value = (Vec<u32>, Vec<u32>)> {
    (1usize..60).prop_flat_map(|n| {
        (
            prop::collection::vec(0u32..3, n),
            prop::collection::vec(0u32..3, n),
        )
    })
}

proptest! {
    #[test]
    fn classification_metrics_are_in_range((y, p) in predictions()) {
        for value in [
            accuracy(&y, &p).unwrap(),
            precision(&y, &p, 1).unwrap(),
            recall(&y, &p, 1).unwrap(),
            f1(&y, &p, 1).unwrap(),
            macro_precision(&y, &p, 3).unwrap(),
            macro_recall(&y, &p, 3).unwrap(),
            macro_f1(&y, &p, 3).unwrap(),
        ] {
            prop_assert!((0.0..=1.0).contains(&value));
        }
    }

    #[test]
    fn f1_is_the_harmonic_mean((y, p) in predictions()) {
        let (pr, re) = (precision(&y, &p, 2).unwrap(), recall(&y, &p, 2).unwrap());
        let expected = if pr + re == 0.0 { 0.0 } else { 2.0 * pr * re / (pr + re) };
        prop_assert!((f1(&y, &p, 2).unwrap() - expected).abs() < 1e-12);
    }

    #[test]
    fn auc_is_rank_based((y, s) in labelled_scores()) {
        let auc = roc_auc(&y, &s).unwrap();
        prop_assert!((0.0..=1.0).contains(&auc));
        // Invariant under a strictly increasing transform of the scores.
        let squashed: Vec<f64> = s.iter().map(|v| (v / 10.0).tanh() * 3.0 + 1.0).collect();
        prop_assert!((roc_auc(&y, &squashed).unwrap() - auc).abs() < 1e-12);
        // Negating the scores reverses every comparison.
        let negated: Vec<f64> = s.iter().map(|v| -v).collect();
        prop_assert!((roc_auc(&y, &negated).unwrap() - (1.0 - auc)).abs() < 1e-12);
    }

    #[test]
    fn perfect_regression_has_r2_one(y in prop::collection::vec(-1e3f64..1e3, 1..50)) {
        prop_assert_eq!(r2(&y, &y).unwrap(), 1.0);
        prop_assert_eq!(rmse(&y, &y).unwrap(), 0.0);
        prop_assert_eq!(mae(&y, &y).unwrap(), 0.0);
    }

    #[test]
    fn regression_errors_are_ordered(
        pairs in prop::collection::vec((-1e3f64..1e3, -1e3f64..1e3), 1..50)
    ) {
        let (t, p): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
        let (rmse, mae) = (rmse(&t, &p).unwrap(), mae(&t, &p).unwrap());
        prop_assert!(rmse >= 0.0 && mae >= 0.0 && rmse + 1e-9 >= mae);
        prop_assert!(r2(&t, &p).unwrap() <= 1.0);
    }
}

#[test]
fn agrees_with_scikit_learn() {
    // Values from scikit-learn 1.9.1 on the same inputs:
    // f1_score / precision_score / recall_score(y, p, average="macro").
    let y = [0, 0, 1, 2, 2, 1, 0, 2];
    let p = [0, 1, 1, 2, 0, 1, 0, 2];
    assert!((macro_f1(&y, &p, 3).unwrap() - 0.755_555_555_555_555_5).abs() < 1e-12);
    assert!((macro_precision(&y, &p, 3).unwrap() - 0.777_777_777_777_777_7).abs() < 1e-12);
    assert!((macro_recall(&y, &p, 3).unwrap() - 0.777_777_777_777_777_7).abs() < 1e-12);
    // roc_auc_score(y, proba, multi_class="ovr", average="macro") and log_loss(y, proba).
    let y = [0, 1, 2, 2, 1, 0];
    let proba = [
        0.5, 0.3, 0.2, 0.4, 0.4, 0.2, 0.1, 0.3, 0.6, 0.3, 0.4, 0.3, 0.5, 0.4, 0.1, 0.3, 0.3, 0.4,
    ];
    assert!((roc_auc_ovr(&y, &proba, 3).unwrap() - 0.791_666_666_666_666_6).abs() < 1e-12);
    assert!((log_loss(&y, &proba, 3).unwrap() - 0.907_416_646_121_019_7).abs() < 1e-12);
}

#[test]
fn iris_silhouette_matches_scikit_learn() {
    // sklearn 1.9.1: silhouette_score(X, KMeans(3, n_init=1, random_state=0).fit(X).labels_)
    // on the iris features (float32) = 0.5511916; k-means seed 0 here reaches the same
    // partition (inertia 78.8557), so the scores agree up to float rounding.
    const SKLEARN_IRIS_SILHOUETTE: f64 = 0.551_191_6;
    let x = data::load("iris").x;
    let model = phantom_ml::kmeans::KMeansParams::new()
        .k(3)
        .fit(&x, &NoProgress)
        .unwrap();
    let s = silhouette_score(&x, &model.predict(&x), 0).unwrap();
    assert!((s - SKLEARN_IRIS_SILHOUETTE).abs() < 1e-5, "{s}");
}

#[test]
fn undefined_metrics_are_errors() {
    assert!(matches!(
        roc_auc(&[0, 0], &[0.1, 0.2]),
        Err(MlError::TooFewClasses(1))
    ));
    assert!(matches!(
        roc_auc_ovr(&[0, 1], &[0.5; 6], 3),
        Err(MlError::TooFewClasses(1))
    ));
    assert!(matches!(r2(&[], &[]), Err(MlError::EmptyData(_))));
    assert!(matches!(
        log_loss(&[0], &[0.5, 0.5], 3),
        Err(MlError::DimensionMismatch { .. })
    ));
}
