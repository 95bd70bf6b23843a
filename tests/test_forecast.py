"""The first-order forecast of an update's loss change, beside the change recomputed."""

import math

import numpy as np
import pytest

import data
from formats import number
from inspection import forecast
from network import MLP

XOR = data.make("xor")


def test_for_a_plain_step_the_forecast_is_minus_eta_times_the_squared_gradient_norm():
    net, lr = MLP([2, 4, 1], seed=123), 0.3
    g = net.gradients(XOR.X, XOR.y)
    squared = sum(float(np.vdot(a, a)) for a in g.weights + g.biases)
    result = forecast.forecast(net, XOR.X, XOR.y, *forecast.plain_step(net, XOR.X, XOR.y, lr))
    assert result.predicted == pytest.approx(-lr * squared, rel=1e-12)
    step = net.copy().step(XOR.X, XOR.y, lr)   # the engine's own update and its two losses
    assert result.actual == pytest.approx(step.loss_after - step.loss_before, rel=1e-12)


def test_the_forecast_holds_for_small_steps_and_parts_for_large_ones():
    net = MLP([2, 4, 1], seed=123)

    def ratio(lr):
        return forecast.forecast(net, XOR.X, XOR.y,
                                 *forecast.plain_step(net, XOR.X, XOR.y, lr)).ratio

    assert abs(ratio(1e-4) - 1) < 1e-3
    assert abs(ratio(50.0) - 1) > 0.1


def test_the_second_order_term_brings_the_forecast_closer_at_a_moderate_step():
    net = MLP([2, 2, 1], seed=42)
    result = forecast.forecast(net, XOR.X, XOR.y, *forecast.plain_step(net, XOR.X, XOR.y, 5.0))
    assert abs(result.actual - result.second_order) < abs(result.actual - result.predicted)


def test_an_edited_weight_is_forecast_by_its_gradient_times_the_edit():
    net = MLP([2, 4, 1], seed=123)
    weights = [W.copy() for W in net.weights]
    weights[0][1, 2] += 0.01
    g = net.gradients(XOR.X, XOR.y)
    result = forecast.forecast(net, XOR.X, XOR.y, weights, net.biases)
    assert result.predicted == pytest.approx(0.01 * g.weights[0][1, 2], rel=1e-9)
    assert result.step_norm == pytest.approx(0.01)


def test_no_change_forecasts_nothing_and_says_only_the_numbers():
    net = MLP([2, 2, 1])
    result = forecast.forecast(net, XOR.X, XOR.y, net.weights, net.biases)
    assert result.predicted == 0 and result.actual == 0 and math.isnan(result.ratio)
    assert forecast.sentences(result) == [f"Forecast ∇L·Δθ = {number(0.0)}; the loss actually "
                                          f"changed by {number(0.0)}."]


def test_the_sentences_carry_the_forecast_the_change_and_their_ratio():
    net = MLP([2, 4, 1], seed=123)
    result = forecast.forecast(net, XOR.X, XOR.y, *forecast.plain_step(net, XOR.X, XOR.y, 0.3))
    first = forecast.sentences(result)[0]
    assert number(result.predicted) in first and number(result.actual) in first
    assert f"{result.ratio:.3f}" in first
