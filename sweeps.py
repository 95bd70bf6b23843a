"""Many networks at once: `train_many` trains one network per seed in a single NumPy loop.

The seeds ride along the last axis of every array: a layer's weights are (k_in, k_out, S)
and its activations (n, k, S), so one NumPy operation advances every network. Each network
ends exactly as `MLP(..., seed).train(...)` would: the tests compare them seed by seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from network import (
    ACTIVATIONS,
    DIVERGED,
    LOSSES,
    MLP,
    OUTPUT,
    UNTRAINABLE,
    check_data,
    check_seed,
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

    @property
    def solved(self):
        return self.accuracy == 1.0


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


def train_many(layer_sizes, seeds, X, y, learning_rate, epochs, activation="sigmoid",
               loss="mse", init="xavier", l2=0.0, batch_size=None):
    """Train one network per seed, all at once; each ends as `MLP(..., seed).train(...)` would.

    With `batch_size`, each network shuffles its mini-batches with its own generator, as
    `MLP.train` does, so the seeds' batches differ and the results still match seed by seed.
    """
    seeds = [check_seed(seed) for seed in (seeds if np.iterable(seeds) else [seeds])]
    if not seeds:
        raise ValueError("Give at least one seed.")
    nets = [MLP(layer_sizes, activation, loss, init, seed, l2) for seed in seeds]
    X, y = check_data(X, y, nets[0].layer_sizes[0])
    learning_rate, epochs, batch_size = check_training(learning_rate, epochs, batch_size)
    l2 = nets[0].l2
    hidden, loss_fn, n = ACTIVATIONS[activation], LOSSES[loss], len(y)
    mini = batch_size is not None and batch_size < n
    acts = [hidden] * (len(nets[0].weights) - 1) + [OUTPUT]
    W = [np.stack(per_seed, axis=-1) for per_seed in zip(*(net.weights for net in nets))]
    b = [np.stack(per_seed, axis=-1) for per_seed in zip(*(net.biases for net in nets))]
    X_rows, y_rows = X, y                                                 # (n, k), (n, 1)
    x, y, targets = X[:, :, None], y[:, :, None], (y > 0.5)[:, :, None]   # (n, k, 1)

    count = len(seeds)
    solved_at = np.full(count, -1)
    diverged_at = np.full(count, -1)
    frozen = np.zeros(count, dtype=bool)
    last_W, last_b = W, b
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs + 1):
            zs, a = forward_many(x, W, b, acts)
            dL_dW, dL_db = gradients_many(zs, a, y, W, hidden, loss_fn, l2)
            loss_now = loss_fn.term(zs[-1], a[-1], y).sum(axis=(0, 1)) / n + penalty_many(W, l2)
            # Each layer's gradient norm, then their sum, exactly as MLP.train checks them.
            grad_norms = sum(np.sqrt((dW * dW).sum(axis=(0, 1)) + (db * db).sum(axis=0))
                             for dW, db in zip(dL_dW, dL_db))
            bad = ~((loss_now < DIVERGED) & (grad_norms < DIVERGED)) & ~frozen
            if bad.any() and epoch == 0:
                raise ValueError(UNTRAINABLE)
            if bad.any():   # as MLP.train does: stop these seeds at their last finite weights
                diverged_at[bad] = epoch
                frozen |= bad
                W = [np.where(bad, W_prev, W_now) for W_prev, W_now in zip(last_W, W)]
                b = [np.where(bad, b_prev, b_now) for b_prev, b_now in zip(last_b, b)]
            right = ((a[-1] > 0.5) == targets).all(axis=(0, 1))
            solved_at[(solved_at < 0) & right & ~frozen] = epoch
            if epoch == epochs:
                break
            last_W, last_b = W, b
            if not mini:
                W = [W_l - learning_rate * g for W_l, g in zip(W, dL_dW)]
                b = [b_l - learning_rate * g for b_l, g in zip(b, dL_db)]
            else:
                order = np.stack([net.batches.permutation(n) for net in nets], axis=-1)  # (n, S)
                for start in range(0, n, batch_size):
                    rows = order[start:start + batch_size]                 # (B, S)
                    xb = np.moveaxis(X_rows[rows], 2, 1)                   # (B, k, S)
                    yb = np.moveaxis(y_rows[rows], 2, 1)                   # (B, 1, S)
                    zs_b, a_b = forward_many(xb, W, b, acts)
                    gW, gb = gradients_many(zs_b, a_b, yb, W, hidden, loss_fn, l2)
                    W = [W_l - learning_rate * g for W_l, g in zip(W, gW)]
                    b = [b_l - learning_rate * g for b_l, g in zip(b, gb)]
            if frozen.any():
                W = [np.where(frozen, W_prev, W_now) for W_prev, W_now in zip(last_W, W)]
                b = [np.where(frozen, b_prev, b_now) for b_prev, b_now in zip(last_b, b)]

    with np.errstate(over="ignore", invalid="ignore"):
        zs, a = forward_many(x, W, b, acts)
    final_loss = loss_fn.term(zs[-1], a[-1], y).mean(axis=(0, 1)) + penalty_many(W, l2)
    accuracy = ((a[-1] > 0.5) == targets).mean(axis=(0, 1))
    weights = [np.moveaxis(W_l, -1, 0) for W_l in W]        # (S, k_in, k_out)
    biases = [np.moveaxis(b_l, -1, 0) for b_l in b]         # (S, k_out)
    return ManyRuns(np.array(seeds), final_loss, accuracy, solved_at, diverged_at, weights, biases)
