"""Tab 2 after the backward pass: "Gradient magnitudes", "The update" (one step of gradient
descent, on the mini-batch training takes next if it uses them) and "Gradient check"."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from inspection import latex as flow_latex
from inspection import numbers as flow_math
from inspection import tables as flow_tables
from pictures import charts
from tabs import drawing
from tabs import gradient_flow_edit as flow_edit

STEP = "flow_step"   # the last applied step, kept until the inspected network changes
NUMBER = st.column_config.NumberColumn


def render_magnitudes(run, epoch, inspection, edited):
    st.subheader("Gradient magnitudes")
    table = inspection.table("magnitudes", lambda i: flow_tables.magnitude_table(
        i.batch, i.net.activation))
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "mean |∂L/∂W|": NUMBER(format="%.3e"), "max |∂L/∂W|": NUMBER(format="%.3e"),
        "‖∂L/∂(W, b)‖": NUMBER(format="%.3e"), "mean f′(z)": NUMBER(format="%.3g")})
    norms = flow_tables.layer_norms(inspection.batch)
    layers = len(norms)
    frame = run.picture("flow_norms", lambda: charts.grad_norm_frame(run.history))
    st.vega_lite_chart(run.picture(("flow_norm_chart", epoch), lambda: charts.spec(
        charts.grad_norm_chart(frame, layers, marked_epoch=epoch))), width="stretch")
    st.markdown(" ".join(_magnitude_story(run, epoch, inspection, norms, edited)))


def _magnitude_story(run, epoch, inspection, norms, edited):
    """Sentences about this run's gradient norms, each computed from its numbers."""
    where = f"At epoch {epoch:,}" + (" (with your edits)" if edited else "")
    story = [f"{where}: " + flow_tables.compare_layers(norms)]
    story.append(flow_tables.history_comparison(run.history, epoch))
    hidden = inspection.batch.f_primes[:-1]
    means = "; ".join(f"layer {layer}, {float(fp.mean()):.3g}" for layer, fp in
                      enumerate(hidden, 1))
    if run.config.activation == "sigmoid":
        story.append("The sigmoid's slope σ′(z) is at most 0.25 (at z = 0), so each sigmoid "
                     "layer scales the backward signal by at most 0.25 times its weights. "
                     f"The mean σ′(z) of each hidden layer at this epoch: {means}.")
    elif run.config.activation == "relu":
        inactive = np.concatenate([(fp == 0).ravel() for fp in hidden])
        story.append(f"ReLU′ is 1 where a unit is active and 0 where it is not: here "
                     f"{int(inactive.sum())} of the {inactive.size} (hidden unit, example) "
                     f"pairs pass no gradient at all.")
    else:
        story.append(f"The mean f′(z) of each hidden layer at this epoch: {means}.")
    story.append("The chart shows the run as recorded" + (", without the edits" if edited else "")
                 + "; the dotted rule marks this epoch.")
    return [sentence for sentence in story if sentence]


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
            f"of the sections above: ‖∂L_B/∂θ − ∂L/∂θ‖ = {apart:.3g}, while "
            f"‖∂L/∂θ‖ = {full:.3g}.")


def render_update(run, epoch, edited, inspection):
    st.subheader("The update")
    st.markdown(_rule(inspection))
    mini = inspection.mini_batch
    if mini:
        st.latex(flow_latex.loss_minibatch(inspection.update, inspection.learning_rate))
    gradient = "∂L_B/∂θ" if mini else "∂L/∂θ"
    table = inspection.table("update", lambda i: flow_tables.update_table(
        i.step, i.batch if mini else None))
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "before": NUMBER("θ before", format="%.6g"), "∂L/∂θ": NUMBER(gradient, format="%.4g"),
        "∂L/∂θ, all examples": NUMBER(f"∂L/∂θ, all {inspection.n}", format="%.4g"),
        "−η·∂L/∂θ": NUMBER(f"change −η·{gradient}", format="%.4g"),
        "after": NUMBER("θ after", format="%.6g")})
    what = f"this mini-batch's step ({len(inspection.rows)} examples)" if mini else "one step"
    if st.button("Apply one step", key="apply_step", type="primary",
                 help=f"Take {what} from the network shown (a copy: the run is not changed)"):
        st.session_state[STEP] = apply_step(run, epoch, edited, inspection.rows)
    applied = st.session_state.get(STEP)
    if applied is None or applied.context != (run.id, epoch, edited.signature):
        st.caption("Press **Apply one step** to take this step on a copy and see what it does.")
        return
    _applied(run, applied, mini)


def _applied(run, applied, mini):
    """The losses, outputs and boundaries before and after the applied step."""
    change = applied.loss_after - applied.loss_before
    name = "Mini-batch loss" if mini else "Loss"
    left, right = st.columns(2)
    left.metric(f"{name} before the step", f"{applied.loss_before:.4g}", border=True)
    right.metric(f"{name} after the step", f"{applied.loss_after:.4g}", delta=f"{change:+.3g}",
                 delta_color="inverse", border=True)
    X, y, rows = run.data.X, run.data.y, applied.rows
    shown = min(len(rows), flow_latex.MAX_ROWS)
    moves = ", ".join(f"{flow_math.example_name(i, X[i], y[i, 0])}: {a:.4f} → {b:.4f}"
                      for i, a, b in zip(rows[:shown], applied.outputs_before,
                                         applied.outputs_after))
    whose = "Outputs" if shown == len(rows) else \
        f"Outputs of the first {shown} of the step's {len(rows)} examples"
    full = (f" On all {run.data.n} examples L went from {applied.full_before:.4g} to "
            f"{applied.full_after:.4g}." if mini else "")
    st.markdown(f"The {name.lower()} went "
                f"{'down' if change < 0 else 'up' if change > 0 else 'nowhere'} by "
                f"{abs(change):.3g}.{full} {whose}: {moves}.")
    before, after = st.columns(2)
    before.image(applied.png_before, caption="Decision boundary before the step",
                 output_format="PNG")
    after.image(applied.png_after, caption="… and after it (a copy; the run is unchanged)",
                output_format="PNG")


def render_check(inspection):
    st.subheader("Gradient check")
    check = inspection.table("check", flow_tables.gradient_check)
    box = {True: st.success, False: st.error, None: st.warning}[check.passed]
    box(check.verdict)
    st.caption(f"Each gradient of L, the loss of all {inspection.n} examples, is compared "
               "with the engine's central difference "
               "(L(θ + ε) − L(θ − ε)) / 2ε, ε = 10⁻⁶, at the network shown. They agree when "
               f"the relative error is below {flow_tables.CHECK_TOLERANCE:.0e} or the difference "
               f"is below {check.floor:.0e}, the rounding noise of the difference quotient "
               "in float64 at this loss.")
    with st.expander(f"All {len(check.table)} parameters"):
        st.dataframe(check.table, hide_index=True, width="stretch", column_config={
            "backprop ∂L/∂θ": NUMBER(format="%.8g"),
            "central difference": NUMBER(format="%.8g"),
            "|difference|": NUMBER(format="%.2e"),
            "relative error": NUMBER(format="%.2e"),
            "agree": st.column_config.CheckboxColumn("agree")})
