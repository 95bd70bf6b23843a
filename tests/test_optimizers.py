"""Unit tests for the optimizers in network.py: each update rule against its formula worked
by hand, SGD unchanged bit for bit, the optimizer state carried by copies and snapshots, and
Adam's bias correction."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import data
from network import MLP, OPTIMIZERS

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])

OPTIMIZER_NAMES = ["sgd", "momentum", "nesterov", "rmsprop", "adam"]
KEEPING_STATE = ["momentum", "nesterov", "rmsprop", "adam"]

# The documented hyperparameters, written out here rather than imported from network.py,
# so that the formulas below are an independent statement of what the rules must do.
MU = 0.9        # momentum and nesterov
RHO = 0.9       # rmsprop
BETA1 = 0.9     # adam
BETA2 = 0.999   # adam
EPS = 1e-8      # rmsprop and adam

MOONS = data.make("moons", 40, 0.1, 0)
MINI = ([2, 4, 1], "tanh", "bce", "xavier", 3)   # MLP(*MINI, optimizer=...)
MINI_LR = 0.05


# --- helpers ------------------------------------------------------------------------------

def flat(arrays):
    return np.concatenate([np.ravel(a) for a in arrays])


def parameters_of(net):
    """Every weight, then every bias, as one vector θ."""
    return flat([*net.weights, *net.biases])


def unflat(theta, net):
    """θ cut back into arrays shaped like `net`'s weights and biases."""
    shapes = [p.shape for p in [*net.weights, *net.biases]]
    cuts = np.cumsum([int(np.prod(shape)) for shape in shapes])[:-1]
    parts = [part.reshape(shape) for part, shape in zip(np.split(theta, cuts), shapes)]
    return parts[:len(net.weights)], parts[len(net.weights):]


def flat_gradient(net, X=XOR_X, y=XOR_Y):
    g = net.gradients(X, y)
    return flat([*g.weights, *g.biases])


def gradient_at(net, theta, X, y):
    """dL/dθ at θ, from a copy of `net` without weight decay, with l2 * W added by hand to
    the weights' part (and nothing to the biases')."""
    probe = MLP(net.layer_sizes, net.activation, net.loss_name, net.init, net.seed)
    weights, biases = unflat(theta, net)
    probe.set_parameters(weights, biases)
    g = probe.gradients(X, y)
    return flat([*[dW + net.l2 * W for dW, W in zip(g.weights, weights)], *g.biases])


def by_hand(optimizer, net, X, y, lr, updates):
    """θ after each of `updates` full-batch updates, by the formulas in the docs."""
    theta = parameters_of(net)
    v = m = s = np.zeros_like(theta)
    path = []
    for t in range(1, updates + 1):
        g = gradient_at(net, theta, X, y)
        if optimizer == "sgd":
            theta = theta - lr * g
        elif optimizer == "momentum":
            v = MU * v + g
            theta = theta - lr * v
        elif optimizer == "nesterov":
            v = MU * v + g
            theta = theta - lr * (g + MU * v)
        elif optimizer == "rmsprop":
            s = RHO * s + (1 - RHO) * g * g
            theta = theta - lr * g / (np.sqrt(s) + EPS)
        else:   # adam
            m = BETA1 * m + (1 - BETA1) * g
            s = BETA2 * s + (1 - BETA2) * g * g
            m_hat = m / (1 - BETA1 ** t)
            s_hat = s / (1 - BETA2 ** t)
            theta = theta - lr * m_hat / (np.sqrt(s_hat) + EPS)
        path.append(theta)
    return path


def assert_same_parameters(a, b):
    assert len(a.weights) == len(b.weights)
    for mine, theirs in zip([*a.weights, *a.biases], [*b.weights, *b.biases]):
        assert np.array_equal(mine, theirs)


def assert_same_optimizer_state(a, b):
    assert a.optimizer_state.t == b.optimizer_state.t
    for mine, theirs in zip([*a.optimizer_state.weights, *a.optimizer_state.biases],
                            [*b.optimizer_state.weights, *b.optimizer_state.biases]):
        assert len(mine) == len(theirs)
        for x, z in zip(mine, theirs):
            assert np.array_equal(x, z)


def assert_same_history(a, b):
    for name in ["epochs", "loss", "accuracy", "grad_norms"]:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.diverged_at == b.diverged_at


def train_mini(net, epochs, batch_size=8, **kwargs):
    return net.train(MOONS.X, MOONS.y, MINI_LR, epochs, batch_size=batch_size, **kwargs)


# --- 1. each rule is its formula ----------------------------------------------------------

@pytest.mark.parametrize(("optimizer", "l2"), [
    *[(name, 0.0) for name in OPTIMIZER_NAMES],
    ("momentum", 0.1),
    ("adam", 0.1),
])
def test_the_first_two_updates_are_the_documented_formula(optimizer, l2):
    lr = 0.1
    net = MLP([2, 2, 1], "sigmoid", "mse", "xavier", 5, l2, optimizer)
    start = parameters_of(net)
    expected = by_hand(optimizer, net, XOR_X, XOR_Y, lr, updates=2)
    plain = by_hand("sgd", net, XOR_X, XOR_Y, lr, updates=2)
    for theta in expected:
        net.step(XOR_X, XOR_Y, lr)
        np.testing.assert_allclose(parameters_of(net), theta, rtol=1e-12, atol=1e-15)
    assert net.optimizer_state.t == (0 if optimizer == "sgd" else 2)
    # Every parameter really moved, and each rule moved them otherwise than plain descent.
    assert np.abs(expected[1] - start).min() > 1e-6
    if optimizer != "sgd":
        assert np.abs(expected[1] - plain[1]).max() > 1e-3


@pytest.mark.parametrize("optimizer", OPTIMIZER_NAMES)
def test_a_full_batch_epoch_of_train_is_one_step(optimizer):
    trained = MLP([2, 3, 1], seed=2, l2=0.01, optimizer=optimizer)
    trained.train(XOR_X, XOR_Y, 0.2, 3)
    stepped = MLP([2, 3, 1], seed=2, l2=0.01, optimizer=optimizer)
    for _ in range(3):
        stepped.step(XOR_X, XOR_Y, 0.2)
    assert_same_parameters(trained, stepped)
    assert_same_optimizer_state(trained, stepped)


@pytest.mark.parametrize("optimizer", KEEPING_STATE)
def test_a_mini_batch_epoch_is_one_update_per_batch_each_counted_in_t(optimizer):
    seed, epochs = 4, 2
    net = MLP([2, 3, 1], "sigmoid", "mse", "xavier", seed, optimizer=optimizer)
    net.train(XOR_X, XOR_Y, 0.2, epochs, batch_size=1)

    shuffler = np.random.default_rng([seed, 1])   # the documented batch generator
    twin = MLP([2, 3, 1], "sigmoid", "mse", "xavier", seed, optimizer=optimizer)
    for _ in range(epochs):
        for row in shuffler.permutation(4):
            twin.step(XOR_X[row:row + 1], XOR_Y[row:row + 1], 0.2)
    assert_same_parameters(net, twin)
    assert_same_optimizer_state(net, twin)
    assert net.optimizer_state.t == 8   # 2 epochs of 4 one-example batches
    assert net.epoch == epochs


@pytest.mark.parametrize("optimizer", OPTIMIZER_NAMES)
def test_the_optimizer_state_starts_at_zero_shaped_like_the_parameters(optimizer):
    net = MLP([2, 4, 3, 1], seed=1, optimizer=optimizer)
    state = net.optimizer_state
    kept = {"sgd": 0, "momentum": 1, "nesterov": 1, "rmsprop": 1, "adam": 2}[optimizer]
    assert state.t == 0
    assert len(state.weights) == len(state.biases) == 3
    for parameter, averages in zip([*net.weights, *net.biases], [*state.weights, *state.biases]):
        assert len(averages) == kept
        for average in averages:
            assert average.shape == parameter.shape
            assert not average.any()


# --- 2. SGD is unchanged ------------------------------------------------------------------

@pytest.mark.parametrize("batch_size", [None, 2])
def test_sgd_by_name_trains_bit_for_bit_like_the_default(batch_size):
    named = MLP([2, 4, 1], "tanh", "bce", seed=7, l2=0.01, optimizer="sgd")
    default = MLP([2, 4, 1], "tanh", "bce", seed=7, l2=0.01)
    first = named.train(XOR_X, XOR_Y, 0.5, 200, batch_size=batch_size)
    second = default.train(XOR_X, XOR_Y, 0.5, 200, batch_size=batch_size)
    assert np.array_equal(first.loss, second.loss)
    assert_same_history(first, second)
    assert_same_parameters(named, default)
    assert default.optimizer == "sgd"


def test_sgd_training_is_theta_minus_learning_rate_times_gradient_bit_for_bit():
    net = MLP([2, 3, 1], seed=9, l2=0.05)
    history = net.train(XOR_X, XOR_Y, 0.3, 25)
    probe = MLP([2, 3, 1], seed=9, l2=0.05)
    weights, biases = probe.weights, probe.biases
    for epoch in range(25):
        probe.set_parameters(weights, biases)
        assert history.loss[epoch] == probe.loss(XOR_X, XOR_Y)
        g = probe.gradients(XOR_X, XOR_Y)
        weights = [W - 0.3 * dW for W, dW in zip(weights, g.weights)]
        biases = [b - 0.3 * db for b, db in zip(biases, g.biases)]
    for mine, theirs in zip([*net.weights, *net.biases], [*weights, *biases]):
        assert np.array_equal(mine, theirs)


# --- 3. reproducible: the state travels with the network ----------------------------------

@pytest.mark.parametrize("batch_size", [None, 8])
@pytest.mark.parametrize("optimizer", KEEPING_STATE)
def test_same_seed_and_optimizer_give_identical_runs(optimizer, batch_size):
    a, b = MLP(*MINI, optimizer=optimizer), MLP(*MINI, optimizer=optimizer)
    assert_same_history(train_mini(a, 30, batch_size), train_mini(b, 30, batch_size))
    assert_same_parameters(a, b)
    assert_same_optimizer_state(a, b)


@pytest.mark.parametrize("optimizer", KEEPING_STATE)
def test_reset_also_resets_the_optimizer_state(optimizer):
    net = MLP(*MINI, optimizer=optimizer)
    first = train_mini(net, 20)
    net.reset()
    assert net.optimizer_state.t == 0
    assert_same_history(train_mini(net, 20), first)


@pytest.mark.parametrize("optimizer", KEEPING_STATE)
def test_a_copy_made_mid_training_continues_exactly_like_the_original(optimizer):
    net = MLP(*MINI[:4], 3, 0.01, optimizer)
    train_mini(net, 15)
    twin = net.copy()
    assert twin.optimizer == optimizer
    assert twin.optimizer_state.t == net.optimizer_state.t == 15 * 5   # 40 points, batches of 8
    assert_same_history(train_mini(net, 25), train_mini(twin, 25))
    assert_same_parameters(net, twin)
    assert_same_optimizer_state(net, twin)


@pytest.mark.parametrize("batch_size", [None, 8])
@pytest.mark.parametrize("optimizer", KEEPING_STATE)
def test_a_network_restored_from_a_snapshot_continues_identically(optimizer, batch_size):
    net = MLP(*MINI, optimizer=optimizer)
    whole = train_mini(net, 40, batch_size, snapshot_epochs=[15])
    snap = whole.snapshots[15]

    fresh = MLP(*MINI, optimizer=optimizer)
    fresh.set_parameters(snap.weights, snap.biases, snap.epoch, snap.batch_state,
                         snap.optimizer_state)
    rest = train_mini(fresh, 25, batch_size)
    for name in ["loss", "accuracy", "grad_norms"]:
        assert np.array_equal(getattr(rest, name), getattr(whole, name)[15:]), name
    assert_same_parameters(fresh, net)
    assert_same_optimizer_state(fresh, net)

    # Without the optimizer state, the restored network starts its averages over.
    forgetful = MLP(*MINI, optimizer=optimizer)
    forgetful.set_parameters(snap.weights, snap.biases, snap.epoch, snap.batch_state)
    assert not np.array_equal(train_mini(forgetful, 25, batch_size).loss, rest.loss)


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_snapshot_keeps_the_state_of_its_moment_while_training_goes_on(optimizer):
    net = MLP(*MINI, optimizer=optimizer)
    train_mini(net, 10)
    snap = net.snapshot()
    twin = net.copy()
    train_mini(net, 10)   # moves net on; the snapshot must not move with it
    restored = MLP(*MINI, optimizer=optimizer)
    restored.set_parameters(snap.weights, snap.biases, snap.epoch, snap.batch_state,
                            snap.optimizer_state)
    assert_same_optimizer_state(restored, twin)
    assert_same_history(train_mini(restored, 10), train_mini(twin, 10))


@pytest.mark.parametrize(("optimizer", "lr"), [("momentum", 10.0), ("nesterov", 3.0)])
def test_a_diverged_run_keeps_the_optimizer_state_of_the_epoch_before(optimizer, lr):
    # Linear hidden units and BCE on XOR blow up at these rates (measured: epochs 66 and 100).
    net = MLP([2, 4, 1], "linear", "bce", seed=0, optimizer=optimizer)
    with np.errstate(all="ignore"):
        history = net.train(XOR_X, XOR_Y, lr, 400)
    d = history.diverged_at
    assert d is not None and 1 <= d < 400
    twin = MLP([2, 4, 1], "linear", "bce", seed=0, optimizer=optimizer)
    twin.train(XOR_X, XOR_Y, lr, d - 1)
    assert net.epoch == d - 1 == net.optimizer_state.t
    assert_same_parameters(net, twin)
    assert_same_optimizer_state(net, twin)


# --- 4. the same start, different ends ----------------------------------------------------

def test_every_optimizer_starts_from_the_same_weights_and_ends_elsewhere():
    nets = {name: MLP(*MINI, optimizer=name) for name in OPTIMIZER_NAMES}
    reference = nets["sgd"]
    for net in nets.values():
        assert_same_parameters(net, reference)
        assert net.batches.bit_generator.state == reference.batches.bit_generator.state
    for net in nets.values():
        train_mini(net, 10)
    # No rule draws a random number: every network shuffled the same batches.
    for net in nets.values():
        assert net.batches.bit_generator.state == reference.batches.bit_generator.state
    ends = {name: parameters_of(net) for name, net in nets.items()}
    for i, first in enumerate(OPTIMIZER_NAMES):
        for second in OPTIMIZER_NAMES[i + 1:]:
            assert np.abs(ends[first] - ends[second]).max() > 1e-3, (first, second)


# --- 5. input checks ----------------------------------------------------------------------

def test_an_unknown_optimizer_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="Unknown optimizer 'adagrad': choose one of sgd, "
                                         "momentum, nesterov, rmsprop, adam"):
        MLP([2, 2, 1], optimizer="adagrad")
    assert list(OPTIMIZERS) == OPTIMIZER_NAMES


@pytest.mark.parametrize(("mine", "theirs"), [("momentum", "adam"), ("sgd", "rmsprop")])
def test_set_parameters_refuses_the_state_of_another_optimizer(mine, theirs):
    net = MLP([2, 3, 1], seed=0, optimizer=mine)
    other = MLP([2, 3, 1], seed=0, optimizer=theirs)
    with pytest.raises(ValueError, match="optimizer state does not fit"):
        net.set_parameters(other.weights, other.biases, optimizer_state=other.optimizer_state)


def test_set_parameters_refuses_the_state_of_another_architecture():
    net = MLP([2, 3, 1], seed=0, optimizer="adam")
    wider = MLP([2, 4, 1], seed=0, optimizer="adam")
    with pytest.raises(ValueError, match="optimizer state does not fit"):
        net.set_parameters(net.weights, net.biases, optimizer_state=wider.optimizer_state)


# --- 6. Adam's bias correction ------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.integers(1, 6), min_size=1, max_size=3),
       activation=st.sampled_from(["sigmoid", "tanh", "linear"]),
       seed=st.integers(0, 2 ** 32 - 1),
       lr=st.sampled_from([1e-3, 0.01, 0.1, 1.0]))
def test_adams_first_step_moves_every_parameter_by_the_learning_rate(sizes, activation, seed,
                                                                      lr):
    # After one update m̂ = g and ŝ = g², so the step is η·g / (|g| + ε): η·sign(g), whatever
    # the size of g. Without the correction it would be (1−β₁)/√(1−β₂) ≈ 3.2 times that.
    net = MLP([2, *sizes, 1], activation, "bce", seed=seed, optimizer="adam")
    g = flat_gradient(net)
    assume(np.abs(g).min() > 1e-6)
    before = parameters_of(net)
    net.step(XOR_X, XOR_Y, lr)
    moved = parameters_of(net) - before
    rounding = 1e-15 * (np.abs(before) + lr)
    assert (np.sign(moved) == -np.sign(g)).all()
    assert (np.abs(np.abs(moved) - lr) <= lr * EPS / np.abs(g) + rounding).all()
