"""The measurements of docs/hyperparameters.md: every setting trained from every seed.

The document's numbers come from SEEDS; `measure(seeds=CHECK_SEEDS)` measures a second,
disjoint set, on which tests/test_docs.py checks the document's claims. A share of runs is a
`Share`, k of n, with its 95% Wilson score interval.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np

import data
from runs import DEFAULTS, Config, config
from sweeps import ManyRuns, train_many

SEEDS = tuple(range(200))                  # the document's seeds
CHECK_SEEDS = tuple(range(1000, 1200))     # the tests check the document's claims on these
EPOCHS = DEFAULTS.epochs
LONG = 4                                   # the long runs last LONG x EPOCHS epochs
LEARNING_RATES = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
RATE_SIZES = ((2, 2, 1), (2, 4, 1), (2, 8, 1))
SIZES = ((2, 2, 1), (2, 3, 1), (2, 4, 1), (2, 8, 1), (2, 4, 4, 1), (2, 8, 8, 8, 1))
ACTIVATION_SIZES = (2, 4, 1)
ACTIVATION_ROWS = (("sigmoid", "mse", "xavier"), ("sigmoid", "bce", "xavier"),
                   ("tanh", "mse", "xavier"), ("tanh", "bce", "xavier"),
                   ("relu", "mse", "xavier"), ("relu", "bce", "xavier"),
                   ("relu", "mse", "he"), ("relu", "bce", "he"))
SCENARIOS = (((2, 2, 1), 123), ((2, 2, 1), 42), ((2, 4, 1), 42))


def setting(layer_sizes, learning_rate=DEFAULTS.lr, activation=DEFAULTS.activation,
            loss=DEFAULTS.loss, init=DEFAULTS.init):
    """The run settings of one measured setting: the app's defaults but for what is named."""
    return config(arch=layer_sizes, lr=learning_rate, activation=activation, loss=loss,
                  init=init)


def train_setting(settings, epochs, seeds=SEEDS):
    """Every seed of `seeds` trained with `settings` on the four XOR points, at once."""
    return train_many(settings.layer_sizes, list(seeds), XOR_X, XOR_Y, settings.lr, epochs,
                      settings.activation, settings.loss, settings.init, settings.l2,
                      settings.batch)


def cost(settings, epochs, seeds):
    """A rough guess of the time `train_setting` takes, to start the slowest runs first."""
    sizes = settings.layer_sizes
    weights = sum(a * b for a, b in zip(sizes, sizes[1:]))
    return epochs * (len(sizes) + weights * (1 + len(seeds) / len(SEEDS)) / 16)


def wilson(successes, n, z=1.96):
    """The Wilson score interval (low, high) of the share successes / n; z = 1.96 gives 95%.

    Unlike the share ± z standard errors, it stays inside [0, 1] and is not empty at 0 of n
    or n of n: 0 of 200 gives (0, 0.0188)."""
    share, z2 = successes / n, z * z
    centre = (share + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(share * (1 - share) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Share:
    """`k` of `n` runs."""

    k: int
    n: int

    @property
    def value(self):
        return self.k / self.n

    @property
    def interval(self):
        """The 95% Wilson score interval of the share."""
        return wilson(self.k, self.n)


def share_of(mask):
    """The Share of True entries of a boolean array of runs."""
    return Share(int(np.count_nonzero(mask)), len(mask))


@dataclass(frozen=True)
class Outcome:
    """One setting trained from every seed for EPOCHS epochs; the runs that had neither reached
    100% accuracy nor diverged by then (`followed`, indices into the seeds) trained again for
    LONG x EPOCHS epochs. The others need no longer run: their first epoch at 100%, or their
    divergence, is already known."""

    setting: Config
    short: ManyRuns
    followed: np.ndarray
    long: ManyRuns | None

    @property
    def first_solved(self):
        """(seeds,) the first epoch at 100% accuracy within LONG x EPOCHS epochs, -1 if none."""
        first = self.short.solved_at.copy()
        if self.long is not None:
            first[self.followed] = self.long.solved_at
        return first

    @property
    def first_diverged(self):
        first = self.short.diverged_at.copy()
        if self.long is not None:
            first[self.followed] = self.long.diverged_at
        return first

    @property
    def solved(self):
        """The Share of runs whose final weights after EPOCHS are right on every example."""
        return share_of(self.short.solved)

    @property
    def solved_epochs(self):
        """The first epoch at 100% accuracy of each run solved after EPOCHS."""
        return self.short.solved_at[self.short.solved]

    @property
    def median_epochs(self):
        """The median first epoch at 100% accuracy, among the runs solved after EPOCHS."""
        first = self.solved_epochs
        return float(np.median(first)) if first.size else None

    def solved_by(self, epoch):
        """The Share of runs whose first epoch at 100% accuracy is at most `epoch`."""
        first = self.first_solved
        return share_of((first >= 0) & (first <= epoch))

    @property
    def reached_long(self):
        return self.solved_by(LONG * EPOCHS)

    @property
    def unsolved_mask(self):
        """The runs never at 100% accuracy within LONG x EPOCHS epochs, and not diverged."""
        return (self.first_solved < 0) & (self.first_diverged < 0)

    @property
    def unsolved(self):
        return share_of(self.unsolved_mask)

    @property
    def diverged(self):
        return share_of(self.first_diverged >= 0)

    @property
    def flickered(self):
        """Runs that were right on all four examples at some epoch, but not at the end."""
        return (self.short.solved_at >= 0) & ~self.short.solved

    def final_network(self, index, long=False):
        """Run `index` at its final weights, after EPOCHS or (if followed) LONG x EPOCHS."""
        runs, row = self.short, index
        if long:
            runs, row = self.long, int(np.searchsorted(self.followed, index))
            assert self.followed[row] == index
        net = self.setting.network(int(self.short.seeds[index]))
        net.set_parameters([W[row] for W in runs.weights], [b[row] for b in runs.biases])
        return net

    def loss_at(self, index, long=False):
        if not long:
            return float(self.short.final_loss[index])
        return float(self.long.final_loss[np.searchsorted(self.followed, index)])


@dataclass(frozen=True)
class Scenario:
    """One network trained with `MLP.train` at the defaults."""

    layer_sizes: tuple[int, ...]
    seed: int
    accuracy: float
    loss: float
    outputs: np.ndarray
    solved_at: int | None


def run_scenario(layer_sizes, seed):
    net = setting(layer_sizes).network(seed)
    history = net.train(XOR_X, XOR_Y, DEFAULTS.lr, EPOCHS)
    right = np.flatnonzero(history.accuracy == 1.0)
    return Scenario(layer_sizes, seed, history.final_accuracy, history.final_loss,
                    net.predict(XOR_X)[:, 0], int(history.epochs[right[0]]) if right.size else None)

XOR = data.make("xor")
XOR_X, XOR_Y = XOR.X, XOR.y


def _train(job):
    settings, epochs, seeds = job
    return train_setting(settings, epochs, seeds)


def all_settings():
    settings = [setting(sizes, rate) for sizes in RATE_SIZES for rate in LEARNING_RATES]
    settings += [setting(sizes) for sizes in SIZES]
    settings += [setting(ACTIVATION_SIZES, activation=activation, loss=loss, init=init)
                 for activation, loss, init in ACTIVATION_ROWS]
    return list(dict.fromkeys(settings))


@dataclass(frozen=True)
class Measurements:
    """Every setting's Outcome on one set of seeds, and the single runs."""

    outcomes: dict[Config, Outcome]
    scenarios: list[Scenario]
    seeds: tuple[int, ...] = SEEDS

    def __getitem__(self, setting):
        return self.outcomes[setting]


def _run_all(pool, jobs):
    """`_train` every job, the slowest first; the results in the order of `jobs`."""
    order = sorted(range(len(jobs)), key=lambda k: -cost(*jobs[k]))
    results = (pool.map if pool else map)(_train, [jobs[k] for k in order])
    by_job = dict(zip(order, results))
    return [by_job[k] for k in range(len(jobs))]


def measure(workers=None, seeds=SEEDS):
    """Train every setting of the document from every one of `seeds`; the slow part of the
    build. The document's numbers come from SEEDS; the tests measure a second, disjoint set."""
    seeds = tuple(seeds)
    settings = all_settings()
    workers = workers or os.cpu_count() or 1
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) if workers > 1 else nullcontext() as pool:
        short = _run_all(pool, [(s, EPOCHS, seeds) for s in settings])
        followed = [np.flatnonzero((r.solved_at < 0) & (r.diverged_at < 0)) for r in short]
        again = [(s, LONG * EPOCHS, tuple(seeds[i] for i in f))
                 for s, f in zip(settings, followed) if f.size]
        long = iter(_run_all(pool, again))
    outcomes = {s: Outcome(s, r, f, next(long) if f.size else None)
                for s, r, f in zip(settings, short, followed)}
    return Measurements(outcomes, [run_scenario(sizes, seed) for sizes, seed in SCENARIOS], seeds)
