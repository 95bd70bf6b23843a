"""Bad links, bad architectures and diverging runs never reach the page as an exception or NaN."""

import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from streamlit.components.v2.component_manager import BidiComponentManager
from streamlit.testing.v1 import AppTest

import data
from network import ACTIVATIONS, INITS, LOSSES
from pictures import charts
from pictures.diagram import HIDDEN_RANGE
from runs import MAX_EPOCHS, MAX_SEED, parse_architecture
from tabs.sidebar import LEARNING_RATES, LINKED_KEYS

XOR = data.make("xor")
XOR_X, XOR_Y = XOR.X, XOR.y

APP = "../backprop_playground.py"
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

JUNK_KEYS = ("", "foo", "ARCH", "arch ", "lr[]", "seed=", "🧠", "tab", "frame", "run",
             "_linked", "embed", "embed_options")
NASTY = ("", " ", "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e309", "1e-320", "-1",
         "-0", "0", "00", "0x10", "1_000", "1e3", "٣", "²", "½", "9" * 400, "9" * 5000,
         "2-0-1", "2--1", "-2-4-1", "2-4-1-", "2-4-1\n", "２-４-１", " 2 - 4 - 1 ", "2-08-1",
         "2-8-8-8-8-1", "2-8-8-8-8-8-1", "2-" + "9" * 5000 + "-1", "sigmoid", "SIGMOID", "relu",
         "bce", "he", "10", "0.001", "50000", "50001", str(MAX_SEED), str(MAX_SEED + 1),
         "null", "None", "[]", "{}", "%00", "\x00", "\u202e2-4-1", "🧠")
VALUES = st.one_of(st.sampled_from(NASTY), st.text(max_size=40),
                   st.integers(-10**30, 10**30).map(str), st.floats().map(repr))
QUERIES = st.dictionaries(st.one_of(st.sampled_from(LINKED_KEYS), st.sampled_from(JUNK_KEYS)),
                          st.one_of(VALUES, st.lists(VALUES, min_size=2, max_size=3)),
                          max_size=7)
ARCHITECTURES = st.one_of(
    VALUES,
    st.lists(st.integers(-1, 12), max_size=7).map(lambda sizes: "-".join(map(str, sizes))),
    st.lists(st.integers(1, 8), min_size=1, max_size=4).map(
        lambda hidden: "-".join(map(str, (2, *hidden, 1)))),
)


@pytest.fixture(autouse=True, scope="module")
def no_component_scan():
    """Each new AppTest scans every installed package for components; this app uses none."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BidiComponentManager, "discover_and_register_components",
                      lambda *args, **kwargs: None)
        yield


def run_app(query=None):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query or {})
    return at.run()


def page_text(at):
    parts = [element.value for element in (*at.markdown, *at.caption)]
    parts += [alert.value for alert in (*at.success, *at.info, *at.warning, *at.error)]
    return "\n".join(str(part) for part in parts)


def assert_healthy(at):
    assert not at.exception, at.exception[0].value if at.exception else ""
    assert not any("Something went wrong" in str(error.value) for error in at.error)


def assert_link_is_valid(query_params):
    """The link the app writes back is one it would accept without a word."""
    # A repeated key counts by its last value, as st.query_params.get reads it.
    params = {key: value[-1] if isinstance(value, list) else value
              for key, value in query_params.items()}
    parse_architecture(params["arch"])
    assert float(params["lr"]) in LEARNING_RATES
    assert 1 <= int(params["epochs"]) <= MAX_EPOCHS
    assert 0 <= int(params["seed"]) <= MAX_SEED
    assert params["activation"] in ACTIVATIONS
    assert params["loss"] in LOSSES
    assert params["init"] in INITS
    assert params["dataset"] in data.NAMES
    assert data.MIN_POINTS <= int(params["points"]) <= data.MAX_POINTS
    assert 0 <= float(params["noise"]) <= data.MAX_NOISE
    assert 0 <= float(params["test_share"]) <= 0.5
    assert params["batch"] == "full" or int(params["batch"]) >= 1
    assert 0 <= float(params["l2"]) <= 1


def assert_finite_metrics(at):
    shown = {metric.label: metric.value for metric in at.metric}
    assert math.isfinite(float(shown["Final loss"])), shown
    assert re.fullmatch(r"\d{1,3}%", shown["Accuracy"]), shown
    assert re.fullmatch(r"[\d,]+", shown["Epochs"]), shown


def assert_chart_data_is_finite(at):
    """What the Training tab hands to its charts, rebuilt from the run the session keeps."""
    run = at.session_state["run"]
    frame = charts.history_frame(run.history)
    assert np.isfinite(frame[["epoch", "loss", "accuracy"]].to_numpy(dtype=float)).all(), frame
    net = run.network_at(at.session_state["frame"])
    hidden = net.forward(XOR_X).activations[-2]
    chart, _ = charts.hidden_space(hidden, XOR_X, XOR_Y, net.weights[-1][:, 0],
                                   float(net.biases[-1][0]),
                                   HIDDEN_RANGE[run.config.activation])
    data = chart.data
    assert np.isfinite(data[["u", "v"]].to_numpy(dtype=float)).all(), data
    encoding = chart.to_dict()["layer"][0]["encoding"]
    domains = encoding["x"]["scale"]["domain"] + encoding["y"]["scale"]["domain"]
    assert all(math.isfinite(value) for value in domains), domains


@FUZZ
@given(query=QUERIES)
@example(query={"lr": "abc", "arch": "2-0-1"})
@example(query={"epochs": "²", "seed": "٣", "arch": "2-²-1"})
@example(query={"lr": ["", "1.0"]})
def test_any_link_is_explained_and_rewritten_to_a_good_one(query):
    at = run_app(query)
    assert_healthy(at)
    linked = {key for key in query if key in LINKED_KEYS}
    warnings = [str(warning.value) for warning in at.warning]
    named = {re.match(r"`([^=`]*)=", text).group(1) for text in warnings if text.startswith("`")}
    assert named <= linked, warnings
    assert_link_is_valid(at.query_params)


@FUZZ
@given(arch=ARCHITECTURES)
@example(arch="2-0-1")
@example(arch="2-8-8-8-8-1")
def test_any_architecture_text_is_explained_or_trains(arch):
    at = run_app({"epochs": "200"})
    at.text_input(key="arch").set_value(arch).run()
    assert_healthy(at)
    refused = bool(at.error)
    at.button(key="train").click().run()
    assert_healthy(at)
    if refused:   # Train says what to fix, and trains nothing
        assert any("Fix the settings" in str(error.value) for error in at.error), arch
        assert not at.metric, arch
        return
    assert_finite_metrics(at)
    assert_chart_data_is_finite(at)


@FUZZ
@given(activation=st.sampled_from(["relu", "linear", "tanh", "sigmoid"]),
       loss=st.sampled_from(["bce", "mse"]), lr=st.sampled_from(["2", "3", "5", "10"]),
       arch=st.sampled_from(["2-2-1", "2-4-1", "2-8-8-1", "2-8-8-8-8-1"]),
       init=st.sampled_from(tuple(INITS)), seed=st.integers(0, MAX_SEED),
       epochs=st.integers(1, 1500))
@example(activation="linear", loss="bce", lr="10", arch="2-4-1", init="xavier", seed=0,
         epochs=1500)
@example(activation="relu", loss="bce", lr="10", arch="2-8-8-8-8-1", init="he", seed=1,
         epochs=1500)
def test_a_diverging_run_never_shows_nan_or_inf(activation, loss, lr, arch, init, seed, epochs):
    at = run_app({"activation": activation, "loss": loss, "lr": lr, "arch": arch, "init": init,
                  "seed": str(seed), "epochs": str(epochs)})
    assert not at.warning, [warning.value for warning in at.warning]
    at.button(key="train").click().run()
    assert_healthy(at)
    assert_finite_metrics(at)
    assert_chart_data_is_finite(at)
    run = at.session_state["run"]
    if run.history.diverged_at is not None:
        assert f"Diverged at epoch {run.history.diverged_at:,}" in page_text(at)

