"""Experiments on one setting, beyond one run (no Streamlit): how often it works over seeds
(`sweep`), how that depends on the architecture and the learning rate (`map_row`), and what
each optimizer does from the same initial weights (`race`). Every sentence here is built
from the numbers it describes."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

import runs
from formats import DIGITS, number, percent
from network import ACTIVATIONS, OPTIMIZERS, OUTPUT, History
from sweeps import ManyRuns, forward_many, sharpness_many, train_many
from verdict import Kind, judge

SWEEP_CHUNK = 200         # seeds trained in one train_many call; progress is told between calls
CURVE_POINTS = 201        # epochs of each seed's loss curve kept for drawing
Z95 = 1.959963984540054   # the normal quantile of a two-sided 95% interval
MAP_ARCHS = ("2-2-1", "2-3-1", "2-4-1", "2-8-1", "2-4-4-1")
MAP_RATES = (0.03, 0.1, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0)
OPTIMIZER_NAMES = {"sgd": "SGD", "momentum": "momentum", "nesterov": "Nesterov",
                   "rmsprop": "RMSprop", "adam": "Adam"}
RACE_SNAPSHOTS = 41       # weights kept along each optimizer's path, for the landscape


def wilson(successes, trials, z=Z95):
    """The Wilson score interval of a share, (low, high): unlike p ± z·√(p(1−p)/n), it stays
    inside [0, 1] and is not empty when the share is 0 or 1."""
    p, z2 = successes / trials, z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z / (1 + z2 / trials) * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials ** 2))
    # At 0 and at all, the bound on that side is exactly the share (rounding misses it).
    return (0.0 if successes == 0 else centre - half,
            1.0 if successes == trials else centre + half)


def _seeds(count):
    return f"{count:,} seed" + ("" if count == 1 else "s")


def _epochs(count):
    return f"{count:,} epoch" + ("" if count == 1 else "s")


def median_epoch(epochs):
    """The median of whole epochs, exactly: a whole number, or one and a half."""
    median = float(np.median(epochs))
    return f"{int(median):,}" if median.is_integer() else f"{median:,.1f}"


# --- the seed sweep --------------------------------------------------------------------------

@dataclass(frozen=True)
class Sweep:
    """One network per seed of one setting, each judged as the Training tab judges a run."""

    config: runs.Config          # the settings; its seed is not used
    seeds: np.ndarray            # (S,)
    kinds: tuple[Kind, ...]      # each seed's verdict, the one the Training tab gives it
    headlines: tuple[str, ...]   # and that verdict's headline
    accuracy: np.ndarray         # (S,) of the final weights
    final_loss: np.ndarray       # (S,)
    solved_at: np.ndarray        # (S,) first epoch with every example right, -1 if never
    diverged_at: np.ndarray      # (S,) -1 if it did not diverge
    curve_epochs: np.ndarray     # (m,) the epochs of `curves`
    curves: np.ndarray           # (m, S) each seed's loss there; NaN from its divergence on

    @property
    def solved(self):
        """Right on every training example at the last epoch (so not diverged before it)."""
        return (self.accuracy == 1.0) & (self.diverged_at < 0)

    def count(self, kind):
        return sum(k == kind for k in self.kinds)

    def index(self, seed):
        """The position of `seed`, or None if it was not swept."""
        where = np.flatnonzero(self.seeds == seed)
        return int(where[0]) if where.size else None

    def then(self, later):
        """This sweep followed by `later`, a sweep of more seeds of the same setting."""
        joined = {name: np.concatenate([getattr(self, name), getattr(later, name)])
                  for name in ("seeds", "accuracy", "final_loss", "solved_at", "diverged_at")}
        return Sweep(self.config, kinds=self.kinds + later.kinds,
                     headlines=self.headlines + later.headlines, curve_epochs=self.curve_epochs,
                     curves=np.concatenate([self.curves, later.curves], axis=1), **joined)


def sweep(config, seeds, dataset=None, progress=None):
    """`config` trained and judged for each of `seeds`, SWEEP_CHUNK seeds at a time; after
    each chunk `progress(the sweep so far)` is called."""
    train_set, test_set = runs.training_sets(config, dataset)
    seeds = np.asarray(list(seeds), dtype=int)
    done = None
    for start in range(0, len(seeds), SWEEP_CHUNK):
        part = _sweep_part(config, seeds[start:start + SWEEP_CHUNK], train_set, test_set)
        done = part if done is None else done.then(part)
        if progress is not None:
            progress(done)
    return done


def _sweep_part(config, seeds, train_set, test_set):
    tested = {} if test_set is None else {"X_test": test_set.X, "y_test": test_set.y}
    many = train_many(config.layer_sizes, seeds, train_set.X, train_set.y, config.lr,
                      config.epochs, config.activation, config.loss, config.init, config.l2,
                      config.batch, record=True, snapshot_epochs=[0], **tested)
    verdicts = _verdicts(config, many, train_set)
    curve_epochs = np.unique(np.linspace(0, config.epochs, CURVE_POINTS).round().astype(int))
    curves = many.recorded.loss[curve_epochs].copy()                      # (m, S)
    diverged = many.diverged_at >= 0
    curves[:, diverged] = np.where(curve_epochs[:, None] >= many.diverged_at[diverged],
                                   np.nan, curves[:, diverged])
    return Sweep(config, many.seeds, tuple(v.kind for v in verdicts),
                 tuple(v.headline for v in verdicts), many.accuracy, many.final_loss,
                 many.solved_at, many.diverged_at, curve_epochs, curves)


def _verdicts(config, many: ManyRuns, train_set):
    """Each entry judged as `runs` judges a run: from its history, its outputs and hidden
    activations at the final and initial weights, and, if solved, its curvature."""
    acts = [ACTIVATIONS[config.activation]] * (len(many.weights) - 1) + [OUTPUT]
    x = train_set.X[:, :, None]
    final = [np.moveaxis(W, 0, -1) for W in many.weights], \
        [np.moveaxis(b, 0, -1) for b in many.biases]
    with np.errstate(over="ignore", invalid="ignore"):
        _, now = forward_many(x, *final, acts)
        _, start = forward_many(x, *many.recorded.snapshots[0], acts)
    solved = np.flatnonzero((many.accuracy == 1.0) & (many.diverged_at < 0))
    curvature = dict(zip(solved, sharpness_many(
        config.layer_sizes, [W[solved] for W in many.weights], [b[solved] for b in many.biases],
        train_set.X, train_set.y, config.activation, config.loss, config.l2))) \
        if solved.size else {}
    setting = runs.setting(config, train_set)
    return [judge(many.history(i), train_set.X, train_set.y, now[-1][:, :, i], setting,
                  [a[:, :, i] for a in now[1:-1]], [a[:, :, i] for a in start[1:-1]],
                  curvature.get(i))
            for i in range(len(many.seeds))]


def sweep_sentences(result):
    """What the sweep found, in sentences computed from it."""
    total, solved = len(result.seeds), int(result.solved.sum())
    low, high = wilson(solved, total)
    epochs = f"{result.config.epochs:,}"
    said = [f"{solved:,} of {_seeds(total)} ({percent(solved / total)}) "
            f"{'is' if solved == 1 else 'are'} right on every training example at epoch "
            f"{epochs}; over all seeds, the share lies between {percent(low)} and "
            f"{percent(high)} (95% Wilson interval)."]
    reached = result.solved_at[result.solved_at >= 0]
    lost = int(((result.solved_at >= 0) & ~result.solved).sum())
    if reached.size == 1:
        said.append(f"The one that ever reached 100% did so at epoch {int(reached[0]):,}"
                    + (f"; it is no longer right everywhere at epoch {epochs}." if lost
                       else "."))
    elif reached.size:
        said.append(f"The {reached.size:,} that ever reached 100% did so at a median of epoch "
                    f"{median_epoch(reached)} (the first at {int(reached.min()):,}, the "
                    f"last at {int(reached.max()):,}).")
        if lost:
            said.append(f"{lost:,} of them {'is' if lost == 1 else 'are'} no longer right "
                        f"everywhere at epoch {epochs}.")
    return said


def seed_sentence(result, seed):
    """Where `seed` falls among the swept seeds, or None if it was not swept."""
    i = result.index(seed)
    if i is None:
        return None
    kind, total = result.kinds[i], len(result.seeds)
    alike = result.count(kind)
    if alike == total:
        return f"Every one of the {_seeds(total)}, seed {seed:,} too, has the verdict " \
               f"“{kind}”: {result.headlines[i]}"
    others = "the only one" if alike == 1 else f"one of the {alike:,}"
    return (f"Seed {seed:,} is {others} of {_seeds(total)} whose verdict is "
            f"“{kind}”: {result.headlines[i]}")


# --- the reliability map ----------------------------------------------------------------------

@dataclass(frozen=True)
class MapRow:
    """One architecture of the reliability map: every rate x every seed."""

    arch: str
    rates: tuple[float, ...]
    seeds: np.ndarray        # (N,)
    solved: np.ndarray       # (R, N) right on every training example at the last epoch
    solved_at: np.ndarray    # (R, N) first epoch at 100%, -1 if never
    diverged_at: np.ndarray  # (R, N)
    final_loss: np.ndarray   # (R, N)


def map_row(config, arch, count, rates=MAP_RATES, dataset=None):
    """`config` with architecture `arch` at each of `rates`, for seeds 0 to count - 1: one
    train_many call for the whole row (the rates ride along the seeds)."""
    train_set, _ = runs.training_sets(config, dataset)
    shaped = config.replace(arch=arch)
    seeds = np.arange(count)
    many = train_many(shaped.layer_sizes, np.tile(seeds, len(rates)), train_set.X, train_set.y,
                      np.repeat(np.asarray(rates, dtype=float), count), config.epochs,
                      config.activation, config.loss, config.init, config.l2, config.batch)

    def grid(values):
        return values.reshape(len(rates), count)

    solved = many.solved & (many.diverged_at < 0)   # a diverged seed never got to the end
    return MapRow(shaped.arch, tuple(rates), seeds, grid(solved), grid(many.solved_at),
                  grid(many.diverged_at), grid(many.final_loss))


def map_sentences(rows, epochs):
    """The map's best cells and its spread, in sentences."""
    shares = np.array([row.solved.mean(axis=1) for row in rows])     # (A, R)
    count = len(rows[0].seeds)
    best = shares.max()
    if best == 0:
        return [f"In no cell is any of the {_seeds(count)} right on every training example at "
                f"epoch {epochs:,}."]
    cells = [f"{row.arch} at lr {rate:g}" for row, line in zip(rows, shares)
             for rate, share in zip(row.rates, line) if share == best]
    shown = ", ".join(cells[:4]) + (f" and {len(cells) - 4} more" if len(cells) > 4 else "")
    solved = round(best * count)
    said = [f"The most reliable: {shown}, where {solved:,} of {_seeds(count)} "
            f"{'is' if solved == 1 else 'are'} right everywhere at epoch {epochs:,}."]
    never = int((shares == 0).sum())
    if never:
        said.append(f"In {never} of the {shares.size} cells no seed is.")
    return said


# --- optimizers from the same start ----------------------------------------------------------

@dataclass(frozen=True)
class Race:
    """Every optimizer trained from one seed's initial weights, with the same batch order."""

    config: runs.Config
    learning_rate: float
    names: tuple[str, ...]        # keys of network.OPTIMIZERS
    histories: tuple[History, ...]
    solved_at: np.ndarray         # (O,) first epoch at 100%, -1 if never
    accuracy: np.ndarray          # (O,) at the end
    diverged_at: np.ndarray       # (O,)


def race(config, learning_rate=None, dataset=None):
    """Each optimizer from `config`'s seed at `learning_rate` (the config's, if None); the
    equal seeds give equal initial weights and, with mini-batches, equal batch orders."""
    train_set, _ = runs.training_sets(config, dataset)
    rate = config.lr if learning_rate is None else learning_rate
    names = tuple(OPTIMIZERS)
    kept = np.unique(np.linspace(0, config.epochs, RACE_SNAPSHOTS).round().astype(int))
    many = train_many(config.layer_sizes, [config.seed] * len(names), train_set.X, train_set.y,
                      rate, config.epochs, config.activation, config.loss, config.init,
                      config.l2, config.batch, optimizer=list(names), record=True,
                      snapshot_epochs=kept)
    return Race(config, float(rate), names, tuple(many.history(i) for i in range(len(names))),
                many.solved_at, many.accuracy, many.diverged_at)


def _listing(names):
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def race_sentences(result):
    """Which optimizers solved the task and when, in sentences."""
    names = [OPTIMIZER_NAMES[name] for name in result.names]
    order = sorted((int(at), name) for at, name in zip(result.solved_at, names) if at >= 0)
    start = (f"From seed {result.config.seed:,}'s initial weights at learning rate "
             f"{result.learning_rate:g}")
    within = _epochs(result.config.epochs)
    if not order:
        said = [f"{start}, no optimizer got every example right within {within}."]
    elif order[0][0] == 0:   # one start for all: right at epoch 0 for one is right for all
        said = [f"{start}, every example is already right at epoch 0, before any update, "
                "for every optimizer alike."]
    elif len(order) == 1:
        said = [f"{start}, only {order[0][1]} got every example right, at epoch "
                f"{order[0][0]:,}."]
    else:
        first_at, first = order[0]
        ties = [name for at, name in order if at == first_at]
        then = ", ".join(f"{name} ({at:,})" for at, name in order if at != first_at)
        said = [f"{start}, {_listing(ties)} got every example right first, at epoch "
                f"{first_at:,}" + (f"; then {then}." if then else ".")]
    never = [name for at, name, d in zip(result.solved_at, names, result.diverged_at)
             if at < 0 and d < 0]
    if never and order:
        said.append(_capital(f"{_listing(never)} did not within {within}."))
    for name, history in zip(names, result.histories):
        if history.diverged_at is not None:
            said.append(_capital(f"{name} diverged at epoch {history.diverged_at:,}."))
    for name, at, accuracy in zip(names, result.solved_at, result.accuracy):
        if at >= 0 and accuracy < 1:
            said.append(_capital(f"{name} lost it again: {percent(accuracy)} right at the "
                                 "end."))
    finals = [h.final_loss for h in result.histories]
    shown = number(min(finals))
    lowest = [name for name, loss in zip(names, finals) if number(loss) == shown]
    if len(lowest) == 1:
        said.append(f"The lowest final loss is {lowest[0]}'s, {shown}.")
    else:   # to the digits shown, several share it: name them all
        said.append(f"The lowest final loss, {shown} to {DIGITS} significant digits, is "
                    f"{_listing(lowest)}'s.")
    return said


def _capital(sentence):
    return sentence[0].upper() + sentence[1:]
