"""Unit tests for the engine, network.py: gradients, the loss convention, determinism, training,
weight decay, mini-batches and the test set."""

import math
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import data
from network import DIVERGED, MLP, batch_generator, numerical_gradients, sharpness
from runs import DEFAULTS

XOR = data.make("xor")
XOR_X, XOR_Y = XOR.X, XOR.y


ACTIVATION_NAMES = ["sigmoid", "tanh", "relu", "linear"]
LOSS_NAMES = ["mse", "bce"]
INIT_NAMES = ["xavier", "he", "uniform"]

GRADIENT_TOLERANCE = 1e-6
# Central-difference step: its truncation error grows as EPS^2 and its rounding error as
# 1e-16 * loss / EPS; 1e-5 (near the cube root of float64's epsilon) keeps both well below
# the tolerance, where the default 1e-6 lets rounding reach it on small gradients.
EPS = 1e-5
# How far every ReLU pre-activation must stay from its kink at 0 so that no step of EPS in
# one parameter crosses it.
KINK_MARGIN = 1e-3
# A saturated output makes the gradient tiny next to the loss, and a central difference then
# measures mostly rounding noise.
SATURATION_MARGIN = 1e-2


# --- helpers ------------------------------------------------------------------------------

def flat(arrays_):
    return np.concatenate([np.ravel(a) for a in arrays_])


def flat_gradients(gradients):
    return flat([*gradients.weights, *gradients.biases])


def relative_error(analytic, numeric):
    """Norm ratio ||a - n|| / max(||a|| + ||n||, 1e-8) over every entry together."""
    return np.linalg.norm(analytic - numeric) / max(
        np.linalg.norm(analytic) + np.linalg.norm(numeric), 1e-8)


def sigmoid_by_hand(z):
    return 1.0 / (1.0 + np.exp(-z))


def finite_differences_can_resolve(net, X):
    """Outputs away from saturation and, for ReLU, every hidden z away from the kink."""
    forward = net.forward(X)
    a = forward.output
    if not ((a > SATURATION_MARGIN) & (a < 1 - SATURATION_MARGIN)).all():
        return False
    return net.activation != "relu" or all(
        (np.abs(z) > KINK_MARGIN).all() for z in forward.pre_activations[:-1])


def per_example_dL_dz(net, X, y, eps=EPS):
    """dL/dz of every layer by central differences, independent of backprop.

    For a lone example i, shifting the bias b_l[k] shifts exactly z_l[i, k]; the batch loss is
    the mean over examples, so dL/dz_l[i, k] is that slope divided by n.
    """
    n = len(X)
    probe = net.copy()
    result = [np.zeros((n, b.size)) for b in probe.biases]
    for layer, b in enumerate(probe.biases):
        for k in range(b.size):
            saved = b[k]
            for i in range(n):
                b[k] = saved + eps
                up = probe.loss(X[i:i + 1], y[i:i + 1])
                b[k] = saved - eps
                down = probe.loss(X[i:i + 1], y[i:i + 1])
                result[layer][i, k] = (up - down) / (2 * eps) / n
            b[k] = saved
    return result


def total_grad_norm(gradients):
    return math.sqrt(sum(float((g ** 2).sum()) for g in [*gradients.weights, *gradients.biases]))


def layer_norms_by_hand(gradients):
    return [math.sqrt((dW ** 2).sum() + (db ** 2).sum())
            for dW, db in zip(gradients.weights, gradients.biases)]


def assert_same_parameters(weights_a, biases_a, weights_b, biases_b):
    assert len(weights_a) == len(weights_b) and len(biases_a) == len(biases_b)
    for a, b in zip([*weights_a, *biases_a], [*weights_b, *biases_b]):
        assert np.array_equal(a, b)


@st.composite
def problems(draw, depth):
    """A random architecture with `depth` hidden layers, an init, a seed and a batch of data."""
    sizes = [draw(st.integers(1, 8)) for _ in range(depth + 1)] + [1]
    n = draw(st.integers(1, 16))
    X = draw(arrays(np.float64, (n, sizes[0]), elements=st.floats(-2.0, 2.0)))
    y = draw(arrays(np.float64, (n, 1), elements=st.sampled_from([0.0, 1.0])))
    init = draw(st.sampled_from(INIT_NAMES))
    seed = draw(st.integers(0, 2 ** 32 - 1))
    return sizes, init, seed, X, y


# --- 1. analytic gradients against finite differences -----------------------------------

@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("loss", LOSS_NAMES)
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_backprop_gradients_match_finite_differences(activation, loss, depth, data):
    sizes, init, seed, X, y = data.draw(problems(depth))
    net = MLP(sizes, activation, loss, init, seed)
    assume(finite_differences_can_resolve(net, X))
    analytic = net.gradients(X, y)
    numeric = numerical_gradients(net, X, y, eps=EPS)
    for a, n in zip([*analytic.weights, *analytic.biases], [*numeric.weights, *numeric.biases]):
        assert a.shape == n.shape
    assert relative_error(flat_gradients(analytic), flat_gradients(numeric)) <= GRADIENT_TOLERANCE


@pytest.mark.parametrize("loss", LOSS_NAMES)
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_deltas_are_dL_dz_and_build_the_parameter_gradients(activation, loss, data):
    depth = data.draw(st.integers(1, 4))
    sizes, init, seed, X, y = data.draw(problems(depth))
    net = MLP(sizes, activation, loss, init, seed)
    assume(finite_differences_can_resolve(net, X))
    forward = net.forward(X)
    gradients = net.gradients(X, y)

    assert len(gradients.deltas) == len(net.weights)
    for layer, delta in enumerate(gradients.deltas):
        assert delta.shape == forward.pre_activations[layer].shape
        np.testing.assert_allclose(gradients.weights[layer],
                                   forward.activations[layer].T @ delta, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(gradients.biases[layer], delta.sum(axis=0),
                                   rtol=1e-12, atol=1e-15)

    a, n = forward.output, len(X)
    by_hand = 2.0 * (a - y) * a * (1.0 - a) / n if loss == "mse" else (a - y) / n
    np.testing.assert_allclose(gradients.deltas[-1], by_hand, rtol=1e-12, atol=1e-15)

    numeric = per_example_dL_dz(net, X, y)
    assert relative_error(flat(gradients.deltas), flat(numeric)) <= GRADIENT_TOLERANCE


L2_VALUES = [1e-3, 0.1, 1.0]

# (layer_sizes, activation, loss, init): small and deep, every activation, both losses.
L2_NETS = {
    "2-3-1 sigmoid mse": ([2, 3, 1], "sigmoid", "mse", "xavier"),
    "3-5-4-1 tanh bce uniform": ([3, 5, 4, 1], "tanh", "bce", "uniform"),
    "2-6-1 relu bce he": ([2, 6, 1], "relu", "bce", "he"),
    "4-2-3-2-1 linear mse": ([4, 2, 3, 2, 1], "linear", "mse", "xavier"),
}


@pytest.mark.parametrize("loss", LOSS_NAMES)
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_backprop_gradients_with_l2_match_finite_differences(activation, loss, data):
    depth = data.draw(st.integers(1, 3))
    sizes, init, seed, X, y = data.draw(problems(depth))
    l2 = data.draw(st.sampled_from(L2_VALUES))
    net = MLP(sizes, activation, loss, init, seed, l2=l2)
    assume(finite_differences_can_resolve(net, X))
    analytic = net.gradients(X, y)
    numeric = numerical_gradients(net, X, y, eps=EPS)
    assert relative_error(flat_gradients(analytic), flat_gradients(numeric)) <= GRADIENT_TOLERANCE


@pytest.mark.parametrize("l2", L2_VALUES)
@pytest.mark.parametrize("case", list(L2_NETS))
def test_l2_adds_exactly_l2_times_W_to_the_weight_gradients_and_nothing_to_the_biases(case, l2):
    sizes, activation, loss, init = L2_NETS[case]
    X, y = random_batch(sizes[0], n=9, seed=4)
    plain = MLP(sizes, activation, loss, init, seed=6)
    decayed = MLP(sizes, activation, loss, init, seed=6, l2=l2)
    assert_same_parameters(plain.weights, plain.biases, decayed.weights, decayed.biases)
    without, with_l2 = plain.gradients(X, y), decayed.gradients(X, y)
    for W, dW_plain, dW in zip(plain.weights, without.weights, with_l2.weights):
        np.testing.assert_allclose(dW - dW_plain, l2 * W, rtol=1e-9, atol=1e-15)
    for db_plain, db in zip(without.biases, with_l2.biases):
        assert np.array_equal(db, db_plain)
    for delta_plain, delta in zip(without.deltas, with_l2.deltas):
        assert np.array_equal(delta, delta_plain)


# --- 2. the loss convention ----------------------------------------------------------------

def random_batch(n_inputs, n=9, seed=7):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2.0, 2.0, size=(n, n_inputs))
    y = rng.integers(0, 2, size=(n, 1)).astype(float)
    return X, y


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_mse_loss_is_the_plain_mean_of_squared_errors_without_a_half(activation):
    X, y = random_batch(3)
    net = MLP([3, 5, 1], activation, "mse", seed=11)
    a = net.predict(X)
    assert net.loss(X, y) == pytest.approx(np.mean((a - y) ** 2), rel=1e-12)


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_output_bias_gradient_is_the_slope_of_the_loss_written_by_hand(loss):
    """Ties the gradient to the formula (not to net.loss): half of it would be off by 2x."""
    X, y = random_batch(2, n=6, seed=3)
    net = MLP([2, 3, 1], "tanh", loss, seed=5)
    z = net.forward(X).pre_activations[-1]

    def loss_by_hand(shift):
        a = sigmoid_by_hand(z + shift)
        if loss == "mse":
            return np.mean((a - y) ** 2)
        return -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))

    eps = 1e-6
    slope = (loss_by_hand(eps) - loss_by_hand(-eps)) / (2 * eps)
    assert net.gradients(X, y).biases[-1][0] == pytest.approx(slope, rel=1e-7)


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_bce_loss_is_the_mean_negative_log_likelihood(activation):
    X, y = random_batch(3)
    net = MLP([3, 5, 1], activation, "bce", seed=11)
    a = net.predict(X)
    assert ((a > 1e-6) & (a < 1 - 1e-6)).all()   # away from saturation, the formula is exact
    by_hand = -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))
    assert net.loss(X, y) == pytest.approx(by_hand, rel=1e-12)


@pytest.mark.parametrize("output_bias", [50.0, -50.0])
def test_bce_stays_finite_and_exact_when_the_output_saturates(output_bias):
    # sigmoid(+-50) rounds to exactly 1 or 0, where y ln a + (1-y) ln(1-a) would give inf.
    net = MLP([2, 2, 1], "sigmoid", "bce", seed=1)
    net.set_parameters(net.weights, [net.biases[0], np.array([output_bias])])
    z = net.forward(XOR_X).pre_activations[-1]
    # ln(1 + e^z) - y z, with the large side of ln(1 + e^z) written as z + ln(1 + e^-z).
    softplus = np.where(z > 0, z + np.log1p(np.exp(-np.abs(z))), np.log1p(np.exp(-np.abs(z))))
    by_hand = np.mean(softplus - XOR_Y * z)
    assert net.loss(XOR_X, XOR_Y) == pytest.approx(by_hand, rel=1e-12)
    assert by_hand > 20   # two of the four examples are confidently wrong


@pytest.mark.parametrize("l2", L2_VALUES)
@pytest.mark.parametrize("case", list(L2_NETS))
def test_l2_adds_half_l2_times_the_sum_of_squared_weights_to_the_loss(case, l2):
    sizes, activation, loss, init = L2_NETS[case]
    X, y = random_batch(sizes[0], n=9, seed=4)
    plain = MLP(sizes, activation, loss, init, seed=6)
    decayed = MLP(sizes, activation, loss, init, seed=6, l2=l2)
    # Large biases: a penalty that wrongly counted them would be far off.
    biases = [b + 3.0 for b in plain.biases]
    plain.set_parameters(plain.weights, biases)
    decayed.set_parameters(plain.weights, biases)
    by_hand = l2 / 2 * sum(float((W ** 2).sum()) for W in plain.weights)
    assert decayed.loss(X, y) - plain.loss(X, y) == pytest.approx(by_hand, rel=1e-9)
    assert decayed.penalty() == pytest.approx(by_hand, rel=1e-12)
    assert plain.penalty() == 0.0


# --- 3. determinism --------------------------------------------------------------------------

@pytest.mark.parametrize("init", INIT_NAMES)
def test_same_seed_gives_identical_initial_weights(init):
    a, b = MLP([2, 4, 3, 1], init=init, seed=9), MLP([2, 4, 3, 1], init=init, seed=9)
    assert_same_parameters(a.weights, a.biases, b.weights, b.biases)


@pytest.mark.parametrize("init", INIT_NAMES)
def test_different_seeds_give_different_initial_weights(init):
    a, b = MLP([2, 4, 3, 1], init=init, seed=9), MLP([2, 4, 3, 1], init=init, seed=10)
    for x, y in zip([*a.weights, *a.biases], [*b.weights, *b.biases]):
        assert not np.array_equal(x, y)


@pytest.mark.parametrize(("init", "expected_std"), [
    ("xavier", math.sqrt(2.0 / (200 + 300))),   # Glorot & Bengio: variance 2 / (n_in + n_out)
    ("he", math.sqrt(2.0 / 200)),               # He et al.: variance 2 / n_in
    ("uniform", 1.0 / math.sqrt(3.0)),          # U(-1, 1)
])
def test_initial_weights_follow_the_named_scheme(init, expected_std):
    net = MLP([200, 300, 1], init=init, seed=3)
    W, b = net.weights[0], net.biases[0]
    # 60000 draws: the sample mean varies by 0.004 sd and the sample sd by 0.3%.
    assert abs(W.mean()) < 0.05 * expected_std
    assert W.std() == pytest.approx(expected_std, rel=0.03)
    if init == "uniform":
        assert np.abs(W).max() <= 1.0
    assert np.abs(b).max() <= 1.0 / math.sqrt(200)
    assert not np.allclose(b, b[0])


def test_initial_weights_have_the_documented_shapes():
    net = MLP([3, 5, 4, 1], seed=0)
    assert [w.shape for w in net.weights] == [(3, 5), (5, 4), (4, 1)]
    assert [b.shape for b in net.biases] == [(5,), (4,), (1,)]


def test_reset_restores_the_identical_initial_weights_after_training():
    net = MLP([2, 4, 1], "tanh", "bce", seed=21)
    initial_w = [w.copy() for w in net.weights]
    initial_b = [b.copy() for b in net.biases]
    net.train(XOR_X, XOR_Y, 0.5, 200)
    net.reset()
    assert net.epoch == 0
    assert_same_parameters(net.weights, net.biases, initial_w, initial_b)
    # The app lets learners edit weights in place; that must not reach the stored initial ones.
    net.weights[0][0, 0] += 5.0
    net.biases[0][0] += 5.0
    net.reset()
    assert_same_parameters(net.weights, net.biases, initial_w, initial_b)
    fresh = MLP([2, 4, 1], "tanh", "bce", seed=21)
    assert_same_parameters(net.weights, net.biases, fresh.weights, fresh.biases)


def train_one(seed, barrier=None):
    if barrier is not None:
        barrier.wait()   # start every thread at once, so they really overlap
    net = MLP([2, 4, 1], "tanh", "bce", seed=seed)
    history = net.train(XOR_X, XOR_Y, 0.5, 300)
    return net.weights, net.biases, history.loss


def test_threads_training_at_once_get_exactly_the_single_threaded_results():
    seeds = [3, 3, 3, 3, 4, 5, 6, 7]
    expected = [train_one(seed) for seed in seeds]
    barrier = threading.Barrier(len(seeds))
    with ThreadPoolExecutor(max_workers=len(seeds)) as pool:
        got = list(pool.map(lambda seed: train_one(seed, barrier), seeds))
    for (w, b, loss), (w_ref, b_ref, loss_ref) in zip(got, expected):
        assert_same_parameters(w, b, w_ref, b_ref)
        assert np.array_equal(loss, loss_ref)


def test_engine_never_touches_numpys_global_random_state(global_random_state):
    net = MLP([2, 3, 1], "relu", "bce", "he", seed=5)
    net.train(XOR_X, XOR_Y, 0.3, 20)
    net.step(XOR_X, XOR_Y, 0.3)
    net.copy().reset()
    numerical_gradients(net, XOR_X, XOR_Y)
    global_random_state()
    assert np.random.random() == np.random.RandomState(0).random_sample()


@pytest.mark.usefixtures("global_random_state")
def test_global_numpy_seed_does_not_change_a_networks_weights():
    np.random.seed(1)
    a = MLP([2, 4, 1], seed=5)
    np.random.seed(2)
    b = MLP([2, 4, 1], seed=5)
    assert_same_parameters(a.weights, a.biases, b.weights, b.biases)


# --- 4. L2 weight decay in training --------------------------------------------------------

def total_weight_norm(net):
    return math.sqrt(sum(float((W ** 2).sum()) for W in net.weights))


@pytest.mark.parametrize("batch_size", [None, 1])
def test_l2_shrinks_the_trained_weights(batch_size):
    norms = {}
    for l2 in [0.0, 0.01, 0.1]:
        net = MLP([2, 4, 1], "tanh", "bce", seed=3, l2=l2)
        net.train(XOR_X, XOR_Y, 0.5, 300, batch_size=batch_size)
        norms[l2] = total_weight_norm(net)
    assert norms[0.1] < norms[0.01] < norms[0.0]


def test_recorded_loss_and_gradient_norms_include_the_l2_term():
    sizes, l2 = [2, 4, 1], 0.05
    net = MLP(sizes, "tanh", "bce", seed=2, l2=l2)
    history = net.train(XOR_X, XOR_Y, 0.5, 60, snapshot_epochs=[0, 30, 60])
    for epoch, snap in history.snapshots.items():
        plain = MLP(sizes, "tanh", "bce", seed=2)
        plain.set_parameters(snap.weights, snap.biases)
        penalty = l2 / 2 * sum(float((W ** 2).sum()) for W in snap.weights)
        assert penalty > 1e-3
        assert history.loss[epoch] == pytest.approx(plain.loss(XOR_X, XOR_Y) + penalty, rel=1e-12)
        g = plain.gradients(XOR_X, XOR_Y)
        decayed = [dW + l2 * W for dW, W in zip(g.weights, snap.weights)]
        by_hand = [math.sqrt((dW ** 2).sum() + (db ** 2).sum())
                   for dW, db in zip(decayed, g.biases)]
        np.testing.assert_allclose(history.grad_norms[epoch], by_hand, rtol=1e-12)


def test_step_with_l2_moves_the_weights_by_the_decayed_gradient():
    X, y = random_batch(3, n=7, seed=2)
    l2, lr = 0.1, 0.7
    net = MLP([3, 4, 2, 1], "tanh", "bce", seed=4, l2=l2)
    plain = MLP([3, 4, 2, 1], "tanh", "bce", seed=4).gradients(X, y)
    before_w, before_b = net.weights, net.biases
    net.step(X, y, lr)
    for W, dW, after in zip(before_w, plain.weights, net.weights):
        np.testing.assert_allclose(after, W - lr * (dW + l2 * W), rtol=1e-12, atol=1e-15)
    for b, db, after in zip(before_b, plain.biases, net.biases):
        assert np.array_equal(after, b - lr * db)


def test_copy_keeps_l2():
    net = MLP([2, 3, 1], seed=1, l2=0.25)
    twin = net.copy()
    assert twin.l2 == 0.25
    assert twin.loss(XOR_X, XOR_Y) == net.loss(XOR_X, XOR_Y)


# --- 5. divergence ------------------------------------------------------------------------

def test_train_stops_at_the_first_diverged_epoch_and_keeps_the_weights_before_it():
    sizes, lr, seed = [2, 4, 1], 10.0, 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net = MLP(sizes, "linear", "bce", seed=seed)
        history = net.train(XOR_X, XOR_Y, lr, 400)

    d = history.diverged_at
    assert d is not None and 1 <= d < 400
    assert history.epochs[-1] == d - 1 == net.epoch
    assert len(history.loss) == len(history.accuracy) == len(history.grad_norms) == d
    assert np.isfinite(history.loss).all() and (history.loss < DIVERGED).all()
    assert np.isfinite(history.accuracy).all()
    assert np.isfinite(history.grad_norms).all()
    assert all(np.isfinite(p).all() for p in [*net.weights, *net.biases])

    twin = MLP(sizes, "linear", "bce", seed=seed)
    twin.train(XOR_X, XOR_Y, lr, d - 1)
    assert_same_parameters(net.weights, net.biases, twin.weights, twin.biases)
    # One more update is what broke: its loss or gradient norm is past DIVERGED (or NaN).
    with np.errstate(all="ignore"):
        step = twin.step(XOR_X, XOR_Y, lr)
        norms = layer_norms_by_hand(twin.gradients(XOR_X, XOR_Y))
    assert not (step.loss_after < DIVERGED and sum(norms) < DIVERGED)


CIRCLE = data.make("circle", 40, 0.2, 0)


def test_mini_batch_training_stops_at_the_diverged_epoch_and_keeps_the_network_before_it():
    # Linear hidden units, BCE, learning rate 50 and batches of 8 on 40 spread points blow up
    # within about ten epochs (measured).
    args, lr, batch_size = ([2, 4, 1], "linear", "bce", "xavier", 0), 50.0, 8
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net = MLP(*args)
        history = net.train(CIRCLE.X, CIRCLE.y, lr, 60, batch_size=batch_size)

    d = history.diverged_at
    assert d is not None and 1 <= d < 60
    assert history.epochs[-1] == d - 1 == net.epoch
    assert len(history.loss) == len(history.accuracy) == len(history.grad_norms) == d
    assert np.isfinite(history.loss).all() and (history.loss < DIVERGED).all()
    assert np.isfinite(history.grad_norms).all()
    assert all(np.isfinite(p).all() for p in [*net.weights, *net.biases])

    twin = MLP(*args)
    twin.train(CIRCLE.X, CIRCLE.y, lr, d - 1, batch_size=batch_size)
    assert_same_parameters(net.weights, net.biases, twin.weights, twin.biases)
    # The kept network is the one of epoch d - 1 in every respect, its next batch order
    # included: trained on, it breaks at epoch d again, exactly as the twin does.
    with np.errstate(all="ignore"):
        again = net.train(CIRCLE.X, CIRCLE.y, lr, 5, batch_size=batch_size)
        twins = twin.train(CIRCLE.X, CIRCLE.y, lr, 5, batch_size=batch_size)
    assert again.diverged_at == twins.diverged_at == d
    assert np.array_equal(again.epochs, [d - 1])
    assert_same_parameters(net.weights, net.biases, twin.weights, twin.biases)


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_a_saturated_network_is_evaluated_without_warnings(loss):
    # exp(800) overflows on the way to sigmoid(-800) == 0; the app must not log that.
    net = MLP([2, 2, 1], "sigmoid", loss, seed=0)
    net.set_parameters(net.weights, [net.biases[0], np.array([-800.0])])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.array_equal(net.predict(XOR_X), np.zeros((4, 1)))
        z = net.forward(XOR_X).pre_activations[-1]
        value = net.loss(XOR_X, XOR_Y)
        net.gradients(XOR_X, XOR_Y)
        numerical_gradients(net, XOR_X, XOR_Y)
        net.step(XOR_X, XOR_Y, 0.1)
        net.train(XOR_X, XOR_Y, 0.1, 3)
    if loss == "mse":
        assert value == 0.5   # the two class-1 examples are off by exactly 1
    else:
        assert value == pytest.approx(-np.mean(XOR_Y * z), rel=1e-12)   # ln(1 + e^z) ~ 0


def test_inputs_too_large_to_evaluate_are_refused_before_training():
    net = MLP([2, 4, 1], "linear", "bce", seed=0)
    with pytest.raises(ValueError, match="already huge or not finite"):
        net.train(XOR_X * 1e200, XOR_Y, 0.1, 10)


# --- 6. history -------------------------------------------------------------------------------

def test_history_has_one_row_per_epoch_starting_where_the_network_stands():
    net = MLP([2, 3, 1], seed=2)
    first = net.train(XOR_X, XOR_Y, 0.5, 100)
    later = net.train(XOR_X, XOR_Y, 0.5, 50)
    assert np.array_equal(first.epochs, np.arange(0, 101))
    assert np.array_equal(later.epochs, np.arange(100, 151))
    for history, epochs in [(first, 100), (later, 50)]:
        assert len(history.loss) == len(history.accuracy) == epochs + 1
        assert history.grad_norms.shape == (epochs + 1, 2)
        assert history.diverged_at is None
    assert net.epoch == 150


def test_training_in_two_parts_equals_training_at_once():
    args = ([2, 4, 1], "sigmoid", "mse", "xavier", 17)
    at_once = MLP(*args)
    whole = at_once.train(XOR_X, XOR_Y, 0.5, 200, snapshot_epochs=[50, 150])
    in_parts = MLP(*args)
    first = in_parts.train(XOR_X, XOR_Y, 0.5, 100, snapshot_epochs=[50, 150])
    second = in_parts.train(XOR_X, XOR_Y, 0.5, 100, snapshot_epochs=[50, 150])

    assert_same_parameters(in_parts.weights, in_parts.biases, at_once.weights, at_once.biases)
    joined = first.then(second)
    for name in ["epochs", "loss", "accuracy", "grad_norms"]:
        assert np.array_equal(getattr(joined, name), getattr(whole, name)), name
    assert sorted(joined.snapshots) == sorted(whole.snapshots) == [50, 150]
    for epoch, snap in joined.snapshots.items():
        theirs = whole.snapshots[epoch]
        assert_same_parameters(snap.weights, snap.biases, theirs.weights, theirs.biases)


def test_then_refuses_histories_that_do_not_meet():
    net = MLP([2, 2, 1], seed=1)
    first = net.train(XOR_X, XOR_Y, 0.5, 10)
    unrelated = MLP([2, 2, 1], seed=1).train(XOR_X, XOR_Y, 0.5, 10)
    with pytest.raises(ValueError, match="must start at the epoch"):
        first.then(unrelated)


def test_snapshots_hold_the_weights_the_network_had_at_those_epochs():
    args = ([2, 3, 3, 1], "tanh", "bce", "xavier", 8)
    net = MLP(*args)
    net.train(XOR_X, XOR_Y, 0.4, 20)   # snapshot epochs are absolute, counting earlier training
    history = net.train(XOR_X, XOR_Y, 0.4, 80, snapshot_epochs=[0, 10, 20, 21, 57, 100, 101])
    assert sorted(history.snapshots) == [20, 21, 57, 100]
    for epoch, snap in history.snapshots.items():
        assert snap.epoch == epoch
        twin = MLP(*args)
        twin.train(XOR_X, XOR_Y, 0.4, epoch)
        assert_same_parameters(snap.weights, snap.biases, twin.weights, twin.biases)
        row = epoch - history.epochs[0]
        assert history.loss[row] == pytest.approx(twin.loss(XOR_X, XOR_Y), rel=1e-12)
        right = (twin.predict(XOR_X) > 0.5) == (XOR_Y > 0.5)
        assert history.accuracy[row] == right.mean()


def test_snapshot_at_epoch_zero_is_the_initial_network():
    net = MLP([2, 2, 1], seed=4)
    history = net.train(XOR_X, XOR_Y, 0.5, 5, snapshot_epochs=[0])
    fresh = MLP([2, 2, 1], seed=4)
    snap = history.snapshots[0]
    assert_same_parameters(snap.weights, snap.biases, fresh.weights, fresh.biases)


def test_progress_is_called_every_k_epochs_with_the_history_so_far():
    net = MLP([2, 4, 1], seed=6)
    seen = []
    final = net.train(XOR_X, XOR_Y, 0.5, 1000, progress=seen.append, progress_every=300)
    assert [h.epochs[-1] for h in seen] == [300, 600, 900]
    for h in seen:
        upto = len(h.epochs)
        assert np.array_equal(h.epochs, final.epochs[:upto])
        assert np.array_equal(h.loss, final.loss[:upto])
        assert np.array_equal(h.grad_norms, final.grad_norms[:upto])


def test_progress_counts_its_k_epochs_from_where_training_resumes():
    net = MLP([2, 4, 1], seed=6)
    net.train(XOR_X, XOR_Y, 0.5, 100)
    seen = []
    net.train(XOR_X, XOR_Y, 0.5, 700, progress=seen.append, progress_every=300)
    assert [h.epochs[-1] for h in seen] == [400, 700]
    assert all(h.epochs[0] == 100 for h in seen)


def test_grad_norms_are_each_layers_whole_gradient_norm():
    args = ([2, 4, 3, 1], "relu", "mse", "he", 12)
    net = MLP(*args)
    history = net.train(XOR_X, XOR_Y, 0.3, 60, snapshot_epochs=[0, 30, 60])
    for epoch, snap in history.snapshots.items():
        probe = MLP(*args)
        probe.set_parameters(snap.weights, snap.biases)
        g = probe.gradients(XOR_X, XOR_Y)
        by_hand = layer_norms_by_hand(g)
        np.testing.assert_allclose(history.grad_norms[epoch], by_hand, rtol=1e-12)
        np.testing.assert_allclose(g.layer_norms(), by_hand, rtol=1e-12)


# --- 7. step -----------------------------------------------------------------------------------

def test_step_moves_every_parameter_by_minus_learning_rate_times_its_gradient():
    X, y = random_batch(3, n=7, seed=2)
    net = MLP([3, 4, 2, 1], "tanh", "bce", seed=4)
    twin = net.copy()
    saved_w = [w.copy() for w in net.weights]
    saved_b = [b.copy() for b in net.biases]
    expected_gradients = twin.gradients(X, y)

    step = net.step(X, y, 0.7)

    assert step.learning_rate == 0.7
    assert_same_parameters(step.weights_before, step.biases_before, saved_w, saved_b)
    assert_same_parameters(step.gradients.weights, step.gradients.biases,
                           expected_gradients.weights, expected_gradients.biases)
    for before, grad, after in zip([*step.weights_before, *step.biases_before],
                                   [*step.gradients.weights, *step.gradients.biases],
                                   [*step.weights_after, *step.biases_after]):
        assert np.array_equal(after, before - 0.7 * grad)
    assert_same_parameters(net.weights, net.biases, step.weights_after, step.biases_after)
    assert step.loss_before == twin.loss(X, y)
    assert step.loss_after == net.loss(X, y)
    assert net.epoch == 1


@pytest.mark.parametrize("loss", LOSS_NAMES)
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_a_small_step_lowers_the_loss(activation, loss):
    X, y = random_batch(2, n=8, seed=5)
    net = MLP([2, 5, 1], activation, loss, seed=3)
    step = net.step(X, y, 1e-3)
    assert step.loss_after < step.loss_before


# --- 8. input checks --------------------------------------------------------------------------

@pytest.mark.parametrize(("kwargs", "phrase"), [
    ({"activation": "softmax"}, "Unknown activation 'softmax': choose one of sigmoid, tanh"),
    ({"loss": "hinge"}, "Unknown loss 'hinge': choose one of mse, bce"),
    ({"init": "zeros"}, "Unknown initialization 'zeros': choose one of xavier, he, uniform"),
])
def test_unknown_names_are_refused_with_the_choices(kwargs, phrase):
    with pytest.raises(ValueError, match=phrase):
        MLP([2, 2, 1], **kwargs)


@pytest.mark.parametrize(("layer_sizes", "phrase"), [
    ([], "at least an input and an output"),
    ([2], "at least an input and an output"),
    ([2, 0, 1], "whole number of neurons >= 1"),
    ([0, 2, 1], "whole number of neurons >= 1"),
    ([2, -3, 1], "whole number of neurons >= 1"),
    ([2, 2.5, 1], "whole number of neurons >= 1"),
    ([2, 2.0, 1], "whole number of neurons >= 1"),
    ([2, "4", 1], "whole number of neurons >= 1"),
    ([2, True, 1], "whole number of neurons >= 1"),
    ([2, 4, 2], "must end in 1"),
    ([2, 4], "must end in 1"),
])
def test_malformed_layer_sizes_are_refused(layer_sizes, phrase):
    with pytest.raises(ValueError, match=phrase):
        MLP(layer_sizes)


@pytest.mark.parametrize("seed", [-1, 1.5, 2.0, "7", None, True])
def test_seeds_must_be_whole_numbers_from_zero(seed):
    with pytest.raises(ValueError, match="seed must be a whole number >= 0"):
        MLP([2, 2, 1], seed=seed)


NET = MLP([2, 3, 1], seed=0)

# Every public entry that takes data, as f(X, y).
DATA_ENTRIES = {
    "loss": NET.copy().loss,
    "gradients": NET.copy().gradients,
    "step": lambda X, y: NET.copy().step(X, y, 0.3),
    "train": lambda X, y: NET.copy().train(X, y, 0.3, 3),
    "numerical_gradients": lambda X, y: numerical_gradients(NET, X, y),
}
# Entries that take X only.
X_ENTRIES = {"forward": NET.copy().forward, "predict": NET.copy().predict}

NAN_X = XOR_X.copy()
NAN_X[1, 0] = np.nan
INF_X = XOR_X.copy()
INF_X[2, 1] = -np.inf

BAD_X = [
    (np.zeros((4, 3)), "X must have shape \\(examples, 2\\)"),
    (np.zeros(4), "X must have shape"),
    (np.zeros((4, 2, 1)), "X must have shape"),
    (np.zeros((0, 2)), "X has no examples"),
    (NAN_X, "must be finite numbers"),
    (INF_X, "must be finite numbers"),
]
BAD_Y = [
    (XOR_Y[:3], "one target per example"),
    (np.zeros((4, 2)), "one target per example"),
    (np.array([[0.0], [np.nan], [1.0], [0.0]]), "must be finite numbers"),
    (np.array([[0.0], [np.inf], [1.0], [0.0]]), "must be finite numbers"),
    (np.array([[0.0], [2.0], [1.0], [0.0]]), "between 0 and 1"),
    (np.array([[-0.5], [1.0], [1.0], [0.0]]), "between 0 and 1"),
]


@pytest.mark.parametrize(("X", "phrase"), BAD_X)
@pytest.mark.parametrize("entry", list(DATA_ENTRIES) + list(X_ENTRIES))
def test_bad_inputs_X_are_refused_at_every_entry(entry, X, phrase):
    with pytest.raises(ValueError, match=phrase):
        if entry in X_ENTRIES:
            X_ENTRIES[entry](X)
        else:
            DATA_ENTRIES[entry](X, np.zeros((len(X), 1)))


@pytest.mark.parametrize(("y", "phrase"), BAD_Y)
@pytest.mark.parametrize("entry", list(DATA_ENTRIES))
def test_bad_targets_y_are_refused_at_every_entry(entry, y, phrase):
    with pytest.raises(ValueError, match=phrase):
        DATA_ENTRIES[entry](XOR_X, y)


def test_targets_may_be_a_flat_vector():
    net = MLP([2, 3, 1], seed=0)
    assert net.loss(XOR_X, XOR_Y.ravel()) == net.loss(XOR_X, XOR_Y)


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, 2.0, "4", True])
def test_batch_size_must_be_a_whole_number_from_one(batch_size):
    with pytest.raises(ValueError, match="batch_size must be a whole number >= 1"):
        NET.copy().train(XOR_X, XOR_Y, 0.3, 3, batch_size=batch_size)


@pytest.mark.parametrize("l2", [-0.1, -1e-300, np.nan, np.inf, "0.1", None, True])
def test_l2_must_be_a_finite_number_from_zero(l2):
    with pytest.raises(ValueError, match="l2 must be a number >= 0"):
        MLP([2, 2, 1], l2=l2)


@pytest.mark.parametrize("l2", [0, 0.0, 1, np.float64(0.5)])
def test_l2_accepts_zero_and_positive_numbers(l2):
    assert MLP([2, 2, 1], l2=l2).l2 == float(l2)


@pytest.mark.parametrize("given", ["X_test only", "y_test only"])
def test_a_test_set_needs_both_X_test_and_y_test(given):
    test_set = {"X_test": XOR_X} if given == "X_test only" else {"y_test": XOR_Y}
    with pytest.raises(ValueError, match="Give both X_test and y_test, or neither"):
        NET.copy().train(XOR_X, XOR_Y, 0.3, 3, **test_set)


@pytest.mark.parametrize(("X_test", "y_test", "phrase"), [
    (np.zeros((4, 3)), XOR_Y, "X must have shape \\(examples, 2\\)"),
    (np.zeros(4), XOR_Y, "X must have shape"),
    (np.zeros((0, 2)), np.zeros((0, 1)), "X has no examples"),
    (NAN_X, XOR_Y, "must be finite numbers"),
    (XOR_X, XOR_Y[:3], "one target per example"),
    (XOR_X[:3], XOR_Y, "one target per example"),
    (XOR_X, np.zeros((4, 2)), "one target per example"),
    (XOR_X, np.array([[0.0], [2.0], [1.0], [0.0]]), "between 0 and 1"),
])
def test_the_test_set_is_checked_like_the_training_set(X_test, y_test, phrase):
    net = NET.copy()
    with pytest.raises(ValueError, match=phrase):
        net.train(XOR_X, XOR_Y, 0.3, 3, X_test=X_test, y_test=y_test)
    assert net.epoch == 0   # refused before any training


LEARNING_ENTRIES = {
    "step": lambda lr: NET.copy().step(XOR_X, XOR_Y, lr),
    "train": lambda lr: NET.copy().train(XOR_X, XOR_Y, lr, 3),
}


@pytest.mark.parametrize("learning_rate", [0, 0.0, -0.1, np.nan, np.inf, -np.inf, "0.3", None])
@pytest.mark.parametrize("entry", list(LEARNING_ENTRIES))
def test_learning_rate_must_be_a_finite_positive_number(entry, learning_rate):
    with pytest.raises(ValueError, match="learning rate must be a number > 0"):
        LEARNING_ENTRIES[entry](learning_rate)


@pytest.mark.parametrize("epochs", [0, -5, 2.5, 3.0, "10", None, True])
def test_epochs_must_be_a_whole_number_from_one(epochs):
    with pytest.raises(ValueError, match="epochs must be a whole number >= 1"):
        NET.copy().train(XOR_X, XOR_Y, 0.3, epochs)


@pytest.mark.parametrize("edit", ["transposed weight", "missing layer", "bias too long",
                                  "extra layer"])
def test_set_parameters_refuses_shapes_that_do_not_fit(edit):
    net = MLP([2, 3, 1], seed=0)
    weights, biases = list(net.weights), list(net.biases)
    if edit == "transposed weight":
        weights[0] = weights[0].T
    elif edit == "missing layer":
        weights, biases = weights[:1], biases[:1]
    elif edit == "bias too long":
        biases[0] = np.zeros(4)
    else:
        weights, biases = [*weights, np.zeros((1, 1))], [*biases, np.zeros(1)]
    with pytest.raises(ValueError, match="do not fit this architecture"):
        net.set_parameters(weights, biases)
    fresh = MLP([2, 3, 1], seed=0)
    assert_same_parameters(net.weights, net.biases, fresh.weights, fresh.biases)


def test_set_parameters_copies_what_it_is_given():
    net = MLP([2, 3, 1], seed=0)
    weights = [np.ones((2, 3)), np.ones((3, 1))]
    biases = [np.zeros(3), np.zeros(1)]
    net.set_parameters(weights, biases, epoch=7)
    weights[0][0, 0] = 99.0
    assert net.weights[0][0, 0] == 1.0
    assert net.epoch == 7


# --- 9. teaching scenarios at the project defaults ----------------------------------------
# Regression tests of what the app teaches: the seeds are the app's examples, the thresholds
# come from FACTS.md and the task, not from a run of the engine.

def at_defaults(layer_sizes, seed, epochs=DEFAULTS.epochs):
    net = MLP(layer_sizes, DEFAULTS.activation, DEFAULTS.loss, DEFAULTS.init, seed)
    history = net.train(XOR_X, XOR_Y, DEFAULTS.lr, epochs)
    return net, history


def test_defaults_are_the_ones_the_scenarios_are_stated_at():
    # The architecture is not pinned: each scenario names its own.
    assert DEFAULTS.lr == 0.3 and DEFAULTS.epochs == 5000
    assert (DEFAULTS.activation, DEFAULTS.loss, DEFAULTS.init) == ("sigmoid", "mse", "xavier")


def test_seed_123_solves_xor_on_2_2_1_at_the_defaults():
    _, history = at_defaults([2, 2, 1], 123)
    assert (history.accuracy == 1.0).any()
    assert history.final_accuracy == 1.0


def test_seed_42_gets_stuck_on_2_2_1():
    net, history = at_defaults([2, 2, 1], 42, epochs=4 * DEFAULTS.epochs)
    assert (history.accuracy < 1.0).all()
    plateau = history.loss[-(DEFAULTS.epochs + 1):]
    assert plateau.max() - plateau.min() < 0.01
    assert history.final_loss == pytest.approx(0.125, abs=0.01)
    assert total_grad_norm(net.gradients(XOR_X, XOR_Y)) < 1e-3
    outputs = net.predict(XOR_X).ravel()
    assert np.count_nonzero(np.abs(outputs - 0.5) < 0.01) == 2


def test_seed_42_solves_xor_on_2_4_1_at_the_defaults():
    _, history = at_defaults([2, 4, 1], 42)
    assert (history.accuracy == 1.0).any()
    assert history.final_accuracy == 1.0


# --- 10. mini-batches -------------------------------------------------------------------------

MOONS = data.make("moons", 40, 0.1, 0)
TRAIN, TEST = data.split(MOONS, 0.25, 0)   # 30 training and 10 test points
MINI = ([2, 4, 1], "tanh", "bce", "xavier", 3)   # MLP(*MINI)
MINI_LR = 0.5


def assert_same_history(a, b):
    for name in ["epochs", "loss", "accuracy", "grad_norms", "test_loss", "test_accuracy"]:
        mine, theirs = getattr(a, name), getattr(b, name)
        assert (mine is None) == (theirs is None), name
        assert mine is None or np.array_equal(mine, theirs), name
    assert a.diverged_at == b.diverged_at


def train_mini(net=None, epochs=40, batch_size=8, **kwargs):
    net = MLP(*MINI) if net is None else net
    history = net.train(TRAIN.X, TRAIN.y, MINI_LR, epochs, batch_size=batch_size, **kwargs)
    return net, history


def test_same_seed_and_batch_size_give_bit_identical_runs_also_after_reset():
    a, first = train_mini()
    b, second = train_mini()
    assert_same_history(first, second)
    assert_same_parameters(a.weights, a.biases, b.weights, b.biases)
    b.reset()
    _, third = train_mini(b)
    assert_same_history(first, third)
    assert_same_parameters(a.weights, a.biases, b.weights, b.biases)


@pytest.mark.parametrize("other", [4, 16, None])
def test_a_different_batch_size_or_the_full_batch_gives_a_different_run(other):
    a, by_8 = train_mini(batch_size=8)
    b, by_other = train_mini(batch_size=other)
    assert not np.array_equal(by_8.loss, by_other.loss)
    assert not np.array_equal(a.weights[0], b.weights[0])


@pytest.mark.parametrize("batch_size", [TRAIN.n, TRAIN.n + 1, 1000])
def test_a_batch_of_at_least_every_example_is_exactly_the_full_batch(batch_size):
    a, full = train_mini(batch_size=None, snapshot_epochs=[10])
    b, batched = train_mini(batch_size=batch_size, snapshot_epochs=[10])
    assert_same_history(full, batched)
    assert_same_parameters(a.weights, a.biases, b.weights, b.biases)


def test_a_full_batch_epoch_is_one_step_on_every_example():
    net, _ = train_mini(batch_size=None, epochs=5)
    twin = MLP(*MINI)
    for _ in range(5):
        twin.step(TRAIN.X, TRAIN.y, MINI_LR)
    assert_same_parameters(net.weights, net.biases, twin.weights, twin.biases)


@pytest.mark.parametrize(("case", "batch_size", "seed"), [
    ("xor", 1, 5),    # 4 steps of one example each
    ("ten", 4, 2),    # batches of 4, 4 and the 2 left over
])
def test_a_mini_batch_epoch_is_one_step_per_batch_in_the_order_the_seed_draws(case, batch_size,
                                                                            seed):
    X, y = (XOR_X, XOR_Y) if case == "xor" else random_batch(2, n=10, seed=8)
    n, epochs = len(y), 2
    net = MLP([2, 3, 1], "sigmoid", "mse", "xavier", seed)
    net.train(X, y, 2.0, epochs, batch_size=batch_size)

    shuffler = np.random.default_rng([seed, 1])   # the documented generator, by hand
    twin = MLP([2, 3, 1], "sigmoid", "mse", "xavier", seed)
    for _ in range(epochs):
        order = shuffler.permutation(n)
        assert not np.array_equal(order, np.arange(n))   # so that the order is really tested
        for start in range(0, n, batch_size):
            rows = order[start:start + batch_size]
            twin.step(X[rows], y[rows], 2.0)
    assert_same_parameters(net.weights, net.biases, twin.weights, twin.biases)
    assert net.epoch == epochs
    # The network's generator has moved on by exactly those draws.
    assert net.batches.bit_generator.state == shuffler.bit_generator.state
    assert batch_generator(seed).bit_generator.state == np.random.default_rng(
        [seed, 1]).bit_generator.state


def test_mini_batch_history_records_the_whole_training_set_at_every_epoch():
    net, history = train_mini(snapshot_epochs=[0, 7, 25, 40])
    assert np.array_equal(history.epochs, np.arange(41))
    for epoch, snap in history.snapshots.items():
        probe = MLP(*MINI)
        probe.set_parameters(snap.weights, snap.biases)
        assert history.loss[epoch] == pytest.approx(probe.loss(TRAIN.X, TRAIN.y), rel=1e-12)
        right = (probe.predict(TRAIN.X) > 0.5) == (TRAIN.y > 0.5)
        assert history.accuracy[epoch] == right.mean()
        np.testing.assert_allclose(history.grad_norms[epoch],
                                   layer_norms_by_hand(probe.gradients(TRAIN.X, TRAIN.y)),
                                   rtol=1e-12)


def test_batch_order_comes_from_the_networks_own_generator_not_numpys_global_state(
        global_random_state):
    net, history = train_mini()
    net.copy().train(TRAIN.X, TRAIN.y, MINI_LR, 3, batch_size=4)
    global_random_state()

    np.random.seed(1)
    a, first = train_mini()
    np.random.seed(2)
    b, second = train_mini()
    assert_same_history(first, second)
    assert_same_parameters(a.weights, a.biases, b.weights, b.biases)
    assert_same_history(history, first)


def test_threads_training_mini_batches_at_once_get_exactly_the_single_threaded_results():
    def run(barrier=None):
        if barrier is not None:
            barrier.wait()   # start every thread at once, so they really overlap
        net, history = train_mini(MLP(*MINI[:4], seed=3, l2=0.01), epochs=60, batch_size=4)
        return net, history

    alone_net, alone = run()
    barrier = threading.Barrier(8)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: run(barrier), range(8)))
    for net, history in results:
        assert_same_history(history, alone)
        assert_same_parameters(net.weights, net.biases, alone_net.weights, alone_net.biases)


def test_a_copy_made_mid_training_continues_exactly_like_the_original():
    net, _ = train_mini(MLP(*MINI[:4], seed=3, l2=0.01), epochs=15)
    twin = net.copy()
    assert twin.epoch == net.epoch == 15
    _, original = train_mini(net, epochs=25)
    _, copied = train_mini(twin, epochs=25)
    assert np.array_equal(original.epochs, np.arange(15, 41))
    assert_same_history(original, copied)
    assert_same_parameters(net.weights, net.biases, twin.weights, twin.biases)


def test_a_snapshots_batch_state_restored_into_a_fresh_network_continues_the_run():
    net, whole = train_mini(epochs=40, snapshot_epochs=[15])
    snap = whole.snapshots[15]
    assert snap.batch_state is not None

    fresh = MLP(*MINI)
    fresh.set_parameters(snap.weights, snap.biases, snap.epoch, batch_state=snap.batch_state)
    _, rest = train_mini(fresh, epochs=25)
    assert np.array_equal(rest.epochs, whole.epochs[15:])
    for name in ["loss", "accuracy", "grad_norms"]:
        assert np.array_equal(getattr(rest, name), getattr(whole, name)[15:]), name
    assert_same_parameters(fresh.weights, fresh.biases, net.weights, net.biases)

    # Without the batch state, the fresh network shuffles from the start of its stream.
    unshuffled = MLP(*MINI)
    unshuffled.set_parameters(snap.weights, snap.biases, snap.epoch)
    _, other = train_mini(unshuffled, epochs=25)
    assert not np.array_equal(other.loss, rest.loss)


# --- 11. the test set ---------------------------------------------------------------------

@pytest.mark.parametrize(("batch_size", "l2"), [(None, 0.0), (8, 0.05)])
def test_test_history_is_the_test_sets_loss_and_accuracy_at_each_epoch(batch_size, l2):
    args = (*MINI[:4], 3, l2)
    epochs = [0, 5, 17, 40]
    _, history = train_mini(MLP(*args), batch_size=batch_size, X_test=TEST.X, y_test=TEST.y,
                            snapshot_epochs=epochs)
    assert len(history.test_loss) == len(history.test_accuracy) == 41
    assert sorted(history.snapshots) == epochs
    for epoch, snap in history.snapshots.items():
        probe = MLP(*args)
        probe.set_parameters(snap.weights, snap.biases)
        assert history.test_loss[epoch] == pytest.approx(probe.loss(TEST.X, TEST.y), rel=1e-12)
        right = (probe.predict(TEST.X) > 0.5) == (TEST.y > 0.5)
        assert history.test_accuracy[epoch] == np.count_nonzero(right) / TEST.n
    assert not np.array_equal(history.test_loss, history.loss)   # really the other set


@pytest.mark.parametrize("batch_size", [None, 8])
def test_the_test_set_does_not_influence_training(batch_size):
    a, without = train_mini(batch_size=batch_size)
    b, with_test = train_mini(batch_size=batch_size, X_test=TEST.X, y_test=TEST.y)
    for name in ["epochs", "loss", "accuracy", "grad_norms"]:
        assert np.array_equal(getattr(without, name), getattr(with_test, name)), name
    assert_same_parameters(a.weights, a.biases, b.weights, b.biases)
    assert a.batches.bit_generator.state == b.batches.bit_generator.state
    assert without.test_loss is None and without.test_accuracy is None
    assert with_test.test_loss is not None and with_test.test_accuracy is not None


def test_then_joins_the_test_columns():
    _, whole = train_mini(epochs=40, X_test=TEST.X, y_test=TEST.y)
    net, first = train_mini(epochs=15, X_test=TEST.X, y_test=TEST.y)
    _, second = train_mini(net, epochs=25, X_test=TEST.X, y_test=TEST.y)
    assert_same_history(first.then(second), whole)


def test_then_refuses_to_join_a_history_with_a_test_set_to_one_without():
    net, tested = train_mini(epochs=5, X_test=TEST.X, y_test=TEST.y)
    _, untested = train_mini(net, epochs=5)
    with pytest.raises(ValueError, match="both histories must have a test set, or neither"):
        tested.then(untested)
    net, untested = train_mini(epochs=5)
    _, tested = train_mini(net, epochs=5, X_test=TEST.X, y_test=TEST.y)
    with pytest.raises(ValueError, match="both histories must have a test set, or neither"):
        untested.then(tested)


def test_a_diverged_run_keeps_a_test_history_as_long_as_its_training_history():
    net = MLP([2, 4, 1], "linear", "bce", seed=0)
    train, test = data.split(CIRCLE, 0.25, 0)
    history = net.train(train.X, train.y, 50.0, 60, batch_size=8, X_test=test.X, y_test=test.y)
    assert history.diverged_at is not None
    assert len(history.test_loss) == len(history.test_accuracy) == len(history.loss)
    assert np.isfinite(history.test_loss).all()


# --- sharpness: the top eigenvalue of the loss's Hessian ------------------------------------

def full_hessian(net, X, y, eps=1e-5):
    """Every second derivative, column by column: central differences of the gradient."""
    def flat():
        g = net.gradients(X, y)
        return np.concatenate([part.ravel() for part in g.weights + g.biases])

    columns = []
    for parameters in [*net.weights, *net.biases]:
        for index in np.ndindex(parameters.shape):
            saved = parameters[index]
            parameters[index] = saved + eps
            up = flat()
            parameters[index] = saved - eps
            down = flat()
            parameters[index] = saved
            columns.append((up - down) / (2 * eps))
    H = np.array(columns).T
    return (H + H.T) / 2


@pytest.mark.parametrize("sizes, activation, loss, l2, epochs", [
    ((2, 2, 1), "sigmoid", "mse", 0.0, 500),
    ((2, 3, 2, 1), "tanh", "bce", 0.01, 200),
    ((2, 4, 1), "sigmoid", "mse", 0.0, 5000),
])
def test_sharpness_is_the_top_eigenvalue_of_the_full_hessian(sizes, activation, loss, l2,
                                                             epochs):
    net = MLP(sizes, activation, loss, "xavier", 3, l2)
    net.train(XOR_X, XOR_Y, 0.3, epochs)
    weights = [W.copy() for W in net.weights]
    top = np.linalg.eigvalsh(full_hessian(net, XOR_X, XOR_Y))[-1]
    assert sharpness(net, XOR_X, XOR_Y, iterations=200) == pytest.approx(top, rel=1e-3)
    assert all(np.array_equal(W, V) for W, V in zip(net.weights, weights))   # net untouched


def test_l2_adds_its_lambda_to_the_curvature_of_the_weights(global_random_state):
    # The penalty (λ/2)·ΣW² has curvature λ along every weight and none along the biases, so
    # with λ = 50 the sharpest direction is a weight direction at λ plus the data's part.
    plain = sharpness(MLP([2, 2, 1], seed=0), XOR_X, XOR_Y, iterations=200)
    lifted = sharpness(MLP([2, 2, 1], seed=0, l2=50.0), XOR_X, XOR_Y, iterations=200)
    assert 0.0 < plain < 1.0
    assert 50.0 - plain <= lifted <= 50.0 + plain + 1e-6
    global_random_state()   # its own generator, not NumPy's global one
