"""Time the experiments beyond one run (studies.py, landscape.py) against one network at a time.

- the seed sweep, `studies.sweep` of 2-4-1 on XOR over 200 seeds (5,000 epochs, recorded and
  judged), beside `sweeps.train_many` alone for the same seeds (nothing recorded or judged);
- the reliability map, `studies.map_row` for every architecture of `studies.MAP_ARCHS`
  (5 architectures x 8 rates x 100 seeds x 5,000 epochs), computed from nothing each time;
- the loss landscape, `landscape.plane` on a 41 x 41 grid through the final weights of 2-4-1
  on XOR and of 2-8-8-1 on a 200-point spiral, along the principal directions of the run's
  snapshots;
- the optimizer race, `studies.race` of 2-4-1 on XOR (five optimizers, 5,000 epochs).

The reference of each is one network at a time, measured in the same run: `MLP.train` per
seed (on a sample of the seeds, scaled up, where all of them would take minutes), or
`MLP.set_parameters` and `MLP.loss` per grid point. Each figure is a median of repeats in
which the measured code and its reference take turns, so that load from elsewhere on the
machine falls on both alike.

Run from the project root (the module form puts the root on sys.path):

    python -m bench.experiments           # the full measurement, about a minute and a half
    python -m bench.experiments --quick   # a smoke run: 500 epochs, fewer seeds, 1 repeat
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import statistics
import time
from dataclasses import dataclass

import numpy as np

import landscape
import runs
import studies
from bench.engine import median_seconds
from network import MLP, OPTIMIZERS
from sweeps import train_many

ARCH = "2-4-1"
SPIRAL = {"dataset": "spiral", "points": 200, "noise": 0.1, "data_seed": 0}
LANDSCAPES = (("2-4-1 XOR", {"arch": "2-4-1"}), ("2-8-8-1 spiral 200", {"arch": "2-8-8-1",
                                                                        **SPIRAL}))
TARGET_SWEEP_S = 0.5      # studies.sweep, 200 seeds x 5,000 epochs, 2-4-1 XOR
TARGET_MAP_S = 8.0        # the whole reliability map, 4,000 networks x 5,000 epochs
TARGET_PLANE_S = 0.5      # landscape.plane, 41 x 41 points
TARGET_RACE_S = 1.0       # studies.race, five optimizers x 5,000 epochs

TABLE_HEADER = (f"{'what':<44}  {'median s':>8}  {'reference s':>11}  {'ratio':>7}  "
                f"{'target s':>8}  verdict")
SCALED = "*"   # marks a reference timed on a sample and scaled up


@dataclass(frozen=True)
class Plan:
    epochs: int
    repeats: int            # of the sweep, the landscape and the race
    map_repeats: int        # of the whole reliability map
    sweep_seeds: int
    sweep_reference: int    # the reference trains seeds 0.. this - 1, scaled to sweep_seeds
    map_seeds: int          # per (architecture, rate) cell
    map_reference: int      # seeds per cell the reference trains, scaled to map_seeds
    points: int = 41        # of each side of the landscape's grid


FULL = Plan(epochs=5000, repeats=7, map_repeats=2, sweep_seeds=200, sweep_reference=10,
            map_seeds=100, map_reference=1)
QUICK = Plan(epochs=500, repeats=1, map_repeats=1, sweep_seeds=50, sweep_reference=2,
             map_seeds=5, map_reference=1)


@dataclass(frozen=True)
class Row:
    what: str
    seconds: float
    reference: float
    scaled: bool             # the reference was timed on a sample and scaled up
    target: float | None


# --- measuring -------------------------------------------------------------------------

def one_network(config, seed, learning_rate=None, optimizer="sgd", snapshot_epochs=()):
    """The History of `config` trained alone from `seed`, as MLP.train records it."""
    train_set, _ = runs.training_sets(config)
    net = MLP(config.layer_sizes, config.activation, config.loss, config.init, seed, config.l2,
              optimizer=optimizer)
    return net.train(train_set.X, train_set.y, config.lr if learning_rate is None
                     else learning_rate, config.epochs, batch_size=config.batch,
                     snapshot_epochs=snapshot_epochs)


def gap(a, b):
    """The largest |a - b|, NaN where both are NaN counting as equal."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    both = np.isnan(a) & np.isnan(b)
    return float(np.max(np.where(both, 0.0, np.abs(a - b))))


def measure_sweep(plan):
    config = runs.config(arch=ARCH, epochs=plan.epochs)
    train_set, _ = runs.training_sets(config)
    seeds = range(plan.sweep_seeds)
    sample = range(plan.sweep_reference)
    (sweep_s, many_s, sample_s), _, (swept, many, histories) = median_seconds(
        [lambda: studies.sweep(config, seeds),
         lambda: train_many(config.layer_sizes, seeds, train_set.X, train_set.y, config.lr,
                            config.epochs),
         lambda: [one_network(config, seed) for seed in sample]],
        plan.repeats)
    reference_s = sample_s * plan.sweep_seeds / plan.sweep_reference
    finals = [h.final_loss for h in histories]
    print(f"\nSeed sweep: {config.arch} on XOR, lr {config.lr:g}, {config.epochs:,} epochs, "
          f"seeds 0..{plan.sweep_seeds - 1}; median of {plan.repeats} (the three take turns)")
    print(f"  studies.sweep (train, record every epoch, judge each seed)  {sweep_s:8.3f} s")
    print(f"  sweeps.train_many alone (nothing recorded or judged)        {many_s:8.3f} s")
    print(f"  so recording and judging cost                               "
          f"{sweep_s - many_s:8.3f} s ({(sweep_s - many_s) / sweep_s:.0%} of the sweep)")
    print(f"  reference, MLP.train one at a time: seeds 0..{plan.sweep_reference - 1} took "
          f"{sample_s:.3f} s, scaled x{plan.sweep_seeds / plan.sweep_reference:g} to "
          f"{plan.sweep_seeds} seeds: {reference_s:.2f} s (it records every epoch, no verdict)")
    print(f"  max |d final loss| over the reference seeds: sweep "
          f"{gap(swept.final_loss[:len(finals)], finals):.1e}, train_many "
          f"{gap(many.final_loss[:len(finals)], finals):.1e}")
    return [Row(f"studies.sweep {plan.sweep_seeds} seeds (recorded, judged)", sweep_s,
                reference_s, True, TARGET_SWEEP_S),
            Row(f"train_many {plan.sweep_seeds} seeds alone (no recording)", many_s,
                reference_s, True, None)]


def measure_map(plan):
    config = runs.config(arch=ARCH, epochs=plan.epochs)
    archs, rates = studies.MAP_ARCHS, studies.MAP_RATES
    row_times = {arch: [] for arch in archs}

    def whole_map():
        rows = []
        for arch in archs:
            start = time.perf_counter()
            rows.append(studies.map_row(config, arch, plan.map_seeds))
            row_times[arch].append(time.perf_counter() - start)
        return rows

    def sample():
        return {(arch, rate, seed): one_network(config.replace(arch=arch), seed, rate)
                for arch in archs for rate in rates for seed in range(plan.map_reference)}

    (map_s, sample_s), (map_times, _), (rows, histories) = median_seconds([whole_map, sample],
                                                                   plan.map_repeats)
    networks = len(archs) * len(rates) * plan.map_seeds
    reference_s = sample_s * plan.map_seeds / plan.map_reference
    by_arch = dict(zip(archs, rows))
    finals = [(by_arch[arch].final_loss[rates.index(rate), seed], history.final_loss)
              for (arch, rate, seed), history in histories.items()]
    print(f"\nReliability map: {len(archs)} architectures x {len(rates)} rates x "
          f"{plan.map_seeds} seeds = {networks:,} networks, {config.epochs:,} epochs on XOR, "
          f"each map computed from nothing (studies keeps no cache); median of "
          f"{plan.map_repeats}, each repeat the whole map then the reference")
    print("  the whole map, each repeat: " + ", ".join(f"{t:.2f} s" for t in map_times))
    for arch in archs:
        print(f"  studies.map_row {arch:<8} {statistics.median(row_times[arch]):6.2f} s")
    sampled = "seed 0" if plan.map_reference == 1 else f"seeds 0..{plan.map_reference - 1}"
    print(f"  reference, MLP.train one at a time: {sampled} of each of the "
          f"{len(archs) * len(rates)} cells "
          f"({len(histories)} networks) took {sample_s:.2f} s, scaled "
          f"x{plan.map_seeds / plan.map_reference:g} to {networks:,} networks: "
          f"{reference_s:.1f} s")
    print(f"  max |d final loss| over those networks: "
          f"{gap([a for a, _ in finals], [b for _, b in finals]):.1e}")
    return [Row(f"reliability map, {networks:,} networks", map_s, reference_s, True,
                TARGET_MAP_S)]


def landscape_case(settings, plan):
    """The trained net, its data, and plane()'s centre, directions and extent."""
    run = runs.train(runs.config(**settings, epochs=plan.epochs))
    trajectory = np.array([landscape.flatten(s.weights, s.biases)
                           for _, s in sorted(run.history.snapshots.items())])
    centre = landscape.flatten(run.net.weights, run.net.biases)
    directions, shares = landscape.principal_directions(trajectory, centre)
    extent = landscape.extent_for(landscape.project(trajectory, centre, directions)[0])
    return run, centre, directions, extent, shares


def point_by_point(net, X, y, centre, directions, alphas, betas):
    """The reference: every grid point loaded into a copy of net and its loss computed."""
    probe = net.copy()
    loss = np.empty((len(betas), len(alphas)))
    for i, b in enumerate(betas):
        for j, a in enumerate(alphas):
            probe.set_parameters(*landscape.unflatten(centre + a * directions[0]
                                                      + b * directions[1], probe))
            loss[i, j] = probe.loss(X, y)
    return loss


def measure_landscape(plan):
    print(f"\nLandscape: landscape.plane on {plan.points} x {plan.points} points through the "
          f"final weights ({plan.epochs:,} epochs by runs.train), along the top two principal "
          f"directions of the run's {runs.FRAMES} snapshots; median of {plan.repeats} "
          f"(plane and reference take turns); the reference evaluates every point of the "
          f"same grid, not scaled")
    rows = []
    for label, settings in LANDSCAPES:
        run, centre, directions, extent, shares = landscape_case(settings, plan)
        X, y = run.data.X, run.data.y
        start = time.perf_counter()
        first = landscape.plane(run.net, X, y, centre, directions, extent, plan.points)
        cold_s = time.perf_counter() - start
        (plane_s, reference_s), _, (section, loss) = median_seconds(
            [lambda run=run, centre=centre, directions=directions, extent=extent, X=X, y=y:
             landscape.plane(run.net, X, y, centre, directions, extent, plan.points),
             lambda run=run, centre=centre, directions=directions, X=X, y=y, grid=first:
             point_by_point(run.net, X, y, centre, directions, grid.alphas, grid.betas)],
            plan.repeats)
        print(f"  {label:<20} {len(X)} points, {centre.size} parameters, directions hold "
              f"{shares.sum():.1%}, extent ({extent[0]:.3g}, {extent[1]:.3g}): "
              f"plane {plane_s * 1e3:.1f} ms (its first call {cold_s * 1e3:.1f} ms), "
              f"reference {reference_s * 1e3:.0f} ms; max |d loss| "
              f"{gap(section.loss, loss):.1e}")
        rows.append(Row(f"landscape.plane {plan.points}x{plan.points}, {label}", plane_s,
                        reference_s, False, TARGET_PLANE_S))
    return rows


def measure_race(plan):
    config = runs.config(arch=ARCH, epochs=plan.epochs)
    kept = np.unique(np.linspace(0, config.epochs, studies.RACE_SNAPSHOTS).round().astype(int))
    (race_s, reference_s), _, (race, histories) = median_seconds(
        [lambda: studies.race(config),
         lambda: [one_network(config, config.seed, optimizer=name, snapshot_epochs=kept)
                  for name in OPTIMIZERS]],
        plan.repeats)
    print(f"\nOptimizer race: {config.arch} on XOR from seed {config.seed}, lr {config.lr:g}, "
          f"{config.epochs:,} epochs, {len(OPTIMIZERS)} optimizers "
          f"({', '.join(OPTIMIZERS)}), every epoch recorded and {len(kept)} snapshots kept; "
          f"median of {plan.repeats} (race and reference take turns)")
    print(f"  studies.race {race_s:.3f} s; reference, MLP(..., optimizer=name).train one at a "
          f"time {reference_s:.3f} s, not scaled; max |d final loss| "
          f"{gap([h.final_loss for h in race.histories], [h.final_loss for h in histories]):.1e}")
    return [Row(f"studies.race, {len(OPTIMIZERS)} optimizers", race_s, reference_s, False,
                TARGET_RACE_S)]


def warm_up():
    """One short untimed call of each path, so that no timed repeat pays first-call costs."""
    config = runs.config(arch=ARCH, epochs=10)
    studies.sweep(config, range(4))
    studies.map_row(config, ARCH, 2, rates=(0.3,))
    studies.race(config)
    one_network(config, 0)


# --- the report ------------------------------------------------------------------------

def verdict(row, judged):
    if row.target is None:
        return "no target"
    if not judged:
        return "not judged (--quick)"
    return "met" if row.seconds <= row.target else "NOT met"


def print_table(rows, judged):
    print(f"\n{TABLE_HEADER}")
    for row in rows:
        reference = f"{row.reference:.4f}{SCALED if row.scaled else ' '}"
        target = "-" if row.target is None else f"<= {row.target:g}"
        print(f"{row.what:<44}  {row.seconds:8.4f}  {reference:>11}  "
              f"{row.reference / row.seconds:6.1f}x  {target:>8}  {verdict(row, judged)}")
    print(f"ratio: reference / median. {SCALED} the reference was timed on a sample of the "
          f"networks and scaled up.")


def load():
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke run: {QUICK.epochs} epochs, {QUICK.sweep_seeds} sweep "
                             f"seeds, {QUICK.map_seeds} map seeds, 1 repeat")
    parser.add_argument("--repeats", type=int,
                        help=f"repeats of the sweep, the landscape and the race "
                             f"(default {FULL.repeats}, {QUICK.repeats} with --quick)")
    parser.add_argument("--map-repeats", type=int,
                        help=f"repeats of the whole map (default {FULL.map_repeats}, "
                             f"{QUICK.map_repeats} with --quick)")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    changes = {key: value for key, value in (("repeats", args.repeats),
                                             ("map_repeats", args.map_repeats))
               if value is not None}
    if any(value < 1 for value in changes.values()):
        parser.error("repeats must be at least 1")
    plan = dataclasses.replace(plan, **changes)

    started = time.perf_counter()
    print(f"numpy {np.__version__}, python {platform.python_version()}, "
          f"os.cpu_count() = {os.cpu_count()}, load average {load()} (1, 5, 15 min)")
    rows = []
    try:
        warm_up()
        for measure in (measure_sweep, measure_map, measure_landscape, measure_race):
            rows += measure(plan)
    except KeyboardInterrupt:
        print("\ninterrupted: the rows measured so far")
        print_table(rows, not args.quick)
        return 130
    print_table(rows, not args.quick)
    print(f"\n{time.perf_counter() - started:.0f} s in all; load average now {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
