//! Dense layers with ReLU hidden activations: parameters, forward and backward passes.

use rand::RngExt;
use serde::{Deserialize, Serialize};

use super::gemm::{View, gemm};
use crate::rng::ChaCha20Rng;

/// The weights of a fully connected network.
///
/// Layer `i` maps `sizes[i]` inputs to `sizes[i + 1]` outputs. All parameters live in one flat
/// vector (so one Adam state covers them): per layer, the `n_in x n_out` weights row-major, then
/// the `n_out` biases. Hidden layers apply ReLU; the last layer's output is left raw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct Network {
    sizes: Vec<usize>,
    params: Vec<f32>,
}

/// Where one layer's parameters sit in the flat vector.
#[derive(Clone, Copy, Debug)]
struct Layer {
    n_in: usize,
    n_out: usize,
    weights: usize,
    biases: usize,
}

/// Per-batch buffers: each layer's output and the loss gradient with respect to it.
pub(super) struct Workspace {
    capacity: usize,
    outputs: Vec<Vec<f32>>,
    deltas: Vec<Vec<f32>>,
}

impl Workspace {
    /// Buffers for batches of up to `capacity` rows.
    pub(super) fn new(network: &Network, capacity: usize) -> Self {
        let outputs: Vec<Vec<f32>> = network
            .sizes
            .iter()
            .skip(1)
            .map(|&n| vec![0.0; capacity * n])
            .collect();
        Self {
            capacity,
            deltas: outputs.clone(),
            outputs,
        }
    }

    /// The raw output of the last layer for the last forward pass (`rows x n_outputs`).
    pub(super) fn network_output(&self) -> &[f32] {
        self.outputs.last().map_or(&[], Vec::as_slice)
    }

    /// The last layer's raw output and the buffer where the caller writes `dLoss/dOutput`
    /// before a backward pass.
    pub(super) fn output_and_delta_mut(&mut self) -> (&[f32], &mut [f32]) {
        match (self.outputs.last(), self.deltas.last_mut()) {
            (Some(o), Some(d)) => (o, d),
            _ => (&[], &mut []),
        }
    }
}

impl Network {
    /// A network with Glorot-uniform weights and biases drawn from `rng` (scikit-learn's
    /// scheme: both uniform in `+-sqrt(6 / (n_in + n_out))`).
    pub(super) fn glorot(sizes: Vec<usize>, rng: &mut ChaCha20Rng) -> Self {
        let mut params = Vec::with_capacity(param_count(&sizes));
        for pair in sizes.windows(2) {
            let (n_in, n_out) = (pair[0], pair[1]);
            let bound = (6.0 / (n_in + n_out) as f64).sqrt() as f32;
            for _ in 0..(n_in + 1) * n_out {
                params.push(rng.random_range(-bound..bound));
            }
        }
        Self { sizes, params }
    }

    /// Number of inputs.
    pub(super) fn n_inputs(&self) -> usize {
        self.sizes.first().copied().unwrap_or(0)
    }

    /// Number of outputs.
    pub(super) fn n_outputs(&self) -> usize {
        self.sizes.last().copied().unwrap_or(0)
    }

    /// Widest layer (inputs included), for sizing one-row buffers.
    pub(super) fn max_width(&self) -> usize {
        self.sizes.iter().copied().max().unwrap_or(0)
    }

    /// The flat parameter vector.
    pub(super) fn params(&self) -> &[f32] {
        &self.params
    }

    /// The flat parameter vector, mutable (for the optimiser).
    pub(super) fn params_mut(&mut self) -> &mut [f32] {
        &mut self.params
    }

    /// Sum of absolute first-layer weights leaving each input.
    pub(super) fn input_weight_magnitudes(&self) -> Vec<f64> {
        let n_out = self.sizes.get(1).copied().unwrap_or(0);
        self.params
            .chunks_exact(n_out.max(1))
            .take(self.n_inputs())
            .map(|row| row.iter().map(|w| f64::from(w.abs())).sum())
            .collect()
    }

    fn layers(&self) -> impl Iterator<Item = Layer> + '_ {
        let mut offset = 0;
        self.sizes.windows(2).map(move |pair| {
            let (n_in, n_out) = (pair[0], pair[1]);
            let layer = Layer {
                n_in,
                n_out,
                weights: offset,
                biases: offset + n_in * n_out,
            };
            offset += (n_in + 1) * n_out;
            layer
        })
    }

    fn weights(&self, layer: &Layer) -> &[f32] {
        &self.params[layer.weights..layer.biases]
    }

    fn biases(&self, layer: &Layer) -> &[f32] {
        &self.params[layer.biases..layer.biases + layer.n_out]
    }

    /// The raw output for one row, using two scratch buffers of at least [`Self::max_width`].
    pub(super) fn forward_row<'s>(
        &self,
        row: &[f32],
        scratch_a: &'s mut [f32],
        scratch_b: &'s mut [f32],
    ) -> &'s [f32] {
        let n_in = row.len().min(scratch_a.len());
        scratch_a[..n_in].copy_from_slice(&row[..n_in]);
        let (mut input, mut output) = (scratch_a, scratch_b);
        let n_layers = self.sizes.len().saturating_sub(1);
        let mut width = n_in;
        for (index, layer) in self.layers().enumerate() {
            let out = &mut output[..layer.n_out];
            out.copy_from_slice(self.biases(&layer));
            let weights = self.weights(&layer);
            for (&v, weight_row) in input[..width].iter().zip(weights.chunks_exact(layer.n_out)) {
                for (o, &w) in out.iter_mut().zip(weight_row) {
                    *o += v * w;
                }
            }
            if index + 1 < n_layers {
                out.iter_mut().for_each(|o| *o = o.max(0.0));
            }
            width = layer.n_out;
            std::mem::swap(&mut input, &mut output);
        }
        &input[..width]
    }

    /// Forward pass of `rows` rows of `input` (row-major) into the workspace.
    pub(super) fn forward(&self, input: &[f32], rows: usize, ws: &mut Workspace) {
        debug_assert!(rows <= ws.capacity);
        let n_layers = self.sizes.len().saturating_sub(1);
        for (index, layer) in self.layers().enumerate() {
            let (before, rest) = ws.outputs.split_at_mut(index);
            let layer_input = before.last().map_or(input, Vec::as_slice);
            let out = &mut rest[0][..rows * layer.n_out];
            for out_row in out.chunks_exact_mut(layer.n_out) {
                out_row.copy_from_slice(self.biases(&layer));
            }
            gemm(
                View::row_major(layer_input, rows, layer.n_in),
                View::row_major(self.weights(&layer), layer.n_in, layer.n_out),
                1.0,
                out,
            );
            if index + 1 < n_layers {
                out.iter_mut().for_each(|o| *o = o.max(0.0));
            }
        }
    }

    /// Backward pass after [`Self::forward`] on the same `input` and `rows`, with the output
    /// delta already in the workspace. Writes into `gradient` (same layout as the parameters) the
    /// gradient of the batch loss plus `alpha / 2 * ||W||^2 / rows`.
    pub(super) fn backward(
        &self,
        input: &[f32],
        rows: usize,
        alpha: f32,
        ws: &mut Workspace,
        gradient: &mut [f32],
    ) {
        let layers: Vec<Layer> = self.layers().collect();
        let penalty_scale = alpha / rows as f32;
        for (index, layer) in layers.iter().enumerate().rev() {
            let layer_input = match index.checked_sub(1) {
                Some(previous) => &ws.outputs[previous][..rows * layer.n_in],
                None => &input[..rows * layer.n_in],
            };
            let delta = &ws.deltas[index][..rows * layer.n_out];
            let (grad_weights, grad_biases) = gradient[layer.weights..layer.biases + layer.n_out]
                .split_at_mut(layer.n_in * layer.n_out);
            grad_weights
                .iter_mut()
                .zip(self.weights(layer))
                .for_each(|(g, w)| *g = penalty_scale * w);
            gemm(
                View::transposed(layer_input, rows, layer.n_in),
                View::row_major(delta, rows, layer.n_out),
                1.0,
                grad_weights,
            );
            grad_biases.iter_mut().for_each(|g| *g = 0.0);
            for delta_row in delta.chunks_exact(layer.n_out) {
                grad_biases
                    .iter_mut()
                    .zip(delta_row)
                    .for_each(|(g, d)| *g += d);
            }
            if let Some(previous) = index.checked_sub(1) {
                let (lower, upper) = ws.deltas.split_at_mut(index);
                let delta = &upper[0][..rows * layer.n_out];
                let previous_delta = &mut lower[previous][..rows * layer.n_in];
                gemm(
                    View::row_major(delta, rows, layer.n_out),
                    View::transposed(self.weights(layer), layer.n_in, layer.n_out),
                    0.0,
                    previous_delta,
                );
                // ReLU derivative: zero where the hidden unit was inactive.
                previous_delta
                    .iter_mut()
                    .zip(&ws.outputs[previous][..rows * layer.n_in])
                    .for_each(|(d, &a)| {
                        if a <= 0.0 {
                            *d = 0.0;
                        }
                    });
            }
        }
    }

    /// `sum ||W||^2` over all weight matrices (biases excluded).
    pub(super) fn squared_weight_norm(&self) -> f64 {
        self.layers()
            .map(|layer| {
                self.weights(&layer)
                    .iter()
                    .map(|&w| f64::from(w) * f64::from(w))
                    .sum::<f64>()
            })
            .sum()
    }
}

/// Parameter count of a network with the given layer sizes.
fn param_count(sizes: &[usize]) -> usize {
    sizes.windows(2).map(|p| (p[0] + 1) * p[1]).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The batched forward pass agrees with the one-row pass.
    #[test]
    fn batch_and_row_forward_agree() {
        let net = Network::glorot(vec![3, 5, 4, 2], &mut crate::rng::seeded(1));
        let input = [0.5, -1.0, 2.0, 1.5, 0.25, -0.75];
        let mut ws = Workspace::new(&net, 2);
        net.forward(&input, 2, &mut ws);
        let mut a = vec![0.0; net.max_width()];
        let mut b = vec![0.0; net.max_width()];
        for r in 0..2 {
            let row = net
                .forward_row(&input[r * 3..r * 3 + 3], &mut a, &mut b)
                .to_vec();
            for (x, y) in row.iter().zip(&ws.network_output()[r * 2..r * 2 + 2]) {
                assert!((x - y).abs() < 1e-5);
            }
        }
    }

    /// Backward gives the gradient of `0.5 * sum(output^2) + alpha/2 ||W||^2 / rows`, checked
    /// by central differences.
    #[test]
    fn backward_matches_finite_differences() {
        let mut net = Network::glorot(vec![3, 4, 2], &mut crate::rng::seeded(5));
        let input = [0.5, -1.0, 2.0, 1.5, 0.25, -0.75];
        let alpha = 0.3;
        let objective = |net: &Network| {
            let mut ws = Workspace::new(net, 2);
            net.forward(&input, 2, &mut ws);
            let out: f64 = ws
                .network_output()
                .iter()
                .map(|&o| 0.5 * f64::from(o) * f64::from(o))
                .sum();
            out + 0.5 * f64::from(alpha) * net.squared_weight_norm() / 2.0
        };
        let mut ws = Workspace::new(&net, 2);
        net.forward(&input, 2, &mut ws);
        let (output, delta) = ws.output_and_delta_mut();
        delta.copy_from_slice(output);
        let mut gradient = vec![0.0; net.params().len()];
        net.backward(&input, 2, alpha, &mut ws, &mut gradient);
        for (i, &analytic) in gradient.iter().enumerate() {
            let h = 1e-3;
            let original = net.params()[i];
            net.params_mut()[i] = original + h;
            let plus = objective(&net);
            net.params_mut()[i] = original - h;
            let minus = objective(&net);
            net.params_mut()[i] = original;
            let numeric = (plus - minus) / (2.0 * f64::from(h));
            assert!(
                (numeric - f64::from(analytic)).abs() < 2e-3,
                "param {i}: {numeric} vs {analytic}"
            );
        }
    }
}
