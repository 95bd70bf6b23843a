"""An honest verdict on a training run, computed from what the run recorded (NumPy only)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from formats import number
from network import ACTIVATIONS, DIVERGED

UNDECIDED = 0.05        # an output within this of 0.5 has not picked a class
COMMITTED = 0.25        # an output further than this from 0.5 has clearly picked one
PLATEAU_DROP = 0.05     # a loss that fell less than this share over the window is on a plateau
OSCILLATING_UPS = 0.3   # a loss that rose on this share of the window's steps oscillates
RISE_TOLERANCE = 1e-6   # a step up by less than this share of the loss is rounding, not a rise
SATURATED = 0.01        # a sigmoid or tanh unit whose derivative is below this share of its
                        # peak on every example passes back almost no gradient
# The window is a fixed distance in learning rate x epochs (1,000 epochs at 0.3), as gradient
# descent moves about lr times as far per epoch.
PLATEAU_SPAN = 300.0
# Overfitting: the test accuracy at least this far below the training accuracy, and the test
# loss at least this share above its lowest value, reached at an earlier epoch.
OVERFIT_GAP = 0.10
OVERFIT_RISE = 0.10
# "Stuck" is said only where the run cannot change any more, whatever the epochs: every ReLU of
# a hidden layer dead without L2 (no gradient reaches the layer, and nothing else moves its
# weights), or a full-batch gradient of exactly zero (the next step is zero, and the one after).
# No rule on the loss curve earned the word: on 1,500 sampled runs (bench/verdict.py, sample 1)
# the flat runs that later solve and those that never do overlap in every measured quantity
# (loss drop, gradient norm per parameter and its trend over the window), so a flat loss is
# called a plateau and its numbers are given.
# "Converged" waits until every example has been right, the loss has not risen and no output
# lies within UNDECIDED of 0.5 over the last fifth of the run, and until the loss's sharpest
# curvature is below 2 / lr, where gradient descent is stable: runs that were right everywhere
# but failed one of these lost 100% later in the samples (lr 3 to 10, an output at 0.525, a
# curvature of 0.74 at lr 3 whose loss had fallen steadily for 400 epochs).


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
    """Epochs over which a loss must fall by PLATEAU_DROP to count as still improving."""
    return math.ceil(PLATEAU_SPAN / learning_rate)


# Literature, cited only for the networks it is about (`Setting.literature`).
LITERATURE = {
    "hamey": ("For this very network, a 2-2-1 sigmoid network trained on the four XOR points "
              "with squared error, Hamey (1998) proved there are no true local minima at "
              "finite weights: this flat stretch is not one. It is a plateau, a saddle region "
              "or a minimum that is only approached as the weights grow without bound."),
    "2-3-1": ("For this network, a 2-3-1 sigmoid network on the four XOR points with squared "
              "error, Sprinkhuizen-Kuyper and Boers (1999) found a region of true local minima "
              "with nonzero error; whether this run is in it, the run cannot tell."),
}
CONTINUE = "The toolbar's “+ epochs” button continues this run from where it stopped."
LINEAR = ("Every hidden layer is linear, so the whole network computes σ(a straight-line "
          "function of the inputs): its decision boundary is a straight line, whatever the "
          "seed, width or number of epochs. Where no straight line separates the classes, "
          "choose another activation.")


@dataclass(frozen=True)
class Setting:
    """How a run was trained, as far as the verdict's words depend on it."""

    learning_rate: float
    activation: str = "sigmoid"
    init: str = "xavier"
    l2: float = 0.0
    batch_size: int | None = None     # None: full batch
    literature: str | None = None     # a key of LITERATURE that applies to this exact run


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
    start = float(loss[-window - 1]) if window else float(loss[-1])
    return (start - float(loss[-1])) / start if start > 0 else 0.0


def _epochs(count):
    return f"{count:,} epoch" + ("" if count == 1 else "s")


def _changed(drop):
    if drop == 0:
        return "did not change"
    return f"fell by only {drop:.2%}" if drop > 0 else f"rose by {-drop:.2%}"


def _streak_start(history):
    """The first epoch of the final run of epochs at 100% accuracy."""
    misses = np.flatnonzero(history.accuracy < 1.0)
    return int(history.epochs[misses[-1] + 1 if len(misses) else 0])


def judge(history, X, y, outputs, setting, hidden_activations=(), start_hidden=(),
          curvature=None):
    """Classify a run from what it recorded, and say why in sentences computed from it.

    `hidden_activations` are the hidden layers' outputs on X at the final weights,
    `start_hidden` the same at the initial weights (for dead ReLUs), `curvature` the loss's
    sharpest curvature at the final weights (`network.sharpness`), if measured. A history
    with a test set is checked for overfitting first.
    """
    points = point_statuses(X, y, outputs)
    run = _Measured(history, setting, points, curvature)
    if history.diverged_at is not None:
        return _diverged(run)
    overfit = _overfitting(history, points)
    if overfit is not None:
        return overfit
    if history.final_accuracy == 1.0:
        return _solved(run)
    return _unsolved(run, hidden_activations, start_hidden)


class _Measured:
    """The quantities several rules use, measured once over the run's last window."""

    def __init__(self, history, setting, points, curvature=None):
        self.history, self.setting, self.points = history, setting, points
        self.curvature = curvature   # the sharpest curvature at the final weights, if measured
        loss = history.loss
        self.trained = len(loss) - 1
        self.needed = plateau_window(setting.learning_rate)
        self.window = max(min(self.needed, self.trained // 5), min(1, self.trained))
        self.start, self.end = float(loss[-self.window - 1]), float(loss[-1])
        self.drop = _drop(loss, self.window)
        steps = np.diff(loss[-self.window - 1:])
        self.rises = int(np.count_nonzero(_real_rises(steps, loss[-self.window - 1:-1])))
        self.rose_overall = _real_rises(float(loss[-1]) - float(loss[0]), float(loss[0]))
        self.grad_norm = math.hypot(*map(float, history.grad_norms[-1]))
        self.zero_gradient = not np.any(history.grad_norms[-1])
        self.hopeless = [LINEAR] if setting.activation == "linear" else []

    @property
    def rise_share(self):
        return self.rises / self.window if self.window else 0.0

    def flat_sentence(self):
        return (f"Over the last {_epochs(self.window)} the loss {_changed(self.drop)} (now "
                f"{number(self.end)}) and the gradient norm is {self.grad_norm:.2g}.")


def _real_rises(steps, before):
    """Which loss steps went up by more than RISE_TOLERANCE of the loss before them."""
    return np.asarray(steps) > RISE_TOLERANCE * np.abs(before)


def _diverged(run):
    history, lr, l2 = run.history, run.setting.learning_rate, run.setting.l2
    cause = f"The learning rate {lr:g} is too high: try {lr / 10:g}."
    if lr * l2 > 2:
        cause = (f"With L2 {l2:g}, every step multiplies each weight by 1 − lr·λ = "
                 f"{1 - lr * l2:g}, a factor larger than 1 in size: the weights grow each step "
                 "whatever the data. Lower the learning rate or the L2 so that lr·λ ≤ 2.")
    return Verdict(Kind.DIVERGED, f"Diverged at epoch {history.diverged_at:,}.", (
        f"At epoch {history.diverged_at:,} the loss or the gradient grew past {DIVERGED:g} (or "
        f"became infinite or NaN); the network keeps its weights of epoch "
        f"{int(history.epochs[-1]):,}.",
        cause,
        *run.hopeless,
    ), run.points)


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
        f"The test loss was lowest at epoch {best_epoch:,} ({number(lowest)}) and has risen "
        f"{end / lowest - 1:.0%} since, to {number(end)}, while the training loss fell to "
        f"{number(history.final_loss)}: the network is fitting the training points' noise.",
        f"The weights of epoch {best_epoch:,} generalized best. Things to try: L2 weight "
        "decay, fewer hidden neurons, more points, or fewer epochs.",
    ), points)


def _solved(run):
    """100% accuracy now: converged once that has held, and the loss has not risen, over the
    last fifth of the run (a longer look than the window: a fast run can jump back out)."""
    history, points = run.history, run.points
    since = _streak_start(history)
    held = int(history.epochs[-1]) - since
    span = max(run.trained // 5, min(1, run.trained))
    tail = history.loss[-span - 1:]
    rises = int(np.count_nonzero(_real_rises(np.diff(tail), tail[:-1])))
    if span and rises / span >= OSCILLATING_UPS:
        return Verdict(Kind.OSCILLATING, "Oscillating, though every example is right now.", (
            f"Every example has been on the right side of 0.5 since epoch {since:,}, but the "
            f"loss rose on {rises:,} of the last {span:,} steps (now {number(run.end)}): steps "
            "this large can throw an example back across 0.5.",
            _smaller_steps(run.setting),
        ), points)
    undecided = [p for p in points if p.status == "undecided"]
    stable = 2 / run.setting.learning_rate
    sharp = run.curvature is not None and run.curvature > stable
    short = ([f"it has held only for the last {held:,} epochs"] if held < span else []) + (
        [f"the loss curves more sharply than steps of lr {run.setting.learning_rate:g} can "
         f"follow: its sharpest curvature is {run.curvature:.3g}, and gradient descent is "
         f"stable only below 2 / lr = {stable:.3g}, so the next steps can overshoot"]
        if sharp else []) + (
        [f"the loss rose on {rises:,} of the last {span:,} steps"] if rises else []) + (
        [f"{len(undecided)} of the outputs are within {UNDECIDED} of 0.5: "
         f"{_name_points(undecided)}"] if undecided else [])
    if short:
        return Verdict(Kind.IMPROVING, "Every example is right, but not yet steadily.", (
            f"Every example has been on the right side of 0.5 since epoch {since:,}, but "
            + "; ".join(short) + ".",
            f"This app calls a run converged once every example has been right, and the loss "
            f"has not risen, over the last fifth of its epochs ({span:,} here), with no output "
            f"within {UNDECIDED} of 0.5 and its steps stable.",
            CONTINUE,
        ), points)
    closest = min(points, key=lambda p: abs(p.output - 0.5))
    details = (f"Every example is on the right side of 0.5 since epoch {since:,}; final loss "
               f"{number(history.final_loss)}.",
               f"The least confident is {format_point(closest.inputs)} at "
               f"{closest.output:.3f} (target {closest.target}).")
    if run.curvature is not None:
        details += (f"The loss's sharpest curvature here is {run.curvature:.3g}, below 2 / lr "
                    f"= {stable:.3g}: steps of this size are stable.",)
    return Verdict(Kind.CONVERGED,
                   f"Converged: 100% accuracy at epoch {int(history.epochs[-1]):,}.",
                   details, points)


def _smaller_steps(setting):
    if setting.batch_size:
        return (f"With batches of {setting.batch_size}, each step follows one batch's gradient, "
                "so the whole set's loss can rise after a step; a lower learning rate than "
                f"{setting.learning_rate:g} makes each such step smaller.")
    return (f"Each full-batch step overshoots: try a learning rate of "
            f"{setting.learning_rate / 10:g}.")


def _misses(points):
    """Sentences naming the examples the network gets wrong or leaves undecided."""
    wrong = [p for p in points if p.status == "wrong"]
    undecided = [p for p in points if p.status == "undecided"]
    return ([f"Wrong: {_name_points(wrong)}."] if wrong else []) + (
        [f"Undecided (output within {UNDECIDED} of 0.5): {_name_points(undecided)}."]
        if undecided else [])


def _dead_layer(run, hidden_activations, start_hidden):
    """The verdict on a run with a hidden layer of dead ReLUs and no L2, else None."""
    setting = run.setting
    if setting.activation != "relu" or setting.l2:
        return None
    dead = dead_units(hidden_activations)
    layer = next((k for k, (count, a) in enumerate(zip(dead, hidden_activations))
                  if count == a.shape[1]), None)
    if layer is None:
        return None
    outputs = sorted({round(p.output, 3) for p in run.points})
    constant = (f"the network gives every input the same output ({outputs[0]:.3f})"
                if len(outputs) == 1 else "the network's output no longer depends on the input")
    details = [
        run.flat_sentence(),
        f"Every ReLU of hidden layer {layer + 1} outputs 0 on every training example (dead "
        f"units per hidden layer: {dead}): {constant}, no gradient reaches that layer or the "
        "ones before it, and with no L2 nothing else changes their weights. More epochs "
        "cannot change this.",
    ]
    dead_at_start = (len(start_hidden) > layer
                     and dead_units(start_hidden)[layer] == start_hidden[layer].shape[1])
    if dead_at_start:
        details.append("The layer was dead at epoch 0, before any step, so the learning rate "
                       "played no part: the initial weights give z ≤ 0 on every example. "
                       "Another seed draws other initial weights.")
    else:
        details.append(f"The layer was alive at epoch 0 and died during training: steps moved "
                       f"every unit's z below 0 on every example. A learning rate below "
                       f"{setting.learning_rate:g} takes smaller steps.")
    details.append("Sigmoid and tanh units cannot die: their derivative is never exactly 0.")
    return Verdict(Kind.STUCK, f"Stuck: every ReLU of hidden layer {layer + 1} is dead.",
                   (*details, *_misses(run.points)), run.points)


def _saturation(setting, hidden_activations):
    """A sentence on the sigmoid or tanh hidden units that pass back almost no gradient."""
    if setting.activation not in ("sigmoid", "tanh") or not hidden_activations:
        return []
    unit = ACTIVATIONS[setting.activation]
    peak = float(unit.f_prime(0.0, unit.f(0.0)))   # both slopes are steepest at z = 0
    saturated = total = 0
    for a in hidden_activations:
        slope = unit.f_prime(None, a)   # sigmoid's and tanh's slopes need only a = f(z)
        saturated += int(np.count_nonzero(np.all(slope < SATURATED * peak, axis=0)))
        total += a.shape[1]
    if not saturated:
        return []
    return [f"{saturated} of the {total} hidden units are saturated: their derivative is below "
            f"{SATURATED:.0%} of its peak on every training example, so they pass back almost "
            "no gradient."]


def _unsolved(run, hidden_activations, start_hidden):
    """The rules for a run that has neither diverged nor solved its task, in order."""
    setting, points, misses = run.setting, run.points, _misses(run.points)
    dead = _dead_layer(run, hidden_activations, start_hidden)
    if dead is not None:
        return dead

    if run.zero_gradient and setting.batch_size is None:
        return Verdict(Kind.STUCK, "Stuck: the gradient is exactly zero.", (
            run.flat_sentence(),
            "A full-batch step moves the weights by −lr times the gradient, which is exactly "
            "zero here: the next step changes nothing, nor the one after. More epochs cannot "
            "change this network.",
            *misses,
            *run.hopeless,
        ), points)

    loss = run.history.loss
    if run.rise_share >= OSCILLATING_UPS or run.rose_overall and run.rises:
        return Verdict(Kind.OSCILLATING, "Oscillating: the loss goes up as well as down.", (
            f"The loss started at {number(loss[0])} and ended at {number(run.end)}; it rose on "
            f"{run.rises:,} of the last {run.window:,} steps.",
            _smaller_steps(setting),
            *misses,
            *run.hopeless,
        ), points)

    if run.drop >= PLATEAU_DROP:
        return Verdict(Kind.IMPROVING, "Still improving: train more epochs.", (
            f"The loss fell {run.drop:.1%} over the last {_epochs(run.window)}, from "
            f"{number(run.start)} to {number(run.end)}: it has not levelled off yet.",
            *(run.hopeless or [CONTINUE]),
            *misses,
        ), points)

    saturation = _saturation(setting, hidden_activations)
    if not any(abs(p.output - 0.5) > COMMITTED for p in points):
        advice = ([f"A learning rate above {setting.learning_rate:g} takes larger steps; or "
                   "train more epochs."] if setting.learning_rate < 10 else ["Train more "
                                                                             "epochs."])
        return Verdict(Kind.CRAWLING, "Crawling: no output has picked a class yet.", (
            run.flat_sentence(),
            f"Every output lies between {0.5 - COMMITTED:g} and {0.5 + COMMITTED:g}.",
            *saturation,
            *(run.hopeless or [*advice, CONTINUE]),
            *misses,
        ), points)

    literature = [LITERATURE[setting.literature]] if setting.literature else []
    if run.rose_overall:
        return _plateau_above_start(run, misses)
    below = f", less than {PLATEAU_DROP:.0%}" if run.drop > 0 else ""
    return Verdict(Kind.PLATEAU, f"On a plateau: no progress for {_epochs(run.window)}.", (
        f"Over the last {_epochs(run.window)} the loss {_changed(run.drop)}{below} (now "
        f"{number(run.end)}), and the gradient norm is {run.grad_norm:.2g}. Whether it leaves "
        "this plateau later, the run cannot tell.",
        *misses,
        *saturation,
        *literature,
        *(run.hopeless or [CONTINUE]),
    ), points)


def _plateau_above_start(run, misses):
    """A loss that jumped above its start and then stayed flat: overshoot, then a plateau."""
    loss, setting = run.history.loss, run.setting
    not_above = np.flatnonzero(~_real_rises(loss - loss[0], loss[0]))
    above = int(run.history.epochs[not_above[-1] + 1])
    return Verdict(Kind.PLATEAU, f"On a plateau above the starting loss since epoch {above:,}.", (
        f"The loss started at {number(loss[0])}, first rose above that at epoch {above:,}, and "
        f"over the last {_epochs(run.window)} {_changed(run.drop)} (now {number(run.end)}; "
        f"gradient norm {run.grad_norm:.2g}).",
        f"Steps that overshoot can land in a flat region: try a learning rate of "
        f"{setting.learning_rate / 10:g}." if not setting.batch_size else _smaller_steps(setting),
        *misses,
        *run.hopeless,
    ), run.points)
