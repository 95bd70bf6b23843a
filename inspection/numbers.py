"""The numbers Tab 2 shows, all computed by the engine; plain functions, no Streamlit."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from network import LOSSES, MLP, numerical_gradients
from pictures.graph import neuron_name

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
MAX_EDIT = 100.0        # edited weights stay within ±MAX_EDIT, so the sigmoids stay finite


def example_label(x, y):
    """'(0, 1) → 1' for an example: its input (3 significant digits) and target."""
    return "(" + ", ".join(f"{v:.3g}" for v in x) + f") → {float(y):g}"


def example_name(i, x, y):
    """'#2 (1, 0) → 1': an example by its row in X, its input and its target."""
    return f"#{i} {example_label(x, y)}"


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
    example (n = 1) and no weight decay the engine's loss is that example's own term ℓ, so
    its gradients are ∂ℓ/∂θ.
    """

    X: np.ndarray                 # (n, 2)
    y: np.ndarray                 # (n, 1)
    zs: list[np.ndarray]          # z, (n, k)
    activations: list[np.ndarray]
    f_primes: list[np.ndarray]    # f'(z), (n, k)
    da: list[np.ndarray]          # ∂L/∂a, (n, k)
    deltas: list[np.ndarray]      # δ = ∂L/∂z, (n, k)
    dw: list[np.ndarray]          # ∂L/∂W = aᵀδ + λW, the shapes of W
    dw_data: list[np.ndarray]     # aᵀδ, the mean of the examples' ∂ℓᵢ/∂W (dw without λW)
    db: list[np.ndarray]          # ∂L/∂b, the shapes of b (no decay)
    terms: np.ndarray             # ℓ of each example, (n,)
    loss: float                   # L, the mean of `terms` plus `penalty`
    l2: float                     # λ, the weight decay
    penalty: float                # (λ/2) ΣW²

    @property
    def n(self):
        return len(self.y)

    @property
    def output(self):
        return self.activations[-1]


def without_decay(net):
    """A twin of `net` with λ = 0: its loss is the data term alone."""
    if not net.l2:
        return net
    twin = MLP(net.layer_sizes, net.activation, net.loss_name, net.init, net.seed)
    twin.set_parameters(net.weights, net.biases, net.epoch)
    return twin


def run_pass(net, X, y):
    """Forward and backward pass of `net` on (X, y), through the engine's own functions."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float).reshape(-1, 1)
    forward = net.forward(X)
    gradients = net.gradients(X, y)
    data_part = without_decay(net).gradients(X, y).weights if net.l2 else gradients.weights
    loss = LOSSES[net.loss_name]
    zs, activations = forward.pre_activations, forward.activations
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        f_primes = [act.f_prime(z, a) for act, z, a in zip(net.activation_of, zs, activations[1:])]
        dL_da = [delta @ W.T for delta, W in zip(gradients.deltas[1:], net.weights[1:])]
        dL_da.append(loss.dterm_da(forward.output, y) / len(y))
        terms = loss.term(zs[-1], forward.output, y).ravel()
    return Pass(X, y, zs, activations, f_primes, dL_da, gradients.deltas, gradients.weights,
                data_part, gradients.biases, terms, net.loss(X, y), net.l2, net.penalty())


@dataclass(frozen=True, eq=False)
class Inspection:
    """What the tab shows of one network on n examples, each part computed on first use."""

    net: MLP
    X: np.ndarray                  # (n, 2), every training example
    y: np.ndarray                  # (n, 1)
    learning_rate: float
    rows: np.ndarray               # the examples the next update uses: all n, or a mini-batch

    tables: dict = field(default_factory=dict, repr=False)

    def table(self, key, build):
        """`build(self)` the first time `key` is asked for; the same table afterwards."""
        if key not in self.tables:
            self.tables[key] = build(self)
        return self.tables[key]

    @property
    def n(self):
        return len(self.y)

    @property
    def mini_batch(self):
        return len(self.rows) < self.n

    @cached_property
    def batch(self):
        """The engine on all n examples: L and ∂L/∂θ."""
        return run_pass(self.net, self.X, self.y)

    def example(self, i):
        """The engine on example i alone, without weight decay: ℓᵢ and ∂ℓᵢ/∂θ."""
        return self.table(("example", i), lambda s: run_pass(without_decay(s.net),
                                                             s.X[i:i + 1], s.y[i:i + 1]))

    @cached_property
    def update(self):
        """The engine on the update's examples: the batch itself, or the mini-batch."""
        return run_pass(self.net, self.X[self.rows], self.y[self.rows]) if self.mini_batch \
            else self.batch

    @cached_property
    def step(self):
        """One update of a copy at the run's learning rate, on the update's examples."""
        return self.net.copy().step(self.X[self.rows], self.y[self.rows], self.learning_rate)

    @cached_property
    def numerical(self):
        """Central differences of the batch loss L."""
        with np.errstate(over="ignore", invalid="ignore"):
            return numerical_gradients(self.net, self.X, self.y)


def next_batch(net, n, size):
    """The rows of the first mini-batch of `net`'s next epoch, as its own generator draws them."""
    return net.copy().batches.permutation(n)[:size]


def inspect(net, learning_rate, X, y, batch_size=None):
    """The Inspection of `net` on (X, y); its update is the one training takes next."""
    n = len(y)
    rows = np.arange(n) if batch_size is None or batch_size >= n else next_batch(net, n,
                                                                                 batch_size)
    return Inspection(net, X, y, learning_rate, rows)


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
