"""Unit tests for pictures/charts.py: the Altair charts, read back as the Vega-Lite they send,
and the data frames they carry."""

import json
import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from streamlit.testing.v1 import AppTest

import data
from network import MLP, History
from pictures import charts as charts_module
from pictures.charts import (
    LOG_FLOOR,
    MAX_POINTS,
    MIXED,
    OVERLAP,
    TEST_HEX,
    TRAINING_HEX,
    _segment,
    grad_norm_chart,
    grad_norm_frame,
    grad_norm_spec,
    hidden_coordinates,
    hidden_space,
    history_frame,
    loss_chart,
    loss_spec,
    plotted_rows,
    spec,
    thinned,
    wants_log,
)
from pictures.colours import CLASS0_HEX, CLASS1_HEX, MIDDLE_HEX

XOR = data.make("xor")
XOR_X, XOR_Y = XOR.X, XOR.y

UNIT_BOX = (0.0, 1.0, 0.0, 1.0)
LABELS = ["(0, 0)", "(0, 1)", "(1, 0)", "(1, 1)"]


def recorded(rows, first_epoch=0):
    """A History of `rows` epochs whose loss and accuracy are easy to tell apart per row."""
    epochs = np.arange(first_epoch, first_epoch + rows)
    return History(epochs, 1.0 / (1.0 + epochs), (epochs % 5) / 4.0, np.ones((rows, 2)))


def trained_net(sizes, seed=123, epochs=5000):
    net = MLP(sizes, seed=seed)
    net.train(XOR_X, XOR_Y, 0.3, epochs)
    return net


def xor_frame(epochs=300, **settings):
    net = MLP((2, 2, 1), seed=123, **settings)
    return history_frame(net.train(XOR_X, XOR_Y, 0.3, epochs))


def vega(chart):
    """The chart as Vega-Lite, checked against the schema (Altair validates it)."""
    return chart.to_dict()


def nodes(tree):
    """Every dict inside a Vega-Lite spec, depth first."""
    if isinstance(tree, dict):
        yield tree
        for value in tree.values():
            yield from nodes(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from nodes(value)


def layers_of(panel):
    return panel.get("layer", [panel])


def y_fields(panel):
    return {layer["encoding"]["y"]["field"] for layer in layers_of(panel)
            if "y" in layer.get("encoding", {})}


def rule_epochs(spec_dict, panel):
    """The epochs where `panel` draws a rule, read from the rule's own data."""
    epochs = []
    for layer in layers_of(panel):
        if layer["mark"]["type"] == "rule":
            rows = spec_dict["datasets"][layer["data"]["name"]]
            epochs += [row[layer["encoding"]["x"]["field"]] for row in rows]
    return epochs


def dark(colour):
    """True for #262626 (the app's ink) or darker in every channel."""
    return all(int(colour[i:i + 2], 16) <= 0x26 for i in (1, 3, 5))


def assert_projector_text(spec_dict):
    """Axis and legend text at 13 px or more and in ink, in the config and wherever an axis,
    legend or text mark sets its own."""
    config = spec_dict["config"]
    for part in ("axis", "legend"):
        assert config[part]["labelFontSize"] >= 13 and config[part]["titleFontSize"] >= 13
        assert dark(config[part]["labelColor"]) and dark(config[part]["titleColor"])
    assert dark(config["axis"]["tickColor"])
    for node in nodes(spec_dict):
        for key, value in node.items():
            if key.endswith("FontSize") or key == "fontSize":
                assert value >= 13, (key, value)
            if key in ("labelColor", "titleColor", "tickColor", "domainColor"):
                assert dark(value), (key, value)
        if node.get("type") == "text" and "fontSize" in node:
            assert dark(node["color"])


# --- thinned and history_frame -------------------------------------------------------------

@pytest.mark.parametrize("rows", [1, 2, 37, MAX_POINTS - 1, MAX_POINTS])
def test_thinned_keeps_every_row_up_to_the_limit(rows):
    assert thinned(np.arange(rows)).tolist() == list(range(rows))


@settings(max_examples=100, deadline=None)
@given(rows=st.integers(MAX_POINTS + 1, 60_000))
def test_thinned_keeps_first_and_last_and_at_most_the_limit_evenly_spread(rows):
    kept = thinned(np.arange(rows))
    gaps = np.diff(kept)
    assert kept[0] == 0 and kept[-1] == rows - 1
    assert len(kept) <= MAX_POINTS
    assert (gaps > 0).all()
    assert gaps.max() <= (rows - 1) / (MAX_POINTS - 1) + 1   # even steps, rounded
    if rows >= 2 * MAX_POINTS:   # steps of 2 rows or more never round onto each other
        assert len(kept) == MAX_POINTS


def test_thinned_counts_rows_not_epoch_values():
    epochs = np.arange(30_000, 30_000 + 50_001)
    kept = thinned(epochs)
    assert kept[0] == 0 and kept[-1] == 50_000 and len(kept) == MAX_POINTS


@pytest.mark.parametrize("rows, first_epoch", [(250, 0), (5001, 0), (20_001, 5000)])
def test_history_frame_rows_are_the_history_at_the_kept_epochs(rows, first_epoch):
    history = recorded(rows, first_epoch)
    frame = history_frame(history)
    assert list(frame.columns) == ["epoch", "loss", "accuracy", "set"]
    assert len(frame) == min(rows, MAX_POINTS)
    assert set(frame["set"]) == {"training"}
    assert frame["epoch"].iloc[0] == first_epoch
    assert frame["epoch"].iloc[-1] == first_epoch + rows - 1
    for epoch, loss, accuracy, _ in frame.itertuples(index=False):
        assert loss == 1.0 / (1.0 + epoch)
        assert accuracy == (epoch % 5) / 4.0


def test_history_frame_has_the_test_curves_when_the_run_has_a_test_set():
    train_set, test_set = data.split(data.make("moons", 60, 0.2, 1), 0.3, 1)
    history = MLP((2, 4, 1), seed=3).train(train_set.X, train_set.y, 0.5, 300,
                                          X_test=test_set.X, y_test=test_set.y)
    frame = history_frame(history)
    test = frame[frame["set"] == "test"]
    assert len(test) == len(frame) / 2 == 301
    assert np.array_equal(test["loss"], history.test_loss)
    assert np.array_equal(test["accuracy"], history.test_accuracy)


def test_history_frame_of_a_real_run_ends_at_its_final_loss_and_accuracy():
    net = MLP((2, 2, 1), seed=123)
    history = net.train(XOR_X, XOR_Y, 0.3, 5000)
    frame = history_frame(history)
    assert frame["loss"].iloc[-1] == history.final_loss == net.loss(XOR_X, XOR_Y)
    assert frame["accuracy"].iloc[-1] == 1.0
    assert frame["loss"].iloc[0] == MLP((2, 2, 1), seed=123).loss(XOR_X, XOR_Y)


# --- loss_chart ----------------------------------------------------------------------------

def test_loss_chart_stacks_loss_over_accuracy_each_with_its_one_left_axis():
    spec_dict = vega(loss_chart(xor_frame()))
    top, bottom = spec_dict["vconcat"]
    assert y_fields(top) == {"loss"} and y_fields(bottom) == {"accuracy"}
    assert not any(node.get("orient") == "right" for node in nodes(spec_dict))
    assert "y" not in spec_dict["resolve"].get("scale", {})
    assert spec_dict["resolve"]["scale"]["x"] == "shared"
    accuracy = layers_of(bottom)[0]["encoding"]["y"]
    assert accuracy["scale"]["domain"] == [0, 1] and accuracy["axis"]["format"] == ".0%"
    assert all(layer["encoding"]["x"]["field"] == "epoch"
               for panel in (top, bottom) for layer in layers_of(panel))


def test_loss_chart_only_the_bottom_panel_numbers_the_epoch_axis():
    top, bottom = vega(loss_chart(xor_frame()))["vconcat"]
    assert layers_of(top)[0]["encoding"]["x"]["axis"]["labels"] is False
    assert layers_of(bottom)[0]["encoding"]["x"]["axis"]["title"] == "epoch"


@pytest.mark.parametrize("height", [180, 250, 401])
def test_loss_chart_gives_the_loss_60_percent_of_the_height(height):
    top, bottom = vega(loss_chart(xor_frame(), height=height))["vconcat"]
    assert top["height"] == round(0.6 * height)
    assert top["height"] + bottom["height"] == height


def test_loss_chart_width_is_every_panels_when_given():
    assert [panel["width"] for panel in vega(loss_chart(xor_frame(), width=500))["vconcat"]] \
        == [500, 500]
    assert all("width" not in panel for panel in vega(loss_chart(xor_frame()))["vconcat"])


def test_loss_chart_without_a_marked_epoch_has_no_rule():
    spec_dict = vega(loss_chart(xor_frame()))
    assert all(rule_epochs(spec_dict, panel) == [] for panel in spec_dict["vconcat"])


@pytest.mark.parametrize("epoch", [0, 1234, np.int64(50_000)])
def test_loss_chart_marks_the_epoch_with_a_rule_in_both_panels(epoch):
    spec_dict = vega(loss_chart(xor_frame(), marked_epoch=epoch))
    assert [rule_epochs(spec_dict, panel) for panel in spec_dict["vconcat"]] == \
        [[int(epoch)], [int(epoch)]]
    json.dumps(spec_dict)   # plain JSON: no NumPy integers inside


@pytest.mark.parametrize("epochs", [300, 6000])
def test_loss_chart_with_epochs_fixes_the_epoch_axis_to_0_to_epochs(epochs):
    for panel in vega(loss_chart(xor_frame(300), epochs=epochs))["vconcat"]:
        assert layers_of(panel)[0]["encoding"]["x"]["scale"]["domain"] == [0, epochs]


def test_loss_chart_without_epochs_spans_the_frames_epochs():
    frame = history_frame(recorded(101, first_epoch=50))
    for panel in vega(loss_chart(frame))["vconcat"]:
        assert layers_of(panel)[0]["encoding"]["x"]["scale"]["domain"] == [50, 150]


def test_loss_chart_text_is_13_px_or_more_and_dark():
    for chart in (loss_chart(xor_frame(), marked_epoch=5, test=True),
                  loss_chart(xor_frame(), log_scale=True, height=180)):
        assert_projector_text(vega(chart))


def test_loss_chart_legend_names_the_test_set_only_when_there_is_one():
    train_set, test_set = data.split(data.make("moons", 60, 0.2, 1), 0.3, 1)
    history = MLP((2, 4, 1), seed=3).train(train_set.X, train_set.y, 0.5, 50,
                                          X_test=test_set.X, y_test=test_set.y)
    for test, sets, colours in ((False, ["training"], [TRAINING_HEX]),
                                (True, ["training", "test"], [TRAINING_HEX, TEST_HEX])):
        for panel in vega(loss_chart(history_frame(history), test=test))["vconcat"]:
            colour = layers_of(panel)[0]["encoding"]["color"]
            assert colour["scale"] == {"domain": sets, "range": colours}
            assert (colour["legend"] is not None) == test
    assert TRAINING_HEX == "#262626"


def test_loss_chart_log_toggle_sets_the_loss_scale_and_ticks_at_powers_of_ten():
    frame = xor_frame(5000)                      # loss from 0.27 down to 0.008
    log = layers_of(vega(loss_chart(frame, log_scale=True))["vconcat"][0])[0]["encoding"]["y"]
    linear = layers_of(vega(loss_chart(frame))["vconcat"][0])[0]["encoding"]["y"]
    assert log["scale"]["type"] == "log" and log["scale"]["domain"] == [0.001, 1.0]
    assert log["axis"]["values"] == [0.001, 0.01, 0.1, 1.0]
    assert linear["scale"].get("type", "linear") == "linear" and linear["scale"]["zero"]


@pytest.mark.parametrize("low, high, ticks", [
    (0.2, 0.9, [0.1, 0.2, 0.5, 1.0]),
    (0.012, 0.3, [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]),
    (1.0, 1e60, [1.0, 1e10, 1e20, 1e30, 1e40, 1e50, 1e60]),
])
def test_log_ticks_are_few_round_numbers_across_the_loss(low, high, ticks):
    frame = pd.DataFrame({"epoch": [0, 1], "loss": [high, low], "accuracy": [0.5, 1.0],
                          "set": "training"})
    y = layers_of(vega(loss_chart(frame, log_scale=True))["vconcat"][0])[0]["encoding"]["y"]
    assert y["axis"]["values"] == pytest.approx(ticks, rel=1e-12)
    assert y["scale"]["domain"] == pytest.approx([ticks[0], ticks[-1]], rel=1e-12)


def test_loss_chart_numbers_its_axes_short():
    spec_dict = vega(loss_chart(xor_frame(), log_scale=True))
    top, bottom = spec_dict["vconcat"]
    loss_axis = layers_of(top)[0]["encoding"]["y"]["axis"]
    epoch_axis = layers_of(bottom)[0]["encoding"]["x"]["axis"]
    # Vega expressions: 1e+6 and 1.2e-6 outside [0.001, 10,000); 2.5k and 50k for epochs.
    assert "format(datum.value, '.3~e')" in loss_axis["labelExpr"]   # as formats.number
    assert "'k'" in epoch_axis["labelExpr"] and "'M'" in epoch_axis["labelExpr"]
    assert not any("format" in node and node["format"] not in (".0%", ",", ".4~g")
                   for node in nodes(spec_dict))


# --- wants_log and the rows drawn ------------------------------------------------------------

def test_wants_log_is_false_for_the_apps_default_xor_run():
    net = MLP((2, 4, 1), seed=123)
    frame = history_frame(net.train(XOR_X, XOR_Y, 0.3, 5000))
    assert frame["loss"].max() / frame["loss"].min() < 1000
    assert wants_log(frame) is False


def test_wants_log_is_true_for_a_run_that_diverged():
    net = MLP((2, 4, 1), activation="linear", loss="bce", seed=0)
    history = net.train(XOR_X, XOR_Y, 10.0, 300)
    assert history.diverged_at is not None and history.loss.max() > 1e90
    assert wants_log(history_frame(history)) is True


def test_wants_log_is_true_for_a_loss_spanning_a_million():
    frame = history_frame(History(np.arange(3), np.array([1e6, 10.0, 1.0]), np.ones(3),
                                  np.ones((3, 1))))
    assert wants_log(frame) is True
    assert wants_log(frame.assign(loss=[1000.0, 10.0, 1.0])) is True
    assert wants_log(frame.assign(loss=[999.0, 10.0, 1.0])) is False


@pytest.mark.parametrize("bad", [np.inf, np.nan, -np.inf])
def test_wants_log_is_true_when_any_loss_is_not_finite(bad):
    frame = xor_frame(20)
    frame.loc[7, "loss"] = bad
    assert wants_log(frame) is True


def test_wants_log_reads_the_training_curve_for_the_range():
    train_set, test_set = data.split(data.make("moons", 60, 0.2, 1), 0.3, 1)
    history = MLP((2, 4, 1), seed=3).train(train_set.X, train_set.y, 0.5, 50,
                                          X_test=test_set.X, y_test=test_set.y)
    frame = history_frame(history)
    frame.loc[frame["set"] == "test", "loss"] = np.geomspace(1e6, 1.0, 51)
    assert wants_log(frame) is False


def test_wants_log_ignores_an_exact_zero_for_the_range():
    frame = xor_frame(20).assign(loss=lambda f: np.r_[0.0, np.full(len(f) - 1, 0.2)])
    assert wants_log(frame) is False


def test_loss_chart_leaves_out_rows_whose_loss_is_not_finite():
    frame = xor_frame(20)
    frame.loc[[3, 15], "loss"] = [np.inf, np.nan]
    for log_scale in (False, True):
        chart = loss_chart(frame, log_scale=log_scale)
        drawn = chart.data
        assert np.isfinite(drawn["loss"]).all()
        assert sorted(set(frame["epoch"]) - set(drawn["epoch"])) == [3, 15]
        spec_dict = vega(chart)   # Altair's JSON has no Infinity or NaN to trip over
        assert "Infinity" not in json.dumps(spec_dict) and "NaN" not in json.dumps(spec_dict)
        assert layers_of(spec_dict["vconcat"][0])[0]["encoding"]["x"]["scale"]["domain"] \
            == [0, 20]


def test_log_scale_never_gets_zero_or_a_negative_loss():
    frame = xor_frame(20)
    frame.loc[[0, 5], "loss"] = [0.0, -1e-3]
    drawn = plotted_rows(frame, log_scale=True)
    assert drawn["loss"].min() == LOG_FLOOR
    assert (drawn["loss"] > 0).all() and len(drawn) == len(frame)
    y = layers_of(vega(loss_chart(frame, log_scale=True))["vconcat"][0])[0]["encoding"]["y"]
    assert y["scale"]["domain"][0] == pytest.approx(LOG_FLOOR)
    assert plotted_rows(frame, log_scale=False)["loss"].min() == -1e-3   # linear: as recorded


def test_loss_chart_of_a_diverged_run_on_a_log_scale_spans_its_decades():
    net = MLP((2, 4, 1), activation="linear", loss="bce", seed=0)
    frame = history_frame(net.train(XOR_X, XOR_Y, 10.0, 300))
    y = layers_of(vega(loss_chart(frame, log_scale=wants_log(frame)))["vconcat"][0])[0]
    ticks = y["encoding"]["y"]["axis"]["values"]
    assert len(ticks) <= 7 and ticks[0] <= frame["loss"].min() and ticks[-1] >= 9e98


# --- _segment ------------------------------------------------------------------------------

def test_segment_of_a_horizontal_line_spans_the_box_width():
    # 2v - 1 = 0: v = 0.5
    assert _segment((0.0, 2.0), -1.0, (-0.5, 1.5, -0.5, 1.5)) == ((-0.5, 0.5), (1.5, 0.5))


def test_segment_of_a_vertical_line_spans_the_box_height():
    # 4u - 1 = 0: u = 0.25
    assert _segment((4.0, 0.0), -1.0, (-0.5, 1.5, -1.0, 2.0)) == ((0.25, -1.0), (0.25, 2.0))


def test_segment_of_the_anti_diagonal_joins_two_corners():
    assert _segment((1.0, 1.0), -1.0, UNIT_BOX) == ((0.0, 1.0), (1.0, 0.0))


def test_segment_of_a_steep_line_crosses_bottom_and_top():
    # 2u - v - 0.5 = 0: v = 0 at u = 0.25, v = 1 at u = 0.75
    assert _segment((2.0, -1.0), -0.5, UNIT_BOX) == ((0.25, 0.0), (0.75, 1.0))


@pytest.mark.parametrize("w, b", [((1.0, 1.0), -5.0), ((0.0, 1.0), -2.0), ((3.0, 0.0), 6.0),
                                  ((0.0, 0.0), 1.0)])
def test_segment_is_none_when_the_line_misses_the_box(w, b):
    assert _segment(w, b, UNIT_BOX) is None


@settings(max_examples=300, deadline=None)
@given(w=st.tuples(st.floats(-5, 5), st.floats(-5, 5)), b=st.floats(-8, 8))
def test_segment_ends_lie_on_the_line_and_on_the_box_edge(w, b):
    u0, u1, v0, v1 = box = (-0.5, 1.5, -0.5, 1.5)
    corners = [w[0] * u + w[1] * v + b for u in (u0, u1) for v in (v0, v1)]
    assume(min(abs(value) for value in corners) > 1e-6)   # not through a corner
    crosses = min(corners) < 0 < max(corners)
    segment = _segment(w, b, box)
    assert (segment is not None) == crosses
    if crosses:
        for u, v in segment:
            assert abs(w[0] * u + w[1] * v + b) < 1e-9 * (1 + abs(b))
            on_edge = min(abs(u - u0), abs(u - u1), abs(v - v0), abs(v - v1))
            assert on_edge < 1e-9
        (ua, va), (ub, vb) = segment
        assert math.hypot(ua - ub, va - vb) > 0


# --- hidden_coordinates --------------------------------------------------------------------

def test_hidden_coordinates_of_one_neuron_are_its_axis_and_a_vertical_line():
    hidden = np.array([[0.25], [0.5], [0.75], [1.0]])
    u, v, titles, (w, b) = hidden_coordinates(hidden, np.array([2.0]), -1.0)
    assert u.tolist() == [0.25, 0.5, 0.75, 1.0]
    assert v.tolist() == [0.0] * 4
    assert titles == ("h1", "")
    assert _segment(w, b, (0.0, 1.0, -1.0, 1.0)) == ((0.5, -1.0), (0.5, 1.0))   # 2h - 1 = 0


def test_hidden_coordinates_of_two_neurons_are_their_own_plane():
    hidden = np.array([[0.1, 0.9], [0.2, 0.8], [0.3, 0.7], [0.4, 0.6]])
    weights = np.array([1.5, -2.0])
    u, v, titles, (w, b) = hidden_coordinates(hidden, weights, 0.25)
    assert u.tolist() == [0.1, 0.2, 0.3, 0.4] and v.tolist() == [0.9, 0.8, 0.7, 0.6]
    assert titles == ("h1", "h2")
    assert list(w) == [1.5, -2.0] and b == 0.25


@pytest.mark.parametrize("k", [3, 5, 8])
def test_hidden_coordinates_of_many_neurons_put_the_output_input_across(k):
    rng = np.random.default_rng(k)
    # Multiples of 1/8 and 1/4: every sum below is exact in floating point, in any order.
    hidden = rng.integers(0, 9, size=(4, k)) / 8.0
    weights = rng.integers(-8, 9, size=k) / 4.0
    weights[0] = 1.25   # never all zero
    bias = -0.75
    u, v, titles, line = hidden_coordinates(hidden, weights, bias)
    by_hand = [sum(h_i * w_i for h_i, w_i in zip(row, weights)) + bias for row in hidden]
    assert u.tolist() == by_hand
    assert titles[0].startswith("z = w·h + b")
    w, b = line
    assert list(w) == [1.0, 0.0] and b == 0.0   # the line drawn is z = 0
    assert _segment(w, b, (-3.0, 3.0, -1.0, 1.0)) == ((0.0, -1.0), (0.0, 1.0))


@pytest.mark.parametrize("k", [3, 4, 6])
def test_hidden_coordinates_up_is_the_widest_spread_left_across_z(k):
    rng = np.random.default_rng(100 + k)
    hidden = rng.uniform(0.0, 1.0, size=(4, k))
    weights = rng.normal(size=k)
    _, v, _, _ = hidden_coordinates(hidden, weights, 0.3)
    unit = weights / math.sqrt(sum(x * x for x in weights))
    rest = np.array([row - (row @ unit) * unit for row in hidden])
    rest -= rest.mean(axis=0)
    eigenvalues, eigenvectors = np.linalg.eigh(rest.T @ rest)
    widest = eigenvectors[:, -1]
    expected = rest @ widest
    assert abs(widest @ unit) < 1e-9
    assert np.allclose(v, expected, atol=1e-9) or np.allclose(v, -expected, atol=1e-9)
    assert abs(float(np.mean(v))) < 1e-12


def test_hidden_coordinates_across_is_the_output_units_input_in_a_real_network():
    net = trained_net((2, 4, 1), seed=42)
    forward = net.forward(XOR_X)
    u, _, _, _ = hidden_coordinates(forward.activations[-2], net.weights[-1][:, 0],
                                    float(net.biases[-1][0]))
    assert np.allclose(u, forward.pre_activations[-1][:, 0], rtol=1e-12, atol=1e-12)
    assert ((u > 0) == (XOR_Y.ravel() > 0.5)).all()   # this run solved XOR


# --- hidden_space --------------------------------------------------------------------------

def points_of(chart):
    frame = chart.data
    return frame[frame["layer"] == "point"].reset_index(drop=True)


def line_of(chart):
    frame = chart.data
    return frame[frame["layer"] == "line"].reset_index(drop=True)


def point_encoding(chart):
    return vega(chart)["layer"][0]["encoding"]


def with_hidden_weights(W):
    """A 2-2-1 network whose hidden weights are W (inputs x hidden), the rest from seed 0."""
    net = MLP((2, 2, 1), seed=0)
    net.set_parameters([np.asarray(W, dtype=float), net.weights[1]], net.biases)
    return net


def hidden_view(net, X=XOR_X, y=XOR_Y):
    hidden = net.forward(X).activations[1]
    return hidden_space(hidden, X, y, net.weights[-1][:, 0], float(net.biases[-1][0]),
                        (0.0, 1.0))


def test_hidden_space_points_are_the_hidden_activations_of_a_2_2_1_network():
    net = trained_net((2, 2, 1), seed=123)
    hidden = net.forward(XOR_X).activations[1]
    chart, _ = hidden_view(net)
    points = points_of(chart)
    assert points["u"].tolist() == hidden[:, 0].tolist()
    assert points["v"].tolist() == hidden[:, 1].tolist()
    assert points["input"].tolist() == LABELS
    assert points["class"].tolist() == ["class 0", "class 1", "class 1", "class 0"]
    assert points["points"].tolist() == [1, 1, 1, 1]


def test_hidden_space_maps_class_0_and_1_to_their_colours_and_shapes():
    hidden = np.array([[0.1, 0.2], [0.8, 0.3], [0.3, 0.9], [0.7, 0.6]])
    chart, _ = hidden_space(hidden, XOR_X, XOR_Y, np.array([1.0, 1.0]), -1.0, (0.0, 1.0))
    encoding = point_encoding(chart)
    colours = dict(zip(encoding["color"]["scale"]["domain"], encoding["color"]["scale"]["range"]))
    shapes = dict(zip(encoding["shape"]["scale"]["domain"], encoding["shape"]["scale"]["range"]))
    assert encoding["color"]["field"] == encoding["shape"]["field"] == "class"
    assert colours == {"class 0": CLASS0_HEX, "class 1": CLASS1_HEX}
    assert shapes == {"class 0": "circle", "class 1": "square"}


def test_hidden_space_merges_two_inputs_the_hidden_layer_maps_to_one_point():
    # Both inputs feed each hidden neuron the same weight: (0, 1) and (1, 0) give the same h.
    net = with_hidden_weights([[2.0, -1.5], [2.0, -1.5]])
    hidden = net.forward(XOR_X).activations[1]
    assert np.array_equal(hidden[1], hidden[2])
    chart, _ = hidden_view(net)
    points = points_of(chart)
    assert points["input"].tolist() == ["(0, 0)", "(0, 1) & (1, 0)", "(1, 1)"]
    assert points["points"].tolist() == [1, 2, 1]
    assert points["class"].tolist() == ["class 0", "class 1", "class 0"]   # same class: square
    assert points.loc[1, "size"] > points.loc[0, "size"]    # a shared marker is drawn bigger
    labels = vega(chart)["layer"][1]
    assert labels["mark"]["type"] == "text" and labels["encoding"]["text"]["field"] == "input"
    tooltip = [item["field"] for item in point_encoding(chart)["tooltip"]]
    assert tooltip == ["input", "class", "points"]


def test_hidden_space_shows_points_of_both_classes_in_one_place_as_a_mixed_marker():
    # The second input has no weight: (0, 0) and (0, 1) meet, and so do (1, 0) and (1, 1).
    net = with_hidden_weights([[2.0, -1.5], [0.0, 0.0]])
    chart, _ = hidden_view(net)
    points = points_of(chart)
    assert points["input"].tolist() == ["(0, 0) & (0, 1)", "(1, 0) & (1, 1)"]
    assert points["class"].tolist() == [MIXED, MIXED]
    encoding = point_encoding(chart)
    assert encoding["color"]["scale"] == {"domain": [MIXED], "range": [MIDDLE_HEX]}
    assert encoding["shape"]["scale"] == {"domain": [MIXED], "range": ["diamond"]}
    assert dark(vega(chart)["layer"][0]["mark"]["stroke"])   # a white diamond, outlined in ink


def test_hidden_space_merges_only_points_within_a_thousandth_of_the_view():
    hidden = np.array([[0.5, 0.5], [0.5004, 0.4996], [0.52, 0.5], [0.9, 0.1]])
    chart, _ = hidden_space(hidden, XOR_X, XOR_Y, np.array([1.0, -1.0]), 0.0, (0.0, 1.0))
    assert points_of(chart)["input"].tolist() == ["(0, 0) & (0, 1)", "(1, 0)", "(1, 1)"]


def test_hidden_space_lists_at_most_four_inputs_per_label():
    X = np.arange(12, dtype=float).reshape(6, 2)
    y = np.array([[0], [1], [0], [1], [0], [1]], dtype=float)
    hidden = np.tile([0.25, 0.75], (6, 1))
    chart, _ = hidden_space(hidden, X, y, np.array([1.0, 1.0]), -1.0, (0.0, 1.0))
    points = points_of(chart)
    assert points["input"].tolist() == ["(0, 1) & (2, 3) & (4, 5) & (6, 7) & 2 more"]
    assert points["points"].tolist() == [6] and points["class"].tolist() == [MIXED]


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n=st.integers(4, 40))
def test_hidden_space_every_point_is_in_exactly_one_marker(data, n):
    grid = st.integers(0, 4).map(lambda i: i / 4)          # few values: many coincide
    hidden = data.draw(arrays(np.float64, (n, 2), elements=grid))
    y = data.draw(arrays(np.float64, (n, 1), elements=st.sampled_from([0.0, 1.0])))
    X = np.column_stack([np.arange(n), np.zeros(n)])
    chart, _ = hidden_space(hidden, X, y, np.array([1.0, 1.0]), -1.0, (0.0, 1.0))
    points = points_of(chart)
    assert points["points"].sum() == n
    assert len(points) == len({tuple(row) for row in hidden})
    for u, v, count, kind in points[["u", "v", "points", "class"]].itertuples(index=False):
        here = (hidden[:, 0] == u) & (hidden[:, 1] == v)
        assert here.sum() == count
        classes = set(y[here, 0].tolist())
        assert kind == (MIXED if len(classes) == 2 else f"class {int(classes.pop())}")


def test_hidden_space_text_is_13_px_or_more_and_dark():
    chart, _ = hidden_view(trained_net((2, 2, 1), seed=123))
    assert_projector_text(vega(chart))
    assert vega(chart)["layer"][1]["mark"]["fontSize"] >= 13


def test_hidden_space_draws_the_line_where_it_crosses_the_view():
    hidden = np.array([[0.1, 0.2], [0.8, 0.3], [0.3, 0.9], [0.7, 0.6]])
    # h1 + h2 - 1 = 0 across the fixed view [0, 1] x [0, 1]: from (0, 1) to (1, 0).
    chart, crosses = hidden_space(hidden, XOR_X, XOR_Y, np.array([1.0, 1.0]), -1.0, (0.0, 1.0))
    line = line_of(chart)
    layers = vega(chart)["layer"]
    assert crosses is True
    assert list(zip(line["u"], line["v"])) == [(0.0, 1.0), (1.0, 0.0)]
    assert len(layers) == 3 and layers[2]["mark"]["type"] == "line"
    assert layers[2]["mark"]["strokeDash"] and dark(layers[2]["mark"]["color"])
    assert layers[0]["encoding"]["x"]["scale"]["domain"] == [0.0, 1.0]
    assert layers[0]["encoding"]["y"]["scale"]["domain"] == [0.0, 1.0]


def test_hidden_space_says_when_the_line_lies_outside_the_view():
    hidden = np.array([[0.1, 0.2], [0.8, 0.3], [0.3, 0.9], [0.7, 0.6]])
    # h1 + h2 = 10 never meets [0, 1] x [0, 1].
    chart, crosses = hidden_space(hidden, XOR_X, XOR_Y, np.array([1.0, 1.0]), -10.0,
                                  (0.0, 1.0))
    assert crosses is False
    assert line_of(chart).empty and len(points_of(chart)) == 4
    assert len(vega(chart)["layer"]) == 2


def test_hidden_space_of_one_neuron_lays_points_on_a_line_with_no_vertical_axis():
    hidden = np.array([[0.2], [0.9], [0.8], [0.1]])
    chart, crosses = hidden_space(hidden, XOR_X, XOR_Y, np.array([4.0]), -2.0, (0.0, 1.0))
    points = points_of(chart)
    assert points["u"].tolist() == [0.2, 0.9, 0.8, 0.1] and points["v"].tolist() == [0.0] * 4
    assert point_encoding(chart)["y"]["axis"] is None
    assert crosses is True
    assert list(zip(line_of(chart)["u"], line_of(chart)["v"])) == [(0.5, -1.0), (0.5, 1.0)]


def test_hidden_space_of_unbounded_units_pads_the_view_around_the_points():
    hidden = np.array([[0.0, 0.0], [2.0, 0.5], [1.0, 3.0], [4.0, 1.0]])   # ReLU outputs
    chart, _ = hidden_space(hidden, XOR_X, XOR_Y, np.array([1.0, -1.0]), 0.0, None)
    encoding = point_encoding(chart)
    assert encoding["x"]["scale"]["domain"] == pytest.approx([-0.4, 4.4])   # 10% each side
    assert encoding["y"]["scale"]["domain"] == pytest.approx([-0.3, 3.3])


@settings(max_examples=60, deadline=None)
@given(data=st.data(), k=st.integers(3, 8))
def test_hidden_space_of_many_neurons_always_shows_the_line_z_0(data, k):
    hidden = data.draw(arrays(np.float64, (4, k), elements=st.floats(0.0, 1.0)))
    weights = data.draw(arrays(np.float64, (k,), elements=st.floats(-10.0, 10.0)))
    bias = data.draw(st.floats(-20.0, 20.0))
    assume(np.linalg.norm(weights) > 1e-3)
    chart, crosses = hidden_space(hidden, XOR_X, XOR_Y, weights, bias, (0.0, 1.0))
    x_domain = point_encoding(chart)["x"]["scale"]["domain"]
    assert crosses is True
    assert line_of(chart)["u"].tolist() == [0.0, 0.0]
    assert x_domain[0] < 0.0 < x_domain[1]
    z = np.array([float(np.dot(row, weights)) + bias for row in hidden])
    points = points_of(chart)
    step = OVERLAP * (x_domain[1] - x_domain[0])   # a marker's points lie within a grid step
    for u, count in points[["u", "points"]].itertuples(index=False):
        assert (np.abs(z - u) <= step).sum() >= count
    assert points["points"].sum() == 4


# --- grad_norm_chart -------------------------------------------------------------------------

def test_grad_norm_frame_is_long_and_leaves_out_zeros_for_the_log_scale():
    history = MLP((2, 3, 3, 1), seed=0).train(XOR_X, XOR_Y, 0.3, 50)
    grad_norms = history.grad_norms.copy()
    grad_norms[5, 0] = 0.0
    frame = grad_norm_frame(type(history)(history.epochs, history.loss, history.accuracy,
                                          grad_norms))
    assert sorted(frame["layer"].unique()) == ["layer 1", "layer 2", "layer 3"]
    assert len(frame) == 3 * 51 - 1 and (frame["norm"] > 0).all()
    assert not ((frame["epoch"] == 5) & (frame["layer"] == "layer 1")).any()


def test_grad_norm_chart_has_a_log_line_per_layer_in_the_class_colours():
    history = MLP((2, 3, 3, 1), seed=0).train(XOR_X, XOR_Y, 0.3, 50)
    frame = grad_norm_frame(history)
    spec_dict = vega(grad_norm_chart(frame, 3, marked_epoch=20))
    line = spec_dict["layer"][0]["encoding"]
    assert line["y"]["scale"]["type"] == "log"
    assert line["color"]["scale"]["domain"] == ["layer 1", "layer 2", "layer 3"]
    assert line["color"]["scale"]["range"][0] == CLASS0_HEX
    assert line["color"]["scale"]["range"][-1] == CLASS1_HEX
    assert rule_epochs(spec_dict, spec_dict) == [20]
    ticks = line["y"]["axis"]["values"]
    assert ticks[0] <= frame["norm"].min() and ticks[-1] >= frame["norm"].max()
    assert line["y"]["scale"]["domain"] == [ticks[0], ticks[-1]]
    assert_projector_text(spec_dict)


def test_grad_norm_chart_without_a_marked_epoch_has_no_rule():
    frame = grad_norm_frame(MLP((2, 2, 1), seed=0).train(XOR_X, XOR_Y, 0.3, 10))
    spec_dict = vega(grad_norm_chart(frame, 2))
    assert rule_epochs(spec_dict, spec_dict) == [] and len(spec_dict["layer"]) == 1


# --- spec: what st.vega_lite_chart is given -------------------------------------------------

def send_both_ways(made):
    """Each chart sent both ways: st.altair_chart, then st.vega_lite_chart(spec(...))."""
    import streamlit as st

    from pictures import charts

    for chart in made:
        st.altair_chart(chart, width="stretch")
        st.vega_lite_chart(charts.spec(chart), width="stretch")


def example_charts():
    frame = xor_frame(40)
    hidden_chart, _ = hidden_view(with_hidden_weights([[2.0, -1.5], [2.0, -1.5]]))
    norms = grad_norm_frame(MLP((2, 2, 1), seed=0).train(XOR_X, XOR_Y, 0.3, 40))
    return [loss_chart(frame, marked_epoch=10, test=False), hidden_chart,
            grad_norm_chart(norms, 2, marked_epoch=10)]


def sent(element):
    """(the spec as sent, with data names in place of dataset names; the datasets' frames)."""
    import pyarrow as pa

    proto = element.proto
    frames = {dataset.name: pa.ipc.open_stream(dataset.data.data).read_all().to_pandas()
              for dataset in proto.datasets}
    text = proto.spec
    for index, name in enumerate(sorted(frames, key=text.index)):
        text = text.replace(name, f"dataset {index}")
    sent_spec = json.loads(text)
    sent_spec.get("config", {}).pop("view", None)    # Altair's default theme: sizes only
    sent_spec.pop("$schema", None)
    return sent_spec, [frames[name] for name in sorted(frames, key=proto.spec.index)]


def test_spec_sends_the_same_chart_and_data_as_altair_chart_without_the_schema_check():
    made = example_charts()
    at = AppTest.from_function(send_both_ways, args=(made,), default_timeout=30).run()
    assert not at.exception
    elements = at.get("vega_lite_chart")
    assert len(elements) == 6
    for chart, by_altair, by_spec in zip(made, elements[::2], elements[1::2]):
        spec_a, frames_a = sent(by_altair)
        spec_b, frames_b = sent(by_spec)
        assert spec_a == spec_b
        assert len(frames_a) == len(frames_b) >= 1
        for a, b in zip(frames_a, frames_b):
            pd.testing.assert_frame_equal(a, b)
        drawn = chart.data.reset_index(drop=True)   # the chart's frame arrives as Arrow rows
        assert any(len(frame) == len(drawn) and list(frame.columns) == list(drawn.columns)
                   for frame in frames_b)
        assert not by_spec.proto.data.data       # no unnamed data that a layer could lose


def test_spec_names_the_charts_frame_after_its_content():
    chart = loss_chart(xor_frame(20))
    sent_spec = spec(chart)
    name = sent_spec["data"]["name"]
    assert sent_spec["datasets"][name] is chart.data            # sent as Arrow by Streamlit
    assert spec(loss_chart(xor_frame(20)))["data"]["name"] == name
    assert spec(loss_chart(xor_frame(21)))["data"]["name"] != name
    assert spec(loss_chart(xor_frame(20), marked_epoch=3))["vconcat"] != sent_spec["vconcat"]


def test_chart_benchmark_prints_a_finite_time_for_every_chart_and_way(capsys):
    from bench.charts import COLUMNS, HEADER, main

    assert main(["--quick"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = lines[lines.index(HEADER) + 1:]
    assert [row.split(",")[0] for row in rows] == [
        "loss", "loss log", "live loss", "grad norms", "hidden space", "hidden space"]
    for row in rows:
        figures = [float(value) for value in row[30:].split()]
        assert len(figures) == len(COLUMNS) and all(0 < value < 10_000 for value in figures)


# --- loss_spec: the loss chart as sent, its look built once ---------------------------------

def without_data(sent_spec):
    return {key: value for key, value in sent_spec.items() if key != "datasets"}


def renamed(sent_spec, data=charts_module.HISTORY):
    """spec(loss_chart(...)) with its datasets named as loss_spec names them (or as
    grad_norm_spec does, with data=NORMS)."""
    text = json.dumps(without_data(sent_spec), sort_keys=True)
    text = re.sub(r'"frame-[0-9a-f]+"', f'"{data}"', text)
    return json.loads(re.sub(r'"data-[0-9a-f]+"', f'"{charts_module.MARKED}"', text))


@pytest.mark.parametrize("log_scale", [False, True])
@pytest.mark.parametrize("epochs", [None, 9000])
def test_loss_spec_is_the_loss_chart_with_its_data_in_named_datasets(log_scale, epochs):
    frame = xor_frame(300)
    sent_spec = loss_spec(frame, log_scale=log_scale, marked_epoch=120, epochs=epochs)
    reference = spec(loss_chart(frame, log_scale=log_scale, marked_epoch=120, epochs=epochs))
    assert without_data(sent_spec) == renamed(reference)
    pd.testing.assert_frame_equal(sent_spec["datasets"][charts_module.HISTORY],
                                  plotted_rows(frame, log_scale))
    assert sent_spec["datasets"][charts_module.MARKED]["epoch"].tolist() == [120]


def test_loss_spec_moving_the_rule_or_growing_the_history_changes_only_the_data():
    short, longer = xor_frame(200), xor_frame(300)
    first = loss_spec(short, marked_epoch=10, epochs=1000)
    assert without_data(loss_spec(short, marked_epoch=90, epochs=1000)) == without_data(first)
    assert without_data(loss_spec(longer, marked_epoch=90, epochs=1000)) == without_data(first)
    assert without_data(loss_spec(short, marked_epoch=10, epochs=2000)) != without_data(first)


# --- grad_norm_spec: the gradient-norm chart as sent, its look built once -------------------

def norms_of(epochs, scale=1.0, sizes=(2, 3, 3, 1)):
    return grad_norm_frame(MLP(sizes, seed=0).train(XOR_X, XOR_Y, 0.3, epochs), scale)


@pytest.mark.parametrize("epochs, marked", [(50, 20), (2000, None), (2000, 1500)])
def test_grad_norm_spec_is_the_grad_norm_chart_with_its_data_in_named_datasets(epochs, marked):
    frame = norms_of(epochs, scale=np.array([3.0, 2.0, 2.0]))
    sent_spec = grad_norm_spec(frame, 3, marked_epoch=marked, title="per parameter")
    reference = spec(grad_norm_chart(frame, 3, marked_epoch=marked, title="per parameter"))
    assert without_data(sent_spec) == renamed(reference, charts_module.NORMS)
    pd.testing.assert_frame_equal(sent_spec["datasets"][charts_module.NORMS], frame)
    assert (charts_module.MARKED in sent_spec["datasets"]) == (marked is not None)


def test_grad_norm_spec_of_no_positive_norm_is_the_chart_of_none():
    frame = norms_of(10).iloc[:0]
    assert without_data(grad_norm_spec(frame, 3)) == \
        renamed(spec(grad_norm_chart(frame, 3)), charts_module.NORMS)


def test_grad_norm_spec_moving_the_rule_changes_only_the_data():
    frame = norms_of(300)
    first = grad_norm_spec(frame, 3, marked_epoch=0)
    moved = grad_norm_spec(frame, 3, marked_epoch=250)
    assert without_data(moved) == without_data(first)
    assert moved["datasets"][charts_module.MARKED]["epoch"].tolist() == [250]
    # another run's norms span other decades and epochs: another look
    assert without_data(grad_norm_spec(norms_of(300, scale=1e4), 3, marked_epoch=0)) != \
        without_data(first)
    assert without_data(grad_norm_spec(norms_of(100), 3, marked_epoch=0)) != without_data(first)
