"""A planted bug makes the gradient check fail, parameter by parameter; no bug passes."""

import numpy as np
import pytest

import data
from inspection import planted
from network import MLP

XOR = data.make("xor")
MOONS = data.make("moons", points=40, noise=0.1, seed=2)


@pytest.mark.parametrize("net, points", [
    (MLP([2, 4, 1], seed=123), XOR),
    (MLP([2, 3, 3, 1], "tanh", "bce", seed=7, l2=0.01), MOONS),
    (MLP([2, 8, 1], "relu", seed=5), MOONS),
    (MLP([2, 2, 1], "linear", seed=1), XOR),
])
def test_without_a_bug_backward_is_the_engines_and_the_check_passes(net, points):
    ours, engine = planted.backward(net, points.X, points.y), net.gradients(points.X, points.y)
    for mine, theirs in zip(ours.weights + ours.biases, engine.weights + engine.biases):
        np.testing.assert_allclose(mine, theirs, rtol=1e-13, atol=1e-17)
    check = planted.gradient_check(net, points.X, points.y)
    assert check.passed, (check.failed, check.relative_error.max())
    assert len(check.names) == sum(W.size + b.size for W, b in zip(net.weights, net.biases))
    assert len(set(check.names)) == len(check.names)


def test_half_mse_halves_every_gradient_and_fails_everywhere():
    net = MLP([2, 4, 1], seed=123)
    check = planted.gradient_check(net, XOR.X, XOR.y, "half_mse")
    sizable = np.maximum(abs(check.numerical), abs(check.backprop)) > planted.FLOOR
    np.testing.assert_allclose(check.backprop, check.numerical / 2, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(check.relative_error[sizable], 0.5, rtol=1e-5)
    assert set(check.failed) == {name for name, big in zip(check.names, sizable) if big}


def test_a_wrong_sign_gives_relative_error_two_on_every_parameter():
    check = planted.gradient_check(MLP([2, 4, 1], seed=123), XOR.X, XOR.y, "wrong_sign")
    sizable = np.maximum(abs(check.numerical), abs(check.backprop)) > planted.FLOOR
    np.testing.assert_allclose(check.relative_error[sizable], 2.0, rtol=1e-5)
    assert not check.passed


def test_forgetting_sigma_prime_breaks_the_hidden_layer_and_not_the_output_layer():
    check = planted.gradient_check(MLP([2, 4, 1], seed=123), XOR.X, XOR.y,
                                   "forget_sigma_prime")
    failed = set(check.failed)
    assert failed and all(name.startswith(("W⁽¹⁾", "b⁽¹⁾")) for name in failed)
    first = [i for i, name in enumerate(check.names) if name.startswith("W⁽¹⁾")]
    assert np.all(check.relative_error[first] > 0.5)   # sigma' <= 1/4: far too large or wrong


def test_forgetting_sigma_prime_is_harmless_where_the_derivative_is_one():
    # Linear hidden units: f'(z) = 1, so leaving it out changes nothing and the check passes.
    assert planted.gradient_check(MLP([2, 2, 1], "linear", seed=1), XOR.X, XOR.y,
                                  "forget_sigma_prime").passed


def test_half_mse_also_fails_under_cross_entropy():
    assert not planted.gradient_check(MLP([2, 4, 1], loss="bce", seed=3), XOR.X, XOR.y,
                                      "half_mse").passed


def test_an_unknown_bug_says_which_there_are():
    with pytest.raises(ValueError, match="none, forget_sigma_prime, half_mse, wrong_sign"):
        planted.backward(MLP([2, 2, 1]), XOR.X, XOR.y, "typo")


def test_relative_errors_are_zero_when_equal_two_when_opposite_and_small_below_the_floor():
    # below the floor, a difference the size of central differences' own error (~1e-11)
    errors = planted.relative_errors([0.3, -0.2, 1e-11, 0.0], [0.3, 0.2, 3e-11, 0.0])
    assert errors[0] == 0.0 and errors[1] == pytest.approx(2.0) and errors[3] == 0.0
    assert errors[2] < planted.RELATIVE_TOLERANCE
