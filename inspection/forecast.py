"""One update's loss change: the first-order forecast beside the change recomputed.

Near θ, L(θ + Δθ) ≈ L(θ) + ∇L·Δθ: for a plain gradient step Δθ = −η∇L the forecast is
−η‖∇L‖². How far the recomputed change parts from it is told by the loss's curvature along
the step, κ = dᵀHd for the step's direction d, through the next term of the series,
½κ‖Δθ‖²: the forecast holds while η is small against that curvature.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formats import number
from landscape import flatten, unflatten

EPS = 1e-5   # the step of the central difference of the gradient along the step's direction


@dataclass(frozen=True)
class Forecast:
    predicted: float   # ∇L·Δθ: −η‖∇L‖² for a plain gradient step
    actual: float      # L(θ + Δθ) − L(θ), both losses recomputed by the engine
    curvature: float   # dᵀHd along the step's direction d = Δθ/‖Δθ‖
    step_norm: float   # ‖Δθ‖

    @property
    def ratio(self):
        """actual / predicted; nan for a step the forecast says changes nothing."""
        return self.actual / self.predicted if self.predicted else math.nan

    @property
    def second_order(self):
        """The forecast with the next term of the series, ∇L·Δθ + ½κ‖Δθ‖²."""
        return self.predicted + 0.5 * self.curvature * self.step_norm ** 2


def forecast(net, X, y, weights_after, biases_after):
    """The Forecast of moving `net` from its weights to (weights_after, biases_after): the
    update training takes, or any edited weights."""
    before, after = flatten(net.weights, net.biases), flatten(weights_after, biases_after)
    step = after - before
    gradient = _gradient(net, X, y, before)
    norm = float(np.linalg.norm(step))
    curvature = 0.0
    if norm > 0:
        d = step / norm
        up, down = (_gradient(net, X, y, before + s * EPS * d) for s in (1, -1))
        curvature = float((up - down) @ d / (2 * EPS))
    return Forecast(float(gradient @ step), _loss(net, X, y, after) - _loss(net, X, y, before),
                    curvature, norm)


def plain_step(net, X, y, learning_rate):
    """The weights after one plain gradient step θ − η∇L on (X, y)."""
    g = net.gradients(X, y)
    return ([W - learning_rate * dW for W, dW in zip(net.weights, g.weights)],
            [b - learning_rate * db for b, db in zip(net.biases, g.biases)])


def _at(net, theta):
    """A copy of `net` with the flat parameters `theta` (landscape.flatten's order)."""
    twin = net.copy()
    twin.set_parameters(*unflatten(theta, net))
    return twin


def _gradient(net, X, y, theta):
    """∇L at `theta`, flat."""
    g = _at(net, theta).gradients(X, y)
    return flatten(g.weights, g.biases)


def _loss(net, X, y, theta):
    return float(_at(net, theta).loss(X, y))


def sentences(result):
    """What the forecast and the recomputed change say, computed from them."""
    said = [f"Forecast ∇L·Δθ = {number(result.predicted)}; the loss actually changed by "
            f"{number(result.actual)}"
            + (f" (ratio {result.ratio:.3f})." if math.isfinite(result.ratio) else ".")]
    if not math.isfinite(result.ratio):
        return said
    gap = abs(result.actual - result.predicted)
    if gap <= 0.01 * abs(result.predicted):
        said.append("They agree to within 1%: this step is short for the loss's curvature "
                    f"along it (κ = {number(result.curvature)}).")
    elif abs(result.actual - result.second_order) < 0.5 * gap:
        said.append(f"They part by {gap / abs(result.predicted):.0%}; the curvature along the "
                    f"step, κ = {number(result.curvature)}, accounts for most of it: with "
                    f"½κ‖Δθ‖² the forecast is {number(result.second_order)}.")
    else:
        said.append(f"They part by {gap / abs(result.predicted):.0%}, and even the curvature "
                    f"along the step (κ = {number(result.curvature)}) does not explain it: "
                    "the step reaches where the loss is not a parabola.")
    return said
