"""Time the engine on XOR against a straightforward NumPy loop, and on a 400-point spiral.

Run from the project root (the module form puts the root, and so `network`, on sys.path):

    python -m bench.engine            # the full measurement, about half a minute
    python -m bench.engine --quick    # a smoke run with few epochs and repeats
"""

import argparse
import os
import platform
import statistics
import time
from dataclasses import dataclass

import numpy as np

import data
from network import MLP
from sweeps import train_many

XOR = data.make("xor")
XOR_X, XOR_Y = XOR.X, XOR.y


LEARNING_RATE = 0.3
SEED = 123
SINGLE_ARCHS = ((2, 2, 1), (2, 4, 1), (2, 8, 1))
MANY_ARCHS = ((2, 2, 1), (2, 4, 1))
TARGET_TRAIN_US = 40.0   # MLP.train 2-4-1, per epoch, full recording
TARGET_MANY_S = 1.5      # train_many 2-2-1, 1000 seeds x 5000 epochs
TARGET_DATA_RATIO = 4.0  # spiral 400 points on 2-8-8-1 against XOR on 2-4-1, same epochs
DATA_EPOCHS = 2000

TRAIN_HEADER = "arch    engine us/epoch  reference us/epoch  reference/engine  max |d loss|"
MANY_HEADER = "arch    train_many s  reference s  reference/train_many  max |d loss|"
TRAIN_TARGET = "MLP.train 2-4-1, us per epoch"
MANY_TARGET = "train_many 1000 x 5000 2-2-1, seconds"
DATA_HEADER = "run                          ms  us/epoch  ratio to XOR 2-4-1"
DATA_TARGET = "spiral 400 2-8-8-1 / XOR 2-4-1, ratio"
TARGET_HEADER = "target                                    goal      measured  verdict"


@dataclass(frozen=True)
class Plan:
    epochs: int
    train_repeats: int
    many_repeats: int
    seeds: int
    reference_seeds: int   # the reference trains only these, and is scaled up to `seeds`


FULL = Plan(epochs=5000, train_repeats=5, many_repeats=3, seeds=1000, reference_seeds=20)
QUICK = Plan(epochs=200, train_repeats=1, many_repeats=1, seeds=100, reference_seeds=2)


# --- the reference: what one would write first -------------------------------------------

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def reference_train(weights, biases, X, y, learning_rate, epochs):
    """One network, one layer at a time; loss, accuracy and gradient norms recorded per epoch."""
    weights, biases = list(weights), list(biases)
    losses, accuracies, grad_norms = [], [], []
    for epoch in range(epochs + 1):
        activations = [X]
        for W, b in zip(weights, biases):
            activations.append(sigmoid(activations[-1] @ W + b))
        a_out = activations[-1]
        losses.append(np.mean((a_out - y) ** 2))            # mse without 1/2, as the engine
        accuracies.append(np.mean((a_out > 0.5) == (y > 0.5)))

        delta = 2.0 * (a_out - y) * a_out * (1.0 - a_out) / len(y)   # (n, 1)
        dL_dW, dL_db = [None] * len(weights), [None] * len(weights)
        for layer in reversed(range(len(weights))):
            dL_dW[layer] = activations[layer].T @ delta
            dL_db[layer] = delta.sum(axis=0)
            if layer > 0:
                a = activations[layer]
                delta = (delta @ weights[layer].T) * a * (1.0 - a)
        grad_norms.append([np.sqrt(np.linalg.norm(dW) ** 2 + np.linalg.norm(db) ** 2)
                           for dW, db in zip(dL_dW, dL_db)])

        if epoch < epochs:
            weights = [W - learning_rate * dW for W, dW in zip(weights, dL_dW)]
            biases = [b - learning_rate * db for b, db in zip(biases, dL_db)]
    return np.array(losses), np.array(accuracies), np.array(grad_norms)


def initial_parameters(sizes, seed):
    # Borrowed from the engine so both start from identical weights; not timed.
    net = MLP(sizes, seed=seed)
    return net.weights, net.biases


# --- measuring -------------------------------------------------------------------------

def median_seconds(runs, repeats):
    """Median wall time of each run, all its times, and each run's last result.

    The runs take turns within every repeat, so a burst of load from elsewhere on a shared
    machine falls on all of them alike instead of skewing their ratio.
    """
    times, results = [[] for _ in runs], [None] * len(runs)
    for _ in range(repeats):
        for i, run in enumerate(runs):
            start = time.perf_counter()
            results[i] = run()
            times[i].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times], times, results


def name(sizes):
    return "-".join(str(size) for size in sizes)


def measure_train(sizes, plan):
    """Engine and reference us/epoch, and the largest loss difference over the whole curve."""
    per_epoch = 1e6 / plan.epochs
    weights, biases = initial_parameters(sizes, SEED)
    (engine_s, reference_s), _, (history, (losses, _, _)) = median_seconds(
        [lambda: MLP(sizes, seed=SEED).train(XOR_X, XOR_Y, LEARNING_RATE, plan.epochs),
         lambda: reference_train(weights, biases, XOR_X, XOR_Y, LEARNING_RATE, plan.epochs)],
        plan.train_repeats)
    gap = float(np.max(np.abs(history.loss - losses)))
    return engine_s * per_epoch, reference_s * per_epoch, gap


def measure_many(sizes, plan):
    """train_many seconds, the reference's seconds scaled to plan.seeds, and the loss check."""
    (engine_s,), _, (runs,) = median_seconds(
        [lambda: train_many(sizes, range(plan.seeds), XOR_X, XOR_Y, LEARNING_RATE, plan.epochs)],
        plan.many_repeats)
    final_losses = []
    start = time.perf_counter()
    for seed in range(plan.reference_seeds):
        weights, biases = initial_parameters(sizes, seed)
        losses, _, _ = reference_train(weights, biases, XOR_X, XOR_Y, LEARNING_RATE, plan.epochs)
        final_losses.append(losses[-1])
    # Building the reference's initial weights is inside this timing, but costs microseconds.
    reference_s = (time.perf_counter() - start) * plan.seeds / plan.reference_seeds
    gap = float(np.max(np.abs(runs.final_loss[:plan.reference_seeds] - final_losses)))
    return engine_s, reference_s, gap


def measure_data(plan):
    """MLP.train seconds on XOR (2-4-1) and on a 400-point spiral (2-8-8-1), same epochs."""
    epochs = min(DATA_EPOCHS, plan.epochs)
    spiral = data.make("spiral", 400, 0.1, 0)
    (xor_s, spiral_s), _, _ = median_seconds(
        [lambda: MLP((2, 4, 1), seed=SEED).train(XOR_X, XOR_Y, LEARNING_RATE, epochs),
         lambda: MLP((2, 8, 8, 1), seed=SEED).train(spiral.X, spiral.y, LEARNING_RATE, epochs)],
        plan.train_repeats)
    return epochs, xor_s, spiral_s


def verdict(measured, goal, judged):
    if not judged:
        return "not judged (--quick)"
    return "met" if measured <= goal else "NOT met"


# --- the report ------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke run: {QUICK.epochs} epochs, {QUICK.seeds} seeds, 1 repeat")
    plan = QUICK if parser.parse_args(argv).quick else FULL

    print(f"numpy {np.__version__}, python {platform.python_version()}, "
          f"os.cpu_count() = {os.cpu_count()}")
    # One short untimed run of each path, so the first timed repeat pays no first-call costs.
    MLP((2, 2, 1), seed=SEED).train(XOR_X, XOR_Y, LEARNING_RATE, 10)
    train_many((2, 2, 1), range(4), XOR_X, XOR_Y, LEARNING_RATE, 10)

    print(f"\nMLP.train on XOR, lr {LEARNING_RATE}, {plan.epochs} epochs, seed {SEED}, "
          f"median of {plan.train_repeats} (engine and reference take turns); "
          f"max |d loss| over the whole loss curve")
    print(TRAIN_HEADER)
    train_us = {}
    for sizes in SINGLE_ARCHS:
        engine_us, reference_us, gap = measure_train(sizes, plan)
        train_us[sizes] = engine_us
        print(f"{name(sizes):<6}  {engine_us:15.1f}  {reference_us:18.1f}  "
              f"{reference_us / engine_us:15.1f}x  {gap:12.1e}")

    print(f"\ntrain_many on XOR, seeds 0..{plan.seeds - 1}, {plan.epochs} epochs, "
          f"median of {plan.many_repeats}")
    print(f"reference: one network at a time, extrapolated from {plan.reference_seeds} "
          f"(seeds 0..{plan.reference_seeds - 1}, timed once); "
          f"max |d loss| over those seeds' final losses")
    print(MANY_HEADER)
    many_s = {}
    for sizes in MANY_ARCHS:
        engine_s, reference_s, gap = measure_many(sizes, plan)
        many_s[sizes] = engine_s
        print(f"{name(sizes):<6}  {engine_s:12.2f}  {reference_s:11.1f}  "
              f"{reference_s / engine_s:19.0f}x  {gap:12.1e}")

    epochs, xor_s, spiral_s = measure_data(plan)
    print(f"\nMLP.train with full recording, {epochs} epochs, lr {LEARNING_RATE}, "
          f"median of {plan.train_repeats} (taking turns)")
    print(DATA_HEADER)
    for label, seconds in (("XOR 4 points, 2-4-1", xor_s), ("spiral 400 points, 2-8-8-1",
                                                            spiral_s)):
        print(f"{label:<26}  {seconds * 1e3:6.1f}  {seconds / epochs * 1e6:8.1f}  "
              f"{seconds / xor_s:18.2f}x")

    print(f"\n{TARGET_HEADER}")
    measured = train_us[(2, 4, 1)]
    print(f"{TRAIN_TARGET:<40}  {'<= ' + str(TARGET_TRAIN_US):>7}  "
          f"{measured:8.1f}  {verdict(measured, TARGET_TRAIN_US, plan is FULL)}")
    measured = many_s[(2, 2, 1)]
    print(f"{MANY_TARGET:<40}  {'<= ' + str(TARGET_MANY_S):>7}  "
          f"{measured:8.2f}  {verdict(measured, TARGET_MANY_S, plan is FULL)}")
    measured = spiral_s / xor_s
    print(f"{DATA_TARGET:<40}  {'<= ' + str(TARGET_DATA_RATIO):>7}  "
          f"{measured:8.2f}  {verdict(measured, TARGET_DATA_RATIO, plan is FULL)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
