"""docs/hyperparameters.md: the measurements, put into tables and sentences."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from data import make as make_dataset
from docs.formatting import (
    HEADER,
    arch,
    data,
    epochs_text,
    listing,
    num,
    paragraphs,
    pct,
    rate,
    table,
)
from docs.measurements import (
    ACTIVATION_ROWS,
    ACTIVATION_SIZES,
    EPOCHS,
    LEARNING_RATES,
    LONG,
    RATE_SIZES,
    SEEDS,
    SIZES,
    measure,
    setting,
)
from network import ACTIVATIONS, DIVERGED, LOSSES
from runs import DEFAULTS

SMALL = (2, 2, 1)   # the network whose plateaus the document examines
EPOCH_MARKS = (EPOCHS // 5, 2 * EPOCHS // 5, EPOCHS, 2 * EPOCHS, LONG * EPOCHS)
NEAR_HALF = 0.05   # an output this close to 0.5 has not decided its class
SIGMOID, MSE = ACTIVATIONS["sigmoid"], LOSSES["mse"]


def count(mask):
    return int(np.count_nonzero(mask))


def outcome_cells(outcome):
    return [pct(outcome.solved), epochs_text(outcome.median_epochs), pct(outcome.reached_long),
            pct(outcome.stuck), pct(outcome.diverged)]


OUTCOME_HEADER = [f"solved at {EPOCHS}", "median epochs to 100%",
                  f"reached 100% by {LONG * EPOCHS}", f"stuck at {LONG * EPOCHS}", "diverged"]


def _intro():
    return paragraphs(
        HEADER,
        "# Hyperparameters on XOR: what the measurements say",
        f"""Every number on this page was measured by `network.py` when the page was
generated. For each setting, {len(SEEDS)} networks (seeds {SEEDS[0]} to {SEEDS[-1]}) learn
XOR by full-batch gradient descent on its four examples, all at once with `train_many`.
Each table names its networks; unless it says otherwise, the other settings are the app's
defaults: `{DEFAULTS.activation}` hidden units, loss `{DEFAULTS.loss}`, `{DEFAULTS.init}`
initial weights, learning rate {rate(DEFAULTS.lr)} and {EPOCHS} epochs. The app
opens with the network {arch(DEFAULTS.layer_sizes)}.""",
        "How to read the columns:",
        f"""- **solved at {EPOCHS}**: the share of runs whose final weights, after {EPOCHS}
  epochs, put every output on the right side of 0.5 (100% accuracy).
- **median epochs to 100%**: among the runs solved at {EPOCHS}, the median of the first
  epoch at which all four outputs were right.
- **reached 100% by {LONG * EPOCHS}**: the share of runs whose outputs were all on the
  right side of 0.5 at some epoch up to {LONG * EPOCHS}. The runs that had neither reached
  100% nor diverged by epoch {EPOCHS} are trained again, from the same seeds, for
  {LONG * EPOCHS} epochs; the others have already given their answer.
- **stuck at {LONG * EPOCHS}**: never at 100% accuracy within {LONG * EPOCHS} epochs, and not
  diverged.
- **diverged**: the loss or the gradient norm grew past {DIVERGED:g} or stopped being a
  finite number, within {EPOCHS} epochs or, for the runs trained again, within
  {LONG * EPOCHS}.""",
    )


def _scenario_sentence(scenario, measurements):
    name = f"{arch(scenario.layer_sizes)} seed {scenario.seed}"
    if scenario.solved_at is not None and scenario.accuracy == 1.0:
        return (f"- {name} is solved: its outputs were first all on the right side of 0.5 at "
                f"epoch {scenario.solved_at}, and its loss after {EPOCHS} epochs is "
                f"{num(scenario.loss, 4)}.")
    right = round(scenario.accuracy * len(XOR_Y))
    undecided = [f"({data(X[0])}, {data(X[1])})" for X, a in zip(XOR_X, scenario.outputs)
                 if abs(a - 0.5) < NEAR_HALF]
    text = (f"- {name} is not solved: after {EPOCHS} epochs it gets {right} of "
            f"{len(XOR_Y)} examples right, with loss {num(scenario.loss, 4)}.")
    if undecided:
        text += (f" The outputs for {listing(undecided)} are within {NEAR_HALF:g} of 0.5: "
                 "the network has not decided their class.")
    outcome = measurements.outcomes.get(setting(scenario.layer_sizes))
    if outcome is not None and scenario.seed in SEEDS:
        later = outcome.first_solved[SEEDS.index(scenario.seed)]
        text += (f" Trained for {LONG * EPOCHS} epochs (the long runs below), it "
                 + (f"first reaches 100% at epoch {later}." if later >= 0
                    else "never reaches 100%."))
    return text


def _scenarios_section(measurements):
    rows = []
    for s in measurements.scenarios:
        rows.append([arch(s.layer_sizes), str(s.seed), pct(s.accuracy), num(s.loss, 4),
                     *(num(a, 4) for a in s.outputs),
                     "never" if s.solved_at is None else str(s.solved_at)])
    inputs = [f"output ({data(X[0])}, {data(X[1])})" for X in XOR_X]
    same_seed = [s for s in measurements.scenarios if s.seed == 42]
    note = ""
    if len({s.layer_sizes for s in same_seed}) > 1:
        note = ("A seed fixes the random numbers, not the weights: seed 42 gives a 2-2-1 and "
                "a 2-4-1 network different initial weights, since they have different shapes.")
    return paragraphs(
        "## Three single runs",
        f"""Three networks trained one at a time with `MLP.train` for {EPOCHS} epochs, the
other settings at the app's defaults. "first epoch at 100%" is the first epoch at which
every output was on the right side of 0.5.""",
        table(["network", "seed", "accuracy", "loss", *inputs, "first epoch at 100%"], rows),
        "\n".join(_scenario_sentence(s, measurements) for s in measurements.scenarios),
        note,
    )


def top_rates(measurements, sizes):
    """The learning rates that solved the largest share of runs (several on a tie)."""
    shares = {r: measurements[setting(sizes, r)].solved for r in LEARNING_RATES}
    return [r for r, share in shares.items() if share == max(shares.values())]


def _final_outputs(outcome, mask):
    """The outputs of the final weights (after EPOCHS) of the runs in `mask`, (runs, 4)."""
    return np.array([outcome.final_network(i).predict(XOR_X)[:, 0] for i in np.flatnonzero(mask)])


@dataclass(frozen=True)
class Flicker:
    """Runs that were right on all four examples at some epoch but not at the end."""

    cells: list[str]     # "2-4-1 at lr 0.03: 3"
    runs: int
    spread: float        # the largest distance of their final outputs from 0.5


def flicker(m):
    cells, outputs = [], []
    for sizes in RATE_SIZES:
        for r in LEARNING_RATES:
            o = m[setting(sizes, r)]
            if o.flickered.any():
                cells.append(f"{arch(sizes)} at lr {rate(r)}: {count(o.flickered)}")
                outputs.append(_final_outputs(o, o.flickered))
    spread = float(np.abs(np.concatenate(outputs) - 0.5).max()) if outputs else math.nan
    return Flicker(cells, sum(len(block) for block in outputs), spread)


def _speed_sentence(m):
    default, top = DEFAULTS.lr, max(LEARNING_RATES)
    parts = []
    for sizes in RATE_SIZES:
        before = m[setting(sizes, default)].median_epochs
        after = m[setting(sizes, top)].median_epochs
        if before is None or after is None:
            continue
        change = (f"stays at {epochs_text(before)}" if after == before else
                  f"{'falls' if after < before else 'rises'} from {epochs_text(before)} to "
                  f"{epochs_text(after)}")
        parts.append(f"{change} for {arch(sizes)}")
    if not parts:
        return ""
    return (f"From lr {rate(default)} to lr {rate(top)}, the median number of epochs to 100% "
            + "; it ".join(parts) + ".")


def _few_sentence(m):
    low = min(LEARNING_RATES)
    counts = [f"{count(m[setting(sizes, low)].short.solved)} for {arch(sizes)}"
              for sizes in RATE_SIZES]
    return (f"A median rests only on the runs solved at {EPOCHS} epochs; at lr {rate(low)} "
            f"there are few of them ({listing(counts)}, of {len(SEEDS)}), so those medians say "
            "little.")


def _slow_sentence(m):
    low, default = min(LEARNING_RATES), DEFAULTS.lr
    equal_epochs = low * LONG * EPOCHS / default
    if not (low < default and float(equal_epochs).is_integer()):
        return ""
    small, usual = m[setting(SMALL, low)], m[setting(SMALL)]
    name = arch(SMALL)
    return f"""Small steps make "stuck" hard to tell from slow. {LONG * EPOCHS} epochs at
lr {rate(low)} add up to the same learning rate × epochs ({low * LONG * EPOCHS:g}) as
{equal_epochs:.0f} epochs at lr {rate(default)}. The share of {name} runs that have reached
100% accuracy is {pct(small.solved_by(LONG * EPOCHS))} after {LONG * EPOCHS} epochs at
lr {rate(low)} and {pct(usual.solved_by(equal_epochs))} after {equal_epochs:.0f} epochs at
lr {rate(default)}. A run counted as stuck at a small learning rate may simply not have had
enough epochs."""


def _rates_section(m, f):
    rows = []
    for sizes in RATE_SIZES:
        for r in LEARNING_RATES:
            label = rate(r) + (" (default)" if r == DEFAULTS.lr else "")
            rows.append([arch(sizes), label, *outcome_cells(m[setting(sizes, r)])])
    best = []
    for sizes in RATE_SIZES:
        tops = top_rates(m, sizes)
        best.append(f"{arch(sizes)} at lr {listing(rate(r) for r in tops)} "
                    f"({pct(m[setting(sizes, tops[0])].solved)})")
    if f.runs:
        flicker_text = f"""Accuracy can reach 100% for a moment without the network having
learned XOR. In {f.runs} runs of this table every output was on the right side of 0.5 at
some epoch before {EPOCHS}, but not at the end ({listing(f.cells)}, of {len(SEEDS)} runs);
their final outputs all lie within {num(f.spread, 2)} of 0.5. The median column counts
only runs solved at the end."""
    else:
        flicker_text = (f"No run in this table reached 100% accuracy before epoch {EPOCHS} "
                        "and then lost it.")
    return paragraphs(
        "## Learning rate and network size",
        table(["network", "learning rate", *OUTCOME_HEADER], rows),
        f"The share solved at {EPOCHS} epochs is highest for {listing(best)}. "
        + _speed_sentence(m),
        _few_sentence(m),
        _slow_sentence(m),
        flicker_text,
    )


def _gradient_ratio(sizes):
    """Median over the seeds, at the initial weights: |grad of layer 1| / |grad of last layer|."""
    ratios = []
    for seed in SEEDS:
        norms = setting(sizes).network(seed).gradients(XOR_X, XOR_Y).layer_norms()
        ratios.append(norms[0] / norms[-1])
    return float(np.median(ratios))


SIGMOID_PEAK = float(SIGMOID.f_prime(0.0, SIGMOID.f(0.0)))   # sigma'(0), its largest value


def _depth_sentence(m, deep):
    twin = setting(deep[:2] + deep[-1:])
    if twin not in m.outcomes:
        return ""
    base, o = m[twin], m[setting(deep)]
    deep_median, base_median = o.median_epochs or math.inf, base.median_epochs or math.inf
    more = ("fewer epochs than" if deep_median < base_median else
            "more epochs than" if deep_median > base_median else "as many epochs as")
    return (f"{arch(deep)} needs {more} {arch(twin.layer_sizes)} (median "
            f"{epochs_text(o.median_epochs)} against {epochs_text(base.median_epochs)}) and "
            f"solves {pct(o.solved)} at {EPOCHS} epochs against {pct(base.solved)}; within "
            f"{LONG * EPOCHS} epochs, {pct(o.reached_long)} of {arch(deep)} runs and "
            f"{pct(base.reached_long)} of {arch(twin.layer_sizes)} runs reach 100% accuracy.")


def _sizes_section(m, ratio):
    rows = [[arch(sizes) + (" (default)" if sizes == DEFAULTS.layer_sizes else ""),
             *outcome_cells(m[setting(sizes)])] for sizes in SIZES]
    shallow = [s for s in SIZES if len(s) == 3]
    shares = [m[setting(s)].solved for s in shallow]
    rising = all(a < b for a, b in zip(shares, shares[1:]))
    trend = "rises with the width" if rising else "does not rise steadily with the width"
    width = (f"With one hidden layer, the share solved at {EPOCHS} epochs {trend}: "
             + listing(f"{arch(s)} {pct(v)}" for s, v in zip(shallow, shares)) + ".")
    deepest = max(SIZES, key=len)
    vanish = f"""At the initial weights of {arch(deepest)}, the gradient norm of the first
layer is a median {num(ratio, 3)} times that of the last layer (over the {len(SEEDS)} seeds).
The sigmoid's derivative is at most σ′(0) = {num(SIGMOID_PEAK, 2)}, so
every sigmoid layer the backward signal passes scales it by at most {num(SIGMOID_PEAK, 2)}
times the weights: with small initial weights, the early layers of a deep sigmoid network
learn slowly."""
    three = m[setting((2, 3, 1))]
    left = count(three.stuck_mask)
    lead = ("Wider networks fail less often here, but that is a statement about how often, "
            "not a guarantee" if rising else "Width is no guarantee either")
    three_text = f"""{left} of the {len(SEEDS)} 2-3-1 runs {"was" if left == 1 else "were"}
stuck: never at 100% accuracy within {LONG * EPOCHS} epochs. {lead}: the 2-3-1 XOR network
has a region of true local minima with nonzero error (Sprinkhuizen-Kuyper & Boers, 1999)."""
    return paragraphs(
        "## Depth and width",
        f"Learning rate {rate(DEFAULTS.lr)}, the other settings at their defaults.",
        table(["network", *OUTCOME_HEADER], rows),
        width,
        " ".join(_depth_sentence(m, s) for s in SIZES if len(s) > 3),
        vanish,
        three_text,
    )


def dead_units(outcome):
    """Mean number of hidden units with z <= 0 on all four inputs: (failed runs, solved runs)."""
    dead = np.array([
        count((outcome.final_network(i).forward(XOR_X).pre_activations[0] <= 0).all(axis=0))
        for i in range(len(SEEDS))])
    solved = outcome.short.solved
    return (float(dead[~solved].mean()) if (~solved).any() else None,
            float(dead[solved].mean()) if solved.any() else None)


def _loss_sentence(m):
    faster, slower = [], []
    for activation in dict.fromkeys(a for a, _, _ in ACTIVATION_ROWS):
        mse = m[setting(ACTIVATION_SIZES, activation=activation)].median_epochs
        bce = m[setting(ACTIVATION_SIZES, activation=activation, loss="bce")].median_epochs
        if mse is None or bce is None:
            continue
        pair = f"`{activation}` ({epochs_text(bce)} against {epochs_text(mse)})"
        (faster if bce < mse else slower).append(pair)
    text = ""
    if faster:
        text += ("With `bce` the median number of epochs to 100% is lower than with `mse` for "
                 f"{listing(faster)}.")
    if slower:
        text += f" It is not lower for {listing(slower)}."
    return text.strip()


def _activations_section(m, dead):
    def at(activation, loss="mse", init="xavier"):
        return m[setting(ACTIVATION_SIZES, activation=activation, loss=loss, init=init)]

    rows = [[f"`{a}`", f"`{lo}`", f"`{i}`", *outcome_cells(at(a, lo, i))]
            for a, lo, i in ACTIVATION_ROWS]
    sig, tanh = at("sigmoid"), at("tanh")
    tanh_text = (f"With `mse`, `tanh` hidden units reach 100% in a median of "
                 f"{epochs_text(tanh.median_epochs)} epochs against "
                 f"{epochs_text(sig.median_epochs)} for `sigmoid`, and solve {pct(tanh.solved)} "
                 f"of runs against {pct(sig.solved)}.")
    relu, relu_he = at("relu"), at("relu", init="he")
    longer = ("the same share reaches" if relu.reached_long == relu.solved
              else f"{pct(relu.reached_long)} reach")
    he_word = ("more" if relu_he.solved > relu.solved else
               "fewer" if relu_he.solved < relu.solved else "as many")
    relu_text = f"""`relu` solves {pct(relu.solved)} of runs at {EPOCHS} epochs with `mse`, and
{longer} 100% within {LONG * EPOCHS}. The `he` initialization, made for ReLU (He et al., 2015:
variance 2 / n_in), solves {he_word} runs: {pct(relu_he.solved)}."""
    failed_dead, solved_dead = dead
    if failed_dead is not None and solved_dead is not None:
        compare = "more" if failed_dead > solved_dead else "not more"
        relu_text += f""" A ReLU unit whose input z is at most 0 on all four examples outputs 0
and passes back no gradient; in a network with one hidden layer its weights then never change
again. At the end, the failed `relu`/`mse`/`xavier` runs have on average
{num(failed_dead, 3)} such dead units of {ACTIVATION_SIZES[1]}, {compare} than the
{num(solved_dead, 3)} of the solved runs."""
    return paragraphs(
        "## Activation and loss",
        f"Network {arch(ACTIVATION_SIZES)}, learning rate {rate(DEFAULTS.lr)}, "
        f"{EPOCHS} epochs.",
        table(["hidden activation", "loss", "init", *OUTCOME_HEADER], rows),
        _loss_sentence(m),
        tanh_text,
        relu_text,
    )


def _epochs_section(m):
    shown = (SMALL, ACTIVATION_SIZES)
    rows = [[arch(s), *(pct(m[setting(s)].solved_by(e)) for e in EPOCH_MARKS)] for s in shown]
    gains = []
    for s in shown:
        before, after = m[setting(s)].solved_by(EPOCHS), m[setting(s)].solved_by(LONG * EPOCHS)
        gains.append(f"rises from {pct(before)} to {pct(after)} for {arch(s)}" if after > before
                     else f"stays at {pct(before)} for {arch(s)}")
    same = all(m[setting(s)].solved_by(EPOCHS) == m[setting(s)].solved for s in shown)
    agree = (f"At {EPOCHS} epochs these shares equal the column \"solved at {EPOCHS}\" above."
             if same else
             f"At {EPOCHS} epochs these shares differ from the column \"solved at {EPOCHS}\" "
             "above, which looks at the final weights only.")
    return paragraphs(
        "## Epochs",
        """The share of runs that have reached 100% accuracy by a given epoch (the first epoch
at which all four outputs were right), at the defaults.""",
        table(["network", *(f"by {e}" for e in EPOCH_MARKS)], rows),
        f"Between {EPOCHS} and {LONG * EPOCHS} epochs the share {'; it '.join(gains)}. {agree}",
    )


@dataclass(frozen=True)
class Plateau:
    """The stuck runs of one setting, as measured at their final weights."""

    stuck: int
    undecided: int           # stuck runs with exactly two outputs within NEAR_HALF of 0.5
    loss_low: float          # the range of their final loss
    loss_high: float
    loss_change: float       # the median change of their loss from EPOCHS to LONG x EPOCHS
    gradient: float          # the largest gradient norm of all stuck runs
    ideal: float             # the loss with two outputs exactly right and two exactly 0.5


def plateau(outcome):
    stuck = np.flatnonzero(outcome.stuck_mask)
    undecided, gradients = [], []
    for i in stuck:
        net = outcome.final_network(i, long=True)
        near = np.abs(net.predict(XOR_X)[:, 0] - 0.5) < NEAR_HALF
        if count(near) == 2:
            undecided.append(i)
        gradients.append(float(np.linalg.norm(net.gradients(XOR_X, XOR_Y).layer_norms())))
    halves = np.array([[0.0], [1.0], [0.5], [0.5]])
    ideal = float(MSE.term(None, halves, XOR_Y).mean())
    losses = np.array([outcome.loss_at(i, long=True) for i in undecided])
    change = np.abs(losses - np.array([outcome.loss_at(i) for i in undecided]))
    if not undecided:
        return Plateau(len(stuck), 0, math.nan, math.nan, math.nan,
                       max(gradients, default=math.nan), ideal)
    return Plateau(len(stuck), len(undecided), float(losses.min()), float(losses.max()),
                   float(np.median(change)), max(gradients), ideal)


def _stuck_section(m, p):
    sizes = arch(SMALL)
    title = "## What a stuck run looks like"
    if p.stuck == 0:
        return paragraphs(title, f"No {sizes} run at the defaults was stuck within "
                                 f"{LONG * EPOCHS} epochs.")
    scenario = next((s for s in m.scenarios if s.layer_sizes == SMALL
                     and s.solved_at is None and s.seed in SEEDS), None)
    example = ""
    if scenario is not None and m[setting(SMALL)].stuck_mask[SEEDS.index(scenario.seed)]:
        example = f" Seed {scenario.seed} of the single runs above is one of them."
    measured = ""
    if p.undecided:
        measured = f"""{p.undecided} of the {p.stuck} end with exactly two outputs within
{NEAR_HALF:g} of 0.5 and a loss between {num(p.loss_low, 4)} and {num(p.loss_high, 4)}; a
network with two outputs exactly right and two exactly 0.5 would have loss
{num(p.ideal, 4)}. Over the {LONG * EPOCHS - EPOCHS} epochs from epoch {EPOCHS} to epoch
{LONG * EPOCHS}, the loss of these runs changed by a median of {num(p.loss_change, 2)}. """
    return paragraphs(
        title,
        f"""{p.stuck} of the {len(SEEDS)} {sizes} runs at the defaults are stuck: never at 100%
accuracy within {LONG * EPOCHS} epochs.{example} {measured}The gradient norm at the final weights of
every stuck run is at most {num(p.gradient, 2)}: the loss sits on a flat stretch, a
plateau.""",
        """Learners often call this a local minimum. Strictly, the 2-2-1 sigmoid network on
XOR has no local minima at finite weights: every finite stationary point has points of
lower error arbitrarily close (Hamey, 1998). Stuck runs sit on flat regions (plateaus,
saddle regions, or minima approached only as the weights grow without bound) where
saturated sigmoids make the gradient vanish. What this page measures is the plateau: a loss
that hardly changes and a gradient that is nearly zero.""",
    )


def _rate_row(m):
    sizes, name = SMALL, arch(SMALL)
    default, low = m[setting(SMALL)], m[setting(SMALL, min(LEARNING_RATES))]
    if not low.solved < default.solved:
        return None
    change = "Raise the learning rate."
    tops = top_rates(m, sizes)
    best = m[setting(sizes, tops[0])]
    if best.solved > default.solved:
        change += (f" Of the rates measured, lr {listing(rate(r) for r in tops)} solved the "
                   f"most {name} runs: {pct(best.solved)}")
        change += (f", in a median of {epochs_text(best.median_epochs)} epochs." if len(tops) == 1
                   else ".")
    return (f"After {EPOCHS} epochs the loss is still falling slowly and accuracy is below 100%.",
            f"Steps too small: at lr {rate(low.setting.lr)}, {pct(low.solved)} of "
            f"{name} runs are solved after {EPOCHS} epochs, against {pct(default.solved)} at "
            f"lr {rate(DEFAULTS.lr)}.",
            change)


def _plateau_row(m, p):
    if not p.stuck:
        return None
    sizes, name = SMALL, arch(SMALL)
    default, wide = m[setting(SMALL)], m[setting(ACTIVATION_SIZES)]
    fixes = []
    if wide.stuck < default.stuck:
        fixes.append(f"use more hidden units ({arch(ACTIVATION_SIZES)}: {pct(wide.stuck)} stuck)")
    calm = min((m[setting(sizes, r)] for r in LEARNING_RATES), key=lambda o: o.stuck)
    if calm.stuck < default.stuck:
        fixes.append(f"raise the learning rate (lr {rate(calm.setting.lr)}: "
                     f"{pct(calm.stuck)} stuck)")
    fixes.append(f"try another seed ({pct(default.reached_long)} of seeds solve {name} within "
                 f"{LONG * EPOCHS} epochs)")
    change = "; or ".join(fixes)
    near = f" near {num(p.loss_low, 2)}" if p.undecided else ""
    return (f"On {name} the loss flattens{near}, outputs stay near 0.5, and more epochs do not "
            "help.",
            f"A plateau, not a true local minimum (Hamey, 1998): {pct(default.stuck)} of {name} "
            f"runs are stuck at {LONG * EPOCHS} epochs, with a gradient norm of at most "
            f"{num(p.gradient, 2)}.",
            change[0].upper() + change[1:] + ".")


def _depth_row(m, ratio):
    deep = max(SIZES, key=len)
    twin = m.outcomes.get(setting(deep[:2] + deep[-1:]))
    deepest = m[setting(deep)]
    if twin is None or not deepest.solved < twin.solved:
        return None
    change = "Use one hidden layer"
    if deepest.reached_long > deepest.solved:
        change += (f", or train longer ({pct(deepest.reached_long)} reach 100% within "
                   f"{LONG * EPOCHS} epochs)")
    return (f"A deep sigmoid network ({arch(deep)}) is far from solved after {EPOCHS} epochs.",
            f"Vanishing gradients: each sigmoid layer scales the backward signal by at most "
            f"{num(SIGMOID_PEAK, 2)} times the weights; at the initial weights the first "
            f"layer's gradient is a median {num(ratio, 3)} times the last layer's. "
            f"{pct(deepest.solved)} of {arch(deep)} runs are solved at {EPOCHS} epochs, against "
            f"{pct(twin.solved)} of {arch(twin.setting.layer_sizes)} runs.",
            change + ".")


def _relu_row(m, dead):
    sigmoid = m[setting(ACTIVATION_SIZES)]
    tanh = m[setting(ACTIVATION_SIZES, activation="tanh")]
    relu = m[setting(ACTIVATION_SIZES, activation="relu")]
    relu_he = m[setting(ACTIVATION_SIZES, activation="relu", init="he")]
    if not relu.solved < sigmoid.solved:
        return None
    cause = (f"{pct(1 - relu.reached_long)} of {arch(ACTIVATION_SIZES)} `relu` runs never reach "
             f"100% accuracy, even in {LONG * EPOCHS} epochs")
    failed_dead, solved_dead = dead
    if failed_dead is not None and solved_dead is not None and failed_dead > solved_dead:
        cause += (f"; they end with {num(failed_dead, 3)} dead hidden units on average "
                  f"(z ≤ 0 on every input), the solved runs with {num(solved_dead, 3)}")
    better = max((tanh, sigmoid), key=lambda o: o.solved)
    change = (f"Use `{better.setting.activation}` hidden units ({pct(better.solved)} solved at "
              f"{EPOCHS} epochs)")
    if relu_he.solved > relu.solved:
        change += f"; keeping `relu`, init `he` solves {pct(relu_he.solved)}"
    return ("With `relu` hidden units some runs never solve XOR, however long they train.",
            cause + ".", change + ".")


def _loss_row(m):
    mse = m[setting(ACTIVATION_SIZES)]
    bce = m[setting(ACTIVATION_SIZES, loss="bce")]
    tanh = m[setting(ACTIVATION_SIZES, activation="tanh")]
    if not (bce.median_epochs or math.inf) < (mse.median_epochs or math.inf):
        return None
    change = f"Use the loss `bce` (median {epochs_text(bce.median_epochs)} epochs)"
    if (tanh.median_epochs or math.inf) < (mse.median_epochs or math.inf):
        change += (f", or `tanh` hidden units (median {epochs_text(tanh.median_epochs)} epochs "
                   "with `mse`)")
    return ("Runs succeed, but take many epochs.",
            "With `mse` the output delta keeps the factor a(1 − a), which is small when an "
            f"output is near 0 or 1: {arch(ACTIVATION_SIZES)} sigmoid runs need a median of "
            f"{epochs_text(mse.median_epochs)} epochs to reach 100% with `mse`.",
            change + ".")


def _flicker_row(f):
    if not f.runs:
        return None
    return ("Accuracy reaches 100% for a moment, then drops again.",
            f"One epoch at 100% is not yet a solution: {f.runs} runs of the learning rate table "
            f"were right on all four examples at some epoch before {EPOCHS} but not at the end; "
            f"their final outputs all lie within {num(f.spread, 2)} of 0.5.",
            "Judge a run by its loss and its outputs, not by one epoch's accuracy.")


def _troubleshooting_section(m, p, f, ratio, dead):
    rows = [r for r in (_rate_row(m), _plateau_row(m, p), _depth_row(m, ratio),
                        _relu_row(m, dead), _loss_row(m), _flicker_row(f)) if r]
    total = len(SEEDS) * len(m.outcomes)
    diverged = sum(count(o.first_diverged >= 0) for o in m.outcomes.values())
    note = (f"No run on this page diverged: none of the {total} runs, with learning rates up "
            f"to {rate(max(LEARNING_RATES))}." if diverged == 0 else
            f"{diverged} of the {total} runs on this page diverged.")
    return paragraphs(
        "## Troubleshooting",
        "Each row cites the measurements above.",
        table(["symptom", "cause", "what to change"], [list(r) for r in rows]),
        note,
    )


HYPERPARAMETER_REFERENCES = """## References

- L. G. C. Hamey, "XOR has no local minima: a case study in neural network error surface
  analysis", Neural Networks 11(4) (1998); and "Analysis of the error surface of the XOR
  network with two hidden nodes", report (1995).
- I. G. Sprinkhuizen-Kuyper, E. J. W. Boers, "A local minimum for the 2-3-1 XOR network",
  IEEE Transactions on Neural Networks 10(4) (1999).
- X. Glorot, Y. Bengio, "Understanding the difficulty of training deep feedforward neural
  networks", AISTATS 2010 (`xavier`: variance 2 / (n_in + n_out)).
- K. He, X. Zhang, S. Ren, J. Sun, "Delving deep into rectifiers", ICCV 2015 (`he`:
  variance 2 / n_in).
"""


# The prose of the hyperparameter document explains sigmoid networks trained on mse.
PROSE_ASSUMES = {"activation": "sigmoid", "loss": "mse", "init": "xavier"}


def check_defaults():
    for name, value in PROSE_ASSUMES.items():
        if getattr(DEFAULTS, name) != value:
            raise RuntimeError(f"network.DEFAULTS.{name} is {getattr(DEFAULTS, name)!r}, but the "
                               f"prose in docs/hyperparameters.py is written for {value!r}: "
                               "update it.")


def hyperparameters_text(measurements=None):
    """The text of docs/hyperparameters.md; measuring takes most of the build's time."""
    check_defaults()
    m = measurements or measure()
    p = plateau(m[setting(SMALL)])
    f = flicker(m)
    ratio = _gradient_ratio(max(SIZES, key=len))
    dead = dead_units(m[setting(ACTIVATION_SIZES, activation="relu")])
    return "\n".join([
        _intro(),
        _scenarios_section(m),
        _rates_section(m, f),
        _sizes_section(m, ratio),
        _activations_section(m, dead),
        _epochs_section(m),
        _stuck_section(m, p),
        _troubleshooting_section(m, p, f, ratio, dead),
        HYPERPARAMETER_REFERENCES,
    ])

XOR = make_dataset("xor")
XOR_X, XOR_Y = XOR.X, XOR.y
