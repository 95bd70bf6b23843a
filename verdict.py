"""An honest verdict on a training run, computed from what the run recorded (NumPy only)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UNDECIDED = 0.05        # an output within this of 0.5 has not picked a class
PLATEAU_DROP = 0.05     # a loss that fell less than this share over the window is on a plateau
OSCILLATING_UPS = 0.3   # a loss that rose on this share of the window's steps oscillates

HAMEY = ("What was measured is a plateau. For this very network, 2-2-1 on XOR, Hamey (1998) "
         "proved there are no true local minima at finite weights: runs like this sit on a flat "
         "region where saturated units pass almost no gradient.")
PLATEAU = ("What was measured is a plateau: a flat region of the loss where the gradient is "
           "tiny. It may be a true local minimum or a very slow way out; the run cannot tell.")


@dataclass(frozen=True)
class PointStatus:
    inputs: tuple[float, ...]
    target: int
    output: float
    status: str   # "right", "wrong" or "undecided"


@dataclass(frozen=True)
class Verdict:
    kind: str        # converged | improving | crawling | stuck | oscillating | diverged
    headline: str
    details: tuple[str, ...]
    points: tuple[PointStatus, ...]


def point_statuses(X, y, outputs):
    """Each example: right, wrong, or undecided (output within UNDECIDED of 0.5)."""
    statuses = []
    for inputs, target, output in zip(np.asarray(X), np.ravel(y), np.ravel(outputs)):
        target = int(target > 0.5)
        if abs(output - 0.5) < UNDECIDED:
            status = "undecided"
        elif (output > 0.5) == bool(target):
            status = "right"
        else:
            status = "wrong"
        point = tuple(float(v) for v in inputs)
        statuses.append(PointStatus(point, target, float(output), status))
    return tuple(statuses)


def format_point(inputs):
    return "(" + ", ".join(f"{v:g}" for v in inputs) + ")"


def _name_points(points, most=4):
    names = [f"{format_point(p.inputs)} → {p.output:.3f} (target {p.target})"
             for p in points[:most]]
    if len(points) > most:
        names.append(f"and {len(points) - most} more")
    return ", ".join(names)


def dead_units(hidden_activations):
    """How many units of each hidden layer output exactly 0 for every example (dead ReLUs)."""
    return [int(np.count_nonzero(np.all(a == 0.0, axis=0))) for a in hidden_activations]


def judge(history, X, y, outputs, learning_rate, hidden_activations=(), xor_2_2_1=False):
    """Classify a run from its recorded loss, accuracy and gradients, and say why."""
    points = point_statuses(X, y, outputs)
    loss = history.loss
    epochs = int(history.epochs[-1])
    trained = len(loss) - 1
    window = max(1, min(1000, trained // 5))
    start, end = float(loss[-window - 1]), float(loss[-1])
    drop = (start - end) / start if start > 0 else 0.0
    grad_norm = float(np.sqrt(np.sum(history.grad_norms[-1] ** 2)))
    wrong = [p for p in points if p.status == "wrong"]
    undecided = [p for p in points if p.status == "undecided"]
    misses = ([f"Wrong: {_name_points(wrong)}."] if wrong else []) + (
        [f"Undecided (output within {UNDECIDED} of 0.5): {_name_points(undecided)}."]
        if undecided else [])

    if history.diverged_at is not None:
        return Verdict("diverged", f"Diverged at epoch {history.diverged_at}.", (
            f"The loss or a gradient became infinite or NaN at epoch {history.diverged_at}; "
            f"the network keeps its last finite weights (epoch {epochs}).",
            f"The learning rate {learning_rate:g} is too high: try {learning_rate / 10:g}.",
        ), points)

    if history.final_accuracy == 1.0:
        first = int(history.epochs[np.argmax(history.accuracy == 1.0)])
        closest = min(points, key=lambda p: abs(p.output - 0.5))
        details = [f"Every example is on the right side of 0.5 since epoch {first}; "
                   f"final loss {end:.4g}.",
                   f"The least confident is {format_point(closest.inputs)} at "
                   f"{closest.output:.3f} (target {closest.target})."]
        if undecided:
            details.append("Some outputs are still close to 0.5: more epochs would sharpen them.")
        return Verdict("converged", f"Converged: 100% accuracy at epoch {epochs}.",
                       tuple(details), points)

    steps = np.diff(loss[-window - 1:])
    rises = float(np.mean(steps > 0)) if len(steps) else 0.0
    if end > float(loss[0]) or rises >= OSCILLATING_UPS:
        return Verdict("oscillating", "Oscillating: the learning rate is too high.", (
            f"The loss started at {loss[0]:.4g} and ended at {end:.4g}; it rose on "
            f"{rises:.0%} of the last {window} steps instead of falling.",
            f"Each step overshoots: try a learning rate of {learning_rate / 10:g}.",
            *misses,
        ), points)

    if drop >= PLATEAU_DROP:
        return Verdict("improving", "Still improving: train more epochs.", (
            f"The loss fell {drop:.1%} over the last {window} epochs, from {start:.4g} to "
            f"{end:.4g}: it has not plateaued yet.",
            "Press “Continue” to train more from where it stopped.",
            *misses,
        ), points)

    dead = dead_units(hidden_activations)
    plateau = (f"Over the last {window} epochs the loss changed by only {drop:.2%} "
               f"(now {end:.4g}) and the gradient norm is {grad_norm:.2g}.")
    if dead and any(count == width.shape[1] for count, width in zip(dead, hidden_activations)):
        return Verdict("stuck", "Stuck: every ReLU of a hidden layer is dead.", (
            plateau,
            f"Dead units per hidden layer: {dead}. A dead ReLU outputs 0 for every input, so no "
            "gradient flows through it and it never recovers.",
            f"Lower the learning rate (now {learning_rate:g}), or use init “he”.",
            *misses,
        ), points)

    if len(undecided) == len(points):
        return Verdict("crawling", "Crawling: still on the flat start.", (
            plateau,
            f"Every output is still within {UNDECIDED} of 0.5: the network has not picked a "
            "direction yet.",
            f"Raise the learning rate (now {learning_rate:g}) or train more epochs.",
        ), points)

    return Verdict("stuck", f"Stuck in a local minimum at loss {end:.4g}.", (
        plateau,
        *misses,
        HAMEY if xor_2_2_1 else PLATEAU,
        "Try another seed or a wider hidden layer.",
    ), points)
