"""Many networks at once: `train_many` trains one network per seed in a single NumPy loop.

The seeds ride along the last axis of every array: a layer's weights are (k_in, k_out, S)
and its activations (n, k, S), so one NumPy operation advances every network. Each network
ends as `MLP(..., seed).train(...)` would, to rounding: einsum and matmul may add in another
order, so a step can differ in its last bits. The tests compare them seed by seed to 1e-9.
A run that magnifies such differences can drift further over thousands of epochs. One
measured case is RMSprop at lr 1 on 400 circle points, whose curves part after epoch 137;
its numbers are still those of a network trained by these steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from network import (
    ACTIVATIONS,
    DIVERGED,
    LOSSES,
    MLP,
    OPTIMIZERS,
    OUTPUT,
    UNTRAINABLE,
    History,
    Snapshot,
    check_choice,
    check_data,
    check_seed,
    check_test_set,
    check_training,
)


@dataclass(frozen=True)
class ManyRuns:
    """The outcome of one network per seed; entry i belongs to seeds[i]."""

    seeds: np.ndarray           # (S,)
    final_loss: np.ndarray      # (S,) the loss of the final weights
    accuracy: np.ndarray        # (S,) of the final weights
    solved_at: np.ndarray       # (S,) first epoch with every example right, -1 if never
    diverged_at: np.ndarray     # (S,) epoch whose loss or gradient diverged, -1 if none
    weights: list[np.ndarray]   # weights[l][i] is seed i's W of layer l
    biases: list[np.ndarray]
    recorded: Recording | None = None   # every epoch's numbers, if asked for (`record=True`)

    @property
    def solved(self):
        return self.accuracy == 1.0

    def history(self, i):
        """Entry i's History, row for row what `MLP.train` would have recorded for it."""
        r = self.recorded
        rows = slice(0, len(r.loss) if self.diverged_at[i] < 0 else int(self.diverged_at[i]))
        tested = r.test_loss is not None
        snapshots = {epoch: Snapshot(epoch, [W[:, :, i].copy() for W in weights],
                                     [b[:, i].copy() for b in biases])
                     for epoch, (weights, biases) in r.snapshots.items()
                     if epoch < rows.stop}
        return History(np.arange(rows.stop), r.loss[rows, i], r.accuracy[rows, i],
                       r.grad_norms[rows, :, i], snapshots,
                       None if self.diverged_at[i] < 0 else int(self.diverged_at[i]),
                       r.test_loss[rows, i] if tested else None,
                       r.test_accuracy[rows, i] if tested else None)


@dataclass(frozen=True)
class Recording:
    """Every epoch of every network: row e is epoch e, column i entry i. Rows from an entry's
    divergence on repeat its last finite weights' numbers; `ManyRuns.history` leaves them out."""

    loss: np.ndarray                   # (epochs + 1, S)
    accuracy: np.ndarray               # (epochs + 1, S)
    grad_norms: np.ndarray             # (epochs + 1, layers, S)
    test_loss: np.ndarray | None       # (epochs + 1, S), with a test set
    test_accuracy: np.ndarray | None
    snapshots: dict                    # epoch -> (weights, biases), (k_in, k_out, S), (k, S)


def forward_many(x, W, b, acts):
    zs, a = [], [x]
    for W_l, b_l, act in zip(W, b, acts):
        z = np.einsum("nis,ijs->njs", a[-1], W_l) + b_l           # (n, k_out, S)
        zs.append(z)
        a.append(act.f(z))
    return zs, a


def gradients_many(zs, a, y, W, hidden, loss_fn, l2):
    """dL/dW and dL/db of every layer and seed, as MLP._backward computes them."""
    layers = len(W)
    dL_dz = loss_fn.dterm_dz(a[-1], y) / len(y)                        # (n, 1, S)
    dL_dW, dL_db = [None] * layers, [None] * layers
    for layer in range(layers - 1, -1, -1):
        dL_dW[layer] = np.einsum("nis,njs->ijs", a[layer], dL_dz)       # (k_in, k_out, S)
        dL_db[layer] = dL_dz.sum(axis=0)                                # (k_out, S)
        if layer > 0:
            dL_da = np.einsum("njs,ijs->nis", dL_dz, W[layer])          # (n, k_in, S)
            dL_dz = dL_da * hidden.f_prime(zs[layer - 1], a[layer])
    if l2:
        dL_dW = [dW + l2 * W_l for dW, W_l in zip(dL_dW, W)]
    return dL_dW, dL_db


def penalty_many(W, l2):
    if not l2:
        return 0.0
    return 0.5 * l2 * sum((W_l * W_l).sum(axis=(0, 1)) for W_l in W)   # (S,)


def _per_entry(value, count, name):
    """A setting given once for all entries, or once per entry, as an (S,) array."""
    values = np.asarray(value if np.ndim(value) else [value] * count)
    if len(values) != count:
        raise ValueError(f"Give one {name}, or one per seed ({count}), not {len(values)}.")
    return values


def _rows(indices):
    """A slice (a view, no copy) where the indices are contiguous, else the indices."""
    if indices[-1] - indices[0] == len(indices) - 1:
        return slice(int(indices[0]), int(indices[-1]) + 1)
    return indices


class _Updates:
    """One step of each entry's optimizer on arrays whose last axis is the entries.

    Plain SGD for all moves each array by itself. Otherwise every parameter is stacked into
    one (P, S) array, so that each optimizer's rule runs once per update over all of its
    entries' parameters: the rules act element by element, so the numbers are the same."""

    def __init__(self, optimizers, W, b):
        self.groups = [(OPTIMIZERS[name].rule, _rows(np.flatnonzero(optimizers == name)),
                        OPTIMIZERS[name].averages) for name in dict.fromkeys(optimizers)]
        self.plain = len(self.groups) == 1 and self.groups[0][0] is None
        self.shapes = [p.shape for p in [*W, *b]]
        count = W[0].shape[-1]
        ends = np.cumsum([0] + [p.size // count for p in [*W, *b]])
        self.spans = [slice(int(start), int(stop)) for start, stop in zip(ends, ends[1:])]
        size = int(ends[-1])
        self.t = 0
        self.averages = [tuple(np.zeros((size, len(np.arange(count)[rows]))) for _ in names)
                         for _, rows, names in self.groups]

    def __call__(self, W, b, dL_dW, dL_db, lr):   # lr (S,)
        """The weights and biases one step on, as new arrays (as MLP._update makes them)."""
        self.t += 1
        if self.plain:   # sgd: θ ← θ − η·g
            return ([W_l - lr * g for W_l, g in zip(W, dL_dW)],
                    [b_l - lr * g for b_l, g in zip(b, dL_db)])
        theta, g = (np.concatenate([p.reshape(-1, p.shape[-1]) for p in parts])   # (P, S)
                    for parts in ([*W, *b], [*dL_dW, *dL_db]))
        moved = np.empty_like(theta)
        for k, (rule, rows, _) in enumerate(self.groups):
            if rule is None:   # sgd: θ ← θ − η·g
                moved[:, rows] = theta[:, rows] - lr[rows] * g[:, rows]
            else:
                moved[:, rows], self.averages[k] = rule(theta[:, rows], g[:, rows], lr[rows],
                                                        self.t, *self.averages[k])
        parts = [moved[span].reshape(shape) for span, shape in zip(self.spans, self.shapes)]
        return parts[:len(W)], parts[len(W):]


def train_many(layer_sizes, seeds, X, y, learning_rate, epochs, activation="sigmoid",
               loss="mse", init="xavier", l2=0.0, batch_size=None, optimizer="sgd",
               X_test=None, y_test=None, record=False, snapshot_epochs=()):
    """Train one network per seed, all at once; each ends as `MLP(..., seed).train(...)` would.

    `learning_rate` and `optimizer` are one for all, or one per seed; a seed may repeat, so
    one start can be trained at several rates or by several optimizers. With `batch_size`,
    each network shuffles its mini-batches with its own generator, as `MLP.train` does, so
    equal seeds see equal batches. `record=True` keeps every epoch's loss, accuracy and
    gradient norms (and the test set's, with X_test and y_test), and the weights at
    `snapshot_epochs`, so that each entry's History can be rebuilt (`ManyRuns.history`).
    """
    seeds = [check_seed(seed) for seed in (seeds if np.iterable(seeds) else [seeds])]
    if not seeds:
        raise ValueError("Give at least one seed.")
    count = len(seeds)
    optimizers = _per_entry(optimizer, count, "optimizer")
    for name in set(optimizers):
        check_choice("optimizer", name, OPTIMIZERS)
    rates = _per_entry(learning_rate, count, "learning rate")
    checked = [check_training(rate, epochs, batch_size) for rate in dict.fromkeys(rates)]
    lr = rates.astype(float)                                              # (S,)
    _, epochs, batch_size = checked[0]
    nets = [MLP(layer_sizes, activation, loss, init, seed, l2) for seed in seeds]
    X, y = check_data(X, y, nets[0].layer_sizes[0])
    X_test, y_test = check_test_set(X_test, y_test, nets[0].layer_sizes[0])
    tested = X_test is not None
    l2 = nets[0].l2
    hidden, loss_fn, n = ACTIVATIONS[activation], LOSSES[loss], len(y)
    mini = batch_size is not None and batch_size < n
    acts = [hidden] * (len(nets[0].weights) - 1) + [OUTPUT]
    W = [np.stack(per_seed, axis=-1) for per_seed in zip(*(net.weights for net in nets))]
    b = [np.stack(per_seed, axis=-1) for per_seed in zip(*(net.biases for net in nets))]
    update = _Updates(optimizers, W, b)
    X_rows, y_rows = X, y                                                 # (n, k), (n, 1)
    x, y, targets = X[:, :, None], y[:, :, None], (y > 0.5)[:, :, None]   # (n, k, 1)
    if tested:
        x_test, y_test, test_targets = X_test[:, :, None], y_test[:, :, None], \
            (y_test > 0.5)[:, :, None]
    if record:
        layers = len(W)
        loss_rows, right_rows = np.empty((epochs + 1, count)), np.empty((epochs + 1, count))
        norm_rows = np.empty((epochs + 1, layers, count))
        test_loss_rows = np.empty((epochs + 1, count)) if tested else None
        test_right_rows = np.empty((epochs + 1, count)) if tested else None
        wanted, snapshots = {int(e) for e in snapshot_epochs if 0 <= e <= epochs}, {}

    solved_at = np.full(count, -1)
    diverged_at = np.full(count, -1)
    frozen = np.zeros(count, dtype=bool)
    last_W, last_b = W, b
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs + 1):
            zs, a = forward_many(x, W, b, acts)
            dL_dW, dL_db = gradients_many(zs, a, y, W, hidden, loss_fn, l2)
            penalty = penalty_many(W, l2)
            loss_now = loss_fn.term(zs[-1], a[-1], y).sum(axis=(0, 1)) / n + penalty
            # Each layer's gradient norm, then their sum, exactly as MLP.train checks them.
            layer_norms = [np.sqrt(np.einsum("ijs,ijs->s", dW, dW) + np.einsum("js,js->s", db, db))
                           for dW, db in zip(dL_dW, dL_db)]
            bad = ~((loss_now < DIVERGED) & (sum(layer_norms) < DIVERGED)) & ~frozen
            if bad.any():
                if epoch == 0:
                    raise ValueError(UNTRAINABLE)
                # As MLP.train does: stop these seeds at their last finite weights.
                diverged_at[bad] = epoch
                frozen |= bad
                W = [np.where(bad, W_prev, W_now) for W_prev, W_now in zip(last_W, W)]
                b = [np.where(bad, b_prev, b_now) for b_prev, b_now in zip(last_b, b)]
            right = np.count_nonzero((a[-1] > 0.5) == targets, axis=(0, 1))   # (S,) of n
            solved_at[(solved_at < 0) & (right == n) & ~frozen] = epoch
            if record:
                loss_rows[epoch], norm_rows[epoch] = loss_now, layer_norms
                right_rows[epoch] = right / n
                if tested:
                    zs_t, a_t = forward_many(x_test, W, b, acts)
                    test_loss_rows[epoch] = (loss_fn.term(zs_t[-1], a_t[-1], y_test)
                                             .sum(axis=(0, 1)) / len(y_test) + penalty)
                    test_right_rows[epoch] = np.count_nonzero(
                        (a_t[-1] > 0.5) == test_targets, axis=(0, 1)) / len(y_test)
                if epoch in wanted:
                    snapshots[epoch] = ([W_l.copy() for W_l in W], [b_l.copy() for b_l in b])
            if epoch == epochs:
                break
            last_W, last_b = W, b
            if not mini:
                W, b = update(W, b, dL_dW, dL_db, lr)
            else:
                order = np.stack([net.batches.permutation(n) for net in nets], axis=-1)  # (n, S)
                for start in range(0, n, batch_size):
                    rows = order[start:start + batch_size]                 # (B, S)
                    xb = np.moveaxis(X_rows[rows], 2, 1)                   # (B, k, S)
                    yb = np.moveaxis(y_rows[rows], 2, 1)                   # (B, 1, S)
                    zs_b, a_b = forward_many(xb, W, b, acts)
                    W, b = update(W, b, *gradients_many(zs_b, a_b, yb, W, hidden, loss_fn, l2),
                                  lr)
            if frozen.any():
                W = [np.where(frozen, W_prev, W_now) for W_prev, W_now in zip(last_W, W)]
                b = [np.where(frozen, b_prev, b_now) for b_prev, b_now in zip(last_b, b)]

    with np.errstate(over="ignore", invalid="ignore"):
        zs, a = forward_many(x, W, b, acts)
    final_loss = loss_fn.term(zs[-1], a[-1], y).mean(axis=(0, 1)) + penalty_many(W, l2)
    accuracy = ((a[-1] > 0.5) == targets).mean(axis=(0, 1))
    weights = [np.moveaxis(W_l, -1, 0) for W_l in W]        # (S, k_in, k_out)
    biases = [np.moveaxis(b_l, -1, 0) for b_l in b]         # (S, k_out)
    recorded = Recording(loss_rows, right_rows, norm_rows, test_loss_rows, test_right_rows,
                         snapshots) if record else None
    return ManyRuns(np.array(seeds), final_loss, accuracy, solved_at, diverged_at, weights,
                    biases, recorded)


def sharpness_many(layer_sizes, weights, biases, X, y, activation="sigmoid", loss="mse",
                   l2=0.0, iterations=30, eps=1e-5):
    """`network.sharpness` of many networks at once, by the same power iteration from the
    same start; weights[l][i] is network i's W of layer l, as in ManyRuns. -> (S,)"""
    X, y = check_data(X, y, layer_sizes[0])
    W0 = [np.moveaxis(np.asarray(W_l, dtype=float), 0, -1) for W_l in weights]   # (k_in, k_out, S)
    b0 = [np.moveaxis(np.asarray(b_l, dtype=float), 0, -1) for b_l in biases]     # (k_out, S)
    start, layers, count = [*W0, *b0], len(W0), W0[0].shape[-1]
    sizes = [p[..., 0].size for p in start]
    hidden, loss_fn = ACTIVATIONS[activation], LOSSES[loss]
    acts = [hidden] * (layers - 1) + [OUTPUT]
    x, y = X[:, :, None], y[:, :, None]

    def gradient(parameters):   # -> (P, S), each network's gradient in sharpness's order
        zs, a = forward_many(x, parameters[:layers], parameters[layers:], acts)
        dL_dW, dL_db = gradients_many(zs, a, y, parameters[:layers], hidden, loss_fn, l2)
        return np.concatenate([g.reshape(-1, count) for g in [*dL_dW, *dL_db]])

    at_start = gradient(start)

    def hessian_times(v):
        steps = np.split(eps * v, np.cumsum(sizes)[:-1])
        return (gradient([p + d.reshape(p.shape) for p, d in zip(start, steps)])
                - at_start) / eps

    def largest(shift):   # shift (S,)
        v = np.repeat(np.random.default_rng(0).standard_normal(sum(sizes))[:, None], count, 1)
        value, going = np.zeros(count), np.ones(count, dtype=bool)
        for _ in range(iterations):
            v = v / np.linalg.norm(v, axis=0)
            product = hessian_times(v) - shift * v
            value = np.where(going, (v * product).sum(axis=0), value)
            going &= product.any(axis=0)   # as sharpness stops where H v is exactly 0
            if not going.any():
                break
            v = np.where(going, product, v)
        return value

    with np.errstate(over="ignore", invalid="ignore"):
        top = largest(np.zeros(count))
        if (top < 0).any():
            top = np.where(top >= 0, top, largest(np.minimum(top, 0)) + np.minimum(top, 0))
    return top
