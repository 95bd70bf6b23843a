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

import data
from runs import DEFAULTS, config
from verdict import Kind, judge

XOR = data.make("xor")
XOR_X, XOR_Y = XOR.X, XOR.y

SETTINGS = [
    config(arch="2-2-1"),
    config(arch="2-4-1"),
    config(arch="2-2-1", lr=0.1),
    config(arch="2-2-1", lr=1.0),
    config(arch="2-2-1", loss="bce"),
    config(arch="2-4-1", activation="tanh"),
]


def verdicts_along(settings, seed, epochs, every):
    """[(epoch, verdict kind)] every `every` epochs, and the first epoch at 100% (or None)."""
    net, learning_rate = settings.network(seed), settings.lr
    history, calls = None, []
    for _ in range(epochs // every):
        part = net.train(XOR_X, XOR_Y, learning_rate, every)
        history = part if history is None else history.then(part)
        forward = net.forward(XOR_X)
        verdict = judge(history, XOR_X, XOR_Y, forward.output, learning_rate,
                        forward.activations[1:-1], settings.activation)
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
                    if kind == Kind.STUCK:
                        stuck += 1
                        false += solved_at is not None and solved_at > epoch
                    elif kind != Kind.CONVERGED:
                        others[kind] += 1
            name = f"{settings.arch} {settings.activation} {settings.loss} lr {settings.lr}"
            print(f"{name:34} {len(results):5} {never:13} {stuck:12} {false:12}  "
                  + ", ".join(f"{kind} {count}" for kind, count in sorted(others.items())))


if __name__ == "__main__":
    main()
