"""Is the verdict ever contradicted by what the run does next?

Draws a sample of runs across architectures (1 to 4 hidden layers), activations, losses,
inits, learning rates 0.01 to 10, datasets, batch sizes, L2 and test splits; trains each for
its epochs exactly as the app does (`runs.train`), takes the verdict, then trains on to 10x
the epochs and records what happened. Prints the confusion table of verdict now against the
outcome later, and every contradicted verdict:

- "stuck" on a run that reaches 100% accuracy later;
- "converged" on a run that drops below 100% later;
- "oscillating" on a loss that is flat (no rise above RISE_TOLERANCE of the loss).

Samples are disjoint: sample k draws its network seeds from k * 1,000,000 on. The rules in
verdict.py were chosen on sample 1 and corrected on what samples 0, 2 and 3 showed; this
bench checks sample 5 (the default), which no rule was chosen on, and the sampled unit test
uses sample 4. Run from the project folder: python -m bench.verdict [--runs 2000]; 2,000
runs take about 22 minutes on 2 cores (1,318 s measured). Ctrl-C stops it and its workers.
"""

from __future__ import annotations

import argparse
import multiprocessing
import pickle
import signal
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

import runs
from verdict import RISE_TOLERANCE, Kind

LATER = 10          # runs are continued to this many times their epochs
SEEDS_PER_SAMPLE = 1_000_000

ARCHITECTURES = ("2-2-1", "2-3-1", "2-4-1", "2-8-1", "2-2-2-1", "2-4-4-1", "2-3-3-3-1",
                 "2-4-4-4-4-1")
ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")
LEARNING_RATES = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
DATASETS = (("xor", 4, 0.0), ("and", 4, 0.0), ("xor_cloud", 40, 0.1), ("circle", 60, 0.05),
            ("gaussians", 40, 0.3), ("moons", 60, 0.1), ("spiral", 80, 0.0))
# The settings learners meet first, where stuck runs are most common, get a share of their own.
CLASSIC = (dict(arch="2-2-1"), dict(arch="2-2-1", lr=0.5), dict(arch="2-2-2-1", lr=0.5),
           dict(arch="2-3-1"), dict(arch="2-2-1", loss="bce"), dict(arch="2-2-1", lr=0.1))


@dataclass(frozen=True)
class Outcome:
    config: runs.Config
    kind: Kind
    final_accuracy: float       # at the judged epoch
    solved_later: int | None    # first epoch after the judged one with 100% accuracy
    lost_later: int | None      # first epoch after the judged one below 100% accuracy
    diverged_later: bool
    accuracy_later: float       # at LATER x the epochs
    largest_rise: float         # the largest loss rise over the judged run's last fifth,
                                # relative to the loss before it


def sample(count, which):
    """`count` (config, seed) pairs of sample `which`, from its own random generator."""
    rng = np.random.default_rng([which, 2026])
    first_seed = which * SEEDS_PER_SAMPLE
    drawn = []
    for i in range(count):
        if rng.random() < 0.3:
            settings = dict(CLASSIC[rng.integers(len(CLASSIC))])
            settings["epochs"] = int(rng.choice([2000, 5000]))
        else:
            name, points, noise = DATASETS[rng.integers(len(DATASETS))]
            settings = dict(
                arch=str(rng.choice(ARCHITECTURES)), activation=str(rng.choice(ACTIVATIONS)),
                loss=str(rng.choice(["mse", "bce"])),
                init=str(rng.choice(["xavier", "he", "uniform"])),
                lr=float(rng.choice(LEARNING_RATES)), dataset=name, points=points,
                noise=noise if rng.random() < 0.7 else 0.0,
                epochs=int(rng.choice([500, 1000, 2000] if points > 4 else [1000, 2000, 5000])))
            if points > 4 and rng.random() < 0.25:
                settings["batch"] = int(rng.choice([8, 16]))
            if rng.random() < 0.15:
                settings["l2"] = float(rng.choice([1e-4, 1e-3]))
            if points > 4 and rng.random() < 0.2:
                settings["test_share"] = 0.25
        settings["seed"] = first_seed + i
        drawn.append(runs.config(**settings))
    return drawn


def largest_rise(loss):
    """The largest step-to-step rise of the loss over its last fifth, relative to the loss."""
    tail = np.asarray(loss[-max(2, len(loss) // 5):], dtype=float)
    rises = np.diff(tail) / np.maximum(tail[:-1], np.finfo(float).tiny)
    return float(max(rises.max(initial=0.0), 0.0))


def outcome(config):
    """Train `config` as the app does, judge it, then train on to LATER x its epochs."""
    run = runs.train(config)
    later = run.net.copy().train(run.data.X, run.data.y, config.lr,
                                 (LATER - 1) * config.epochs, batch_size=config.batch)
    after = later.accuracy[1:]
    solved = np.flatnonzero(after == 1.0)
    lost = np.flatnonzero(after < 1.0)
    return Outcome(config, run.verdict.kind, run.history.final_accuracy,
                   int(later.epochs[1 + solved[0]]) if len(solved) else None,
                   int(later.epochs[1 + lost[0]]) if len(lost) else None,
                   later.diverged_at is not None, float(later.accuracy[-1]),
                   largest_rise(run.history.loss))


def contradiction(result):
    """Why the verdict was wrong about what came later, or None."""
    if result.kind == Kind.STUCK and result.solved_later is not None:
        return f"called stuck, solved at epoch {result.solved_later:,}"
    if result.kind == Kind.CONVERGED and result.lost_later is not None:
        return f"called converged, below 100% at epoch {result.lost_later:,}"
    if result.kind == Kind.OSCILLATING and result.largest_rise <= RISE_TOLERANCE:
        return f"called oscillating on a flat loss (largest rise {result.largest_rise:.2g})"
    return None


def later_column(result):
    if result.diverged_later:
        return "diverged later"
    if result.final_accuracy == 1.0:
        return "kept 100%" if result.lost_later is None else "lost 100% later"
    return "solved later" if result.solved_later is not None else "never solved"


COLUMNS = ("kept 100%", "lost 100% later", "solved later", "never solved", "diverged later")


def table(results):
    """The confusion table as text: verdict now (rows) against what happened later."""
    counts = Counter((r.kind, later_column(r)) for r in results)
    lines = [f"{'verdict now':12}" + "".join(f"{c:>16}" for c in COLUMNS) + f"{'total':>8}"]
    for kind in Kind:
        row = [counts[kind, c] for c in COLUMNS]
        if sum(row):
            lines.append(f"{kind.value:12}" + "".join(f"{n:16,}" for n in row) + f"{sum(row):8,}")
    return "\n".join(lines)


def describe(config):
    parts = [config.arch, config.activation, config.loss, config.init, f"lr {config.lr:g}",
             config.dataset, f"{config.epochs:,} epochs", f"seed {config.seed}"]
    if config.batch:
        parts.append(f"batch {config.batch}")
    if config.l2:
        parts.append(f"l2 {config.l2:g}")
    if config.test_share:
        parts.append(f"test {config.test_share:.0%}")
    return ", ".join(parts)


def _ignore_interrupts():
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--save", help="pickle the outcomes to this file")
    args = parser.parse_args(argv)
    configs = sample(args.runs, args.sample)
    started = time.perf_counter()
    # The workers ignore Ctrl-C: this process takes it and ends them (terminate, on leaving
    # the with block), instead of each worker printing its own traceback and living on.
    with multiprocessing.get_context("spawn").Pool(args.workers, _ignore_interrupts) as pool:
        try:
            results = pool.map(outcome, configs, chunksize=4)
        except KeyboardInterrupt:
            print(f"interrupted after {time.perf_counter() - started:.0f} s; the workers "
                  "are stopped")
            return 130
    print(f"{len(results):,} runs of sample {args.sample}, each continued to {LATER}x its "
          f"epochs, in {time.perf_counter() - started:.0f} s\n")
    print(table(results))
    wrong = [(r, contradiction(r)) for r in results if contradiction(r)]
    print(f"\ncontradicted verdicts: {len(wrong)}")
    for result, why in wrong:
        print(f"  {describe(result.config)}: {why}")
    if args.save:
        with open(args.save, "wb") as file:
            pickle.dump(results, file)


if __name__ == "__main__":
    raise SystemExit(main())
