"""A training run kept in the session: the network, its history, its verdict, its pictures."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from itertools import count

import numpy as np

from network import MLP, XOR_X, XOR_Y, History, Snapshot
from plots import BoundaryRenderer, animated_png, legend_png
from tabs.controls import Config
from verdict import Verdict, judge

FRAMES = 21                          # decision-boundary snapshots per training segment
EXTENT = (-0.5, 1.5, -0.5, 1.5)      # the input plane shown around the XOR points
CHUNKS = 20                          # progress updates per training segment
_run_ids = count(1)


@dataclass
class Run:
    """One network trained from its seed, possibly in several segments ("Continue")."""

    config: Config                  # the settings it was trained with (epochs: the first segment)
    net: MLP                        # the network now (its final weights)
    history: History
    verdict: Verdict
    id: int = field(default_factory=lambda: next(_run_ids))
    frames: dict[int, bytes] = field(default_factory=dict)   # snapshot epoch -> PNG
    pictures: dict = field(default_factory=dict)              # anything drawn once per run

    def picture(self, key, draw):
        """`draw()` the first time `key` is asked for; the same bytes afterwards."""
        if key not in self.pictures:
            self.pictures[key] = draw()
        return self.pictures[key]

    @property
    def epochs(self):
        return int(self.history.epochs[-1])

    @property
    def snapshot_epochs(self):
        return sorted(self.history.snapshots)

    def network_at(self, epoch):
        """A copy of the network with the weights it had at a snapshot epoch."""
        snapshot = self.history.snapshots[epoch]
        twin = self.net.copy()
        twin.set_parameters(snapshot.weights, snapshot.biases, epoch)
        return twin


@cache
def renderer():
    """One renderer for every session: it only reads its pre-drawn axes."""
    return BoundaryRenderer(EXTENT)


@cache
def legend(kind):
    """The colour legends never change: draw each once per process."""
    return legend_png(kind)


def _snapshot_plan(first, epochs):
    return np.unique(np.linspace(first, first + epochs, FRAMES).round().astype(int)).tolist()


def _judge(config, net, history):
    forward = net.forward(XOR_X)
    hamey = (config.layer_sizes, config.activation, config.loss) == ((2, 2, 1), "sigmoid", "mse")
    return judge(history, XOR_X, XOR_Y, forward.output, config.learning_rate,
                 forward.activations[1:-1], config.activation, hamey)


def train(config, net=None, history=None, progress=None):
    """Train `config.epochs` epochs from `net` (a fresh network when None), in chunks.

    `progress(fraction, history_so_far)` is called after each chunk, so a page can show it live.
    """
    if net is None:
        net = MLP(config.layer_sizes, config.activation, config.loss, config.init, config.seed)
    plan = _snapshot_plan(net.epoch, config.epochs)
    chunk = max(1, -(-config.epochs // CHUNKS))
    done = 0
    while done < config.epochs:
        size = min(chunk, config.epochs - done)
        part = net.train(XOR_X, XOR_Y, config.learning_rate, size, snapshot_epochs=plan)
        history = part if history is None else history.then(part)
        done += size
        if part.diverged_at is not None:
            break
        if progress is not None:
            progress(done / config.epochs, history)
    if net.epoch not in history.snapshots:   # stopped early (diverged): keep where it stopped
        history.snapshots[net.epoch] = Snapshot(net.epoch, [w.copy() for w in net.weights],
                                                [b.copy() for b in net.biases])
    return net, history


def new_run(config, progress=None):
    net, history = train(config, progress=progress)
    return Run(config, net, history, _judge(config, net, history))


def continued(run, config, progress=None):
    """The run trained `config.epochs` more epochs from where it stopped."""
    net = run.net.copy()
    net, history = train(config, net, run.history, progress)
    return Run(run.config, net, history, _judge(config, net, history), frames=dict(run.frames))


def boundary_png(net):
    """The decision boundary of `net` over the shown input plane, rendered now (a few ms)."""
    boundary = renderer()
    with np.errstate(over="ignore", invalid="ignore"):   # a diverged run's huge weights
        outputs = net.predict(boundary.grid_points())
    return boundary.frame(outputs.reshape(boundary.resolution, boundary.resolution),
                          XOR_X, XOR_Y)


def render_frames(run):
    """Render every snapshot's decision boundary once; later calls reuse them."""
    for epoch in run.snapshot_epochs:
        if epoch not in run.frames:
            run.frames[epoch] = boundary_png(run.network_at(epoch))
    return run.frames


def animation(run):
    """All snapshots as one looping animated PNG, made on first use."""
    frames = render_frames(run)
    return run.picture("animation", lambda: animated_png([frames[e] for e in run.snapshot_epochs]))
