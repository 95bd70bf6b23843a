"""The sidebar: widgets -> one frozen Config, kept in sync with the page's link."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import streamlit as st

from network import ACTIVATIONS, DEFAULTS, INITS, LOSSES

ARCH_PRESETS = ("2-2-1", "2-4-1", "2-8-1")
MAX_HIDDEN_LAYERS = 4
MAX_NEURONS = 8
MAX_EPOCHS = 50_000
MAX_SEED = 2**31 - 1
LEARNING_RATES = (0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5,
                  1.0, 2.0, 3.0, 5.0, 10.0)
LINKED_KEYS = ("arch", "lr", "epochs", "seed", "activation", "loss", "init")
DEFAULT_ARCH = "-".join(map(str, DEFAULTS.layer_sizes))


@dataclass(frozen=True)
class Config:
    """Everything a run depends on."""

    layer_sizes: tuple[int, ...]
    activation: str
    loss: str
    init: str
    learning_rate: float
    epochs: int
    seed: int

    @property
    def arch(self):
        return "-".join(str(size) for size in self.layer_sizes)

    def same_network(self, other):
        """True if `other` trains the same network (only the epoch count may differ)."""
        return (self.layer_sizes, self.activation, self.loss, self.init, self.learning_rate,
                self.seed) == (other.layer_sizes, other.activation, other.loss, other.init,
                               other.learning_rate, other.seed)


DEFAULT_VALUES = {
    "arch": DEFAULT_ARCH, "lr": DEFAULTS.learning_rate, "epochs": DEFAULTS.epochs,
    "seed": DEFAULTS.seed, "activation": DEFAULTS.activation, "loss": DEFAULTS.loss,
    "init": DEFAULTS.init,
}


@dataclass(frozen=True)
class Preset:
    """A one-click experiment; tests check that the run shows what `text` says."""

    key: str
    title: str
    text: str
    settings: dict
    expected: str   # the verdict kind the text promises


PRESETS = (
    Preset("seed_123", "Seed 123 converges",
           "A 2-2-1 network at learning rate 0.3 from seed 123 solves XOR.",
           {"arch": "2-2-1", "seed": 123}, "converged"),
    Preset("seed_42", "Seed 42 gets stuck",
           "The same 2-2-1 network from seed 42 stalls on a plateau with two inputs undecided.",
           {"arch": "2-2-1", "seed": 42}, "stuck"),
    Preset("rescue_42", "Four hidden neurons rescue seed 42",
           "Seed 42 again, but with 2-4-1: the wider network solves XOR.",
           {"arch": "2-4-1", "seed": 42}, "converged"),
    Preset("lr_high", "A learning rate that is too high",
           "tanh, cross-entropy, learning rate 10: each step overshoots, the loss jumps up and "
           "down and ends above where it started.",
           {"arch": "2-4-1", "seed": 123, "activation": "tanh", "loss": "bce", "lr": 10.0},
           "oscillating"),
    Preset("lr_low", "A learning rate that is too low",
           "Learning rate 0.01: after 5,000 epochs every output is still near 0.5.",
           {"arch": "2-4-1", "seed": 123, "lr": 0.01}, "crawling"),
)


def apply_preset(preset):
    """Set the sidebar to the preset (defaults for what it leaves out) and ask for a run."""
    for key, value in {**DEFAULT_VALUES, **preset.settings}.items():
        st.session_state[key] = value
    st.session_state["arch_preset"] = None
    st.session_state["_train_requested"] = True


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


def nearest_learning_rate(value):
    """The slider's learning rate closest to `value` on a log scale."""
    return min(LEARNING_RATES, key=lambda lr: abs(math.log(lr) - math.log(value)))


def _from_link(key, text):
    """A link's value for `key` as the widget wants it; a ValueError says what is wrong."""
    if key == "arch":
        parse_architecture(text)
        return text
    if key == "lr":
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value > 0):
            raise ValueError("the learning rate must be a number > 0, e.g. lr=0.3")
        return nearest_learning_rate(min(max(value, LEARNING_RATES[0]), LEARNING_RATES[-1]))
    if key in ("epochs", "seed"):
        if not (text.strip().isascii() and text.strip().isdigit()):
            raise ValueError(f"{key} must be a whole number, e.g. {key}={DEFAULT_VALUES[key]}")
        value = int(text)
        top = MAX_EPOCHS if key == "epochs" else MAX_SEED
        if not (key == "seed" or value >= 1) or value > top:
            raise ValueError(f"{key} must be between {int(key == 'epochs')} and {top:,}")
        return value
    choices = {"activation": ACTIVATIONS, "loss": LOSSES, "init": INITS}[key]
    if text not in choices:
        raise ValueError(f"{key} must be one of {', '.join(choices)}")
    return text


def apply_link():
    """Take settings from the page's link (query string) when it changed; note what was wrong."""
    params = {key: st.query_params.get(key) for key in LINKED_KEYS if key in st.query_params}
    if params == st.session_state.get("_linked"):
        return
    problems = []
    for key, text in params.items():
        try:
            st.session_state[key] = _from_link(key, text)
        except ValueError as error:
            problems.append(f"`{key}={text[:40]}` in the link was ignored: "
                            f"{str(error).rstrip('.')}.")
    st.session_state["_link_problems"] = problems
    st.session_state["_linked"] = params


def write_link(values):
    """Mirror the current settings into the link, so it can be shared."""
    linked = {key: str(values[key]) for key in LINKED_KEYS}
    for key, text in linked.items():
        if st.query_params.get(key) != text:
            st.query_params[key] = text
    st.session_state["_linked"] = linked


def _pick_preset_arch():
    if st.session_state.get("arch_preset"):
        st.session_state["arch"] = st.session_state["arch_preset"]


def _random_seed():
    st.session_state["seed"] = int(np.random.default_rng().integers(0, 10_000))
    st.session_state["_seed_was_random"] = True


@dataclass(frozen=True)
class Actions:
    """Which button asked for what in this script run."""

    train: bool
    more: bool
    reset: bool


def sidebar():
    """Draw the sidebar; return (config or None if invalid, problems, actions)."""
    for key, value in DEFAULT_VALUES.items():
        st.session_state.setdefault(key, value)
    apply_link()

    with st.sidebar:
        st.header("Network")
        for problem in st.session_state.get("_link_problems", []):
            st.warning(problem)
        arch_text = st.text_input("Architecture (inputs-hidden-…-output)", key="arch",
                                  help="Two inputs, 1 to 4 hidden layers of 1 to 8 neurons, "
                                       "one output, e.g. 2-4-1 or 2-8-8-1.")
        st.pills("Presets", ARCH_PRESETS, key="arch_preset", on_change=_pick_preset_arch,
                 label_visibility="collapsed")
        problems = []
        try:
            layer_sizes = parse_architecture(arch_text)
        except ValueError as error:
            layer_sizes = None
            problems.append(str(error))
            st.error(str(error))
        activation = st.selectbox("Hidden activation", tuple(ACTIVATIONS), key="activation")
        loss = st.selectbox("Loss", tuple(LOSSES), key="loss",
                            format_func={"mse": "mse: mean squared error",
                                         "bce": "bce: binary cross-entropy"}.get)
        init = st.selectbox("Initialization", tuple(INITS), key="init")

        st.header("Training")
        learning_rate = st.select_slider("Learning rate (log scale)", LEARNING_RATES, key="lr")
        epochs = st.number_input("Epochs", min_value=1, max_value=MAX_EPOCHS, step=500,
                                 key="epochs")
        seed_column, dice_column = st.columns([3, 2], vertical_alignment="bottom")
        seed = seed_column.number_input("Seed", min_value=0, max_value=MAX_SEED, step=1,
                                        key="seed")
        dice_column.button("Random", key="random_seed", on_click=_random_seed,
                           help="Pick a random seed")
        if st.session_state.pop("_seed_was_random", False):
            st.caption(f"Random seed picked: {seed}")

        run = st.session_state.get("run")
        config = None if layer_sizes is None else _config(layer_sizes, activation, loss, init,
                                                          learning_rate, epochs, seed)
        requested = st.session_state.pop("_train_requested", False) and config is not None
        train = st.button("Train", key="train", type="primary", width="stretch",
                          disabled=config is None) or requested
        if train:   # the link's problems have been seen; a run of one's own supersedes them
            st.session_state["_link_problems"] = []
        # A run trained in this script run will exist by the time anyone can click these.
        will_have_run = run is not None or train
        can_continue = config is not None and (train or (run is not None
                                                         and run.config.same_network(config)))
        more = st.button(f"Train {epochs:,} more epochs", key="continue", width="stretch",
                         disabled=not can_continue,
                         help="Continue from the current weights (same settings only).")
        reset = st.button("Reset", key="reset", width="stretch", disabled=not will_have_run,
                          help="Forget the run and go back to the untrained network.")

    write_link({"arch": arch_text, "lr": learning_rate, "epochs": epochs, "seed": seed,
                "activation": activation, "loss": loss, "init": init})
    return config, problems, Actions(train, more and not train, reset and not train)


def _config(layer_sizes, activation, loss, init, learning_rate, epochs, seed):
    return Config(layer_sizes, activation, loss, init, float(learning_rate), int(epochs),
                  int(seed))
