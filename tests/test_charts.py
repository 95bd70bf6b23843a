"""Unit tests for tabs/charts.py: the Vega-Lite specs and the data frames sent with them."""

import json
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import data
from network import MLP, History
from pictures.boundary import CLASS0_HEX, CLASS1_HEX
from pictures.charts import (
    MAX_POINTS,
    _segment,
    hidden_coordinates,
    hidden_space,
    history_frame,
    loss_chart,
    thinned,
)

XOR = data.make("xor")
XOR_X, XOR_Y = XOR.X, XOR.y

UNIT_BOX = (0.0, 1.0, 0.0, 1.0)
LABELS = ["(0, 0)", "(0, 1)", "(1, 0)", "(1, 1)"]


def recorded(rows, first_epoch=0):
    """A History of `rows` epochs whose loss and accuracy are easy to tell apart per row."""
    epochs = np.arange(first_epoch, first_epoch + rows)
    return History(epochs, 1.0 / (1.0 + epochs), (epochs % 5) / 4.0, np.ones((rows, 2)))


def points_of(data):
    return data[data["layer"] == "point"].reset_index(drop=True)


def line_of(data):
    return data[data["layer"] == "line"].reset_index(drop=True)


def trained_net(sizes, seed=123, epochs=5000):
    net = MLP(sizes, seed=seed)
    net.train(XOR_X, XOR_Y, 0.3, epochs)
    return net


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

def test_loss_chart_log_toggle_sets_the_loss_scale_type():
    log = loss_chart(log_scale=True)["layer"][0]["encoding"]["y"]["scale"]
    linear = loss_chart(log_scale=False)["layer"][0]["encoding"]["y"]["scale"]
    assert log == {"type": "log"}
    assert linear.get("type", "linear") == "linear"


def test_loss_chart_plots_loss_and_accuracy_on_their_own_axes():
    spec = loss_chart()
    fields = [layer["encoding"]["y"]["field"] for layer in spec["layer"]]
    assert fields == ["loss", "accuracy"]
    assert spec["layer"][1]["encoding"]["y"]["scale"]["domain"] == [0, 1]
    assert spec["resolve"] == {"scale": {"y": "independent"}}
    assert all(layer["encoding"]["x"]["field"] == "epoch" for layer in spec["layer"])


def test_loss_chart_without_a_marked_epoch_has_no_rule():
    assert [layer["mark"]["type"] for layer in loss_chart()["layer"]] == ["line", "line"]


@pytest.mark.parametrize("epoch", [0, 1234, np.int64(50_000)])
def test_loss_chart_marks_the_epoch_with_a_rule_layer(epoch):
    spec = loss_chart(marked_epoch=epoch)
    rule = spec["layer"][-1]
    assert len(spec["layer"]) == 3
    assert rule["mark"]["type"] == "rule"
    assert rule["encoding"]["x"]["datum"] == int(epoch)
    assert json.loads(json.dumps(spec)) == spec   # plain JSON: no NumPy integers inside


def test_loss_chart_legend_names_the_test_set_only_when_there_is_one():
    for test, sets in ((False, ["training"]), (True, ["training", "test"])):
        for layer in loss_chart(test=test)["layer"][:2]:
            assert layer["encoding"]["color"]["scale"]["domain"] == sets


def test_loss_chart_height_is_passed_through():
    assert loss_chart(height=123)["height"] == 123


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

def test_hidden_space_points_are_the_hidden_activations_of_a_2_2_1_network():
    net = trained_net((2, 2, 1), seed=123)
    hidden = net.forward(XOR_X).activations[1]
    data, _, _ = hidden_space(hidden, XOR_X, XOR_Y, net.weights[-1][:, 0],
                              float(net.biases[-1][0]), (0.0, 1.0))
    points = points_of(data)
    assert points["u"].tolist() == hidden[:, 0].tolist()
    assert points["v"].tolist() == hidden[:, 1].tolist()
    assert points["input"].tolist() == LABELS
    assert points["class"].tolist() == ["class 0", "class 1", "class 1", "class 0"]


def test_hidden_space_maps_class_0_and_1_to_their_colours_and_shapes():
    hidden = np.array([[0.1, 0.2], [0.8, 0.3], [0.3, 0.9], [0.7, 0.6]])
    _, spec, _ = hidden_space(hidden, XOR_X, XOR_Y, np.array([1.0, 1.0]), -1.0, (0.0, 1.0))
    encoding = spec["layer"][0]["encoding"]
    colours = dict(zip(encoding["color"]["scale"]["domain"], encoding["color"]["scale"]["range"]))
    shapes = dict(zip(encoding["shape"]["scale"]["domain"], encoding["shape"]["scale"]["range"]))
    assert encoding["color"]["field"] == encoding["shape"]["field"] == "class"
    assert colours == {"class 0": CLASS0_HEX, "class 1": CLASS1_HEX}
    assert shapes == {"class 0": "circle", "class 1": "square"}


def test_hidden_space_draws_the_line_where_it_crosses_the_view():
    hidden = np.array([[0.1, 0.2], [0.8, 0.3], [0.3, 0.9], [0.7, 0.6]])
    # h1 + h2 - 1 = 0 across the fixed view [0, 1] x [0, 1]: from (0, 1) to (1, 0).
    data, spec, crosses = hidden_space(hidden, XOR_X, XOR_Y, np.array([1.0, 1.0]), -1.0,
                                       (0.0, 1.0))
    line = line_of(data)
    assert crosses is True
    assert list(zip(line["u"], line["v"])) == [(0.0, 1.0), (1.0, 0.0)]
    assert len(spec["layer"]) == 3 and spec["layer"][2]["mark"]["type"] == "line"
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [0.0, 1.0]
    assert spec["layer"][0]["encoding"]["y"]["scale"]["domain"] == [0.0, 1.0]


def test_hidden_space_says_when_the_line_lies_outside_the_view():
    hidden = np.array([[0.1, 0.2], [0.8, 0.3], [0.3, 0.9], [0.7, 0.6]])
    # h1 + h2 = 10 never meets [0, 1] x [0, 1].
    data, spec, crosses = hidden_space(hidden, XOR_X, XOR_Y, np.array([1.0, 1.0]), -10.0,
                                       (0.0, 1.0))
    assert crosses is False
    assert line_of(data).empty and len(points_of(data)) == 4
    assert len(spec["layer"]) == 2


def test_hidden_space_of_one_neuron_lays_points_on_a_line_with_no_vertical_axis():
    hidden = np.array([[0.2], [0.9], [0.8], [0.1]])
    data, spec, crosses = hidden_space(hidden, XOR_X, XOR_Y, np.array([4.0]), -2.0, (0.0, 1.0))
    points = points_of(data)
    assert points["u"].tolist() == [0.2, 0.9, 0.8, 0.1] and points["v"].tolist() == [0.0] * 4
    assert spec["layer"][0]["encoding"]["y"]["axis"] is None
    assert crosses is True
    assert list(zip(line_of(data)["u"], line_of(data)["v"])) == [(0.5, -1.0), (0.5, 1.0)]


def test_hidden_space_of_unbounded_units_pads_the_view_around_the_points():
    hidden = np.array([[0.0, 0.0], [2.0, 0.5], [1.0, 3.0], [4.0, 1.0]])   # ReLU outputs
    _, spec, _ = hidden_space(hidden, XOR_X, XOR_Y, np.array([1.0, -1.0]), 0.0, None)
    x_domain = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    y_domain = spec["layer"][0]["encoding"]["y"]["scale"]["domain"]
    assert x_domain == pytest.approx([-0.4, 4.4])    # 10% of the spread 4 each side
    assert y_domain == pytest.approx([-0.3, 3.3])


@settings(max_examples=60, deadline=None)
@given(data=st.data(), k=st.integers(3, 8))
def test_hidden_space_of_many_neurons_always_shows_the_line_z_0(data, k):
    hidden = data.draw(arrays(np.float64, (4, k), elements=st.floats(0.0, 1.0)))
    weights = data.draw(arrays(np.float64, (k,), elements=st.floats(-10.0, 10.0)))
    bias = data.draw(st.floats(-20.0, 20.0))
    assume(np.linalg.norm(weights) > 1e-3)
    frame, spec, crosses = hidden_space(hidden, XOR_X, XOR_Y, weights, bias, (0.0, 1.0))
    line = line_of(frame)
    x_domain = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    assert crosses is True
    assert line["u"].tolist() == [0.0, 0.0]
    assert x_domain[0] < 0.0 < x_domain[1]
    z = [float(np.dot(row, weights)) + bias for row in hidden]
    assert points_of(frame)["u"].to_numpy() == pytest.approx(z, abs=1e-9)
    json.dumps(spec)   # plain JSON for the browser
