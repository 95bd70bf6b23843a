"""Tab 2's stages after the backward pass: the update (with the first-order forecast of what
it does to the loss), the gradient check (with a bug one may plant) and the gradients over the
run (do they shrink towards the input?)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from formats import number
from inspection import forecast as flow_forecast
from inspection import latex as flow_latex
from inspection import numbers as flow_math
from inspection import planted, vanishing
from inspection import tables as flow_tables
from network import Gradients
from pictures import charts
from tabs import drawing
from tabs import gradient_flow_edit as flow_edit

STEP = "flow_step"   # the last applied step, kept until the inspected network changes
INLINE_PARAMETERS = 17   # up to this many parameters, the check's table is shown unfolded
RATES = (0.1, 1.0, 10.0)   # learning rates the Over-the-run stage compares with the run's
ROW_PX = 35        # a dataframe row's height (and its header's)
WHOLE_ROWS = 64    # a table up to this long shows every row (2-8-8-1's largest layer)
BOX_ROWS = 15      # a longer one scrolls in a box this tall: sort it to find a row


@dataclass(frozen=True)
class AppliedStep:
    """One step applied to a copy of the inspected network, with its before/after pictures."""

    context: tuple           # (run id, epoch, edit signature) it belongs to
    rows: np.ndarray         # the examples of the step: all of them, or a mini-batch
    loss_before: float       # the step's own loss: of its examples
    loss_after: float
    full_before: float       # L on every example
    full_after: float
    outputs_before: list     # ŷ of the step's examples
    outputs_after: list
    png_before: bytes
    png_after: bytes


def apply_step(run, epoch, edited, rows):
    """One gradient-descent step on `rows` by a copy of the shown network; the run is unchanged."""
    net = edited.net.copy()
    X, y = run.data.X, run.data.y
    step = net.step(X[rows], y[rows], run.config.lr)
    with np.errstate(over="ignore", invalid="ignore"):
        outputs_before, outputs_after = edited.net.predict(X[rows]), net.predict(X[rows])
        full_before, full_after = edited.net.loss(X, y), net.loss(X, y)
    before = (flow_edit.stored_boundary_png(run, epoch, edited.net) if not edited.changed
              else flow_edit.edited_boundary_png(run, epoch, edited))
    return AppliedStep((run.id, epoch, edited.signature), rows, step.loss_before,
                       step.loss_after, full_before, full_after, outputs_before.ravel().tolist(),
                       outputs_after.ravel().tolist(), before, drawing.boundary_png(run, net))


def _rule(inspection):
    """What the update does: the batch's step, or the next mini-batch's."""
    lr, n, l2 = inspection.learning_rate, inspection.n, inspection.batch.l2
    if not inspection.mini_batch:
        return (f"Gradient descent moves every parameter against the **batch** gradient, "
                f"θ ← θ − η·∂L/∂θ, with this run's learning rate η = {lr:g}. The batch gradient "
                f"is the mean of the {n} examples' gradients{' plus λθ' if l2 else ''}, "
                "whichever example is selected above.")
    rows, epoch = inspection.rows, inspection.net.epoch
    size = len(rows)
    apart, full = flow_tables.gradient_distance(inspection.step.gradients, inspection.batch)
    return (f"This run trains on mini-batches of {size}: every epoch the network's own "
            f"generator shuffles the {n} examples and takes {-(-n // size)} steps, one per "
            f"slice of {size}. The step training takes next, the first after epoch {epoch:,}, "
            f"uses rows {', '.join(str(i) for i in sorted(rows))} of X. It moves every "
            f"parameter against **that batch's** gradient, θ ← θ − η·∂L_B/∂θ with η = {lr:g}, "
            f"where L_B is the loss of those {size} examples alone"
            f"{' plus the penalty' if l2 else ''}. That is not the full-batch gradient ∂L/∂θ "
            f"of the sections above: ‖∂L_B/∂θ − ∂L/∂θ‖ = {number(apart)}, while "
            f"‖∂L/∂θ‖ = {number(full)}.")


def render_update(run, epoch, original, edited, inspection):
    st.markdown(_rule(inspection))
    mini = inspection.mini_batch
    if mini:
        st.latex(flow_latex.loss_minibatch(inspection.update, inspection.learning_rate))
    _forecast(run, inspection)
    if edited.changed:
        _edit_forecast(run, original, edited)
    gradient = "∂L_B/∂θ" if mini else "∂L/∂θ"
    shown = folded(f"Every parameter: θ before, {gradient}, the change, θ after",
                   "flow_fold_update")
    if shown:
        table = inspection.table("update", lambda i: flow_tables.update_table(
            i.step, i.batch if mini else None))
        shown.dataframe(styled(table.rename(columns={"−η·∂L/∂θ": f"change −η·{gradient}"})),
                        hide_index=True, width="stretch", height=table_height(len(table)))
    what = f"this mini-batch's step ({len(inspection.rows)} examples)" if mini else "one step"
    if st.button("Apply one step", key="apply_step",
                 help=f"Take {what} from the network shown (a copy: the run is not changed)"):
        st.session_state[STEP] = apply_step(run, epoch, edited, inspection.rows)
    applied = st.session_state.get(STEP)
    if applied is None or applied.context != (run.id, epoch, edited.signature):
        st.caption("Press **Apply one step** to take this step on a copy and see the boundary "
                   "move.")
        return
    _applied(run, applied, mini)


def folded(label, key):
    """An expander whose contents are built only while it is open, or None while it is
    closed: a folded table then costs the page nothing."""
    expander = st.expander(label, key=key, on_change="rerun")
    return expander if expander.open else None


def table_height(rows):
    """The pixel height of a dataframe of `rows` rows: all of them, or a box of BOX_ROWS
    when there are more than WHOLE_ROWS."""
    return ROW_PX * ((rows if rows <= WHOLE_ROWS else BOX_ROWS) + 1) + 3


def styled(frame):
    """`frame` with every number written as formats.number writes it (sorting keeps the
    values)."""
    numeric = frame.select_dtypes("number").columns
    return frame.style.format(number, subset=list(numeric))


def step_forecast(inspection):
    """The Forecast of the update training takes next, on its own examples."""
    def build(i):
        step = i.step
        with np.errstate(over="ignore", invalid="ignore"):
            return flow_forecast.forecast(i.net, i.X[i.rows], i.y[i.rows], step.weights_after,
                                          step.biases_after)
    return inspection.table("forecast", build)


def _forecast(run, inspection):
    """Predicted against actual: −η‖∇L‖² beside the change the engine recomputes."""
    result = step_forecast(inspection)
    lr = inspection.learning_rate
    loss = "L_B" if inspection.mini_batch else "L"
    gradient = inspection.step.gradients
    squared = float(sum((g ** 2).sum() for g in (*gradient.weights, *gradient.biases)))
    st.markdown(f"**Predicted against actual.** To first order the step changes the loss by "
                f"∇{loss}·Δθ; for a plain gradient step Δθ = −η∇{loss}, that is −η‖∇{loss}‖² = "
                f"−{number(lr)} × {number(squared)} = {number(-lr * squared)}.")
    if not np.isfinite(result.actual):
        st.warning("The loss after this step is not a finite number: the step diverges.")
        return
    st.markdown("| forecast ∇L·Δθ | actual change (recomputed) | actual / forecast |\n"
                "|---:|---:|---:|\n"
                f"| {number(result.predicted)} | {number(result.actual)} | "
                f"{number(result.ratio)} |")
    st.markdown(" ".join(flow_forecast.sentences(result)[1:]))


def _edit_forecast(run, original, edited):
    """What the first-order forecast g·Δθ says of the learner's edit, beside what it did."""
    X, y = run.data.X, run.data.y
    with np.errstate(over="ignore", invalid="ignore"):
        result = flow_forecast.forecast(original, X, y, edited.net.weights, edited.net.biases)
    st.markdown(f"**Your edit, forecast:** from the trained weights, g·Δθ = "
                f"{number(result.predicted)}; the loss actually changed by "
                f"{number(result.actual)}"
                + (f" (ratio {number(result.ratio)})." if np.isfinite(result.ratio) else "."))


def _applied(run, applied, mini):
    """The losses, outputs and boundaries before and after the applied step."""
    change = applied.loss_after - applied.loss_before
    name = "Mini-batch loss" if mini else "Loss"
    left, right = st.columns(2)
    left.metric(f"{name} before the step", number(applied.loss_before), border=True)
    right.metric(f"{name} after the step", number(applied.loss_after), delta=number(change),
                 delta_color="inverse", border=True)
    X, y, rows = run.data.X, run.data.y, applied.rows
    shown = min(len(rows), flow_latex.MAX_ROWS)
    moves = ", ".join(f"{flow_math.example_name(i, X[i], y[i, 0])}: {a:.4f} → {b:.4f}"
                      for i, a, b in zip(rows[:shown], applied.outputs_before,
                                         applied.outputs_after))
    whose = "Outputs" if shown == len(rows) else \
        f"Outputs of the first {shown} of the step's {len(rows)} examples"
    full = (f" On all {run.data.n} examples L went from {number(applied.full_before)} to "
            f"{number(applied.full_after)}." if mini else "")
    st.markdown(f"The {name.lower()} went "
                f"{'down' if change < 0 else 'up' if change > 0 else 'nowhere'} by "
                f"{number(abs(change))}.{full} {whose}: {moves}.")
    before, after = st.columns(2)
    before.image(applied.png_before, caption="Decision boundary before the step",
                 output_format="PNG")
    after.image(applied.png_after, caption="… and after it (a copy; the run is unchanged)",
                output_format="PNG")


def render_check(inspection):
    """Backprop against central differences, with a bug planted in a teaching copy."""
    bug = st.selectbox("Plant a bug in a copy of backprop written for teaching (the engine "
                       "is untouched)", list(planted.BUGS), key="plant_bug",
                       format_func=planted.BUGS.get)
    st.caption("Each gradient of L is compared with the central difference "
               f"(L(θ + ε) − L(θ − ε)) / 2ε of the engine's own loss, ε = "
               f"{number(flow_tables.EPSILON)}. A parameter agrees when "
               f"|a − b| / max(|a|, |b|, {number(planted.FLOOR)}) is below "
               f"{number(planted.RELATIVE_TOLERANCE)}.")
    unresolved = flow_tables.unresolvable(inspection)
    if unresolved:
        st.warning(unresolved)
        return
    check = inspection.table(("planted", bug), lambda i: planted.gradient_check(
        i.net, i.X, i.y, bug, numerical=i.numerical))
    count, worst = len(check.names), float(np.nanmax(check.relative_error))
    if check.passed:
        st.success(f"Passed: all {count} gradients agree with central differences; the "
                   f"largest relative error is {number(worst)}.")
    else:
        st.error(f"Failed: {len(check.failed)} of {count} gradients disagree with central "
                 f"differences; the largest relative error is {number(worst)}.")
    st.markdown(" ".join(check_sentences(check)))
    table = pd.DataFrame({"parameter": check.names, "backprop": check.backprop,
                          "central difference": check.numerical,
                          "relative error": check.relative_error,
                          "agree": check.relative_error < planted.RELATIVE_TOLERANCE})
    if count <= INLINE_PARAMETERS:
        st.dataframe(styled(table), hide_index=True, width="stretch",
                     height=table_height(count))
    else:
        shown = folded(f"All {count} parameters, with their relative errors",
                       "flow_fold_check")
        if shown:
            shown.dataframe(styled(table), hide_index=True, width="stretch",
                            height=table_height(count))


def check_sentences(check):
    """Where the planted bug shows: per layer, and as a ratio when it is the same everywhere."""
    said = []
    layers = np.asarray(check.layers)
    agree = check.relative_error < planted.RELATIVE_TOLERANCE
    for layer in sorted(set(check.layers)):
        mine = layers == layer
        said.append(f"Layer {layer}: {int(agree[mine].sum())} of {int(mine.sum())} agree.")
    resolved = np.abs(check.numerical) > planted.FLOOR
    if resolved.any() and not check.passed:
        ratios = check.backprop[resolved] / check.numerical[resolved]
        if np.ptp(ratios) < 1e-3 * max(1.0, float(np.abs(ratios).max())):
            said.append(f"Every gradient backprop gives is {number(float(np.median(ratios)))} "
                        "times the true one: a bug that scales the whole gradient.")
    return said


def render_run(run, epoch, inspection, edited):
    """Per-layer gradient norms per parameter over the run, and what a learning rate changes."""
    sizes = run.net.layer_sizes
    counts = vanishing.parameter_counts(sizes)
    frame = run.picture("flow_norms", lambda: charts.grad_norm_frame(run.history,
                                                                     np.sqrt(counts)))
    st.vega_lite_chart(charts.grad_norm_spec(frame, len(counts), marked_epoch=epoch,
                                             title="gradient norm per parameter"),
                       width="stretch")
    st.caption("Each layer's ‖∂L/∂θ‖ divided by √(its weights + biases), so that layers of "
               "different sizes compare fairly; the dotted rule marks the epoch shown"
               + (" (the chart is the run as recorded, without your edits)." if edited else "."))
    for sentence in vanishing.sentences(run.history, sizes, run.config.activation,
                                        run.config.lr):
        st.markdown(sentence)
    st.markdown(f"**What the learning rate changes, at epoch {epoch:,}.** The gradient is the "
                "same whatever η is; the step −η·∂L/∂θ is η times it:")
    st.dataframe(styled(rate_table(inspection, run.config.lr, counts)), hide_index=True,
                 width="stretch", height=table_height(len(counts)))


def rate_table(inspection, learning_rate, counts):
    """Per layer: ‖∂L/∂θ‖ per parameter, and ‖η·∂L/∂θ‖ per parameter for a few η."""
    batch = inspection.batch
    norms = Gradients(batch.dw, batch.db, batch.deltas).layer_norms() / np.sqrt(counts)
    table = {"layer": [f"layer {layer}" for layer in range(1, len(norms) + 1)],
             "parameters": counts, "‖∂L/∂θ‖ per parameter": norms}
    for rate in sorted({*RATES, float(learning_rate)}):
        mark = " (this run)" if rate == learning_rate else ""
        table[f"step at η = {rate:g}{mark}"] = rate * norms
    return pd.DataFrame(table)
