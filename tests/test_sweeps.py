"""Unit tests for sweeps.py: `train_many` must end every seed exactly as `MLP.train` would."""

import numpy as np
import pytest

import data
from network import MLP
from runs import DEFAULTS
from sweeps import train_many

XOR = data.make("xor")
XOR_X, XOR_Y = XOR.X, XOR.y


def random_batch(n_inputs, n=9, seed=7):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2.0, 2.0, size=(n, n_inputs))
    y = rng.integers(0, 2, size=(n, 1)).astype(float)
    return X, y


def assert_many_matches_single(runs, i, net, history):
    for many, single in zip([*runs.weights, *runs.biases], [*net.weights, *net.biases]):
        np.testing.assert_allclose(many[i], single, rtol=1e-9, atol=1e-9)
    assert runs.final_loss[i] == pytest.approx(history.final_loss, rel=1e-9, abs=1e-9)
    assert runs.accuracy[i] == history.final_accuracy
    solved = np.flatnonzero(history.accuracy == 1.0)
    assert runs.solved_at[i] == (history.epochs[solved[0]] if solved.size else -1)
    assert runs.diverged_at[i] == (-1 if history.diverged_at is None else history.diverged_at)


# --- 1. train_many against one network per seed -------------------------------------------

X3, Y3 = random_batch(3, n=10, seed=3)

MANY_CASES = {
    "2-2-1 sigmoid mse": ([2, 2, 1], "sigmoid", "mse", "xavier", 2.0, XOR_X, XOR_Y),
    "2-4-1 tanh bce": ([2, 4, 1], "tanh", "bce", "xavier", 0.5, XOR_X, XOR_Y),
    "2-3-1 relu mse he": ([2, 3, 1], "relu", "mse", "he", 0.5, XOR_X, XOR_Y),
    "2-3-3-1 linear bce uniform": ([2, 3, 3, 1], "linear", "bce", "uniform", 0.1, XOR_X, XOR_Y),
    "deep 2-6-5-4-3-1 sigmoid bce": ([2, 6, 5, 4, 3, 1], "sigmoid", "bce", "xavier", 1.0,
                                     XOR_X, XOR_Y),
    "3-4-1 tanh mse, other data": ([3, 4, 1], "tanh", "mse", "uniform", 0.5, X3, Y3),
}


@pytest.mark.parametrize("case", list(MANY_CASES))
def test_train_many_ends_as_each_seed_trained_alone(case):
    sizes, activation, loss, init, lr, X, y = MANY_CASES[case]
    seeds, epochs = list(range(8)), 300
    runs = train_many(sizes, seeds, X, y, lr, epochs, activation=activation, loss=loss, init=init)
    assert np.array_equal(runs.seeds, seeds)
    for i, seed in enumerate(seeds):
        net = MLP(sizes, activation, loss, init, seed)
        history = net.train(X, y, lr, epochs)
        assert_many_matches_single(runs, i, net, history)
        assert runs.final_loss[i] == pytest.approx(net.loss(X, y), rel=1e-9, abs=1e-12)
        assert runs.solved[i] == (history.final_accuracy == 1.0)


def test_train_many_cases_cover_solved_and_unsolved_seeds():
    # Without both kinds, the solved_at comparison above would prove little.
    solved_at = np.concatenate([
        train_many(s, range(8), X, y, lr, 300, activation=a, loss=lo, init=i).solved_at
        for s, a, lo, i, lr, X, y in MANY_CASES.values()])
    assert (solved_at >= 0).any() and (solved_at == -1).any()


def test_train_many_reports_divergence_at_the_same_epoch_as_each_seed_alone():
    # Linear hidden units with BCE at learning rate 10 blow up near epoch 200 for every seed
    # (measured); the contract is that train_many stops each seed where MLP.train stops it.
    sizes, seeds, lr, epochs = [2, 4, 1], list(range(30)), 10.0, 400
    runs = train_many(sizes, seeds, XOR_X, XOR_Y, lr, epochs, activation="linear", loss="bce")
    mismatches = []
    for i, seed in enumerate(seeds):
        net = MLP(sizes, "linear", "bce", seed=seed)
        history = net.train(XOR_X, XOR_Y, lr, epochs)
        assert history.diverged_at is not None
        if runs.diverged_at[i] != history.diverged_at:
            mismatches.append((seed, history.diverged_at, int(runs.diverged_at[i])))
            continue
        assert_many_matches_single(runs, i, net, history)
    assert not mismatches, "(seed, MLP.train diverged_at, train_many diverged_at): " + str(
        mismatches)


# --- 2. train_many with weight decay and mini-batches --------------------------------------

X10, Y10 = random_batch(2, n=10, seed=3)

# (layer_sizes, activation, loss, init, learning rate, l2, batch_size, X, y)
OPTION_CASES = {
    "l2 full batch, xor": ([2, 4, 1], "tanh", "bce", "xavier", 0.5, 0.01, None, XOR_X, XOR_Y),
    "strong l2 full batch": ([2, 4, 1], "tanh", "bce", "xavier", 0.5, 0.1, None, X10, Y10),
    "batch 4 of 10 (ragged last batch)": ([2, 4, 1], "tanh", "bce", "xavier", 0.5, 0.0, 4,
                                          X10, Y10),
    "batch 4 of 10 with l2, relu he": ([2, 5, 1], "relu", "bce", "he", 0.3, 0.01, 4, X10, Y10),
    "batch 3 of 10 with strong l2": ([2, 4, 1], "tanh", "bce", "uniform", 0.5, 0.1, 3,
                                     X10, Y10),
    "batch 1, deep linear": ([2, 3, 3, 1], "linear", "bce", "uniform", 0.05, 1e-3, 1, X10, Y10),
    "batch 1 on xor": ([2, 2, 1], "sigmoid", "mse", "xavier", 2.0, 0.0, 1, XOR_X, XOR_Y),
    "batch 10 of 10 is the full batch": ([2, 4, 1], "tanh", "mse", "xavier", 0.5, 1e-3, 10,
                                         X10, Y10),
    "batch 50 of 10 is the full batch": ([2, 4, 1], "tanh", "mse", "xavier", 0.5, 1e-3, 50,
                                         X10, Y10),
}
OPTION_SEEDS, OPTION_EPOCHS = list(range(6)), 150


def train_case(case):
    sizes, activation, loss, init, lr, l2, batch_size, X, y = OPTION_CASES[case]
    return train_many(sizes, OPTION_SEEDS, X, y, lr, OPTION_EPOCHS, activation, loss, init,
                      l2=l2, batch_size=batch_size)


@pytest.mark.parametrize("case", list(OPTION_CASES))
def test_train_many_with_l2_and_batch_size_ends_as_each_seed_trained_alone(case):
    sizes, activation, loss, init, lr, l2, batch_size, X, y = OPTION_CASES[case]
    runs = train_case(case)
    assert np.array_equal(runs.seeds, OPTION_SEEDS)
    for i, seed in enumerate(OPTION_SEEDS):
        net = MLP(sizes, activation, loss, init, seed, l2)
        history = net.train(X, y, lr, OPTION_EPOCHS, batch_size=batch_size)
        assert_many_matches_single(runs, i, net, history)
        # The final loss is the objective, penalty included.
        assert runs.final_loss[i] == pytest.approx(net.loss(X, y), rel=1e-9, abs=1e-12)


def test_option_cases_are_not_degenerate():
    # Without solved and unsolved seeds the solved_at comparison would prove little, and
    # weights decayed to nothing would pass the absolute tolerance whatever train_many did.
    solved_at = []
    for case in OPTION_CASES:
        runs = train_case(case)
        solved_at.append(runs.solved_at)
        assert (np.abs(runs.weights[0]).max(axis=(1, 2)) > 0.3).all(), case
        # One network per seed really: the seeds did not all end alike.
        assert not np.allclose(runs.weights[0][0], runs.weights[0][1]), case
    solved_at = np.concatenate(solved_at)
    assert (solved_at >= 0).any() and (solved_at == -1).any()


@pytest.mark.parametrize("batch_size", [10, 11, 1000])
def test_train_many_with_a_batch_of_at_least_every_example_is_exactly_the_full_batch(batch_size):
    full = train_many([2, 4, 1], [0, 1, 2], X10, Y10, 0.5, 60, "tanh", "bce", l2=1e-3)
    batched = train_many([2, 4, 1], [0, 1, 2], X10, Y10, 0.5, 60, "tanh", "bce", l2=1e-3,
                         batch_size=batch_size)
    for name in ["final_loss", "accuracy", "solved_at", "diverged_at"]:
        assert np.array_equal(getattr(full, name), getattr(batched, name)), name
    for a, b in zip([*full.weights, *full.biases], [*batched.weights, *batched.biases]):
        assert np.array_equal(a, b)


def test_train_many_gives_every_seed_its_own_batch_order():
    # Seed 5's run inside train_many does not depend on which other seeds ride along.
    X, y, lr = X10, Y10, 0.5
    alone = train_many([2, 4, 1], [5], X, y, lr, 60, "tanh", "bce", batch_size=3)
    together = train_many([2, 4, 1], [0, 5, 9], X, y, lr, 60, "tanh", "bce", batch_size=3)
    for a, b in zip([*alone.weights, *alone.biases], [*together.weights, *together.biases]):
        np.testing.assert_allclose(a[0], b[1], rtol=1e-12, atol=1e-15)


def test_train_many_with_mini_batches_on_200_moons_matches_each_seed():
    moons = data.make("moons", 200, 0.1, 0)
    seeds, lr, epochs, batch_size = [0, 1, 2, 3], 0.3, 40, 32   # 6 batches of 32, then 8
    runs = train_many([2, 6, 1], seeds, moons.X, moons.y, lr, epochs, "tanh", "bce",
                      l2=1e-3, batch_size=batch_size)
    for i, seed in enumerate(seeds):
        net = MLP([2, 6, 1], "tanh", "bce", seed=seed, l2=1e-3)
        history = net.train(moons.X, moons.y, lr, epochs, batch_size=batch_size)
        assert_many_matches_single(runs, i, net, history)
        assert history.final_accuracy > 0.8   # it learned something: the check is not vacuous


# --- 3. divergence with mini-batches ----------------------------------------------------------

def test_train_many_stops_diverging_mini_batch_seeds_where_mlp_train_does():
    # Linear hidden units, BCE, learning rate 50 and batches of 8 on 40 spread points blow up
    # within about ten epochs for every seed (measured).
    circle = data.make("circle", 40, 0.2, 0)
    seeds, lr, epochs = list(range(6)), 50.0, 60
    runs = train_many([2, 4, 1], seeds, circle.X, circle.y, lr, epochs, "linear", "bce",
                      batch_size=8)
    for i, seed in enumerate(seeds):
        net = MLP([2, 4, 1], "linear", "bce", seed=seed)
        history = net.train(circle.X, circle.y, lr, epochs, batch_size=8)
        assert history.diverged_at is not None
        assert runs.diverged_at[i] == history.diverged_at
        assert all(np.isfinite(w[i]).all() for w in [*runs.weights, *runs.biases])
        assert_many_matches_single(runs, i, net, history)


def test_train_many_keeps_training_the_seeds_that_did_not_diverge():
    # At learning rate 10 with batches of 8 on these gaussians, some seeds diverge and some
    # do not (measured): the diverged ones must not disturb the others.
    gaussians = data.make("gaussians", 40, 0.2, 0)
    seeds, lr, epochs = list(range(6)), 10.0, 80
    runs = train_many([2, 4, 1], seeds, gaussians.X, gaussians.y, lr, epochs, "linear", "bce",
                      batch_size=8)
    assert (runs.diverged_at >= 0).any() and (runs.diverged_at == -1).any()
    for i, seed in enumerate(seeds):
        net = MLP([2, 4, 1], "linear", "bce", seed=seed)
        history = net.train(gaussians.X, gaussians.y, lr, epochs, batch_size=8)
        assert_many_matches_single(runs, i, net, history)


# --- 4. randomness --------------------------------------------------------------------------

@pytest.mark.parametrize("batch_size", [None, 2])
def test_train_many_never_touches_numpys_global_random_state(global_random_state, batch_size):
    train_many([2, 3, 1], [1, 2], XOR_X, XOR_Y, 0.3, 20, batch_size=batch_size)
    global_random_state()
    assert np.random.random() == np.random.RandomState(0).random_sample()


@pytest.mark.usefixtures("global_random_state")
def test_global_numpy_seed_does_not_change_train_many_with_mini_batches():
    np.random.seed(1)
    a = train_many([2, 3, 1], [4, 7], X10, Y10, 0.5, 30, "tanh", "bce", batch_size=3)
    np.random.seed(2)
    b = train_many([2, 3, 1], [4, 7], X10, Y10, 0.5, 30, "tanh", "bce", batch_size=3)
    for x, y in zip([*a.weights, *a.biases], [*b.weights, *b.biases]):
        assert np.array_equal(x, y)


# --- 5. input checks --------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [-1, 1.5, 2.0, "7", None, True])
def test_train_many_refuses_seeds_that_are_not_whole_numbers_from_zero(seed):
    with pytest.raises(ValueError, match="seed must be a whole number >= 0"):
        train_many([2, 2, 1], [seed], XOR_X, XOR_Y, 0.3, 5)


def test_train_many_needs_a_seed():
    with pytest.raises(ValueError, match="at least one seed"):
        train_many([2, 2, 1], [], XOR_X, XOR_Y, 0.3, 5)


NAN_X = XOR_X.copy()
NAN_X[1, 0] = np.nan
INF_X = XOR_X.copy()
INF_X[2, 1] = -np.inf


@pytest.mark.parametrize(("X", "phrase"), [
    (np.zeros((4, 3)), "X must have shape \\(examples, 2\\)"),
    (np.zeros(4), "X must have shape"),
    (np.zeros((4, 2, 1)), "X must have shape"),
    (np.zeros((0, 2)), "X has no examples"),
    (NAN_X, "must be finite numbers"),
    (INF_X, "must be finite numbers"),
])
def test_train_many_refuses_bad_inputs_X(X, phrase):
    with pytest.raises(ValueError, match=phrase):
        train_many([2, 3, 1], [0], X, np.zeros((len(X), 1)), 0.3, 3)


@pytest.mark.parametrize(("y", "phrase"), [
    (XOR_Y[:3], "one target per example"),
    (np.zeros((4, 2)), "one target per example"),
    (np.array([[0.0], [np.nan], [1.0], [0.0]]), "must be finite numbers"),
    (np.array([[0.0], [np.inf], [1.0], [0.0]]), "must be finite numbers"),
    (np.array([[0.0], [2.0], [1.0], [0.0]]), "between 0 and 1"),
    (np.array([[-0.5], [1.0], [1.0], [0.0]]), "between 0 and 1"),
])
def test_train_many_refuses_bad_targets_y(y, phrase):
    with pytest.raises(ValueError, match=phrase):
        train_many([2, 3, 1], [0], XOR_X, y, 0.3, 3)


@pytest.mark.parametrize("learning_rate", [0, 0.0, -0.1, np.nan, np.inf, -np.inf, "0.3", None])
def test_train_many_learning_rate_must_be_a_finite_positive_number(learning_rate):
    with pytest.raises(ValueError, match="learning rate must be a number > 0"):
        train_many([2, 3, 1], [0], XOR_X, XOR_Y, learning_rate, 3)


@pytest.mark.parametrize("epochs", [0, -5, 2.5, 3.0, "10", None, True])
def test_train_many_epochs_must_be_a_whole_number_from_one(epochs):
    with pytest.raises(ValueError, match="epochs must be a whole number >= 1"):
        train_many([2, 3, 1], [0], XOR_X, XOR_Y, 0.3, epochs)


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, 2.0, "4", True])
def test_train_many_batch_size_must_be_a_whole_number_from_one(batch_size):
    with pytest.raises(ValueError, match="batch_size must be a whole number >= 1"):
        train_many([2, 3, 1], [0], XOR_X, XOR_Y, 0.3, 3, batch_size=batch_size)


@pytest.mark.parametrize("l2", [-0.1, np.nan, np.inf, "0.1", None, True])
def test_train_many_l2_must_be_a_finite_number_from_zero(l2):
    with pytest.raises(ValueError, match="l2 must be a number >= 0"):
        train_many([2, 3, 1], [0], XOR_X, XOR_Y, 0.3, 3, l2=l2)


# --- 6. teaching scenarios at the project defaults ----------------------------------------

def test_2_4_1_solves_more_seeds_than_2_2_1_at_the_defaults():
    def solved(layer_sizes):
        runs = train_many(layer_sizes, range(200), XOR_X, XOR_Y, DEFAULTS.lr,
                          DEFAULTS.epochs, DEFAULTS.activation, DEFAULTS.loss, DEFAULTS.init)
        return int(runs.solved.sum())

    assert solved([2, 4, 1]) > solved([2, 2, 1])


def test_solved_at_is_the_first_epoch_with_every_example_right():
    net = MLP([2, 2, 1], DEFAULTS.activation, DEFAULTS.loss, DEFAULTS.init, 123)
    history = net.train(XOR_X, XOR_Y, DEFAULTS.lr, DEFAULTS.epochs)
    runs = train_many([2, 2, 1], [123], XOR_X, XOR_Y, DEFAULTS.lr, DEFAULTS.epochs)
    first = np.flatnonzero(history.accuracy == 1.0)[0]
    assert runs.solved_at[0] == history.epochs[first]
    assert (history.accuracy[:first] < 1.0).all()


# --- 3. several optimizers and learning rates at once, and every epoch recorded -------------

from network import OPTIMIZERS  # noqa: E402

# Every optimizer twice (two seeds), so the groups are interleaved along the entries.
OPTIMIZER_ENTRIES = [(name, seed) for seed in (3, 4) for name in OPTIMIZERS]
OPTIMIZER_RATES = {"sgd": 0.5, "momentum": 0.2, "nesterov": 0.2, "rmsprop": 0.02, "adam": 0.02}


@pytest.mark.parametrize("batch_size", [None, 3])
def test_train_many_with_each_entrys_optimizer_ends_as_that_optimizer_alone(batch_size):
    names = [name for name, _ in OPTIMIZER_ENTRIES]
    seeds = [seed for _, seed in OPTIMIZER_ENTRIES]
    rates = [OPTIMIZER_RATES[name] for name in names]
    runs = train_many([2, 4, 1], seeds, X10, Y10, rates, 120, "tanh", "bce", l2=1e-3,
                      batch_size=batch_size, optimizer=names)
    for i, (name, seed) in enumerate(OPTIMIZER_ENTRIES):
        net = MLP([2, 4, 1], "tanh", "bce", seed=seed, l2=1e-3, optimizer=name)
        history = net.train(X10, Y10, OPTIMIZER_RATES[name], 120, batch_size=batch_size)
        assert_many_matches_single(runs, i, net, history)
    # The optimizers really differ from one start: the entries of one seed all end apart.
    finals = runs.weights[0][:len(OPTIMIZERS)]
    assert all(not np.allclose(finals[i], finals[j])
               for i in range(len(finals)) for j in range(i))


def test_train_many_with_one_rate_per_entry_trains_each_at_its_rate():
    rates = [0.1, 0.5, 2.0, 8.0]
    runs = train_many([2, 2, 1], [5] * 4, XOR_X, XOR_Y, rates, 400)
    for i, rate in enumerate(rates):
        net = MLP([2, 2, 1], seed=5)
        assert_many_matches_single(runs, i, net, net.train(XOR_X, XOR_Y, rate, 400))


RECORD_CASES = {
    "full batch with a test set": dict(sizes=[2, 3, 1], activation="tanh", loss="bce", lr=0.5,
                                       batch_size=None, test=True),
    "mini-batches, adam": dict(sizes=[2, 4, 1], activation="sigmoid", loss="mse", lr=0.05,
                               batch_size=4, test=False, optimizer="adam"),
    # Linear units with BCE at rate 10 blow up near epoch 200 on XOR (see section 1).
    "every seed diverges": dict(sizes=[2, 4, 1], activation="linear", loss="bce", lr=10.0,
                                batch_size=None, test=True, xor=True),
}


@pytest.mark.parametrize("case", list(RECORD_CASES))
def test_recorded_history_is_row_for_row_the_history_of_each_seed_alone(case):
    c = RECORD_CASES[case]
    X_test, y_test = random_batch(2, n=6, seed=11) if c["test"] else (None, None)
    optimizer = c.get("optimizer", "sgd")
    X, y = (XOR_X, XOR_Y) if c.get("xor") else (X10, Y10)
    epochs, seeds, kept = 400, list(range(5)), [0, 10, 100, 400]
    runs = train_many(c["sizes"], seeds, X, y, c["lr"], epochs, c["activation"], c["loss"],
                      batch_size=c["batch_size"], optimizer=optimizer, X_test=X_test,
                      y_test=y_test, record=True, snapshot_epochs=kept)
    for i, seed in enumerate(seeds):
        net = MLP(c["sizes"], c["activation"], c["loss"], seed=seed, optimizer=optimizer)
        alone = net.train(X, y, c["lr"], epochs, batch_size=c["batch_size"], X_test=X_test,
                          y_test=y_test, snapshot_epochs=kept)
        many = runs.history(i)
        assert many.diverged_at == alone.diverged_at
        assert np.array_equal(many.epochs, alone.epochs)
        for name in ("loss", "accuracy", "grad_norms", "test_loss", "test_accuracy"):
            mine, theirs = getattr(many, name), getattr(alone, name)
            if theirs is None:
                assert mine is None, name
            else:
                np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-12, err_msg=name)
        assert sorted(many.snapshots) == sorted(alone.snapshots)
        for epoch, snapshot in alone.snapshots.items():
            for mine, theirs in zip(many.snapshots[epoch].weights + many.snapshots[epoch].biases,
                                    snapshot.weights + snapshot.biases):
                np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-12)
    if case == "every seed diverges":
        assert (runs.diverged_at >= 0).all()


def test_train_many_says_what_to_change_for_settings_of_the_wrong_length():
    with pytest.raises(ValueError, match="one per seed"):
        train_many([2, 2, 1], range(3), XOR_X, XOR_Y, [0.1, 0.2], 10)
    with pytest.raises(ValueError, match="one per seed"):
        train_many([2, 2, 1], range(3), XOR_X, XOR_Y, 0.1, 10, optimizer=["sgd", "adam"])
    with pytest.raises(ValueError, match="optimizer"):
        train_many([2, 2, 1], range(2), XOR_X, XOR_Y, 0.1, 10, optimizer="lbfgs")


# --- 4. the sharpest curvature of many networks at once -------------------------------------

from network import sharpness  # noqa: E402
from sweeps import sharpness_many  # noqa: E402


@pytest.mark.parametrize("sizes, activation, loss, l2, X, y", [
    ([2, 4, 1], "sigmoid", "mse", 0.0, XOR_X, XOR_Y),
    ([2, 3, 3, 1], "tanh", "bce", 1e-3, X10, Y10),
])
def test_sharpness_many_is_each_networks_own_sharpness(sizes, activation, loss, l2, X, y):
    runs = train_many(sizes, range(6), X, y, 0.5, 300, activation, loss, l2=l2)
    many = sharpness_many(sizes, runs.weights, runs.biases, X, y, activation, loss, l2)
    for i in range(6):
        net = MLP(sizes, activation, loss, seed=i, l2=l2)
        net.set_parameters([W[i] for W in runs.weights], [b[i] for b in runs.biases])
        assert many[i] == pytest.approx(sharpness(net, X, y), rel=1e-6, abs=1e-9)
    assert len(set(np.round(many, 6))) > 1   # six networks, not one answer six times


def full_hessian(net, X, y, eps=1e-5):
    """The Hessian by central differences of the gradient, column by column (a reference)."""
    parameters, layers = [*net.weights, *net.biases], len(net.weights)
    flat, sizes = np.concatenate([p.ravel() for p in parameters]), [p.size for p in parameters]

    def gradient(theta):
        parts = [part.reshape(p.shape)
                 for part, p in zip(np.split(theta, np.cumsum(sizes)[:-1]), parameters)]
        probe = net.copy()
        probe.set_parameters(parts[:layers], parts[layers:])
        g = probe.gradients(X, y)
        return np.concatenate([part.ravel() for part in g.weights + g.biases])

    columns = [(gradient(flat + eps * e) - gradient(flat - eps * e)) / (2 * eps)
               for e in np.eye(len(flat))]
    return (np.array(columns) + np.array(columns).T) / 2


def test_sharpness_many_finds_the_top_of_a_hessian_whose_largest_eigenvalue_is_negative():
    # tanh 2-2-1 from seed 1 with its weights tripled: found by a search over seeds.
    nets = [MLP([2, 2, 1], "tanh", "mse", "uniform", seed=s) for s in (1, 2, 3)]
    for net in nets:
        net.set_parameters([3 * W for W in net.weights], net.biases)
    eigenvalues = np.linalg.eigvalsh(full_hessian(nets[0], X10, Y10))
    assert -eigenvalues[0] > eigenvalues[-1] > 0   # the case power iteration must shift for
    weights = [np.stack(ws) for ws in zip(*(n.weights for n in nets))]
    biases = [np.stack(bs) for bs in zip(*(n.biases for n in nets))]
    many = sharpness_many([2, 2, 1], weights, biases, X10, Y10, "tanh", "mse")
    assert many[0] == pytest.approx(eigenvalues[-1], rel=1e-2)   # 30 iterations: near it
    np.testing.assert_allclose(many, [sharpness(n, X10, Y10) for n in nets], rtol=1e-6,
                               atol=1e-9)
