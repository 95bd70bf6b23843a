"""Tab 2, "Edit a weight": a layer's W and b in a data editor; edits live in the session only."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from formats import number
from inspection import numbers as flow_math
from network import MLP
from tabs import drawing

EDITS = "flow_edits"              # {(run id, epoch): (weights, biases)} as edited
GENERATION = "flow_edit_gen"      # bumped by Restore, so the editor starts afresh
PICTURE = "_flow_edit_picture"    # (run id, epoch, signature, PNG) of the last edited network


@dataclass(frozen=True)
class Edited:
    """The network the tab shows: a snapshot, possibly with the learner's edits."""

    net: MLP
    changed: int                   # parameters that differ from the snapshot
    problems: tuple[str, ...]      # bad cells, ignored

    @property
    def signature(self):
        return flow_math.signature(self.net.weights, self.net.biases) if self.changed else None


def layer_of_editor(run):
    """The layer the editor shows (1-based), valid for this run."""
    layers = len(run.net.weights)
    if st.session_state.get("flow_layer") not in range(1, layers + 1):
        st.session_state["flow_layer"] = 1
    return st.session_state["flow_layer"]


def editor_key(run, epoch, layer):
    return f"flow_edit_{run.id}_{epoch}_{layer}_{st.session_state.get(GENERATION, 0)}"


def edited_network(run, epoch, original):
    """`original` with the edits kept for (run, epoch) and those just typed into the editor."""
    store = st.session_state.setdefault(EDITS, {})
    for key in [key for key in store if key[0] != run.id]:
        del store[key]
    weights, biases = store.get((run.id, epoch), (original.weights, original.biases))
    layer = layer_of_editor(run)
    state = st.session_state.get(editor_key(run, epoch, layer)) or {}
    problems = []
    if state.get("edited_rows"):
        weights, biases, problems = flow_math.apply_cell_edits(
            weights, biases, layer, state["edited_rows"], len(weights))
    changed = flow_math.changed_parameters(weights, biases, original.weights, original.biases)
    if not changed:
        store.pop((run.id, epoch), None)
        return Edited(original, 0, tuple(problems))
    store[(run.id, epoch)] = (weights, biases)
    net = original.copy()
    net.set_parameters(weights, biases, epoch)
    return Edited(net, changed, tuple(problems))


def _restore(run_id, epoch):
    st.session_state.setdefault(EDITS, {}).pop((run_id, epoch), None)
    st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1


def stored_boundary_png(run, epoch, net):
    """The stored network's boundary at `epoch`: the Training tab's frame, or drawn once."""
    if epoch in run.history.snapshots:
        return drawing.frame(run, epoch)
    return run.picture(("flow_boundary", epoch), lambda: drawing.boundary_png(run, net))


def edited_boundary_png(run, epoch, edited):
    """The edited network's boundary, drawn when the edit changes and reused until then."""
    key = (run.id, epoch, edited.signature)
    cached = st.session_state.get(PICTURE)
    if cached is None or cached[0] != key:
        cached = st.session_state[PICTURE] = (key, drawing.boundary_png(run, edited.net))
    return cached[1]


def _layer_label(layer, last):
    into = "the output ŷ" if layer == last else f"hidden layer {layer}"
    return f"layer {layer}: W{flow_math.tag(layer)} and b{flow_math.tag(layer)}, into {into}"


def render(run, epoch, original, edited):
    st.subheader("Edit a weight")
    last = len(original.weights)
    st.markdown("Type a new value into any cell: the forward pass, the loss, the gradients and "
                "the pictures above follow at once. Edits are kept for this run and epoch "
                "only; the trained run and its snapshots never change. **Restore** puts the "
                f"trained values back. Values must be numbers between −{flow_math.MAX_EDIT:g} "
                f"and {flow_math.MAX_EDIT:g}.")
    layer = st.selectbox("Layer", range(1, last + 1), key="flow_layer",
                         format_func=lambda layer: _layer_label(layer, last))
    frame = flow_math.layer_frame(edited.net.weights, edited.net.biases, layer, last)
    numbers = {column: st.column_config.NumberColumn(column, format="%.6g")
               for column in frame.columns[1:]}
    st.data_editor(frame, key=editor_key(run, epoch, layer), hide_index=True, num_rows="fixed",
                   disabled=["parameter"], column_config={
                       "parameter": st.column_config.TextColumn(
                           "row", help="a row of W per input neuron, then the biases"),
                       **numbers})
    tag = flow_math.tag(layer)
    st.caption(f"Each row holds one neuron's outgoing weights (a row of W{tag}), the last row "
               f"the biases b{tag}; each column is one neuron it feeds.")
    for problem in edited.problems:
        st.warning(problem)
    st.button("Restore", key="flow_restore", on_click=_restore, args=(run.id, epoch),
              disabled=not (edited.changed or edited.problems),
              help="Put back the trained values for this epoch and clear the table's edits")
    if not edited.changed:
        return
    changed = f"{edited.changed} parameter{'s' if edited.changed != 1 else ''}"
    before, after = st.columns(2)
    before.image(stored_boundary_png(run, epoch, original), output_format="PNG",
                 caption=f"As trained, epoch {epoch:,}: loss "
                         f"{number(original.loss(run.data.X, run.data.y))}")
    after.image(edited_boundary_png(run, epoch, edited), output_format="PNG",
                caption=f"Edited ({changed} changed): loss "
                        f"{number(edited.net.loss(run.data.X, run.data.y))}")
