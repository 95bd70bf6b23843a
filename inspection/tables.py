"""The tables and sentences of Tab 2, from an Inspection's numbers; no Streamlit."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from formats import number
from inspection.numbers import example_name, parameters, tag

# Central differences (numerical_gradients, step EPSILON) carry a rounding error of about
# spacing(L) / EPSILON, 1e-10 for a loss near 1 (at least NOISE_FLOOR). Above MAX_FLOOR, or
# where θ ± ε is not a new number, they say nothing, and the tab says so (`unresolvable`).
EPSILON = 1e-6
NOISE_FLOOR = 1e-8
MAX_FLOOR = 1e-4
SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def average_table(inspection, indices):
    """Per parameter: the ∂ℓᵢ/∂θ of examples `indices`, the mean of all n (+ λθ) = ∂L/∂θ."""
    net, batch = inspection.net, inspection.batch
    last = len(net.layer_sizes) - 1
    params = parameters(net.layer_sizes)
    table = {"parameter": [p.name for p in params], "connection": [p.link(last) for p in params]}
    for i in indices:
        example = inspection.example(i)
        table[f"∂ℓ/∂θ of {example_name(i, batch.X[i], batch.y[i, 0])}"] = [
            p.of(example.dw, example.db) for p in params]
    mean = [p.of(batch.dw_data, batch.db) for p in params]
    if not batch.l2:
        table[f"mean of all {batch.n} = ∂L/∂θ (batch)"] = mean
        return pd.DataFrame(table)
    table[f"mean of all {batch.n}"] = mean
    table["+ λθ (weights only)"] = [0.0 if p.row is None else
                                    batch.l2 * p.of(net.weights, net.biases) for p in params]
    table["= ∂L/∂θ (batch)"] = [p.of(batch.dw, batch.db) for p in params]
    return pd.DataFrame(table)


def _components(template, layer, values):
    """{'z⁽¹⁾₁': column, …}: a column per neuron, its name put into `template` ('z{}')."""
    return {template.format(f"{tag(layer)}{str(k + 1).translate(SUBSCRIPT)}"): values[:, k]
            for k in range(values.shape[1])}


def examples_table(batch):
    """One row per example, numbered by its row in X: input, target, output ŷ and its ℓ."""
    return pd.DataFrame({"x₁": batch.X[:, 0], "x₂": batch.X[:, 1], "y": batch.y[:, 0],
                         "ŷ": batch.output[:, 0], "ℓ": batch.terms}).rename_axis("#")


def forward_table(batch):
    """Every example's x, y, z and a of every layer, and ℓ: the forward pass's matrices."""
    table = {"x₁": batch.X[:, 0], "x₂": batch.X[:, 1], "y": batch.y[:, 0]}
    for layer, (z, a) in enumerate(zip(batch.zs, batch.activations[1:]), 1):
        table |= _components("z{}", layer, z) | _components("a{}", layer, a)
    return pd.DataFrame({**table, "ℓ": batch.terms}).rename_axis("#")


def backward_table(batch, activation):
    """Every example's ∂L/∂a, f′(z) and δ of every layer, output first."""
    last, table = len(batch.zs), {}
    for layer in range(last, 0, -1):
        f = "σ" if layer == last else {"sigmoid": "σ", "tanh": "tanh"}.get(activation, activation)
        table |= (_components("∂L/∂a{}", layer, batch.da[layer - 1])
                  | _components(f + "′(z{})", layer, batch.f_primes[layer - 1])
                  | _components("δ{}", layer, batch.deltas[layer - 1]))
    return pd.DataFrame(table).rename_axis("#")


def update_table(step, full_batch=None):
    """Per parameter: before, ∂L/∂θ (and the full batch's), −η·∂L/∂θ, after: the engine's step."""
    sizes = [step.weights_before[0].shape[0]] + [W.shape[1] for W in step.weights_before]
    last = len(sizes) - 1
    params = parameters(sizes)
    grads = step.gradients
    table = {
        "parameter": [p.name for p in params],
        "connection": [p.link(last) for p in params],
        "before": [p.of(step.weights_before, step.biases_before) for p in params],
        "∂L/∂θ": [p.of(grads.weights, grads.biases) for p in params],
    }
    if full_batch is not None:
        table["∂L/∂θ, all examples"] = [p.of(full_batch.dw, full_batch.db) for p in params]
    return pd.DataFrame({
        **table,
        "−η·∂L/∂θ": [-step.learning_rate * p.of(grads.weights, grads.biases) for p in params],
        "after": [p.of(step.weights_after, step.biases_after) for p in params],
    })


def gradient_distance(gradients, batch):
    """(‖g − ∂L/∂θ‖, ‖∂L/∂θ‖): how far a step's gradient g is from the batch's (a Pass)."""
    def flat(arrays):
        return np.concatenate([np.ravel(array) for array in arrays])
    full = flat((*batch.dw, *batch.db))
    return (float(np.linalg.norm(flat((*gradients.weights, *gradients.biases)) - full)),
            float(np.linalg.norm(full)))


def noise_floor(loss):
    """Differences below this are rounding: the loss's float64 spacing over ε, with margin."""
    return max(NOISE_FLOOR, 100 * float(np.spacing(abs(loss))) / EPSILON)


def unresolvable(inspection):
    """Why central differences cannot check the inspected network, or '' when they can: θ ± ε
    must be new numbers, and L must change measurably, or the quotient is noise."""
    net, loss = inspection.net, inspection.batch.loss
    values = np.concatenate([np.ravel(a) for a in (*net.weights, *net.biases)])
    floor = noise_floor(loss) if np.isfinite(loss) else math.inf
    if floor > MAX_FLOOR or not np.isfinite(values).all() \
            or (np.spacing(np.abs(values)) > EPSILON / 100).any():
        return (f"Central differences cannot check this network: its loss ({number(loss)}) or "
                f"weights (up to {number(np.abs(values).max())}) are so large that float64 "
                f"cannot resolve a step of ε = {number(EPSILON)}. Pick an earlier epoch.")
    return ""
