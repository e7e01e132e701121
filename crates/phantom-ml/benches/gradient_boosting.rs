//! Gradient boosting: the histogram-dominated tree growth and a full small fit.
//!
//! The histogram builder is private, so it is measured through fits whose time it dominates:
//! many rounds of full-size trees on data binned once per fit.

use criterion::{Criterion, criterion_group, criterion_main};
use phantom_ml::gradient_boosting::GradientBoostingParams;
use phantom_ml::{Matrix, NoProgress};
use rand::RngExt;

/// `n` rows shaped like security data: 20 one-hot columns (one hot per row), 10 mostly-zero
/// counts and 10 continuous features; the label depends on a few of them.
fn security_like(n: usize) -> (Matrix, Vec<u32>) {
    let mut rng = phantom_ml::rng::seeded(1);
    let mut data = Vec::with_capacity(n * 40);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let hot = rng.random_range(0..20usize);
        data.extend((0..20).map(|j| f32::from(u8::from(j == hot))));
        let counts: Vec<f32> = (0..10)
            .map(|_| {
                if rng.random_range(0.0..1.0) < 0.9 {
                    0.0
                } else {
                    rng.random_range(1.0f32..100.0)
                }
            })
            .collect();
        data.extend(&counts);
        let cont: Vec<f32> = (0..10).map(|_| rng.random_range(-1.0f32..1.0)).collect();
        data.extend(&cont);
        let signal = f32::from(u8::from(hot < 5)) + counts[0] / 50.0 + cont[0];
        y.push(u32::from(signal + rng.random_range(-0.5f32..0.5) > 0.8));
    }
    (Matrix::new(n, 40, data).unwrap(), y)
}

fn bench(c: &mut Criterion) {
    let (x, y) = security_like(50_000);
    let mut group = c.benchmark_group("gradient_boosting");
    group.sample_size(10);
    group.bench_function("histograms_20_rounds_31_leaves_50k_rows", |b| {
        let params = GradientBoostingParams::new().n_rounds(20);
        b.iter(|| params.fit_classifier(&x, &y, 2, &NoProgress).unwrap());
    });
    let (small_x, small_y) = security_like(5_000);
    group.bench_function("fit_100_rounds_5k_rows", |b| {
        let params = GradientBoostingParams::new();
        b.iter(|| {
            params
                .fit_classifier(&small_x, &small_y, 2, &NoProgress)
                .unwrap()
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
