"""How often does the verdict call a run stuck that later solves XOR anyway?

Trains many runs for 4x the default epochs, asks `verdict.judge` for a verdict every
`--every` epochs along the way, and counts "stuck" calls on runs that went on to reach
100% accuracy (false alarms). Run from the project folder: python -m bench.verdict
"""

from __future__ import annotations

import argparse
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from network import DEFAULTS, MLP, XOR_X, XOR_Y
from verdict import judge

SETTINGS = [  # (layer sizes, activation, loss, learning rate)
    ((2, 2, 1), "sigmoid", "mse", 0.3),
    ((2, 4, 1), "sigmoid", "mse", 0.3),
    ((2, 2, 1), "sigmoid", "mse", 0.1),
    ((2, 2, 1), "sigmoid", "mse", 1.0),
    ((2, 2, 1), "sigmoid", "bce", 0.3),
    ((2, 4, 1), "tanh", "mse", 0.3),
]


def verdicts_along(settings, seed, epochs, every):
    """[(epoch, verdict kind)] every `every` epochs, and the first epoch at 100% (or None)."""
    sizes, activation, loss, learning_rate = settings
    net = MLP(sizes, activation, loss, seed=seed)
    history, calls = None, []
    for _ in range(epochs // every):
        part = net.train(XOR_X, XOR_Y, learning_rate, every)
        history = part if history is None else history.then(part)
        forward = net.forward(XOR_X)
        verdict = judge(history, XOR_X, XOR_Y, forward.output, learning_rate,
                        forward.activations[1:-1], activation)
        calls.append((net.epoch, verdict.kind))
    solved = np.flatnonzero(history.accuracy == 1.0)
    return calls, (int(history.epochs[solved[0]]) if len(solved) else None)


def _job(args):
    return verdicts_along(*args)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=60)
    parser.add_argument("--every", type=int, default=250)
    parser.add_argument("--epochs", type=int, default=4 * DEFAULTS.epochs)
    args = parser.parse_args(argv)
    print(f"{'settings':34} {'runs':>5} {'never solved':>13} {'stuck calls':>12} "
          f"{'false stuck':>12}  other verdicts on unsolved runs")
    with ProcessPoolExecutor(2) as pool:
        for settings in SETTINGS:
            jobs = [(settings, seed, args.epochs, args.every) for seed in range(args.seeds)]
            results = list(pool.map(_job, jobs))
            stuck = false = never = 0
            others = Counter()
            for calls, solved_at in results:
                never += solved_at is None
                for epoch, kind in calls:
                    if kind == "stuck":
                        stuck += 1
                        false += solved_at is not None and solved_at > epoch
                    elif kind != "converged":
                        others[kind] += 1
            sizes, activation, loss, learning_rate = settings
            name = f"{'-'.join(map(str, sizes))} {activation} {loss} lr {learning_rate}"
            print(f"{name:34} {len(results):5} {never:13} {stuck:12} {false:12}  "
                  + ", ".join(f"{kind} {count}" for kind, count in sorted(others.items())))


if __name__ == "__main__":
    main()
