"""The numbers Tab 2 shows, all computed by the engine; plain functions, no Streamlit."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from network import LOSSES, MLP, XOR_X, XOR_Y, Gradients, Step, numerical_gradients
from plots import neuron_name

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
MAX_EDIT = 100.0        # edited weights stay within ±MAX_EDIT, so the sigmoids stay finite


def example_label(x, y):
    """'(0, 1) → 1' for an example."""
    return "(" + ", ".join(f"{v:g}" for v in x) + f") → {float(y):g}"


def tag(layer):
    """⁽ˡ⁾, the layer superscript."""
    return f"⁽{str(layer).translate(SUPERSCRIPT)}⁾"


@dataclass(frozen=True)
class Parameter:
    """One weight W⁽ˡ⁾[j, k] (row j, column k) or bias b⁽ˡ⁾[k]; layer is 1-based, j, k 0-based."""

    layer: int
    col: int
    row: int | None = None     # None for a bias

    @property
    def name(self):
        upper = tag(self.layer)
        if self.row is None:
            return f"b{upper}[{self.col + 1}]"
        return f"W{upper}[{self.row + 1},{self.col + 1}]"

    def link(self, last):
        to = neuron_name(self.layer, self.col, last)
        if self.row is None:
            return f"bias of {to}"
        return f"{neuron_name(self.layer - 1, self.row, last)} → {to}"

    def of(self, weights, biases):
        """This parameter's value in (weights, biases), or in (dL/dW, dL/db)."""
        if self.row is None:
            return float(biases[self.layer - 1][self.col])
        return float(weights[self.layer - 1][self.row, self.col])


def parameters(layer_sizes):
    """Every parameter, layer by layer: its weights row by row, then its biases."""
    found = []
    for layer, (n_in, n_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:]), 1):
        found += [Parameter(layer, k, j) for j in range(n_in) for k in range(n_out)]
        found += [Parameter(layer, k) for k in range(n_out)]
    return found


def weights_only(layer_sizes):
    return [p for p in parameters(layer_sizes) if p.row is not None]


@dataclass(frozen=True)
class Pass:
    """One forward and backward pass of the engine on n examples (rows), every number kept.

    Lists run over layers 1..L, except `activations`, which starts with a⁰ = x. With one
    example (n = 1) the engine's loss is that example's own term ℓ, so its gradients are ∂ℓ/∂θ.
    """

    X: np.ndarray                 # (n, 2)
    y: np.ndarray                 # (n, 1)
    zs: list[np.ndarray]          # z, (n, k)
    activations: list[np.ndarray]
    f_primes: list[np.ndarray]    # f'(z), (n, k)
    da: list[np.ndarray]       # ∂L/∂a, (n, k)
    deltas: list[np.ndarray]      # δ = ∂L/∂z, (n, k)
    dw: list[np.ndarray]          # ∂L/∂W, the shapes of W
    db: list[np.ndarray]          # ∂L/∂b, the shapes of b
    terms: np.ndarray             # ℓ of each example, (n,)
    loss: float                   # L, the mean of `terms`

    @property
    def n(self):
        return len(self.y)

    @property
    def output(self):
        return self.activations[-1]


def run_pass(net, X, y):
    """Forward and backward pass of `net` on (X, y), through the engine's own functions."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float).reshape(-1, 1)
    forward = net.forward(X)
    gradients = net.gradients(X, y)
    loss = LOSSES[net.loss_name]
    zs, activations = forward.pre_activations, forward.activations
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        f_primes = [act.f_prime(z, a) for act, z, a in zip(net.activation_of, zs, activations[1:])]
        dL_da = [delta @ W.T for delta, W in zip(gradients.deltas[1:], net.weights[1:])]
        dL_da.append(loss.dterm_da(forward.output, y) / len(y))
        terms = loss.term(zs[-1], forward.output, y).ravel()
    return Pass(X, y, zs, activations, f_primes, dL_da, gradients.deltas, gradients.weights,
                gradients.biases, terms, net.loss(X, y))


@dataclass(frozen=True)
class Inspection:
    """Everything the tab shows about one network: batch, each example, the check, the step."""

    net: MLP
    batch: Pass
    examples: tuple[Pass, ...]     # the engine on each example alone: ∂ℓᵢ/∂θ
    numerical: Gradients           # central differences of the batch loss
    step: Step                     # one update of a copy, at the run's learning rate

    tables: dict = field(default_factory=dict, repr=False, compare=False)

    def table(self, key, build):
        """`build(self)` the first time `key` is asked for; the same table afterwards."""
        if key not in self.tables:
            self.tables[key] = build(self)
        return self.tables[key]


def inspect(net, learning_rate, X=XOR_X, y=XOR_Y):
    examples = tuple(run_pass(net, X[i:i + 1], y[i:i + 1]) for i in range(len(X)))
    with np.errstate(over="ignore", invalid="ignore"):
        numerical = numerical_gradients(net, X, y)
    return Inspection(net, run_pass(net, X, y), examples, numerical,
                      net.copy().step(X, y, learning_rate))


def signature(weights, biases):
    """A short fingerprint of a network's parameters, to tell edited states apart."""
    digest = hashlib.blake2b(digest_size=8)
    for array in (*weights, *biases):
        digest.update(np.ascontiguousarray(array, dtype=float).tobytes())
    return digest.hexdigest()


# --- edits -------------------------------------------------------------------------------

def layer_frame(weights, biases, layer, last):
    """Layer `layer` (1-based) as an editable table: a row per input neuron, then the bias."""
    W, b = weights[layer - 1], biases[layer - 1]
    rows = [f"from {neuron_name(layer - 1, j, last)}" for j in range(W.shape[0])] + ["bias"]
    frame = pd.DataFrame(np.vstack([W, b[None, :]]),
                         columns=[f"to {neuron_name(layer, k, last)}" for k in range(W.shape[1])])
    frame.insert(0, "parameter", rows)
    return frame


def apply_cell_edits(weights, biases, layer, edited_rows, last):
    """The parameters with a data editor's cell edits applied to layer `layer`.

    `edited_rows` maps row position -> {column name: value}, as st.data_editor reports it.
    Returns (weights, biases, problems); a bad cell is left out and named in `problems`.
    """
    W, b = weights[layer - 1].copy(), biases[layer - 1].copy()
    columns = list(layer_frame(weights, biases, layer, last).columns)
    problems = []
    for row, changes in edited_rows.items():
        row = int(row)
        for column, value in changes.items():
            if column not in columns[1:] or not 0 <= row <= W.shape[0]:
                continue
            k = columns.index(column) - 1
            param = Parameter(layer, k, None if row == W.shape[0] else row)
            problem = _edit_problem(value)
            if problem:
                problems.append(f"{param.name} ({param.link(last)}): {problem}, so the edit "
                                f"was ignored; it keeps {param.of(weights, biases):.4g}.")
            elif param.row is None:
                b[k] = float(value)
            else:
                W[row, k] = float(value)
    weights = [*weights[:layer - 1], W, *weights[layer:]]
    biases = [*biases[:layer - 1], b, *biases[layer:]]
    return weights, biases, problems


def _edit_problem(value):
    if value is None or (isinstance(value, str) and not value.strip()):
        return "the cell is empty"
    if isinstance(value, bool):
        return "the cell holds true/false, not a number"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return f"“{str(value)[:20]}” is not a number"
    if math.isnan(number):
        return "the cell is empty"
    if not math.isfinite(number) or abs(number) > MAX_EDIT:
        return f"{number:g} is outside −{MAX_EDIT:g} … {MAX_EDIT:g}"
    return None


def changed_parameters(weights, biases, original_weights, original_biases):
    """How many parameters differ from the originals."""
    return int(sum(np.count_nonzero(a != b) for a, b in
                   zip((*weights, *biases), (*original_weights, *original_biases))))
