"""Tab 2, "The update" and "Gradient check": one step of gradient descent; its gradient checked."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from network import XOR_X, XOR_Y
from tabs import flow_edit, flow_math, flow_tables, runs

STEP = "flow_step"   # the last applied step, kept until the inspected network changes
NUMBER = st.column_config.NumberColumn


@dataclass(frozen=True)
class AppliedStep:
    """One step applied to a copy of the inspected network, with its before/after pictures."""

    context: tuple           # (run id, epoch, edit signature) it belongs to
    loss_before: float
    loss_after: float
    outputs_before: list
    outputs_after: list
    png_before: bytes
    png_after: bytes


def apply_step(run, epoch, edited):
    """One gradient-descent step on a copy of the shown network; the run itself never changes."""
    net = edited.net.copy()
    step = net.step(XOR_X, XOR_Y, run.config.learning_rate)
    with np.errstate(over="ignore", invalid="ignore"):
        outputs_before, outputs_after = edited.net.predict(XOR_X), net.predict(XOR_X)
    before = (flow_edit.stored_boundary_png(run, epoch, edited.net) if not edited.changed
              else flow_edit.edited_boundary_png(run, epoch, edited))
    return AppliedStep((run.id, epoch, edited.signature), step.loss_before, step.loss_after,
                       outputs_before.ravel().tolist(), outputs_after.ravel().tolist(), before,
                       runs.boundary_png(net))


def render_update(run, epoch, edited, inspection):
    st.subheader("The update")
    lr = inspection.step.learning_rate
    st.markdown(
        f"Gradient descent moves every parameter against the **batch** gradient, "
        f"θ ← θ − η·∂L/∂θ, with this run's learning rate η = {lr:g}. The batch gradient is "
        f"the mean of the {len(XOR_X)} examples' gradients, whichever example is selected above.")
    table = inspection.table("update", lambda i: flow_tables.update_table(i.step))
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "before": NUMBER("θ before", format="%.6g"), "∂L/∂θ": NUMBER("∂L/∂θ", format="%.4g"),
        "−η·∂L/∂θ": NUMBER("change −η·∂L/∂θ", format="%.4g"),
        "after": NUMBER("θ after", format="%.6g")})
    if st.button("Apply one step", key="apply_step", type="primary",
                 help="Take one step from the network shown (a copy: the run is not changed)"):
        st.session_state[STEP] = apply_step(run, epoch, edited)
    applied = st.session_state.get(STEP)
    if applied is None or applied.context != (run.id, epoch, edited.signature):
        st.caption("Press **Apply one step** to take this step on a copy and see what it does.")
        return
    change = applied.loss_after - applied.loss_before
    left, right = st.columns(2)
    left.metric("Loss before the step", f"{applied.loss_before:.4g}", border=True)
    right.metric("Loss after the step", f"{applied.loss_after:.4g}", delta=f"{change:+.3g}",
                 delta_color="inverse", border=True)
    moves = ", ".join(f"{flow_math.example_label(x, y[0])}: {a:.4f} → {b:.4f}" for x, y, a, b in
                      zip(XOR_X, XOR_Y, applied.outputs_before, applied.outputs_after))
    st.markdown(f"The loss went {'down' if change < 0 else 'up' if change > 0 else 'nowhere'} "
                f"by {abs(change):.3g}. Outputs: {moves}.")
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
    st.caption("Each gradient is compared with the engine's central difference "
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
