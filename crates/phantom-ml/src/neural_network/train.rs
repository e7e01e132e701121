//! The training loop: mini-batch Adam with scikit-learn's stopping rules.

use rand::seq::SliceRandom;

use super::NeuralNetworkParams;
use super::history::TrainingHistory;
use super::network::{Network, Workspace};
use super::task::Task;
use crate::optim::adam::Adam;
use crate::rng::{self, ChaCha20Rng};
use crate::{Matrix, MlError, Progress};

/// Independent random streams under the user's seed, one per purpose.
const INIT_STREAM: u64 = 0;
const SPLIT_STREAM: u64 = 1;
const SHUFFLE_STREAM: u64 = 2;

/// Trains a network on `x` for `task` and returns it with its history.
pub(super) fn train(
    params: &NeuralNetworkParams,
    x: &Matrix,
    task: &dyn Task,
    progress: &dyn Progress,
) -> Result<(Network, TrainingHistory), MlError> {
    let (mut train_rows, validation_rows) = if params.early_stopping {
        let mut rng = rng::stream(params.seed, SPLIT_STREAM);
        split(
            x.n_rows(),
            params.validation_fraction,
            task.strata(),
            &mut rng,
        )?
    } else {
        ((0..x.n_rows()).collect(), Vec::new())
    };
    let d = x.n_cols();
    let mut sizes = Vec::with_capacity(params.hidden_layers.len() + 2);
    sizes.push(d);
    sizes.extend_from_slice(&params.hidden_layers);
    sizes.push(task.n_outputs());
    let mut network = Network::glorot(sizes, &mut rng::stream(params.seed, INIT_STREAM));
    let batch_size = params.batch_size.min(train_rows.len());
    let mut ws = Workspace::new(&network, batch_size);
    let mut batch = vec![0.0; batch_size * d];
    let mut gradient = vec![0.0; network.params().len()];
    let mut adam = Adam::new(params.adam_settings(), gradient.len());
    let validation_x = x.select_rows(&validation_rows);
    let mut shuffle_rng = rng::stream(params.seed, SHUFFLE_STREAM);
    let alpha = params.alpha as f32;

    let mut history = TrainingHistory {
        loss_curve: Vec::new(),
        validation_scores: Vec::new(),
        stopped_early: false,
    };
    let mut stopping = StoppingRule::new(params.tol, params.n_iter_no_change);
    let mut best_params = network.params().to_vec();
    progress.start(params.max_epochs as u64);
    for _ in 0..params.max_epochs {
        train_rows.shuffle(&mut shuffle_rng);
        let mut summed_loss = 0.0;
        for rows in train_rows.chunks(batch_size) {
            for (dst, &r) in batch.chunks_exact_mut(d).zip(rows) {
                dst.copy_from_slice(x.row(r));
            }
            network.forward(&batch, rows.len(), &mut ws);
            let (output, delta) = ws.output_and_delta_mut();
            summed_loss += task.loss_and_delta(output, rows, delta);
            summed_loss += 0.5 * params.alpha * network.squared_weight_norm();
            network.backward(&batch, rows.len(), alpha, &mut ws, &mut gradient);
            adam.update(network.params_mut(), &gradient);
        }
        let epoch_loss = summed_loss / train_rows.len() as f64;
        history.loss_curve.push(epoch_loss);
        let improved = if params.early_stopping {
            let outputs = predict_raw(&network, &validation_x, &mut ws, batch_size);
            let score = task.score(&outputs, &validation_rows);
            history.validation_scores.push(score);
            stopping.observe(score)
        } else {
            stopping.observe(-epoch_loss)
        };
        if improved && params.early_stopping {
            best_params.copy_from_slice(network.params());
        }
        progress.advance(1);
        if stopping.should_stop() {
            history.stopped_early = true;
            break;
        }
    }
    if params.early_stopping {
        network.params_mut().copy_from_slice(&best_params);
    }
    Ok((network, history))
}

/// Raw network outputs for every row of `x`, in batches of the workspace's capacity.
fn predict_raw(network: &Network, x: &Matrix, ws: &mut Workspace, capacity: usize) -> Vec<f32> {
    let k = network.n_outputs();
    let d = x.n_cols();
    let mut outputs = Vec::with_capacity(x.n_rows() * k);
    for rows in x.as_slice().chunks(capacity.max(1) * d.max(1)) {
        let n = rows.len() / d.max(1);
        network.forward(rows, n, ws);
        outputs.extend_from_slice(&ws.network_output()[..n * k]);
    }
    outputs
}

/// scikit-learn's rule: count epochs whose score does not beat the best by `tol`; stop once
/// the count exceeds `n_iter_no_change`. The score is the validation score, or the negated
/// training loss without early stopping.
struct StoppingRule {
    tol: f64,
    patience: usize,
    best: f64,
    epochs_without_improvement: usize,
}

impl StoppingRule {
    fn new(tol: f64, patience: usize) -> Self {
        Self {
            tol,
            patience,
            best: f64::NEG_INFINITY,
            epochs_without_improvement: 0,
        }
    }

    /// Records one epoch's score; returns whether it is the best so far.
    fn observe(&mut self, score: f64) -> bool {
        if score < self.best + self.tol {
            self.epochs_without_improvement += 1;
        } else {
            self.epochs_without_improvement = 0;
        }
        let is_best = score > self.best;
        if is_best {
            self.best = score;
        }
        is_best
    }

    fn should_stop(&self) -> bool {
        self.epochs_without_improvement > self.patience
    }
}

/// Splits `0..n` into shuffled (train, validation) rows; stratified by class when `strata` is
/// given, so each class keeps its proportion in both parts.
fn split(
    n: usize,
    validation_fraction: f64,
    strata: Option<(&[u32], usize)>,
    rng: &mut ChaCha20Rng,
) -> Result<(Vec<usize>, Vec<usize>), MlError> {
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    let (mut train, mut validation) = (Vec::new(), Vec::new());
    match strata {
        Some((labels, n_classes)) => {
            let mut class_sizes = vec![0usize; n_classes];
            for &c in labels {
                if let Some(size) = class_sizes.get_mut(c as usize) {
                    *size += 1;
                }
            }
            let mut quota: Vec<usize> = class_sizes
                .iter()
                .map(|&size| (size as f64 * validation_fraction).round() as usize)
                .collect();
            for r in order {
                let class = labels.get(r).map_or(0, |&c| c as usize);
                match quota.get_mut(class) {
                    Some(q) if *q > 0 => {
                        *q -= 1;
                        validation.push(r);
                    }
                    _ => train.push(r),
                }
            }
        }
        None => {
            let n_validation = (n as f64 * validation_fraction).round() as usize;
            validation = order.split_off(n - n_validation.min(n));
            train = order;
        }
    }
    if validation.is_empty() || train.is_empty() {
        return Err(MlError::InvalidParameter {
            name: "validation_fraction",
            reason: format!(
                "with {n} rows, a validation fraction of {validation_fraction} leaves an empty \
                 training or validation set; use more data or early_stopping(false)"
            ),
        });
    }
    Ok((train, validation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopping_rule_waits_for_patience() {
        let mut rule = StoppingRule::new(0.01, 2);
        assert!(rule.observe(0.5));
        assert!(!rule.should_stop());
        for _ in 0..2 {
            rule.observe(0.505);
            assert!(!rule.should_stop());
        }
        rule.observe(0.4);
        assert!(rule.should_stop());
    }

    #[test]
    fn stratified_split_keeps_class_proportions() {
        let labels: Vec<u32> = (0..100).map(|i| u32::from(i < 20)).collect();
        let (train, validation) = split(100, 0.1, Some((&labels, 2)), &mut rng::seeded(3)).unwrap();
        assert_eq!((train.len(), validation.len()), (90, 10));
        assert_eq!(validation.iter().filter(|&&r| labels[r] == 1).count(), 2);
    }

    #[test]
    fn split_rejects_an_empty_validation_set() {
        assert!(split(4, 0.1, None, &mut rng::seeded(3)).is_err());
    }
}
