//! Tree building and traversal: tree and forest fit, single-row and batch forest prediction.
//!
//! Run with `cargo bench -p phantom-ml --bench trees`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use phantom_ml::decision_tree::DecisionTreeParams;
use phantom_ml::random_forest::RandomForestParams;
use phantom_ml::{Classifier, Matrix, NoProgress};
use rand::RngExt;

/// A seeded classification set: `n_rows` rows of 20 features, 5 of them informative.
fn synthetic(n_rows: usize) -> (Matrix, Vec<u32>) {
    let mut rng = phantom_ml::rng::seeded(11);
    let n_cols = 20;
    let mut data = Vec::with_capacity(n_rows * n_cols);
    let mut y = Vec::with_capacity(n_rows);
    for _ in 0..n_rows {
        let row: Vec<f32> = (0..n_cols)
            .map(|_| rng.random_range(-1.0f32..1.0))
            .collect();
        let signal = row[0] + 0.5 * row[1] - row[2] * row[3] + 0.3 * row[4];
        let noise: f32 = rng.random_range(-0.3f32..0.3);
        y.push(u32::from(signal + noise > 0.0));
        data.extend(row);
    }
    (Matrix::new(n_rows, n_cols, data).unwrap(), y)
}

fn fit(c: &mut Criterion) {
    let (x, y) = synthetic(20_000);
    let mut group = c.benchmark_group("fit_20k_rows_20_features");
    group.sample_size(10);
    group.bench_function("decision_tree", |b| {
        b.iter(|| {
            DecisionTreeParams::new()
                .fit_classifier(black_box(&x), &y, 2, &NoProgress)
                .unwrap()
        })
    });
    group.bench_function("random_forest_20_trees", |b| {
        b.iter(|| {
            RandomForestParams::new()
                .n_trees(20)
                .fit_classifier(black_box(&x), &y, 2, &NoProgress)
                .unwrap()
        })
    });
    group.finish();
}

fn predict(c: &mut Criterion) {
    let (x, y) = synthetic(20_000);
    let forest = RandomForestParams::new()
        .n_trees(100)
        .fit_classifier(&x, &y, 2, &NoProgress)
        .unwrap();
    let (test, _) = synthetic(5_000);
    let mut group = c.benchmark_group("random_forest_100_trees_predict");
    let mut out = [0.0; 2];
    let mut i = 0;
    group.bench_function("single_row", |b| {
        b.iter(|| {
            i = (i + 1) % test.n_rows();
            forest.predict_proba_row(black_box(test.row(i)), &mut out);
            out[1]
        })
    });
    group.sample_size(20);
    group.bench_function("batch_5000_rows", |b| {
        b.iter(|| forest.predict_proba(black_box(&test)))
    });
    group.finish();
}

criterion_group!(benches, fit, predict);
criterion_main!(benches);
