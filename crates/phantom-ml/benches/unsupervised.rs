//! Hot loops of the unsupervised models: isolation-forest scoring and the k-means assignment
//! step (one Lloyd iteration, which is dominated by nearest-centre search).

use criterion::{Criterion, criterion_group, criterion_main};
use phantom_ml::isolation_forest::IsolationForestParams;
use phantom_ml::kmeans::KMeansParams;
use phantom_ml::{Matrix, NoProgress};
use rand::RngExt;

/// `n` rows of `dims` uniform features in `[0, 1)`, seeded.
fn uniform(n: usize, dims: usize) -> Matrix {
    let mut rng = phantom_ml::rng::seeded(1);
    Matrix::new(
        n,
        dims,
        (0..n * dims).map(|_| rng.random::<f32>()).collect(),
    )
    .unwrap()
}

fn isolation_forest_scoring(c: &mut Criterion) {
    let x = uniform(20_000, 40);
    let forest = IsolationForestParams::new().fit(&x, &NoProgress).unwrap();
    c.bench_function("isolation_forest/scores 20k rows x 40, 100 trees", |b| {
        b.iter(|| forest.scores(&x))
    });
    let row = x.row(0);
    c.bench_function("isolation_forest/score_row", |b| {
        b.iter(|| forest.score_row(row))
    });
}

fn kmeans_assignment(c: &mut Criterion) {
    let x = uniform(20_000, 40);
    // max_iter 1: k-means++ seeding plus exactly one assignment step.
    let one_step = KMeansParams::new().k(8).max_iter(1);
    c.bench_function("kmeans/seed + 1 Lloyd step 20k rows x 40, k 8", |b| {
        b.iter(|| one_step.fit(&x, &NoProgress).unwrap())
    });
    let model = one_step.fit(&x, &NoProgress).unwrap();
    c.bench_function("kmeans/predict 20k rows x 40, k 8", |b| {
        b.iter(|| model.predict(&x))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = isolation_forest_scoring, kmeans_assignment
}
criterion_main!(benches);
