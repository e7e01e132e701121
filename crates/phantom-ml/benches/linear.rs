//! Hot loops of the linear models and the neural network: the logistic loss and gradient
//! (through a one-iteration fit) and one MLP training epoch.

use criterion::{Criterion, criterion_group, criterion_main};
use phantom_ml::logistic_regression::LogisticRegressionParams;
use phantom_ml::neural_network::NeuralNetworkParams;
use phantom_ml::{Matrix, NoProgress};
use rand::RngExt;

/// `n` rows of `d` standard-ish features with a noisy linear binary label.
fn synthetic(n: usize, d: usize) -> (Matrix, Vec<u32>) {
    let mut rng = phantom_ml::rng::seeded(1);
    let data: Vec<f32> = (0..n * d).map(|_| rng.random_range(-2.0..2.0)).collect();
    let x = Matrix::new(n, d, data).unwrap();
    let y = x
        .rows()
        .map(|r| {
            let score: f32 = r
                .iter()
                .enumerate()
                .map(|(j, v)| v * (j % 3) as f32 - v)
                .sum();
            u32::from(score + rng.random_range(-1.0..1.0) > 0.0)
        })
        .collect();
    (x, y)
}

fn logistic_loss_and_gradient(c: &mut Criterion) {
    let (x, y) = synthetic(20_000, 40);
    // One L-BFGS iteration: the initial evaluation plus one accepted line-search step, so two
    // loss-and-gradient evaluations over the 20k rows.
    let params = LogisticRegressionParams::new().max_iter(1);
    c.bench_function("logistic one iteration, 20k x 40", |b| {
        b.iter(|| params.fit_classifier(&x, &y, 2, &NoProgress).unwrap())
    });
}

fn mlp_epoch(c: &mut Criterion) {
    let (x, y) = synthetic(10_000, 40);
    let params = NeuralNetworkParams::new()
        .max_epochs(1)
        .early_stopping(false);
    c.bench_function("mlp one epoch, 10k x 40, hidden [100]", |b| {
        b.iter(|| params.fit_classifier(&x, &y, 2, &NoProgress).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = logistic_loss_and_gradient, mlp_epoch
}
criterion_main!(benches);
