"""The stages of one step of backpropagation, in the order the Gradient flow tab walks them.

Forward, one layer at a time; the loss; backward, one layer at a time from the output (δ,
then ∂L/∂W and ∂L/∂b); the update; then two looks at the gradient itself: a check against
central differences, and how its size changes over the run. Each stage says which neurons
and which layers of weights it computes, so the diagram can light them.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspection.numbers import tag


@dataclass(frozen=True)
class Stage:
    kind: str          # "forward", "loss", "backward", "update", "check" or "run"
    layer: int = 0     # the layer a forward or backward stage computes (1-based); else 0
    title: str = ""
    neurons: tuple = ()   # the layers (0 = inputs) whose neurons the stage computes or reads
    weights: tuple = ()   # the layers (1-based) whose weights it uses or finds gradients for

    @property
    def key(self):
        """A stable name: 'forward 2', 'loss', 'backward 1', ..."""
        return f"{self.kind} {self.layer}" if self.layer else self.kind


def stages(layer_sizes):
    """Every stage for a network of these layer sizes, in order."""
    last = len(layer_sizes) - 1
    every = list(range(last + 1))
    found = []
    for layer in range(1, last + 1):
        into = "the output" if layer == last else f"hidden layer {layer}"
        found.append(Stage("forward", layer, f"Forward, layer {layer}: into {into}",
                           neurons=(layer - 1, layer), weights=(layer,)))
    found.append(Stage("loss", 0, "Loss: how wrong the output is", neurons=(last,)))
    for layer in range(last, 0, -1):
        up = tag(layer)
        title = f"Backward, layer {layer}: δ{up}, ∂L/∂W{up}, ∂L/∂b{up}"
        found.append(Stage("backward", layer, title,
                           neurons=(layer - 1, layer), weights=(layer,)))
    found.append(Stage("update", 0, "Update: every parameter takes one step",
                       neurons=tuple(every[1:]), weights=tuple(every[1:])))
    found.append(Stage("check", 0, "Check: backprop against central differences",
                       neurons=tuple(every[1:]), weights=tuple(every[1:])))
    found.append(Stage("run", 0, "Over the run: do the gradients shrink towards the input?",
                       weights=tuple(every[1:])))
    return found

