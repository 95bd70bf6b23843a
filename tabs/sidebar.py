"""The sidebar: widgets -> one runs.Config, kept in sync with the page's link."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import streamlit as st

import data
import runs
from network import ACTIVATIONS, INITS, LOSSES
from tabs.text import escaped

ARCH_PRESETS = ("2-2-1", "2-4-1", "2-8-1")
LEARNING_RATES = (0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5,
                  1.0, 2.0, 3.0, 5.0, 10.0)
L2_RATES = (0.0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
BATCHES = ("full", *runs.BATCH_SIZES)
NOISE_STEP = 0.05
SHARE_STEP = 0.05
LINKED_KEYS = runs.KEYS          # every setting but the uploaded file is in the link
UPLOAD = "_upload"               # (the last good file's Dataset or None, the error or None)
DATASET_NAMES = {**data.TITLES, runs.UPLOAD: "your CSV file"}
LOSS_NAMES = {"mse": "mse: mean squared error", "bce": "bce: binary cross-entropy"}
# A teacher's link may fix settings (`lock=arch,lr`: shown but not changeable) and leave out
# settings or tabs (`hide=experiments,l2`: not shown; a hidden setting keeps its link value).
TABS = {"gradient_flow": "Gradient flow", "experiments": "Experiments"}
LOCK, HIDE = "lock", "hide"


def _widget_value(key, value):
    """A setting's value as its widget holds it."""
    if key == "batch":
        return "full" if value is None else value
    return value


DEFAULT_VALUES = {key: _widget_value(key, getattr(runs.DEFAULTS, key)) for key in LINKED_KEYS}


def nearest(options, value):
    """The option closest to `value`, on a log scale for positive options."""
    def distance(option):
        if option > 0 and value > 0:
            return abs(math.log(option) - math.log(value))
        return abs(option - value) + (1e9 if (option > 0) != (value > 0) else 0)
    return min(options, key=distance)


def nearest_learning_rate(value):
    """The slider's learning rate closest to `value` on a log scale."""
    return nearest(LEARNING_RATES, value)


def _on_step(value, step):
    return round(round(value / step) * step, 10)


def from_link(key, text):
    """A link's value for `key` as its widget wants it; a ValueError says what is wrong."""
    if key == "dataset" and text == runs.UPLOAD:
        raise ValueError("a link cannot carry a file: upload the CSV file again")
    value = runs.from_link(key, text)
    if key == "lr":
        return nearest_learning_rate(value)
    if key == "l2":
        return nearest(L2_RATES, value)
    if key == "batch":
        return "full" if value is None else nearest(runs.BATCH_SIZES, value)
    if key == "noise":
        return _on_step(value, NOISE_STEP)
    if key == "test_share":
        return _on_step(value, SHARE_STEP)
    return value


@dataclass(frozen=True)
class Limits:
    """What a teacher's link fixes: settings that cannot be changed, settings and tabs not
    shown (each by its link key)."""

    locked: frozenset = frozenset()    # settings shown but fixed (hidden ones are fixed too)
    hidden: frozenset = frozenset()    # settings not shown
    tabs: frozenset = frozenset()      # keys of TABS not shown

    @property
    def fixed(self):
        return self.locked | self.hidden

    def __bool__(self):
        return bool(self.locked or self.hidden or self.tabs)


def _listed(name, allowed, problems):
    """The items of the link's comma list `name` that are in `allowed`; the rest noted."""
    text = st.query_params.get(name)
    if text is None:
        return []
    items = [item.strip() for item in str(text).split(",") if item.strip()]
    unknown = [item for item in items if item not in allowed]
    if unknown:   # said of the unknown items alone: the others apply
        problems.append((name, ",".join(unknown), f"{name} takes only "
                                                  f"{', '.join(allowed)}"))
    return [item for item in items if item in allowed]


def limits(problems):
    """The link's Limits; items it cannot apply are added to `problems` and ignored."""
    locked = _listed(LOCK, LINKED_KEYS, problems)
    hidden = _listed(HIDE, (*LINKED_KEYS, *TABS), problems)
    return Limits(frozenset(locked), frozenset(k for k in hidden if k in LINKED_KEYS),
                  frozenset(k for k in hidden if k in TABS))


def _hold(fixed):
    """Put every fixed setting back to its link value (else its default), whatever changed it
    (a preset, the Random button, a picked seed): the page cannot change it."""
    for key in fixed:
        try:
            value = from_link(key, st.query_params[key]) if key in st.query_params \
                else DEFAULT_VALUES[key]
        except ValueError:   # said once by apply_link; the default holds
            value = DEFAULT_VALUES[key]
        st.session_state[key] = value


def apply_link():
    """Take settings from the page's link (query string) when it changed; note what was wrong."""
    params = {key: st.query_params.get(key) for key in (*LINKED_KEYS, LOCK, HIDE)
              if key in st.query_params}
    if params == st.session_state.get("_linked"):
        return
    problems = []
    for key, text in params.items():
        if key in (LOCK, HIDE):
            continue
        try:
            st.session_state[key] = from_link(key, text)
        except ValueError as error:
            problems.append((key, text, str(error).rstrip(".")))
    st.session_state["_limits"] = limits(problems)
    st.session_state["_link_problems"] = problems
    st.session_state["_linked"] = params


def write_link(values):
    """Mirror the current settings into the link, so it can be shared."""
    linked = {key: str(values[key]) for key in LINKED_KEYS}
    if linked.get("dataset") == runs.UPLOAD:   # a file cannot travel in a link
        linked.pop("dataset")
    for key, text in linked.items():
        if st.query_params.get(key) != text:
            st.query_params[key] = text
    if "dataset" not in linked and "dataset" in st.query_params:
        del st.query_params["dataset"]
    st.session_state["_linked"] = {**linked, **{key: st.query_params[key] for key in (LOCK, HIDE)
                                                if key in st.query_params}}


def apply_preset(preset):
    """Set the sidebar to the preset (defaults for what it leaves out) and ask for a run."""
    for key, value in {**DEFAULT_VALUES, **preset.settings}.items():
        st.session_state[key] = _widget_value(key, value)
    st.session_state["arch_preset"] = None
    st.session_state["_train_requested"] = True


def load_seed(seed):
    """Set the sidebar's seed and ask for a run of it, shown in the Training tab."""
    st.session_state["seed"] = seed
    st.session_state["_train_requested"] = True
    st.session_state["tab"] = "Training"


def _pick_preset_arch():
    if st.session_state.get("arch_preset"):
        st.session_state["arch"] = st.session_state["arch_preset"]


def _random_seed():
    st.session_state["seed"] = int(np.random.default_rng().integers(0, 10_000))
    st.session_state["_seed_was_random"] = True


def _read_upload():
    """Read a newly chosen file once: a good one becomes the dataset. The last good file's
    points stay on offer after a bad file, and removing the file changes nothing (a browser
    removes the old file before it sends a new one), until another file is read."""
    uploaded = st.session_state.get("upload")
    if uploaded is None:
        return
    try:
        dataset, problem = data.read_csv(uploaded), None
    except ValueError as error:
        dataset, problem = uploaded_dataset(), str(error)
    st.session_state[UPLOAD] = (dataset, problem)
    if problem is None:
        st.session_state["dataset"] = runs.UPLOAD


def uploaded_dataset():
    """The last good uploaded file's Dataset, or None."""
    return st.session_state.get(UPLOAD, (None, None))[0]


def dataset_for(config):
    """The uploaded file's Dataset when `config` trains on it, else None (generated data)."""
    return uploaded_dataset() if config is not None and config.dataset == runs.UPLOAD else None


@dataclass(frozen=True)
class Request:
    """What the sidebar asks of the page: the settings and what is wrong with them."""

    config: runs.Config | None
    problems: tuple[str, ...]
    dataset: data.Dataset | None   # the uploaded file's, when config.dataset is "csv"
    limits: Limits = Limits()      # what a teacher's link fixes or leaves out


def _network_section(problems, lim):
    st.header("Network")
    if "arch" not in lim.hidden:
        arch = st.text_input("Architecture (inputs-hidden-…-output)", key="arch",
                             disabled="arch" in lim.locked,
                             help="Two inputs, 1 to 4 hidden layers of 1 to 8 neurons, "
                                  "one output, e.g. 2-4-1 or 2-8-8-1.")
        st.pills("Presets", ARCH_PRESETS, key="arch_preset", on_change=_pick_preset_arch,
                 label_visibility="collapsed", disabled="arch" in lim.locked)
        try:
            runs.parse_architecture(arch)
        except ValueError as error:
            problems.append(str(error))
            st.error(escaped(str(error)))
    if "activation" not in lim.hidden:
        st.selectbox("Hidden activation", tuple(ACTIVATIONS), key="activation",
                     disabled="activation" in lim.locked)
    if "loss" not in lim.hidden:
        st.selectbox("Loss", tuple(LOSSES), key="loss", format_func=LOSS_NAMES.get,
                     disabled="loss" in lim.locked)
    if "init" not in lim.hidden:
        st.selectbox("Initialization", tuple(INITS), key="init", disabled="init" in lim.locked)


def _training_section(lim):
    st.header("Training")
    if "lr" not in lim.hidden:
        st.select_slider("Learning rate (log scale)", LEARNING_RATES, key="lr",
                         disabled="lr" in lim.locked)
    if "epochs" not in lim.hidden:
        st.number_input("Epochs", min_value=1, max_value=runs.MAX_EPOCHS, step=500,
                        key="epochs", disabled="epochs" in lim.locked)
    if "seed" not in lim.hidden:
        seed_column, dice_column = st.columns([3, 2], vertical_alignment="bottom")
        seed = seed_column.number_input("Seed", min_value=0, max_value=runs.MAX_SEED, step=1,
                                        key="seed", disabled="seed" in lim.locked)
        dice_column.button("Random", key="random_seed", on_click=_random_seed,
                           disabled="seed" in lim.locked, help="Pick a random seed")
        if st.session_state.pop("_seed_was_random", False):
            st.caption(f"Random seed picked: {seed}")
    if "batch" not in lim.hidden:
        st.select_slider("Batch size", BATCHES, key="batch", disabled="batch" in lim.locked,
                         format_func=lambda b: "full batch" if b == "full" else f"{b}",
                         help="Examples per update. Full batch: one update per epoch on every "
                              "training example. Smaller: one update per mini-batch, the "
                              "examples shuffled every epoch by the network's own generator "
                              "(seeded).")
    if "l2" not in lim.hidden:
        st.select_slider("L2 weight decay", L2_RATES, key="l2", disabled="l2" in lim.locked,
                         format_func=lambda v: "off" if v == 0 else f"{v:g}",
                         help="Adds (λ/2)·Σw² to the loss (weights, not biases): large weights "
                              "cost, so the boundary stays smoother.")


def _data_section(problems, lim):
    st.header("Data")
    choices = tuple(data.NAMES) + ((runs.UPLOAD,) if uploaded_dataset() is not None else ())
    if st.session_state.get("dataset") not in choices:
        st.session_state["dataset"] = DEFAULT_VALUES["dataset"]
    dataset = st.session_state["dataset"]
    if "dataset" not in lim.hidden:
        dataset = st.selectbox("Dataset", choices, key="dataset", format_func=DATASET_NAMES.get,
                               disabled="dataset" in lim.locked)
    fixed = dataset in data.FIXED or dataset == runs.UPLOAD
    why = "The four corner points are fixed." if dataset in data.FIXED else \
        "Your file's points are used as they are."
    if "points" not in lim.hidden:
        st.number_input("Points", min_value=data.MIN_POINTS, max_value=data.MAX_POINTS,
                        step=50, key="points", disabled=fixed or "points" in lim.locked,
                        help=why if fixed else f"How many points to generate "
                                               f"({data.MIN_POINTS} to {data.MAX_POINTS:,}).")
    if "noise" not in lim.hidden:
        st.slider("Noise", 0.0, data.MAX_NOISE, step=NOISE_STEP, key="noise",
                  disabled=fixed or "noise" in lim.locked,
                  help=why if fixed else "Standard deviation of the jitter added to every "
                                         "point.")
    if "test_share" not in lim.hidden:
        st.slider("Test share", 0.0, runs.MAX_TEST_SHARE, step=SHARE_STEP, key="test_share",
                  format="percent", disabled="test_share" in lim.locked,
                  help="Points held out of training to measure how well the network "
                       "generalizes; drawn hollow in the pictures.")
    if "data_seed" not in lim.hidden:
        st.number_input("Data seed", min_value=0, max_value=runs.MAX_SEED, step=1,
                        key="data_seed", disabled="data_seed" in lim.locked,
                        help="Seeds the generated points and the train/test split.")
    if "dataset" not in lim.fixed:   # a file of one's own would change the data
        _upload_section(problems, dataset)


def _upload_section(problems, dataset):
    st.file_uploader("Your own points (CSV)", type=["csv", "txt"], key="upload",
                     on_change=_read_upload,
                     max_upload_size=math.ceil(data.MAX_BYTES / 2**20),
                     help=data.CSV_RULES)
    uploaded, problem = st.session_state.get(UPLOAD, (None, None))
    if problem is not None:
        st.error("This file cannot be used: " + escaped(problem)
                 + " The previous data and run are kept.")
    if uploaded is not None:
        kept = "Still using " if problem is not None else ""
        st.caption(escaped(f"{kept}{uploaded.name}: {uploaded.n:,} points.")
                   + "".join(" " + escaped(note) for note in uploaded.notes))
    if dataset == runs.UPLOAD and uploaded is None:
        problems.append("Upload a CSV file in the Data section, or choose another dataset.")
    with st.expander("What a valid file looks like"):
        st.text(data.CSV_RULES)
        st.download_button("Download an example file", data.EXAMPLE_CSV,
                           file_name="example_points.csv", mime="text/csv", on_click="ignore",
                           key="example_csv")


def _settings():
    """The widgets' values as settings (the keys of runs.Config)."""
    values = {key: st.session_state[key] for key in LINKED_KEYS}
    values["batch"] = None if values["batch"] == "full" else int(values["batch"])
    return values


def sidebar():
    """Draw the sidebar; return what it asks for (a Request)."""
    for key, value in DEFAULT_VALUES.items():
        st.session_state.setdefault(key, value)
    apply_link()
    lim = st.session_state.get("_limits", Limits())
    _hold(lim.fixed)

    with st.sidebar:
        for key, text, reason in st.session_state.get("_link_problems", []):
            st.warning(escaped(f"“{key}={text[:40]}” in the link was ignored: {reason}."))
        if lim:
            st.caption("This link fixes some settings"
                       + (f" ({', '.join(sorted(lim.locked))} shown but fixed)"
                          if lim.locked else "") + ".")
        problems = []
        _network_section(problems, lim)
        _training_section(lim)
        _data_section(problems, lim)
        config = None
        if not problems:
            try:
                config = runs.config(**_settings())
            except ValueError as error:
                problems.append(str(error))
                st.error(escaped(str(error)))
    write_link(st.session_state)
    return Request(config, tuple(problems), dataset_for(config), lim)

