"""The tables and sentences of Tab 2, from an Inspection's numbers; no Streamlit."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from inspection.numbers import example_name, parameters, tag
from network import Gradients

# Central differences (numerical_gradients, step EPSILON) carry a rounding error of about
# spacing(L) / EPSILON, 1e-10 for a loss near 1, so a tiny gradient can have a large relative
# error and still be right: differences below the noise floor (at least NOISE_FLOOR) count as
# agreement, as do relative errors below CHECK_TOLERANCE. Above MAX_FLOOR the check says
# nothing, and says so.
EPSILON = 1e-6
NOISE_FLOOR = 1e-8
MAX_FLOOR = 1e-4
CHECK_TOLERANCE = 1e-5
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


def magnitude_table(batch, activation):
    """Per layer: mean and max |∂L/∂W|, the layer's gradient norm, and the mean f'(z)."""
    layers = len(batch.dw)
    names = [f"{'sigmoid' if layer == layers else activation}" for layer in range(1, layers + 1)]
    return pd.DataFrame({
        "layer": [f"layer {layer}" for layer in range(1, layers + 1)],
        "W shape": [f"{dW.shape[0]}×{dW.shape[1]}" for dW in batch.dw],
        "mean |∂L/∂W|": [float(np.abs(dW).mean()) for dW in batch.dw],
        "max |∂L/∂W|": [float(np.abs(dW).max()) for dW in batch.dw],
        "‖∂L/∂(W, b)‖": layer_norms(batch).tolist(),
        "mean f′(z)": [float(fp.mean()) for fp in batch.f_primes],
        "activation": names,
    })


def layer_norms(batch):
    """Each layer's gradient norm, as the engine records it in History.grad_norms."""
    return Gradients(batch.dw, batch.db, batch.deltas).layer_norms()


def times(ratio):
    """'37×' for a ratio, with sensible rounding."""
    return f"{ratio:,.0f}×" if ratio >= 10 else f"{ratio:.2g}×"


def compare_layers(norms, first=1, last=None):
    """One sentence comparing two layers' gradient norms (1-based layers)."""
    last = len(norms) if last is None else last
    low, high = float(norms[first - 1]), float(norms[last - 1])
    if low == 0 or high == 0:
        zero = [f"layer {layer}'s" for layer, norm in ((first, low), (last, high)) if norm == 0]
        return f"{' and '.join(zero).capitalize()} gradient is exactly zero here."
    if math.isclose(low, high, rel_tol=0.05):
        return (f"Layer {first}'s gradient norm ({low:.3g}) is about the same as layer "
                f"{last}'s ({high:.3g}).")
    word, ratio = ("smaller", high / low) if low < high else ("larger", low / high)
    return (f"Layer {first}'s gradient norm ({low:.3g}) is {times(ratio)} {word} than layer "
            f"{last}'s ({high:.3g}).")


def history_comparison(history, epoch):
    """How layer 1's norm compared with the last layer's at the start and over the run."""
    grad_norms = history.grad_norms
    story = []
    if epoch != int(history.epochs[0]):
        story.append(f"At epoch {int(history.epochs[0]):,}, where the run started: "
                     + compare_layers(grad_norms[0]))
    first, last = grad_norms[:, 0], grad_norms[:, -1]
    valid = (first > 0) & (last > 0)
    if valid.any():
        below = float((first[valid] < last[valid]).mean())
        ratio = float(np.median(last[valid] / first[valid]))
        layers = grad_norms.shape[1]
        story.append(f"Over the {valid.sum():,} recorded epochs, layer 1's norm was below layer "
                     f"{layers}'s in {below:.0%} of them; the median of layer {layers}'s norm "
                     f"divided by layer 1's is {ratio:.3g}.")
    return " ".join(story)


@dataclass(frozen=True)
class Check:
    """Analytic against numerical gradients for every parameter, and what that says."""

    table: pd.DataFrame
    passed: bool | None     # None: central differences cannot resolve this network
    verdict: str
    floor: float            # differences below this are rounding noise


def relative_error(analytic, numerical):
    """|a − n| / max(|a|, |n|), 0 when both are 0."""
    scale = np.maximum(np.abs(analytic), np.abs(numerical))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(scale > 0, np.abs(analytic - numerical) / scale, 0.0)


def noise_floor(loss):
    """Differences below this are rounding: the loss's float64 spacing over ε, with margin."""
    return max(NOISE_FLOOR, 100 * float(np.spacing(abs(loss))) / EPSILON)


def gradient_check(inspection):
    net, batch, numerical = inspection.net, inspection.batch, inspection.numerical
    params = parameters(net.layer_sizes)
    analytic = np.array([p.of(batch.dw, batch.db) for p in params])
    numeric = np.array([p.of(numerical.weights, numerical.biases) for p in params])
    values = np.array([p.of(net.weights, net.biases) for p in params])
    floor = noise_floor(batch.loss) if np.isfinite(batch.loss) else math.inf
    difference = np.abs(analytic - numeric)
    relative = relative_error(analytic, numeric)
    agree = (difference < floor) | (relative < CHECK_TOLERANCE)
    table = pd.DataFrame({"parameter": [p.name for p in params], "backprop ∂L/∂θ": analytic,
                          "central difference": numeric, "|difference|": difference,
                          "relative error": relative, "agree": agree})
    count = len(params)
    # θ ± ε must be new numbers, and L must change measurably, or the quotient is noise.
    if floor > MAX_FLOOR or (np.spacing(np.abs(values)) > EPSILON / 100).any():
        return Check(table, None, (
            f"Central differences cannot check this network: its loss ({batch.loss:.3g}) or "
            f"weights (up to {np.abs(values).max():.3g}) are so large that float64 cannot "
            f"resolve a step of ε = {EPSILON:g}."), floor)
    if agree.all():
        above = difference >= floor
        detail = (f"and the largest relative error is {relative[above].max():.1e}" if above.any()
                  else f"below the {floor:.0e} rounding noise of central differences")
        verdict = (f"Backprop passes: all {count} gradients agree with central differences. "
                   f"The largest difference is {difference.max():.1e}, {detail}.")
    else:
        worst = int(np.argmax(np.where(agree, -1.0, relative)))
        verdict = (f"{int((~agree).sum())} of {count} gradients disagree with central "
                   f"differences; the worst is {params[worst].name}: backprop "
                   f"{analytic[worst]:.4g}, central difference {numeric[worst]:.4g} "
                   f"(relative error {relative[worst]:.2g}).")
    return Check(table, bool(agree.all()), verdict, floor)
