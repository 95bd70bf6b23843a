"""A training run and every setting it depends on; no Streamlit.

`Config` holds every setting, each named by its key in the page's link; `config()` builds
one from link-style keywords and says what to change when a value is bad. `train(config)`
makes the data, trains a network and judges the result: a `Run`. `extend(run, epochs)`
continues it from its current weights.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from secrets import randbits
from urllib.parse import urlencode

import numpy as np

import data
from data import Dataset
from network import ACTIVATIONS, INITS, LOSSES, MLP, History, sharpness
from verdict import Kind, Setting, Verdict, judge

MAX_HIDDEN_LAYERS = 4
MAX_NEURONS = 8
MAX_EPOCHS = 50_000
MAX_SEED = 2**31 - 1
MAX_L2 = 1.0
MAX_TEST_SHARE = 0.5
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128)   # besides the full batch (None)
UPLOAD = "csv"        # the `dataset` of a run on an uploaded file
FRAMES = 21           # decision-boundary snapshots per training segment
CHUNKS = 20           # progress updates per training segment, at least
CHUNK_SECONDS = 0.04  # and at most about this long between them
FIRST_CHUNK = 100     # epochs, before the speed of this network is known
LIVE_AFTER = 0.3      # CPU seconds of training before the first live frame
LIVE_EVERY = 0.15     # CPU seconds of training between live frames


def parse_architecture(text):
    """'2-4-1' -> (2, 4, 1); a ValueError says what to write instead."""
    example = "write the layer sizes joined by dashes, e.g. 2-4-1 or 2-8-8-1"
    parts = [part.strip() for part in str(text).strip().split("-")]
    if not all(part.isascii() and part.isdigit() for part in parts) or len(parts) < 2:
        raise ValueError(f"“{text}” is not an architecture: {example}.")
    sizes = tuple(int(part) for part in parts)
    hidden = sizes[1:-1]
    if sizes[0] != 2:
        raise ValueError(f"“{text}” must start with 2: the network has two inputs, x₁ and x₂.")
    if sizes[-1] != 1:
        raise ValueError(f"“{text}” must end with 1: the network has one output unit.")
    if not 1 <= len(hidden) <= MAX_HIDDEN_LAYERS:
        raise ValueError(f"“{text}” has {len(hidden)} hidden layers; use 1 to "
                         f"{MAX_HIDDEN_LAYERS}, e.g. 2-4-1 or 2-8-8-1.")
    if 0 in hidden:
        raise ValueError(f"“{text}”: every hidden layer needs 1 to {MAX_NEURONS} neurons; "
                         "a layer of 0 neurons would cut the network in two.")
    if max(hidden) > MAX_NEURONS:
        raise ValueError(f"“{text}”: every hidden layer needs 1 to {MAX_NEURONS} neurons; "
                         f"{max(hidden)} is more than this playground draws.")
    return sizes


@dataclass(frozen=True)
class Config:
    """Every setting of a run, each named by its key in the page's link."""

    arch: str = "2-4-1"
    activation: str = "sigmoid"
    loss: str = "mse"
    init: str = "xavier"
    lr: float = 0.3
    epochs: int = 5000
    seed: int = 123
    dataset: str = data.DEFAULT
    points: int = 200
    noise: float = 0.0
    test_share: float = 0.0
    data_seed: int = 0
    batch: int | None = None   # None: full batch
    l2: float = 0.0

    @property
    def layer_sizes(self):
        return parse_architecture(self.arch)

    def network(self, seed=None):
        """A fresh network with these settings (from `seed` instead, if given)."""
        return MLP(self.layer_sizes, self.activation, self.loss, self.init,
                   self.seed if seed is None else seed, self.l2)

    def replace(self, **changes):
        """This config with some settings changed, checked like `config()`."""
        return config(**{**dataclasses.asdict(self), **changes})

    def relevant(self):
        """The settings that change what a run computes, besides its epochs."""
        ignored = {"epochs"}
        if self.dataset in data.FIXED:
            ignored |= {"points", "noise"} | ({"data_seed"} if not self.test_share else set())
        return tuple((f.name, getattr(self, f.name)) for f in dataclasses.fields(self)
                     if f.name not in ignored)

    def same_run(self, other):
        """True if `other` trains the same run (only the epoch count may differ)."""
        return self.relevant() == other.relevant()

    def differences(self, other):
        """(key, this value, other value) for every setting that matters to both runs and
        differs (a dataset change says the rest: its points, say, may not apply to both)."""
        mine, theirs = dict(self.relevant()), dict(other.relevant())
        return [(key, mine[key], theirs[key]) for key in mine
                if key in theirs and mine[key] != theirs[key]]


DEFAULTS = Config()
KEYS = tuple(f.name for f in dataclasses.fields(Config))


def _number(key, value, low, high, whole=False, example=None):
    text = f"{key}={example if example is not None else getattr(DEFAULTS, key)}"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise ValueError(f"{key} must be a number, e.g. {text}")
    if not math.isfinite(value) or not low <= value <= high or (whole and value != int(value)):
        kind, shown = ("a whole number", "{:,}") if whole else ("a number", "{:g}")
        raise ValueError(f"{key} must be {kind} from {shown.format(low)} to "
                         f"{shown.format(high)}, e.g. {text}")
    return int(value) if whole else float(value)


def _choice(key, value, choices):
    if value not in choices:
        raise ValueError(f"{key} must be one of {', '.join(choices)}")
    return value


def config(**settings):
    """A Config from link-style keywords, defaults for the rest; a ValueError says what to
    change. `arch` may be text ('2-2-1') or layer sizes ((2, 2, 1))."""
    unknown = sorted(set(settings) - set(KEYS))
    if unknown:
        raise ValueError(f"Unknown setting {', '.join(unknown)}: use {', '.join(KEYS)}.")
    values = {**dataclasses.asdict(DEFAULTS), **settings}
    arch = values["arch"]
    if not isinstance(arch, str):
        arch = "-".join(str(size) for size in arch)
    arch = "-".join(map(str, parse_architecture(arch)))
    lr = _number("lr", values["lr"], 0.0, math.inf)
    if lr <= 0:
        raise ValueError("lr must be a number > 0, e.g. lr=0.3")
    batch = values["batch"]
    batch = None if batch is None else _number("batch", batch, 1, data.MAX_POINTS, whole=True,
                                                example=32)
    return Config(
        arch=arch,
        activation=_choice("activation", values["activation"], ACTIVATIONS),
        loss=_choice("loss", values["loss"], LOSSES),
        init=_choice("init", values["init"], INITS),
        lr=lr,
        epochs=_number("epochs", values["epochs"], 1, MAX_EPOCHS, whole=True),
        seed=_number("seed", values["seed"], 0, MAX_SEED, whole=True),
        dataset=_choice("dataset", values["dataset"], (*data.NAMES, UPLOAD)),
        points=_number("points", values["points"], data.MIN_POINTS, data.MAX_POINTS, whole=True),
        noise=_number("noise", values["noise"], 0.0, data.MAX_NOISE),
        test_share=_number("test_share", values["test_share"], 0.0, MAX_TEST_SHARE),
        data_seed=_number("data_seed", values["data_seed"], 0, MAX_SEED, whole=True),
        batch=batch,
        l2=_number("l2", values["l2"], 0.0, MAX_L2),
    )


def from_link(key, text):
    """A link's text for `key` as a setting's value; a ValueError says what is wrong."""
    text = str(text).strip()
    if key in ("arch", "activation", "loss", "init", "dataset"):
        value = text
    elif key == "batch":
        value = None if text in ("", "full") else _parse_number(key, text)
    else:
        value = _parse_number(key, text)
    return getattr(config(**{key: value}), key)


def _parse_number(key, text):
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{key} must be a number, e.g. {key}={getattr(DEFAULTS, key)}") from None
    whole = not isinstance(getattr(DEFAULTS, key), float)   # lr, noise, test_share, l2 are not
    return int(value) if whole and value.is_integer() else value


def to_link(config):
    """The link's text of every setting."""
    return {key: _link_text(getattr(config, key)) for key in KEYS}


CLASS_VARIES = ("seed", "data_seed", "dataset")


def class_links(config, students, vary="seed", first=0, lock=(), hide=()):
    """One link query per student: `config` with `vary` set to first, first + 1, ... (a
    seed or data seed), or for "dataset" to the datasets in turn from data.NAMES[first];
    with the teacher's `lock` and `hide` lists. -> [(student, value, query)]"""
    if vary not in CLASS_VARIES:
        raise ValueError(f"vary must be one of {', '.join(CLASS_VARIES)}")
    if config.dataset == UPLOAD:
        raise ValueError("A link cannot carry an uploaded file: choose a generated dataset "
                         "for the class, or share the file with the students.")
    limits = {"lock": ",".join(lock), "hide": ",".join(hide)}
    links = []
    for student in range(1, students + 1):
        value = first + student - 1
        if vary == "dataset":
            value = data.NAMES[value % len(data.NAMES)]
        settings = {**to_link(config.replace(**{vary: value})),
                    **{key: text for key, text in limits.items() if text}}
        links.append((student, value, urlencode(settings, safe=",")))
    return links


def _link_text(value):
    if value is None:
        return "full"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@lru_cache(maxsize=64)
def datasets(config):
    """The training and test sets of a config (None: no test set); read-only, shared."""
    made = data.make(config.dataset, config.points, config.noise, config.data_seed)
    return data.split(made, config.test_share, config.data_seed)


def training_sets(config, dataset=None):
    """The training and test sets of `config`, of the uploaded `dataset` if one is given."""
    if dataset is None:
        return datasets(config)
    return data.split(dataset, config.test_share, config.data_seed)


@dataclass(frozen=True)
class Preset:
    """A one-click experiment; tests check that the run shows what `text` says."""

    key: str
    title: str
    text: str
    settings: dict
    expected: Kind   # the verdict the text promises


PRESETS = (
    Preset("seed_123", "Seed 123 converges",
           "A 2-2-1 network at learning rate 0.3 from seed 123 solves XOR.",
           {"arch": "2-2-1", "seed": 123}, Kind.CONVERGED),
    Preset("seed_42", "Seed 42 stalls on a plateau",
           "The same 2-2-1 network from seed 42 stalls on a plateau with two inputs undecided.",
           {"arch": "2-2-1", "seed": 42}, Kind.PLATEAU),
    Preset("rescue_42", "Four hidden neurons rescue seed 42",
           "Seed 42 again, but with 2-4-1: the wider network solves XOR.",
           {"arch": "2-4-1", "seed": 42}, Kind.CONVERGED),
    Preset("lr_high", "A learning rate that is too high",
           "tanh, cross-entropy, learning rate 10: each step overshoots, the loss jumps up and "
           "down and ends above where it started.",
           {"arch": "2-4-1", "seed": 123, "activation": "tanh", "loss": "bce", "lr": 10.0},
           Kind.OSCILLATING),
    Preset("relu_dead", "ReLUs that die",
           "ReLU hidden units at learning rate 10: the steps push every unit's input below 0 "
           "on all four points, so each outputs 0 and passes back no gradient: stuck for good.",
           {"arch": "2-4-1", "seed": 123, "activation": "relu", "lr": 10.0}, Kind.STUCK),
    Preset("lr_low", "A learning rate that is too low",
           "Learning rate 0.01: after 5,000 epochs every output is still near 0.5.",
           {"arch": "2-4-1", "seed": 123, "lr": 0.01}, Kind.CRAWLING),
)


@dataclass
class Run:
    """One network trained from its seed, possibly in several segments (`extend`)."""

    config: Config                  # the settings it was trained with (epochs: the first segment)
    data: Dataset                   # what it trains on
    test: Dataset | None            # held out, or None
    source: Dataset | None          # the uploaded file's points, None for generated data
    net: MLP                        # the network now (its final weights)
    history: History
    verdict: Verdict
    # Random, not counted: runs trained in worker processes must not share an id.
    id: int = field(default_factory=lambda: randbits(62))
    pictures: dict = field(default_factory=dict)   # anything drawn once per run

    def continues(self, config, dataset=None):
        """True if `config` (on `dataset`, an uploaded file's) would train this same run."""
        return self.config.same_run(config) and dataset is self.source

    def picture(self, key, draw):
        """`draw()` the first time `key` is asked for; the same result afterwards."""
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
        twin.set_parameters(snapshot.weights, snapshot.biases, epoch, snapshot.batch_state,
                            snapshot.optimizer_state)
        return twin



# --- downloads: a run written out, so it can be kept, shared or loaded elsewhere ---------------

def network_json(run):
    """The trained network as JSON text: its settings, weights and biases (row i of a weight
    matrix is input i, column j neuron j, as in `MLP.weights`), and its final metrics. Floats
    are written in full, so the weights load back bit for bit."""
    history = run.history
    metrics = {"epoch": int(history.epochs[-1]), "loss": history.final_loss,
               "accuracy": history.final_accuracy}
    if history.test_loss is not None:
        metrics |= {"test_loss": float(history.test_loss[-1]),
                    "test_accuracy": float(history.test_accuracy[-1])}
    metrics = {key: value if math.isfinite(value) else None for key, value in metrics.items()}
    document = {
        "settings": dataclasses.asdict(run.config),
        "layer_sizes": list(run.net.layer_sizes),
        "data": {"name": run.data.name, "training_points": run.data.n,
                 "test_points": 0 if run.test is None else run.test.n},
        "weights": [W.tolist() for W in run.net.weights],
        "biases": [b.tolist() for b in run.net.biases],
        "final": metrics,
        "verdict": {"kind": str(run.verdict.kind), "headline": run.verdict.headline},
    }
    return json.dumps(document, indent=1, allow_nan=False)


def history_csv(run):
    """The recorded history as CSV text: one row per epoch, the loss, the accuracy, each layer's
    gradient norm, and the test set's loss and accuracy when there is one."""
    history = run.history
    columns = {"epoch": history.epochs, "loss": history.loss, "accuracy": history.accuracy}
    for layer in range(history.grad_norms.shape[1]):
        columns[f"grad_norm_layer_{layer + 1}"] = history.grad_norms[:, layer]
    if history.test_loss is not None:
        columns |= {"test_loss": history.test_loss, "test_accuracy": history.test_accuracy}
    lines = [",".join(columns)]
    lines += [",".join(repr(float(v)) if name != "epoch" else str(int(v))
                       for name, v in zip(columns, row))
              for row in zip(*columns.values())]
    return "\n".join(lines) + "\n"

def _snapshot_plan(first, epochs):
    return np.unique(np.linspace(first, first + epochs, FRAMES).round().astype(int)).tolist()


# The networks whose error surface the literature describes, by verdict.LITERATURE key: only
# sigmoid hidden units, squared error, full batch, no L2, on the four XOR points.
STUDIED = {(2, 2, 1): "hamey", (2, 3, 1): "2-3-1"}


def literature(config, train_set):
    """The verdict.LITERATURE key that applies to this exact run, or None."""
    if (config.activation, config.loss, config.l2, config.batch) != ("sigmoid", "mse", 0.0,
                                                                      None):
        return None
    return STUDIED.get(config.layer_sizes) if data.is_classic_xor(train_set) else None


def setting(config, train_set):
    """How `config` trains on `train_set`, as the verdict's words depend on it."""
    return Setting(config.lr, config.activation, config.init, config.l2, config.batch,
                   literature(config, train_set))


def _judge(config, train_set, net, history):
    forward = net.forward(train_set.X)
    start = config.network().forward(train_set.X)
    solved = history.final_accuracy == 1.0 and history.diverged_at is None
    curvature = sharpness(net, train_set.X, train_set.y) if solved else None
    return judge(history, train_set.X, train_set.y, forward.output,
                 setting(config, train_set), forward.activations[1:-1], start.activations[1:-1],
                 curvature)


@dataclass(frozen=True)
class Progress:
    """How far a training has come, handed to `progress` after every chunk of epochs."""

    fraction: float                   # of the epochs asked for
    history: History                  # recorded so far
    run: Callable[..., Run]           # run(judged=True): the run as it stands when called


def _segment(config, train_set, test_set, source, net, epochs, history=None, progress=None,
             pictures=None):
    """Train `net` `epochs` more epochs in chunks; returns the Run. After each chunk,
    `progress(Progress)` is called. Chunks last about CHUNK_SECONDS, so that a page can redraw
    several times a second; the epochs trained do not depend on how they are chunked."""
    plan = _snapshot_plan(net.epoch, epochs)
    most = max(1, -(-epochs // CHUNKS))
    tested = {} if test_set is None else {"X_test": test_set.X, "y_test": test_set.y}
    start_history = history

    def so_far(judged=True):
        if history is start_history:   # nothing trained yet
            return None
        twin = net.copy()
        recorded = dataclasses.replace(history, snapshots={**history.snapshots,
                                                           twin.epoch: twin.snapshot()})
        verdict = _judge(config, train_set, twin, recorded) if judged else None
        return Run(config, train_set, test_set, source, twin, recorded, verdict,
                   pictures=dict(pictures or {}))

    done, size = 0, min(most, FIRST_CHUNK)
    while done < epochs:
        size = min(size, epochs - done)
        started = time.perf_counter()
        part = net.train(train_set.X, train_set.y, config.lr, size, batch_size=config.batch,
                         snapshot_epochs=plan, **tested)
        seconds = time.perf_counter() - started
        history = part if history is None else history.then(part)
        done += size
        if part.diverged_at is not None:
            break
        if progress is not None:
            progress(Progress(done / epochs, history, so_far))
        size = min(most, max(1, round(size * CHUNK_SECONDS / max(seconds, 1e-6))))
    return so_far()


def train(config, progress=None, dataset=None):
    """A new run of `config`; `dataset` (an uploaded file's) replaces the generated data."""
    train_set, test_set = training_sets(config, dataset)
    return _segment(config, train_set, test_set, dataset, config.network(), config.epochs,
                    progress=progress)


def live_frames(draw, after=LIVE_AFTER, every=LIVE_EVERY):
    """A `progress` for train and extend that calls `draw(progress)` once the training has
    used `after` seconds of its thread's CPU time, then every `every` seconds of it: a busy
    machine draws no more frames per run than an idle one, and a shorter run none."""
    drawn = time.thread_time() + after - every

    def progress(now):
        nonlocal drawn
        if time.thread_time() - drawn >= every:
            draw(now)
            drawn = time.thread_time()
    return progress


def judged(run):
    """`run` with its verdict (a run drawn live has none yet)."""
    if run.verdict is not None:
        return run
    return dataclasses.replace(run, verdict=_judge(run.config, run.data, run.net, run.history))


def without_pictures(run):
    """`run` without what was drawn of it (to send it to another process cheaply)."""
    return dataclasses.replace(run, pictures={})


def kept_pictures(run):
    """What a longer run keeps of `run`'s pictures (see `extend`)."""
    return {key: value for key, value in run.pictures.items() if _still_true(key)}


def _still_true(picture_key):
    """Pictures a longer run keeps: the point markers, and what was drawn of an epoch."""
    return picture_key == "marks" or (isinstance(picture_key, tuple)
                                      and picture_key[0] in ("frame", "range", "diagram"))


def extend(run, epochs=None, progress=None):
    """The run trained `epochs` more epochs (its config's, if None) from where it stopped."""
    epochs = run.config.epochs if epochs is None else epochs
    return _segment(run.config, run.data, run.test, run.source, run.net.copy(), epochs,
                    run.history, progress, kept_pictures(run))


def untrained(config, dataset=None):
    """The run before any training: the network of `config` at epoch 0 on its data, with no
    verdict. Cached for generated data, so that every page showing the defaults shares it."""
    if dataset is None:
        return _untrained(config.replace(epochs=DEFAULTS.epochs))
    return _before_training(config, *data.split(dataset, config.test_share, config.data_seed),
                            dataset)


@lru_cache(maxsize=64)
def _untrained(config):
    return _before_training(config, *datasets(config), None)


def _before_training(config, train_set, test_set, source):
    net = config.network()
    tested = {} if test_set is None else {"X_test": test_set.X, "y_test": test_set.y}
    # One epoch trained on a copy records epoch 0 (the row before any update) exactly as a
    # run records it; the network itself stays untouched.
    first = net.copy().train(train_set.X, train_set.y, config.lr, 1, batch_size=config.batch,
                             **tested)
    row = slice(0, 1)
    history = History(first.epochs[row], first.loss[row], first.accuracy[row],
                      first.grad_norms[row], {0: net.snapshot()}, None,
                      None if test_set is None else first.test_loss[row],
                      None if test_set is None else first.test_accuracy[row])
    return Run(config, train_set, test_set, source, net, history, None)
