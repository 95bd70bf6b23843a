"""Do the gradients shrink towards the input in this run? Measured, epoch by epoch.

A layer's gradient norm grows with its number of parameters, so layers of different sizes
are compared per parameter: the norm divided by √(weights + biases). The σ′ ≤ ¼ argument
(each sigmoid layer scales the backward signal by at most ¼ times its weights) is said only
where the run has two or more sigmoid hidden layers; whether the gradients shrink is always
a measurement of this run, never a claim.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formats import number, percent


def parameter_counts(layer_sizes):
    """Weights + biases of each layer."""
    return np.array([n_in * n_out + n_out for n_in, n_out in zip(layer_sizes[:-1],
                                                                  layer_sizes[1:])])


@dataclass(frozen=True)
class Shrinking:
    """Each layer's gradient norm per parameter over a run, and how often it shrinks."""

    epochs: np.ndarray      # (m,)
    per_parameter: np.ndarray   # (m, layers): ‖∂L/∂θ_layer‖ / √(its parameter count)
    smaller: np.ndarray     # (m, layers − 1): layer l's is below layer l + 1's

    @property
    def share(self):
        """(layers − 1,) the share of epochs in which layer l's is below layer l + 1's."""
        return self.smaller.mean(axis=0)

    def ratio_at(self, row):
        """(layers − 1,) layer l + 1's per-parameter norm over layer l's at `row`."""
        norms = self.per_parameter[row]
        with np.errstate(divide="ignore", invalid="ignore"):
            return norms[1:] / norms[:-1]


def shrinking(history, layer_sizes):
    """The Shrinking of a run from its recorded gradient norms (finite rows only)."""
    per_parameter = history.grad_norms / np.sqrt(parameter_counts(layer_sizes))
    finite = np.isfinite(per_parameter).all(axis=1)
    per_parameter = per_parameter[finite]
    return Shrinking(history.epochs[finite], per_parameter,
                     per_parameter[:, :-1] < per_parameter[:, 1:])


def sentences(history, layer_sizes, activation, learning_rate):
    """What this run shows about gradients shrinking towards the input, in sentences built
    from its numbers."""
    if len(layer_sizes) < 3:
        return []
    found = shrinking(history, layer_sizes)
    said = []
    for layer, share in enumerate(found.share, 1):
        start = found.ratio_at(0)[layer - 1]
        said.append(
            f"Per parameter, layer {layer}'s gradient is smaller than layer {layer + 1}'s in "
            f"{percent(share)} of the {len(found.epochs):,} epochs recorded"
            + (f"; at epoch {int(found.epochs[0]):,} it is {number(start)} times smaller."
               if math.isfinite(start) and start > 1 else
               f"; at epoch {int(found.epochs[0]):,} it is not smaller."))
    if not found.smaller.any():
        said.append("This run shows no shrinking towards the input at any recorded epoch.")
    hidden_sigmoids = len(layer_sizes) - 2 if activation == "sigmoid" else 0
    if hidden_sigmoids >= 2:
        said.append(f"With {hidden_sigmoids} sigmoid hidden layers, each multiplies the "
                    "backward signal by σ′ ≤ ¼ times its weights, which is why deep sigmoid "
                    "networks can lose their gradient towards the input.")
    said.append(f"The learning rate does not change a gradient, only the step it makes: at "
                f"η = {learning_rate:g} each layer's update −η·∂L/∂θ is η times the norms "
                "above.")
    return said


def size_sentence(history, row):
    """How big the gradient is at recorded row `row` against the rest of the run."""
    total = np.sqrt((history.grad_norms ** 2).sum(axis=1))
    total = total[np.isfinite(total)]
    now = float(np.sqrt((history.grad_norms[row] ** 2).sum()))
    later = total[row + 1:] if row + 1 < len(total) else total[:0]
    said = f"At epoch {int(history.epochs[row]):,} the gradient's norm is {number(now)}"
    if later.size == 0:
        return said + "."
    larger = float((later < now).mean())
    return (said + f": larger than at {percent(larger)} of the later epochs "
            f"(their median is {number(float(np.median(later)))}).")
