//! Scalers: properties over random matrices, and scikit-learn agreement on iris.

use phantom_ml::Matrix;
use phantom_ml::scaling::{Scaler, ScalerKind};
use proptest::prelude::*;

use crate::data;

/// A random matrix of 2..30 rows and 1..6 columns (some columns may be constant).
fn matrices() -> impl Strategy<Value = Matrix> {
    (2usize..30, 1usize..6).prop_flat_map(|(rows, cols)| {
        prop::collection::vec(prop_oneof![Just(3.0f32), -1e3f32..1e3], rows * cols)
            .prop_map(move |data| Matrix::new(rows, cols, data).unwrap())
    })
}

proptest! {
    #[test]
    fn min_max_maps_training_data_into_unit_interval(x in matrices()) {
        let scaled = Scaler::fit(ScalerKind::MinMax, &x).unwrap().transform(&x).unwrap();
        prop_assert!(scaled.as_slice().iter().all(|v| (0.0..=1.0).contains(v)));
    }

    #[test]
    fn z_score_centres_and_scales(x in matrices()) {
        let scaled = Scaler::fit(ScalerKind::ZScore, &x).unwrap().transform(&x).unwrap();
        let n = x.n_rows() as f64;
        for j in 0..x.n_cols() {
            let column: Vec<f64> = scaled.column(j).iter().map(|&v| f64::from(v)).collect();
            let mean = column.iter().sum::<f64>() / n;
            let std = (column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
            prop_assert!(mean.abs() < 1e-4, "mean {}", mean);
            let constant = x.column(j).iter().all(|&v| v == x.get(0, j));
            let expected_std = if constant { 0.0 } else { 1.0 };
            prop_assert!((std - expected_std).abs() < 1e-4, "std {}", std);
        }
    }

    #[test]
    fn row_transform_equals_matrix_transform(x in matrices(), kind in 0usize..4) {
        let scaler = Scaler::fit(ScalerKind::ALL[kind], &x).unwrap();
        let scaled = scaler.transform(&x).unwrap();
        for i in 0..x.n_rows() {
            let mut row = x.row(i).to_vec();
            scaler.transform_row_in_place(&mut row);
            prop_assert_eq!(row.as_slice(), scaled.row(i));
        }
    }

    #[test]
    fn unit_vector_rows_have_norm_one_or_zero(x in matrices()) {
        let scaled = Scaler::fit(ScalerKind::UnitVector, &x).unwrap().transform(&x).unwrap();
        for (before, after) in x.rows().zip(scaled.rows()) {
            let norm = after.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>().sqrt();
            let expected = if before.iter().all(|&v| v == 0.0) { 0.0 } else { 1.0 };
            prop_assert!((norm - expected).abs() < 1e-5);
        }
    }
}

#[test]
fn robust_scaler_matches_scikit_learn_on_iris() {
    // sklearn 1.9.1 RobustScaler().fit(iris features as float32): center_ and scale_.
    let center = [5.8, 3.0, 4.350_000_4, 1.3];
    let scale = [1.300_000_19, 0.5, 3.499_999_88, 1.499_999_94];
    let scaler = Scaler::fit(ScalerKind::Robust, &data::load("iris").x).unwrap();
    for j in 0..4 {
        assert!((scaler.offsets()[j] - center[j]).abs() < 1e-6);
        assert!((scaler.scales()[j] - scale[j]).abs() < 1e-6);
    }
}

#[test]
fn scaler_round_trips_and_is_send_sync() {
    fn assert_traits<T: Send + Sync + 'static>() {}
    assert_traits::<Scaler>();
    assert_traits::<ScalerKind>();
    let scaler = Scaler::fit(ScalerKind::ZScore, &data::load("wine").x).unwrap();
    let bytes = postcard::to_allocvec(&scaler).unwrap();
    assert_eq!(postcard::from_bytes::<Scaler>(&bytes).unwrap(), scaler);
}
