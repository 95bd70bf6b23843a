"""Backpropagation with a bug planted on purpose, and the gradient check that catches it.

The engine (network.py) is never touched: `backward` below is a second, written-out backward
pass for teaching, in which one of BUGS may be planted. `gradient_check` compares what it
gives with central differences of the engine's own loss, parameter by parameter, so that a
learner sees the check fail on a real bug and pass when there is none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from inspection.numbers import parameters
from network import ACTIVATIONS, LOSSES, Gradients, numerical_gradients

BUGS = {
    "none": "none: the backward pass as the engine computes it",
    "forget_sigma_prime": "forget σ′: the hidden layers' δ leaves out the activation's "
                          "derivative",
    "half_mse": "½·MSE's gradient with MSE's loss: the output δ is (a − y)·a(1 − a), "
                "without the 2 (the bug of the tutorial this playground re-imagines)",
    "wrong_sign": "wrong sign: every gradient points uphill",
}
RELATIVE_TOLERANCE = 1e-4   # a parameter passes when its relative error is below this
FLOOR = 1e-6                # gradients smaller than this count as zero (see `relative_errors`)


def backward(net, X, y, bug="none"):
    """∂L/∂W and ∂L/∂b of `net` on (X, y) by backpropagation, with `bug` planted."""
    if bug not in BUGS:
        raise ValueError(f"bug must be one of {', '.join(BUGS)}; got {bug!r}")
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float).reshape(-1, 1)
    with np.errstate(over="ignore"):
        forward = net.forward(X)
    zs, activations, a = forward.pre_activations, forward.activations, forward.output
    if bug == "half_mse":
        delta = (a - y) * a * (1.0 - a) / len(y)           # d/dz of ½(a − y)², not of (a − y)²
    else:
        delta = LOSSES[net.loss_name].dterm_dz(a, y) / len(y)
    hidden = ACTIVATIONS[net.activation]
    dW, db = [], []
    for layer in range(len(net.weights) - 1, -1, -1):
        dW.insert(0, activations[layer].T @ delta)
        db.insert(0, delta.sum(axis=0))
        if layer > 0:
            upstream = delta @ net.weights[layer].T        # ∂L/∂a of the layer below
            if bug == "forget_sigma_prime":
                delta = upstream
            else:
                delta = upstream * hidden.f_prime(zs[layer - 1], activations[layer])
    dW = [g + net.l2 * W for g, W in zip(dW, net.weights)]   # the L2 term, (λ/2)·ΣW²
    if bug == "wrong_sign":
        dW, db = [-g for g in dW], [-g for g in db]
    return Gradients(dW, db, deltas=[])


@dataclass(frozen=True)
class Check:
    """Backprop against central differences, one row per parameter."""

    bug: str
    names: list[str]                 # as the tab names them: "W⁽¹⁾[1,2]", "b⁽²⁾[1]", ...
    backprop: np.ndarray
    numerical: np.ndarray
    relative_error: np.ndarray
    layers: tuple = ()               # each parameter's layer, 1-based

    @property
    def failed(self):
        """The parameters whose relative error is RELATIVE_TOLERANCE or more."""
        return [name for name, error in zip(self.names, self.relative_error)
                if not error < RELATIVE_TOLERANCE]

    @property
    def passed(self):
        return not self.failed


def relative_errors(a, b):
    """|a − b| / max(|a|, |b|, FLOOR): 0 when they agree, 2 when they have opposite signs, and
    small when both are below FLOOR (central differences are only that exact)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), FLOOR)


def gradient_check(net, X, y, bug="none", numerical=None):
    """The Check of `backward(net, X, y, bug)` against `network.numerical_gradients` (or the
    `numerical` gradients already computed of the same net and data)."""
    planted = backward(net, X, y, bug)
    if numerical is None:
        with np.errstate(over="ignore", invalid="ignore"):
            numerical = numerical_gradients(net, X, y)
    every = parameters(net.layer_sizes)
    ours = np.array([p.of(planted.weights, planted.biases) for p in every])
    theirs = np.array([p.of(numerical.weights, numerical.biases) for p in every])
    return Check(bug, [p.name for p in every], ours, theirs, relative_errors(ours, theirs),
                 tuple(p.layer for p in every))
