"""docs/hyperparameters.md: the measurements, put into tables and sentences, and its claims.

Every share is written with its 95% Wilson interval. A sentence that compares two settings,
or speaks of every run, is written from a judgement that `Claims` (docs/claims.py) keeps:
the document's claims, which tests/test_docs.py checks on seeds the document never saw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from data import make as make_dataset
from docs.claims import MEDIAN_FACTOR, MIN_SOLVED, Claims, mean_interval, mean_order, share_order
from docs.formatting import (
    HEADER,
    arch,
    data,
    epochs_text,
    integer,
    listing,
    num,
    paragraphs,
    pct,
    plain,
    rate,
    table,
)
from docs.measurements import (
    ACTIVATION_ROWS,
    ACTIVATION_SIZES,
    CHECK_SEEDS,
    EPOCHS,
    LEARNING_RATES,
    LONG,
    RATE_SIZES,
    SIZES,
    Share,
    measure,
    setting,
)
from network import ACTIVATIONS, DIVERGED, LOSSES
from runs import DEFAULTS

SMALL = (2, 2, 1)   # the network whose plateaus the document examines
EPOCH_MARKS = (EPOCHS // 5, 2 * EPOCHS // 5, EPOCHS, 2 * EPOCHS, LONG * EPOCHS)
NEAR_HALF = 0.05   # an output this close to 0.5 has not decided its class
SIGMOID, MSE = ACTIVATIONS["sigmoid"], LOSSES["mse"]
LONG_EPOCHS = integer(LONG * EPOCHS)
SHORT_EPOCHS = integer(EPOCHS)


def count(mask):
    return int(np.count_nonzero(mask))


def of(settings, name):
    """A function of Measurements: the property `name` of the Outcome of `settings`."""
    return lambda m: getattr(m[settings], name)


def seed_range(seeds):
    return f"seeds {seeds[0]} to {seeds[-1]}"


def median_cell(outcome):
    """The median epochs to 100%; one of fewer than MIN_SOLVED runs says on how many."""
    runs = outcome.solved.k
    text = epochs_text(outcome.median_epochs)
    if 0 < runs < MIN_SOLVED:
        text += f" ({runs} run{'s' if runs > 1 else ''})"
    return text


def outcome_cells(outcome):
    return [pct(outcome.solved), median_cell(outcome), pct(outcome.reached_long),
            pct(outcome.unsolved), pct(outcome.diverged)]


OUTCOME_HEADER = [f"solved at {SHORT_EPOCHS}", "median epochs to 100%",
                  f"reached 100% by {LONG_EPOCHS}", f"not solved by {LONG_EPOCHS}", "diverged"]


def _intro(m):
    runs = len(m.seeds)
    example = m[setting(SMALL)].solved
    return paragraphs(
        HEADER,
        "# Hyperparameters on XOR: what the measurements say",
        f"""Every number on this page was measured by `network.py` when the page was
generated. For each setting, {runs} networks ({seed_range(m.seeds)}) learn XOR by full-batch
gradient descent on its four examples, all at once with `train_many`; every share, median
and count on this page is of these {runs} seeds, unless it names a single seed. Each table
names its networks; unless it says otherwise, the other settings are the app's defaults:
`{DEFAULTS.activation}` hidden units, loss `{DEFAULTS.loss}`, `{DEFAULTS.init}` initial
weights, learning rate {rate(DEFAULTS.lr)} and {integer(EPOCHS)} epochs. The app opens with
the network {arch(DEFAULTS.layer_sizes)}.""",
        "How to read the columns:",
        f"""- **solved at {SHORT_EPOCHS}**: the share of runs whose final weights, after
  {SHORT_EPOCHS} epochs, put every output on the right side of 0.5 (100% accuracy).
- **median epochs to 100%**: among the runs solved at {SHORT_EPOCHS}, the median of the
  first epoch at which all four outputs were right, to whole epochs. A median of fewer than
  {MIN_SOLVED} runs says how many, as in "4,888 (1 run)".
- **reached 100% by {LONG_EPOCHS}**: the share of runs whose outputs were all on the right
  side of 0.5 at some epoch up to {LONG_EPOCHS}. The runs that had neither reached 100% nor
  diverged by epoch {SHORT_EPOCHS} are trained again, from the same seeds, for
  {LONG_EPOCHS} epochs; the others have already given their answer.
- **not solved by {LONG_EPOCHS}**: never at 100% accuracy within {LONG_EPOCHS} epochs, and
  not diverged.
- **diverged**: the loss or the gradient norm grew past {DIVERGED:g} or stopped being a
  finite number, within {SHORT_EPOCHS} epochs or, for the runs trained again, within
  {LONG_EPOCHS}.""",
        f"""Every share is written to whole percent with its 95% Wilson score interval,
rounded outwards: the share of {arch(SMALL)} runs solved at the defaults, {pct(example)}, is
{example.k} of {runs} runs, and the interval is the range of shares that {example.k} of
{runs} is consistent with at 95% confidence. The page calls one share larger than
another only when their intervals do not overlap, and one median larger than another only
when it is at least {MEDIAN_FACTOR:g} times the other and both rest on at least
{MIN_SOLVED} solved runs; otherwise it gives both numbers and says that the seeds do not
tell them apart. `tests/test_docs.py` trains every setting again on
{seed_range(CHECK_SEEDS)} and checks that each comparison and each bound on this page holds
there too.""",
    )


def _scenario_sentence(scenario, measurements):
    name = f"{arch(scenario.layer_sizes)} seed {scenario.seed}"
    if scenario.solved_at is not None and scenario.accuracy == 1.0:
        return (f"- {name} is solved: its outputs were first all on the right side of 0.5 at "
                f"epoch {integer(scenario.solved_at)}, and its loss after {SHORT_EPOCHS} "
                f"epochs is {num(scenario.loss, 4)}.")
    right = round(scenario.accuracy * len(XOR_Y))
    undecided = [f"({data(X[0])}, {data(X[1])})" for X, a in zip(XOR_X, scenario.outputs)
                 if abs(a - 0.5) < NEAR_HALF]
    text = (f"- {name} is not solved: after {SHORT_EPOCHS} epochs it gets {right} of "
            f"{len(XOR_Y)} examples right, with loss {num(scenario.loss, 4)}.")
    if undecided:
        text += (f" The outputs for {listing(undecided)} are within {NEAR_HALF:g} of 0.5: "
                 "the network has not decided their class.")
    outcome = measurements.outcomes.get(setting(scenario.layer_sizes))
    if outcome is not None and scenario.seed in measurements.seeds:
        later = outcome.first_solved[measurements.seeds.index(scenario.seed)]
        text += (f" Trained for {LONG_EPOCHS} epochs (the long runs below), it "
                 + (f"first reaches 100% at epoch {integer(later)}." if later >= 0
                    else "never reaches 100%."))
    return text


def _scenarios_section(measurements):
    rows = []
    for s in measurements.scenarios:
        rows.append([arch(s.layer_sizes), str(s.seed), f"{100 * s.accuracy:.0f}%",
                     num(s.loss, 4), *(num(a, 4) for a in s.outputs),
                     "never" if s.solved_at is None else integer(s.solved_at)])
    inputs = [f"output ({data(X[0])}, {data(X[1])})" for X in XOR_X]
    same_seed = [s for s in measurements.scenarios if s.seed == 42]
    note = ""
    if len({s.layer_sizes for s in same_seed}) > 1:
        note = ("A seed fixes the random numbers, not the weights: seed 42 gives a 2-2-1 and "
                "a 2-4-1 network different initial weights, since they have different shapes.")
    return paragraphs(
        "## Three single runs",
        f"""Three networks trained one at a time with `MLP.train` for {SHORT_EPOCHS} epochs,
each from the seed its row names, the other settings at the app's defaults. "first epoch at
100%" is the first epoch at which every output was on the right side of 0.5.""",
        table(["network", "seed", "accuracy", "loss", *inputs, "first epoch at 100%"], rows),
        "\n".join(_scenario_sentence(s, measurements) for s in measurements.scenarios),
        note,
    )


def top_rates(m, sizes):
    """The learning rates whose share solved at EPOCHS is not clearly below the largest."""
    shares = {r: m[setting(sizes, r)].solved for r in LEARNING_RATES}
    best = max(shares.values(), key=lambda share: share.value)
    return tuple(r for r, share in shares.items() if share_order(share, best) == 0)


def judged_top_rates(claims, sizes):
    return claims.judge(f"top-rates-{arch(sizes)}", lambda m: top_rates(m, sizes))


def share_span(shares):
    """One share, '90% (84–94%)', or the lowest and highest of several: 'from 82% ... to ...'."""
    low, high = min(shares, key=lambda s: s.value), max(shares, key=lambda s: s.value)
    return pct(high) if low.value == high.value else f"from {pct(low)} to {pct(high)}"


def _top_sentence(m, claims):
    parts = []
    for sizes in RATE_SIZES:
        tops = judged_top_rates(claims, sizes)
        shares = [m[setting(sizes, r)].solved for r in tops]
        parts.append(f"{arch(sizes)} at lr {listing(rate(r) for r in tops)} "
                     f"({share_span(shares)})")
    return (f"At {SHORT_EPOCHS} epochs, the largest shares solved are those of "
            f"{listing(parts)}. None of these is clearly below the largest share of its "
            "network, and every other rate is.")


def _speed_sentence(m, claims):
    default, top = DEFAULTS.lr, max(LEARNING_RATES)
    parts = []
    for sizes in RATE_SIZES:
        before, after = setting(sizes, default), setting(sizes, top)
        order = claims.medians(f"speed-{arch(sizes)}", of(after, "solved_epochs"),
                               of(before, "solved_epochs"))
        numbers = (epochs_text(m[before].median_epochs), epochs_text(m[after].median_epochs))
        change = {-1: "falls from {} to {}", 1: "rises from {} to {}",
                  0: "stays within a factor of {f:g} ({} and {})",
                  None: "rests on too few runs to compare ({} and {})"}[order]
        parts.append(f"{change.format(*numbers, f=MEDIAN_FACTOR)} for {arch(sizes)}")
    return (f"From lr {rate(default)} to lr {rate(top)}, the median number of epochs to 100% "
            + "; it ".join(parts) + ".")


def _few_sentence(m, claims):
    low = min(LEARNING_RATES)
    lows = [setting(sizes, low) for sizes in RATE_SIZES]
    few = claims.judge(f"few-solved-at-lr-{rate(low)}",
                       lambda x: all(x[s].solved.k < MIN_SOLVED for s in lows))
    counts = listing(f"{m[s].solved.k} for {arch(s.layer_sizes)}" for s in lows)
    if not few:
        return ""
    return (f"A median rests only on the runs solved at {SHORT_EPOCHS} epochs; at lr "
            f"{rate(low)} there are fewer than {MIN_SOLVED} of them ({counts}, of "
            f"{len(m.seeds)}), too few for this page to compare those medians.")


def _slow_sentence(m, claims):
    low, default = min(LEARNING_RATES), DEFAULTS.lr
    equal_epochs = low * LONG * EPOCHS / default
    if not (low < default and float(equal_epochs).is_integer()):
        return ""
    equal_epochs = int(equal_epochs)
    small, usual = setting(SMALL, low), setting(SMALL)
    order = claims.shares(f"small-rate-like-fewer-epochs-{arch(SMALL)}",
                          lambda x: x[small].solved_by(LONG * EPOCHS),
                          lambda x: x[usual].solved_by(equal_epochs))
    verdict = {0: "the seeds do not tell the two apart", 1: "clearly more at the small rate",
               -1: "clearly fewer at the small rate"}[order]
    return f"""Small steps make "not solved" hard to tell from slow. {LONG_EPOCHS} epochs at
lr {rate(low)} add up to the same learning rate × epochs ({low * LONG * EPOCHS:g}) as
{integer(equal_epochs)} epochs at lr {rate(default)}. The share of {arch(SMALL)} runs that
have reached 100% accuracy is {pct(m[small].solved_by(LONG * EPOCHS))} after {LONG_EPOCHS}
epochs at lr {rate(low)} and {pct(m[usual].solved_by(equal_epochs))} after
{integer(equal_epochs)} epochs at lr {rate(default)}: {verdict}. A run not solved by
{LONG_EPOCHS} epochs at a small learning rate may simply not have had enough epochs."""


def _final_outputs(outcome, mask):
    """The outputs of the final weights (after EPOCHS) of the runs in `mask`, (runs, 4)."""
    return np.array([outcome.final_network(i).predict(XOR_X)[:, 0] for i in np.flatnonzero(mask)])


@dataclass(frozen=True)
class Flicker:
    """Runs that were right on all four examples at some epoch but not at the end."""

    cells: list[str]          # "2-4-1 at lr 0.03: 3"
    runs: int
    distances: np.ndarray     # how far each of their final outputs is from 0.5

    @property
    def undecided(self):
        """True if at least half their final outputs are within NEAR_HALF of 0.5 (or there
        are no such runs)."""
        return not self.runs or float(np.median(self.distances)) < NEAR_HALF


def flicker(m):
    cells, outputs = [], []
    for sizes in RATE_SIZES:
        for r in LEARNING_RATES:
            o = m[setting(sizes, r)]
            if o.flickered.any():
                cells.append(f"{arch(sizes)} at lr {rate(r)}: {count(o.flickered)}")
                outputs.append(_final_outputs(o, o.flickered))
    distances = np.abs(np.concatenate(outputs) - 0.5).ravel() if outputs else np.array([])
    return Flicker(cells, sum(len(block) for block in outputs), distances)


def flicker_text(f, claims):
    """Where the flickering runs' final outputs are, and whether most are undecided."""
    undecided = claims.judge("flicker-outputs-undecided", lambda m: flicker(m).undecided)
    text = (f"their final outputs lie a median {plain(np.median(f.distances))} from 0.5 (from "
            f"{plain(f.distances.min())} to {plain(f.distances.max())}, over their "
            f"{f.distances.size} outputs)")
    if undecided:
        text += f": at least half are within {NEAR_HALF:g} of 0.5, undecided"
    return text


def _flicker_paragraph(m, f, claims):
    if not f.runs:
        return (f"No run in this table reached 100% accuracy before epoch {SHORT_EPOCHS} "
                "and then lost it.")
    total = len(m.seeds) * len(RATE_SIZES) * len(LEARNING_RATES)
    return f"""Accuracy can reach 100% for a moment without the network having learned XOR.
In {f.runs} of the {integer(total)} runs of this table, every output was on the right side of
0.5 at some epoch before {SHORT_EPOCHS}, but not at the end ({listing(f.cells)}, of
{len(m.seeds)} runs each); {flicker_text(f, claims)}. The median column counts only runs
solved at the end."""


def _rates_section(m, f, claims):
    rows = []
    for sizes in RATE_SIZES:
        for r in LEARNING_RATES:
            label = rate(r) + (" (default)" if r == DEFAULTS.lr else "")
            rows.append([arch(sizes), label, *outcome_cells(m[setting(sizes, r)])])
    return paragraphs(
        "## Learning rate and network size",
        f"Each row is {len(m.seeds)} runs, {seed_range(m.seeds)}.",
        table(["network", "learning rate", *OUTCOME_HEADER], rows),
        _top_sentence(m, claims) + " " + _speed_sentence(m, claims),
        _few_sentence(m, claims),
        _slow_sentence(m, claims),
        _flicker_paragraph(m, f, claims),
    )


def gradient_ratio(sizes, seeds):
    """Median over the seeds, at the initial weights: |grad of layer 1| / |grad of last layer|."""
    ratios = []
    for seed in seeds:
        norms = setting(sizes).network(seed).gradients(XOR_X, XOR_Y).layer_norms()
        ratios.append(norms[0] / norms[-1])
    return float(np.median(ratios))


def judged_gradient_ratio(claims):
    """The median gradient ratio of the deepest network, and a bound that other seeds keep."""
    deepest = max(SIZES, key=len)
    return claims.below(f"first-layer-gradient-{arch(deepest)}",
                        lambda m: gradient_ratio(deepest, m.seeds))


SIGMOID_PEAK = float(SIGMOID.f_prime(0.0, SIGMOID.f(0.0)))   # sigma'(0), its largest value


def _width_sentence(m, claims):
    shallow = [setting(s) for s in SIZES if len(s) == 3]
    shares = listing(f"{pct(m[s].solved)} for {arch(s.layer_sizes)}" for s in shallow)
    clear, unclear = [], []
    for narrow, wide in zip(shallow, shallow[1:]):
        names = (arch(wide.layer_sizes), arch(narrow.layer_sizes))
        order = claims.shares(f"width-{names[1]}-to-{names[0]}", of(wide, "solved"),
                              of(narrow, "solved"))
        if order:
            clear.append(f"clearly {'larger' if order > 0 else 'smaller'} for {names[0]} than "
                         f"for {names[1]}")
        else:
            unclear.append(f"{names[1]} from {names[0]}")
    text = f"With one hidden layer, the share solved at {SHORT_EPOCHS} epochs is {shares}."
    if clear:
        text += f" It is {listing(clear)}."
    if unclear:
        text += f" The seeds do not tell {', nor '.join(unclear)}."
    return text


SHARE_WORDS = {1: "clearly more", -1: "clearly fewer", 0: "which the seeds do not tell apart"}
MEDIAN_WORDS = {1: "clearly more", -1: "clearly fewer", 0: f"within a factor of {MEDIAN_FACTOR:g}",
                None: "too few solved runs to compare ({} and {})"}


def _depth_sentence(m, deep, claims):
    twin = setting(deep[:2] + deep[-1:])
    if twin not in m.outcomes:
        return ""
    deep_setting = setting(deep)
    o, base = m[deep_setting], m[twin]
    name, base_name = arch(deep), arch(twin.layer_sizes)
    speed = claims.medians(f"depth-median-{name}", of(deep_setting, "solved_epochs"),
                           of(twin, "solved_epochs"))
    short = claims.shares(f"depth-solved-{name}", of(deep_setting, "solved"), of(twin, "solved"))
    long = claims.shares(f"depth-reached-{name}", of(deep_setting, "reached_long"),
                         of(twin, "reached_long"))
    speed_words = MEDIAN_WORDS[speed].format(o.solved.k, base.solved.k)
    return (f"{name} against {base_name}: a median of {epochs_text(o.median_epochs)} epochs to "
            f"100% against {epochs_text(base.median_epochs)}, {speed_words}; solved at "
            f"{SHORT_EPOCHS} epochs {pct(o.solved)} against {pct(base.solved)}, "
            f"{SHARE_WORDS[short]}; reached 100% by "
            f"{LONG_EPOCHS} epochs {pct(o.reached_long)} against {pct(base.reached_long)}, "
            f"{SHARE_WORDS[long]}.")


def _sizes_section(m, ratio, claims):
    rows = [[arch(sizes) + (" (default)" if sizes == DEFAULTS.layer_sizes else ""),
             *outcome_cells(m[setting(sizes)])] for sizes in SIZES]
    deepest = max(SIZES, key=len)
    value, bound = ratio
    vanish = f"""At the initial weights of {arch(deepest)}, the gradient norm of the first
layer is a median {num(value, 3)} times that of the last layer (over {seed_range(m.seeds)}):
less than {plain(bound, 1)} times as large. The sigmoid's derivative is at most σ′(0) =
{num(SIGMOID_PEAK, 2)}, so every sigmoid layer the backward signal passes scales it by at
most {num(SIGMOID_PEAK, 2)} times the weights: with small initial weights, the early layers of
a deep sigmoid network learn slowly."""
    left = m[setting((2, 3, 1))].unsolved.k
    runs = f"{left} of the {len(m.seeds)}" if left else f"None of the {len(m.seeds)}"
    three_text = f"""{runs} 2-3-1 runs {"was" if left == 1 else "were"} not solved by
{LONG_EPOCHS} epochs. A share says how often a network learns, not that it always will: the
2-3-1 XOR network has a region of true local minima with nonzero error (Sprinkhuizen-Kuyper & Boers,
1999). This page does not measure whether a run ends near them."""
    return paragraphs(
        "## Depth and width",
        f"Learning rate {rate(DEFAULTS.lr)}, the other settings at their defaults; each row is "
        f"{len(m.seeds)} runs, {seed_range(m.seeds)}.",
        table(["network", *OUTCOME_HEADER], rows),
        _width_sentence(m, claims),
        " ".join(_depth_sentence(m, s, claims) for s in SIZES if len(s) > 3),
        vanish,
        three_text,
    )


RELU = setting(ACTIVATION_SIZES, activation="relu")


def dead_units(outcome):
    """The number of hidden units with z <= 0 on all four inputs, at the final weights of
    each run: (failed runs, solved runs)."""
    dead = np.array([
        count((outcome.final_network(i).forward(XOR_X).pre_activations[0] <= 0).all(axis=0))
        for i in range(len(outcome.short.seeds))])
    solved = outcome.short.solved
    return dead[~solved], dead[solved]


def judged_dead_units(claims):
    """mean_order of the dead units of the failed and the solved relu runs."""
    return claims.judge("relu-dead-units-failed-vs-solved",
                        lambda m: mean_order(*dead_units(m[RELU])))


def mean_text(values):
    low, high = mean_interval(values)
    return f"{num(np.mean(values), 3)} ({num(low, 3)}–{num(high, 3)})"


def _loss_sentence(m, claims):
    parts = {-1: [], 0: [], 1: []}
    for activation in dict.fromkeys(a for a, _, _ in ACTIVATION_ROWS):
        mse = setting(ACTIVATION_SIZES, activation=activation)
        bce = setting(ACTIVATION_SIZES, activation=activation, loss="bce")
        order = claims.medians(f"bce-vs-mse-{activation}", of(bce, "solved_epochs"),
                               of(mse, "solved_epochs"))
        if order is not None:
            parts[order].append(f"`{activation}` ({epochs_text(m[bce].median_epochs)} against "
                                f"{epochs_text(m[mse].median_epochs)})")
    words = {-1: "lower than", 1: "higher than", 0: f"within a factor of {MEDIAN_FACTOR:g} of"}
    sentences = [f"{words[order]} with `mse` for {listing(items)}"
                 for order, items in parts.items() if items]
    if not sentences:
        return ""
    return "With `bce` the median number of epochs to 100% is " + "; it is ".join(sentences) + "."


def _activations_section(m, dead, claims):
    def at(activation, loss="mse", init="xavier"):
        return setting(ACTIVATION_SIZES, activation=activation, loss=loss, init=init)

    rows = [[f"`{a}`", f"`{lo}`", f"`{i}`", *outcome_cells(m[at(a, lo, i)])]
            for a, lo, i in ACTIVATION_ROWS]
    sig, tanh = at("sigmoid"), at("tanh")
    speed = judged_tanh_speed(claims)
    share = claims.shares("tanh-vs-sigmoid-solved", of(tanh, "solved"), of(sig, "solved"))
    medians = f"{epochs_text(m[tanh].median_epochs)} against {epochs_text(m[sig].median_epochs)}"
    tanh_speed = {-1: f"in fewer epochs than `sigmoid` hidden units: a median of {medians}",
                  1: f"in more epochs than `sigmoid` hidden units: a median of {medians}",
                  0: f"in about as many epochs as `sigmoid` hidden units ({medians})",
                  None: f"(median {medians}; too few runs to compare)"}[speed]
    shares = f"{pct(m[tanh].solved)} against {pct(m[sig].solved)}"
    tanh_share = {1: f"solve clearly more runs ({shares})", -1: f"clearly fewer ({shares})",
                  0: f"the seeds do not tell their shares solved apart ({shares})"}[share]
    tanh_text = f"With `mse`, `tanh` hidden units reach 100% {tanh_speed}; {tanh_share}."
    relu, relu_he = m[RELU], m[at("relu", init="he")]
    longer = ("the same share reaches" if relu.reached_long == relu.solved
              else f"{pct(relu.reached_long)} reach")
    he = judged_he(claims)
    he_shares = f"{pct(relu_he.solved)} against {pct(relu.solved)}"
    he_text = {1: f"solves clearly more runs: {he_shares}",
               -1: f"solves clearly fewer runs: {he_shares}",
               0: f"solves {he_shares}; the seeds do not tell the two apart"}[he]
    relu_text = f"""`relu` solves {pct(relu.solved)} of runs at {SHORT_EPOCHS} epochs with
`mse`, and {longer} 100% within {LONG_EPOCHS}. The `he` initialization, made for ReLU (He et
al., 2015: variance 2 / n_in), {he_text}."""
    failed_dead, solved_dead = dead
    if failed_dead.size and solved_dead.size:
        order = judged_dead_units(claims)
        compare = {1: "clearly more than", -1: "clearly fewer than",
                   0: "which the seeds do not tell apart from"}[order]
        relu_text += f""" A ReLU unit whose input z is at most 0 on all four examples outputs 0
and passes back no gradient; in a network with one hidden layer its weights then never change
again. At the end, the {failed_dead.size} failed `relu`/`mse`/`xavier` runs have a mean of
{mean_text(failed_dead)} such dead units of {ACTIVATION_SIZES[1]}, {compare} the
{mean_text(solved_dead)} of the {solved_dead.size} solved runs (each mean with its 95%
interval, ± 1.96 standard errors)."""
    return paragraphs(
        "## Activation and loss",
        f"Network {arch(ACTIVATION_SIZES)}, learning rate {rate(DEFAULTS.lr)}, "
        f"{SHORT_EPOCHS} epochs; each row is {len(m.seeds)} runs, {seed_range(m.seeds)}.",
        table(["hidden activation", "loss", "init", *OUTCOME_HEADER], rows),
        _loss_sentence(m, claims),
        tanh_text,
        relu_text,
    )


def judged_tanh_speed(claims):
    tanh, sig = setting(ACTIVATION_SIZES, activation="tanh"), setting(ACTIVATION_SIZES)
    return claims.medians("tanh-vs-sigmoid-median", of(tanh, "solved_epochs"),
                          of(sig, "solved_epochs"))


def judged_he(claims):
    he = setting(ACTIVATION_SIZES, activation="relu", init="he")
    return claims.shares("he-vs-xavier-relu-solved", of(he, "solved"), of(RELU, "solved"))


def _epochs_section(m, claims):
    shown = [setting(s) for s in (SMALL, ACTIVATION_SIZES)]
    rows = [[arch(s.layer_sizes), *(pct(m[s].solved_by(e)) for e in EPOCH_MARKS)]
            for s in shown]
    late = []
    for s in shown:
        before, after = m[s].solved_by(EPOCHS), m[s].solved_by(LONG * EPOCHS)
        share = Share(after.k - before.k, after.n)
        late.append(f"{share.k} of the {share.n} {arch(s.layer_sizes)} runs ({pct(share)})"
                    if share.k else f"none of the {share.n} {arch(s.layer_sizes)} runs")
    same = claims.judge("epochs-table-equals-solved-column",
                        lambda x: all(x[s].solved_by(EPOCHS) == x[s].solved for s in shown))
    agree = (f"At {SHORT_EPOCHS} epochs these shares equal the column \"solved at "
             f"{SHORT_EPOCHS}\" above." if same else
             f"At {SHORT_EPOCHS} epochs these shares differ from the column \"solved at "
             f"{SHORT_EPOCHS}\" above, which looks at the final weights only.")
    return paragraphs(
        "## Epochs",
        f"""The share of runs that have reached 100% accuracy by a given epoch (the first epoch
at which all four outputs were right), at the defaults; each row is {len(m.seeds)} runs,
{seed_range(m.seeds)}.""",
        table(["network", *(f"by {integer(e)}" for e in EPOCH_MARKS)], rows),
        f"Between epochs {SHORT_EPOCHS} and {LONG_EPOCHS}, {listing(late)} first reached 100% "
        f"accuracy. {agree}",
    )


@dataclass(frozen=True)
class Plateau:
    """The runs of one setting not solved by LONG x EPOCHS epochs, at their final weights."""

    unsolved: int
    undecided: int           # those with exactly two outputs within NEAR_HALF of 0.5
    losses: np.ndarray       # the final loss of the undecided runs
    loss_change: float       # the median change of their loss from EPOCHS to LONG x EPOCHS
    gradients: np.ndarray    # the gradient norm of every unsolved run at its final weights
    initial: np.ndarray      # ... and at its initial weights
    ideal: float             # the loss with two outputs exactly right and two exactly 0.5

    @property
    def gradient_drop(self):
        """The median final gradient norm over the median initial one."""
        return float(np.median(self.gradients) / np.median(self.initial))

    @property
    def loss_above_ideal(self):
        """How far the median loss of the undecided runs is above `ideal`, as a share of it."""
        return float(np.median(self.losses)) / self.ideal - 1 if self.undecided else math.nan


def gradient_norm(net):
    return float(np.linalg.norm(net.gradients(XOR_X, XOR_Y).layer_norms()))


def plateau(outcome):
    unsolved = np.flatnonzero(outcome.unsolved_mask)
    undecided, gradients, initial = [], [], []
    for i in unsolved:
        net = outcome.final_network(i, long=True)
        near = np.abs(net.predict(XOR_X)[:, 0] - 0.5) < NEAR_HALF
        if count(near) == 2:
            undecided.append(i)
        gradients.append(gradient_norm(net))
        initial.append(gradient_norm(outcome.setting.network(int(outcome.short.seeds[i]))))
    halves = np.array([[0.0], [1.0], [0.5], [0.5]])
    ideal = float(MSE.term(None, halves, XOR_Y).mean())
    losses = np.array([outcome.loss_at(i, long=True) for i in undecided])
    change = np.abs(losses - np.array([outcome.loss_at(i) for i in undecided]))
    return Plateau(len(unsolved), len(undecided), losses,
                   float(np.median(change)) if undecided else math.nan,
                   np.array(gradients), np.array(initial), ideal)


def judged_gradient_drop(claims):
    return claims.below(f"plateau-gradient-drop-{arch(SMALL)}",
                        lambda m: plateau(m[setting(SMALL)]).gradient_drop)


def _unsolved_section(m, p, claims):
    sizes = arch(SMALL)
    title = f"## What an unsolved {sizes} run looks like"
    if p.unsolved == 0:
        return paragraphs(title, f"No {sizes} run at the defaults ({seed_range(m.seeds)}) "
                                 f"was left unsolved by {LONG_EPOCHS} epochs.")
    scenario = next((s for s in m.scenarios if s.layer_sizes == SMALL
                     and s.solved_at is None and s.seed in m.seeds), None)
    example = ""
    if scenario is not None and m[setting(SMALL)].unsolved_mask[m.seeds.index(scenario.seed)]:
        example = f" Seed {scenario.seed} of the single runs above is one of them."
    measured = ""
    if p.undecided:
        above, bound = claims.below(f"plateau-loss-near-ideal-{sizes}",
                                    lambda x: plateau(x[setting(SMALL)]).loss_above_ideal)
        measured = f"""{p.undecided} of the {p.unsolved} end with exactly two outputs within
{NEAR_HALF:g} of 0.5, with a final loss of a median {num(np.median(p.losses), 5)} (from
{num(p.losses.min(), 5)} to {num(p.losses.max(), 5)}): less than {100 * bound:g}% above
{num(p.ideal, 5)}, the loss of a network with two outputs exactly right and two exactly 0.5.
Over the {integer(LONG * EPOCHS - EPOCHS)} epochs from epoch {SHORT_EPOCHS} to epoch
{LONG_EPOCHS}, the loss of these {p.undecided} runs changed by a median of
{num(p.loss_change, 2)}. """
    drop, bound = judged_gradient_drop(claims)
    return paragraphs(
        title,
        f"""{p.unsolved} of the {len(m.seeds)} {sizes} runs at the defaults
({seed_range(m.seeds)}) are not solved by {LONG_EPOCHS} epochs: never at 100% accuracy
within {LONG_EPOCHS} epochs, and not diverged.{example} {measured}At
the final weights of the {p.unsolved} runs, the gradient norm is a median
{plain(np.median(p.gradients))} (from {plain(p.gradients.min())} to
{plain(p.gradients.max())}), against a median {plain(np.median(p.initial))} at their initial
weights: less than {plain(bound, 1)} times as large. The loss sits on a flat stretch, a
plateau.""",
        f"""The loose name for this is a local minimum. But the {sizes} sigmoid network with
squared error on the four XOR points has no local minima at finite weights: every finite
stationary point has points of lower error arbitrarily close (Hamey, 1998). This page does
not tell whether a run that stops here sits near a saddle, on a plateau with a slow way
out, or heads towards a minimum reached only as the weights grow without bound. What it
measures is the plateau: a loss that hardly changes and a gradient far smaller than at the
start.""",
    )


def _rate_row(m, claims):
    sizes, name = SMALL, arch(SMALL)
    default, low = setting(SMALL), setting(SMALL, min(LEARNING_RATES))
    order = claims.shares(f"small-rate-fewer-solved-{name}", of(low, "solved"),
                          of(default, "solved"))
    if order != -1:
        return None
    change = "Raise the learning rate."
    tops = judged_top_rates(claims, sizes)
    if DEFAULTS.lr not in tops:
        shares = [m[setting(sizes, r)].solved for r in tops]
        change += (f" Of the rates measured, lr {listing(rate(r) for r in tops)} solved the "
                   f"most {name} runs ({share_span(shares)})")
        change += (f", in a median of {epochs_text(m[setting(sizes, tops[0])].median_epochs)} "
                   "epochs." if len(tops) == 1 else "; the seeds do not tell them apart.")
    return (f"After {SHORT_EPOCHS} epochs at a small learning rate, accuracy is still below "
            "100%.",
            f"Steps too small: at lr {rate(low.lr)}, {pct(m[low].solved)} of {name} runs are "
            f"solved after {SHORT_EPOCHS} epochs, clearly fewer than the {pct(m[default].solved)} "
            f"at lr {rate(DEFAULTS.lr)}.",
            change)


def _plateau_row(m, p, claims):
    if not p.unsolved:
        return None
    sizes, name = SMALL, arch(SMALL)
    default, wide = setting(SMALL), setting(ACTIVATION_SIZES)
    fixes = []
    if claims.shares("wider-fewer-unsolved", of(wide, "unsolved"), of(default, "unsolved")) < 0:
        fixes.append(f"use more hidden units ({arch(ACTIVATION_SIZES)}: "
                     f"{pct(m[wide].unsolved)} not solved by {LONG_EPOCHS})")
    calm = min((setting(sizes, r) for r in LEARNING_RATES), key=lambda s: m[s].unsolved.value)
    faster = claims.shares("larger-rate-fewer-unsolved", of(calm, "unsolved"),
                           of(default, "unsolved")) if calm != default else 0
    if faster < 0:
        fixes.append(f"raise the learning rate (lr {rate(calm.lr)}: {pct(m[calm].unsolved)} "
                     f"not solved by {LONG_EPOCHS})")
    fixes.append(f"try another seed ({pct(m[default].reached_long)} of seeds solve {name} "
                 f"within {LONG_EPOCHS} epochs)")
    change = "; or ".join(fixes)
    change = change[0].upper() + change[1:] + "."
    if calm != default and faster == 0:
        change += (f" A larger learning rate is not clearly better: lr {rate(calm.lr)} leaves "
                   f"{pct(m[calm].unsolved)} not solved by {LONG_EPOCHS}, against "
                   f"{pct(m[default].unsolved)}.")
    near = f" near {num(np.median(p.losses), 2)}" if p.undecided else ""
    drop, bound = judged_gradient_drop(claims)
    return (f"On {name} the loss flattens{near} and two outputs stay near 0.5.",
            f"A plateau: this network has no local minima at finite weights (Hamey, 1998). "
            f"{pct(m[default].unsolved)} of {name} runs are not solved by {LONG_EPOCHS} "
            f"epochs; at their final weights the gradient norm is a median "
            f"{plain(np.median(p.gradients))}, less than {plain(bound, 1)} times its median "
            "at their initial weights.",
            change)


def _depth_row(m, ratio, claims):
    deep = max(SIZES, key=len)
    twin = setting(deep[:2] + deep[-1:])
    if twin not in m.outcomes:
        return None
    deepest = setting(deep)
    if claims.shares(f"depth-solved-{arch(deep)}", of(deepest, "solved"), of(twin, "solved")) >= 0:
        return None
    change = "Use one hidden layer"
    if m[deepest].reached_long.k > m[deepest].solved.k:
        change += (f", or train longer ({pct(m[deepest].reached_long)} reach 100% within "
                   f"{LONG_EPOCHS} epochs)")
    value, bound = ratio
    return (f"A deep sigmoid network ({arch(deep)}) is far from solved after {SHORT_EPOCHS} "
            "epochs.",
            f"Vanishing gradients: each sigmoid layer scales the backward signal by at most "
            f"{num(SIGMOID_PEAK, 2)} times the weights; at the initial weights the first "
            f"layer's gradient is a median {num(value, 3)} times the last layer's. "
            f"{pct(m[deepest].solved)} of {arch(deep)} runs are solved at {SHORT_EPOCHS} "
            f"epochs, clearly fewer than the {pct(m[twin].solved)} of {arch(twin.layer_sizes)} "
            "runs.",
            change + ".")


def _relu_row(m, dead, claims):
    others = [setting(ACTIVATION_SIZES, activation=a) for a in ("sigmoid", "tanh")]
    better = [s for s in others if claims.shares(f"{s.activation}-vs-relu-solved",
                                                 of(s, "solved"), of(RELU, "solved")) > 0]
    if not better:
        return None
    relu = m[RELU]
    unsolved = Share(relu.short.seeds.size - relu.reached_long.k, relu.short.seeds.size)
    cause = (f"{pct(unsolved)} of {arch(ACTIVATION_SIZES)} `relu` runs do not reach 100% "
             f"accuracy within {LONG_EPOCHS} epochs")
    failed_dead, solved_dead = dead
    if failed_dead.size and solved_dead.size and judged_dead_units(claims) > 0:
        cause += (f"; they end with a mean of {num(failed_dead.mean(), 3)} dead hidden units "
                  f"(z ≤ 0 on every input), clearly more than the {num(solved_dead.mean(), 3)} "
                  "of the solved runs")
    names = [f"`{s.activation}`" for s in better]
    change = (f"Use {' or '.join(names)} hidden units "
              f"({listing(pct(m[s].solved) for s in better)} solved at {SHORT_EPOCHS} epochs)")
    he, relu_he = judged_he(claims), m[setting(ACTIVATION_SIZES, activation="relu", init="he")]
    if he > 0:
        change += f"; keeping `relu`, init `he` solves clearly more: {pct(relu_he.solved)}"
    elif he == 0:
        change += (f"; keeping `relu`, init `he` is not clearly better ({pct(relu_he.solved)} "
                   f"against {pct(relu.solved)})")
    return (f"With `relu` hidden units some runs do not solve XOR, even in {LONG_EPOCHS} "
            "epochs.", cause + ".", change + ".")


def _loss_row(m, claims):
    mse, bce = setting(ACTIVATION_SIZES), setting(ACTIVATION_SIZES, loss="bce")
    tanh = setting(ACTIVATION_SIZES, activation="tanh")
    if claims.medians("bce-vs-mse-sigmoid", of(bce, "solved_epochs"),
                      of(mse, "solved_epochs")) != -1:
        return None
    change = f"Use the loss `bce` (median {epochs_text(m[bce].median_epochs)} epochs)"
    if judged_tanh_speed(claims) == -1:
        change += (f", or `tanh` hidden units (median {epochs_text(m[tanh].median_epochs)} "
                   "epochs with `mse`)")
    return ("Runs succeed, but take many epochs.",
            "With `mse` the output delta keeps the factor a(1 − a), which is small when an "
            f"output is near 0 or 1: {arch(ACTIVATION_SIZES)} sigmoid runs need a median of "
            f"{epochs_text(m[mse].median_epochs)} epochs to reach 100% with `mse`.",
            change + ".")


def _flicker_row(f, claims):
    if not f.runs:
        return None
    return ("Accuracy reaches 100% for a moment, then drops again.",
            f"One epoch at 100% is not yet a solution: {f.runs} runs of the learning rate table "
            f"were right on all four examples at some epoch before {SHORT_EPOCHS} but not at "
            f"the end; {flicker_text(f, claims)}.",
            "Judge a run by its loss and its outputs, not by one epoch's accuracy.")


def diverged_runs(m):
    return sum(count(o.first_diverged >= 0) for o in m.outcomes.values())


def _troubleshooting_section(m, p, f, ratio, dead, claims):
    rows = [r for r in (_rate_row(m, claims), _plateau_row(m, p, claims),
                        _depth_row(m, ratio, claims), _relu_row(m, dead, claims),
                        _loss_row(m, claims), _flicker_row(f, claims)) if r]
    total = len(m.seeds) * len(m.outcomes)
    none = claims.judge("no-run-diverged", lambda x: diverged_runs(x) == 0)
    note = (f"No run on this page diverged: none of the {integer(total)} runs of "
            f"{seed_range(m.seeds)}, with learning rates up to {rate(max(LEARNING_RATES))}; "
            f"for each setting, 0 of {len(m.seeds)} puts the share that diverges at "
            f"{pct(Share(0, len(m.seeds)))}." if none else
            f"{integer(diverged_runs(m))} of the {integer(total)} runs on this page diverged.")
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


@dataclass(frozen=True)
class Document:
    """The text of docs/hyperparameters.md and the claims its sentences make."""

    text: str
    claims: Claims


def hyperparameters_document(measurements=None):
    """docs/hyperparameters.md and its claims; measuring takes most of the build's time."""
    check_defaults()
    m = measurements or measure()
    claims = Claims(m)
    p = plateau(m[setting(SMALL)])
    f = flicker(m)
    ratio = judged_gradient_ratio(claims)
    dead = dead_units(m[RELU])
    text = "\n".join([
        _intro(m),
        _scenarios_section(m),
        _rates_section(m, f, claims),
        _sizes_section(m, ratio, claims),
        _activations_section(m, dead, claims),
        _epochs_section(m, claims),
        _unsolved_section(m, p, claims),
        _troubleshooting_section(m, p, f, ratio, dead, claims),
        HYPERPARAMETER_REFERENCES,
    ])
    return Document(text, claims)


def hyperparameters_text(measurements=None):
    """The text of docs/hyperparameters.md."""
    return hyperparameters_document(measurements).text

XOR = make_dataset("xor")
XOR_X, XOR_Y = XOR.X, XOR.y
