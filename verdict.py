"""An honest verdict on a training run, computed from what the run recorded (NumPy only)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from math import ceil

import numpy as np

from network import DIVERGED

UNDECIDED = 0.05        # an output within this of 0.5 has not picked a class
COMMITTED = 0.25        # an output further than this from 0.5 has clearly picked one
PLATEAU_DROP = 0.05     # a loss that fell less than this share over the window is on a plateau
OSCILLATING_UPS = 0.3   # a loss that rose on this share of the window's steps oscillates
# The plateau window is a fixed distance in learning rate x epochs (1,000 epochs at 0.3), as
# gradient descent moves about lr times as far per epoch. Measured on 290 XOR runs (2-2-1 and
# 2-4-1, learning rates 0.1 to 1, checked every 500 epochs up to 20,000): with this window no
# run that was called stuck went on to solve XOR.
PLATEAU_SPAN = 300.0
# Overfitting: the test accuracy at least this far below the training accuracy, and the test
# loss at least this share above its lowest value, reached at an earlier epoch.
OVERFIT_GAP = 0.10
OVERFIT_RISE = 0.10


class Kind(StrEnum):
    """What a run did, in one word; the app, the docs, the benches and the tests use these."""

    CONVERGED = "converged"
    OVERFITTING = "overfitting"
    IMPROVING = "improving"
    PLATEAU = "plateau"
    CRAWLING = "crawling"
    STUCK = "stuck"
    OSCILLATING = "oscillating"
    DIVERGED = "diverged"


def plateau_window(learning_rate):
    """Epochs of flat loss needed before a run may be called stuck."""
    return ceil(PLATEAU_SPAN / learning_rate)

HAMEY = ("What was measured is a plateau. For this very network, a 2-2-1 sigmoid network "
         "trained on these four points with squared error, Hamey (1998) "
         "proved there are no true local minima at finite weights: runs like this sit on a flat "
         "region where saturated units pass almost no gradient.")
CONTINUE = "The sidebar's “Train … more epochs” button continues this run from where it stopped."
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
    kind: Kind
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
    """'(0, 1)' or '(0.585, -0.406)': each coordinate to three significant digits."""
    return "(" + ", ".join(f"{v:.3g}" for v in inputs) + ")"


def _name_points(points, most=4):
    names = [f"{format_point(p.inputs)} → {p.output:.3f} (target {p.target})"
             for p in points[:most]]
    if len(points) > most:
        names.append(f"and {len(points) - most} more")
    return ", ".join(names)


def dead_units(hidden_activations):
    """How many units of each hidden layer output exactly 0 for every example (dead ReLUs)."""
    return [int(np.count_nonzero(np.all(a == 0.0, axis=0))) for a in hidden_activations]


def _drop(loss, window):
    """The share by which the loss fell over its last `window` epochs (negative: it rose)."""
    start = float(loss[-window - 1])
    return (start - float(loss[-1])) / start if start > 0 else 0.0


def _changed(drop):
    return f"fell by only {drop:.2%}" if drop >= 0 else f"rose by {-drop:.2%}"


def _streak_start(history):
    """The first epoch of the final run of epochs at 100% accuracy."""
    misses = np.flatnonzero(history.accuracy < 1.0)
    return int(history.epochs[misses[-1] + 1 if len(misses) else 0])


LINEAR = ("Every hidden layer is linear, so the whole network computes σ(a straight-line "
          "function of the inputs): its decision boundary is a straight line, whatever the "
          "seed, width or number of epochs. Where no straight line separates the classes, "
          "choose another activation.")


def judge(history, X, y, outputs, learning_rate, hidden_activations=(), activation="sigmoid",
          hamey=False):
    """Classify a run from its recorded loss, accuracy and gradients, and say why.

    `hamey` says that Hamey's result applies (2-2-1, sigmoid, squared error, the four XOR
    points). A history with a test set is checked for overfitting first.
    """
    points = point_statuses(X, y, outputs)
    hopeless = [LINEAR] if activation == "linear" else []
    if history.diverged_at is not None:
        return _diverged(history, points, learning_rate, hopeless)
    overfit = _overfitting(history, points)
    if overfit is not None:
        return overfit
    if history.final_accuracy == 1.0:
        return _converged(history, points)
    return _unsolved(history, points, learning_rate, hidden_activations, activation, hamey,
                     hopeless)


def _diverged(history, points, learning_rate, hopeless):
    return Verdict(Kind.DIVERGED, f"Diverged at epoch {history.diverged_at:,}.", (
        f"At epoch {history.diverged_at:,} the loss or the gradient grew past {DIVERGED:g} (or "
        f"became infinite or NaN); the network keeps its weights of epoch "
        f"{int(history.epochs[-1]):,}.",
        f"The learning rate {learning_rate:g} is too high: try {learning_rate / 10:g}.",
        *hopeless,
    ), points)


def _overfitting(history, points):
    """Training accuracy well above test accuracy while the test loss climbs: say so."""
    if history.test_loss is None or len(history.test_loss) < 3:
        return None
    train_accuracy, test_accuracy = history.final_accuracy, float(history.test_accuracy[-1])
    test_loss = history.test_loss
    best = int(np.argmin(test_loss))
    lowest, end = float(test_loss[best]), float(test_loss[-1])
    if not (train_accuracy - test_accuracy >= OVERFIT_GAP and best < len(test_loss) - 1
            and end >= lowest * (1 + OVERFIT_RISE)):
        return None
    best_epoch = int(history.epochs[best])
    return Verdict(Kind.OVERFITTING, f"Overfitting: {train_accuracy:.0%} right on the training "
                   f"points, {test_accuracy:.0%} on the test points.", (
        f"The test loss was lowest at epoch {best_epoch:,} ({lowest:.4g}) and has risen "
        f"{end / lowest - 1:.0%} since, to {end:.4g}, while the training loss fell to "
        f"{history.final_loss:.4g}: the network is fitting the training points' noise.",
        f"The weights of epoch {best_epoch:,} generalized best. Things to try: L2 weight "
        "decay, fewer hidden neurons, more points, or fewer epochs.",
    ), points)


def _converged(history, points):
    closest = min(points, key=lambda p: abs(p.output - 0.5))
    details = [f"Every example is on the right side of 0.5 since epoch "
               f"{_streak_start(history):,}; final loss {history.final_loss:.4g}.",
               f"The least confident is {format_point(closest.inputs)} at "
               f"{closest.output:.3f} (target {closest.target})."]
    if any(p.status == "undecided" for p in points):
        details.append("Some outputs are still close to 0.5: more epochs would sharpen them.")
    return Verdict(Kind.CONVERGED,
                   f"Converged: 100% accuracy at epoch {int(history.epochs[-1]):,}.",
                   tuple(details), points)


def _misses(points):
    """Sentences naming the examples the network gets wrong or leaves undecided."""
    wrong = [p for p in points if p.status == "wrong"]
    undecided = [p for p in points if p.status == "undecided"]
    return ([f"Wrong: {_name_points(wrong)}."] if wrong else []) + (
        [f"Undecided (output within {UNDECIDED} of 0.5): {_name_points(undecided)}."]
        if undecided else [])


def _unsolved(history, points, learning_rate, hidden_activations, activation, hamey, hopeless):
    """The rules for a run that has neither diverged nor solved its task, in order."""
    loss, misses = history.loss, _misses(points)
    end, trained = float(loss[-1]), len(loss) - 1
    needed = plateau_window(learning_rate)
    window = max(1, min(needed, trained // 5))
    start, drop = float(loss[-window - 1]), _drop(loss, window)
    grad_norm = float(np.sqrt(np.sum(history.grad_norms[-1] ** 2)))
    plateau = (f"Over the last {window:,} epochs the loss {_changed(drop)} (now {end:.4g}) "
               f"and the gradient norm is {grad_norm:.2g}.")
    flat = grad_norm < 1e-12
    more = (["The gradient is zero to machine precision: more epochs will not change this "
             "network."] if flat else [])

    dead = dead_units(hidden_activations) if activation == "relu" else []
    if any(count == layer.shape[1] for count, layer in zip(dead, hidden_activations)):
        return Verdict(Kind.STUCK, "Stuck: every ReLU of a hidden layer is dead.", (
            plateau,
            f"Dead units per hidden layer: {dead}. A dead ReLU outputs 0 for every input, so no "
            "gradient flows through it and it never recovers.",
            f"Lower the learning rate (now {learning_rate:g}), or use init “he”.",
            *misses,
        ), points)

    rises = float(np.mean(np.diff(loss[-window - 1:]) > 0))
    if end > float(loss[0]) or rises >= OSCILLATING_UPS:
        rose = (f"it rose on {rises:.0%} of the last {window:,} steps" if rises > 0 else
                f"it has not come back down over the last {window:,} steps")
        return Verdict(Kind.OSCILLATING, "Oscillating: the learning rate is too high.", (
            f"The loss started at {loss[0]:.4g} and ended at {end:.4g}; {rose}.",
            f"Steps this large overshoot: try a learning rate of {learning_rate / 10:g}.",
            *misses,
            *hopeless,
        ), points)

    if drop >= PLATEAU_DROP:
        return Verdict(Kind.IMPROVING, "Still improving: train more epochs.", (
            f"The loss fell {drop:.1%} over the last {window:,} epochs, from {start:.4g} to "
            f"{end:.4g}: it has not plateaued yet.",
            *(hopeless or [CONTINUE]),
            *misses,
        ), points)

    if not any(abs(p.output - 0.5) > COMMITTED for p in points):
        return Verdict(Kind.CRAWLING, "Crawling: still near the flat start.", (
            plateau,
            f"No output has committed to a class yet (all lie between {0.5 - COMMITTED:g} and "
            f"{0.5 + COMMITTED:g}): the network is still near where it started.",
            *(hopeless or more
              or [f"Raise the learning rate (now {learning_rate:g}) or train more epochs."]),
            *misses,
        ), points)

    if not (hopeless or flat) and (trained < needed or _drop(loss, needed) >= PLATEAU_DROP):
        return Verdict(Kind.PLATEAU, "On a plateau, too early to call it stuck.", (
            plateau,
            *misses,
            f"At learning rate {learning_rate:g} this app calls a run stuck only after "
            f"{needed:,} epochs in which the loss falls less than {PLATEAU_DROP:.0%}; runs "
            f"often leave a plateau like this later. {CONTINUE}",
        ), points)

    span = min(needed, trained)
    return Verdict(Kind.STUCK, f"Stuck on a plateau at loss {end:.4g}.", (
        f"Over the last {span:,} epochs the loss {_changed(_drop(loss, span))} (now {end:.4g}) "
        f"and the gradient norm is {grad_norm:.2g}.",
        *misses,
        *(hopeless or [HAMEY if hamey else PLATEAU, "Try another seed or a wider hidden layer."]),
    ), points)
