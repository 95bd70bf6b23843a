"""Tab 2, "Gradient flow": one step of backpropagation, walked stage by stage.

Forward (a layer at a time), the loss, backward (a layer at a time), the update, a gradient
check with a bug one may plant, and the gradients over the run: one stage on screen, the
network beside it with that stage's part lit. Every number is the engine's.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from formats import number
from inspection import latex as flow_latex
from inspection import numbers as flow_math
from inspection import stages as flow_stages
from inspection import tables as flow_tables
from inspection import vanishing
from pictures import flow_diagram
from tabs import documents, live
from tabs import gradient_flow_edit as flow_edit
from tabs import gradient_flow_stages as stage_views
from tabs import gradient_flow_update as flow_update

ALL = "all"   # the flow_example option that shows the whole batch; else an example's row in X
RADIO_MAX = 8   # up to this many examples, a radio button each; more: a list and a table
PICKS = "_flow_pick_gen"   # bumped when the list picks, so the table's old selection clears
INSPECTION = "_flow_inspection"   # (key, Inspection) of the last edited network
SYNCED = "_flow_synced"   # (run id, scrubbed) the epoch picker last followed
STAGE = "flow_stage"      # the stage shown, by its key ("forward 1", "loss", ...)
DIAGRAM = "flow_diagram"  # the diagram's selection: the connection clicked


def render(request):
    run, config = live.current_run(), request.config
    if run is None:
        st.info("Train a network first (**Train** in the Training tab), then walk through one "
                "step of its backpropagation here.")
        return
    _about(run, config)
    epoch, example = _controls(run)
    original = run.picture(("flow_network", epoch), lambda: _network_at(run, epoch))
    edited = flow_edit.edited_network(run, epoch, original)
    inspection = _inspection(run, epoch, edited)
    _summary(run, epoch, example, edited, inspection)
    every = flow_stages.stages(run.net.layer_sizes)
    stage = _stepper(every)
    weight = _followed(run)
    # The stage first: on a phone the columns stack, and Next must show the new stage at once.
    stage_column, diagram_column = st.columns([3, 2], gap="medium")
    with stage_column:
        stage_views.render(stage, run, epoch, example, weight, original, edited, inspection)
    with diagram_column:
        _diagram(inspection, stage, weight)
    _examples(run, inspection)
    editor = flow_update.folded("Edit a weight by hand, and see every stage follow",
                                "flow_fold_edit")
    if editor:
        with editor:
            flow_edit.render(run, epoch, original, edited)
    documents.show(documents.CALCULUS)


def _about(run, config):
    trained = run.config
    text = (f"Inspecting the run trained with {trained.arch}, {trained.activation} hidden "
            f"units, loss {trained.loss}, {trained.init} initialization, learning rate "
            f"{trained.lr:g}, seed {trained.seed}.")
    if config is not None and not trained.same_run(config):
        text += " The sidebar now holds other settings: press **Train** to inspect those."
    st.caption(text + f" Numbers are shown to {flow_latex.DIGITS} significant digits; the "
               "engine computes in full float64, so a product of rounded factors can differ "
               "from the rounded result in its last digit.")


def epochs_of(run):
    """The epochs one can inspect: every snapshot, and the final weights."""
    return sorted(set(run.snapshot_epochs) | {run.epochs})


def _network_at(run, epoch):
    return run.network_at(epoch) if epoch in run.history.snapshots else run.net.copy()


def opening_epoch(run, epochs):
    """Where the picker opens for a run: at the epoch last scrubbed to in the Training tab,
    else at epoch 0; a new scrub moves it again, and the learner's own pick is kept."""
    scrubbed = st.session_state.get(live.SCRUBBED)
    if scrubbed is not None and (scrubbed[0] != run.id or scrubbed[1] not in epochs):
        scrubbed = None
    if st.session_state.get(SYNCED) != (run.id, scrubbed):
        st.session_state[SYNCED] = (run.id, scrubbed)
        st.session_state["flow_epoch"] = epochs[0] if scrubbed is None else scrubbed[1]
    if st.session_state.get("flow_epoch") not in epochs:
        st.session_state["flow_epoch"] = epochs[0]


def _controls(run):
    epochs = epochs_of(run)
    opening_epoch(run, epochs)
    example = st.session_state.get("flow_example")
    if example != ALL and example not in range(run.data.n):
        st.session_state["flow_example"] = ALL
    epoch_column, example_column = st.columns([1, 1])
    epoch = epoch_column.select_slider(
        "Epoch", epochs, key="flow_epoch",
        format_func=lambda e: f"{e:,}" + (" (initial)" if e == 0 else
                                          " (final)" if e == run.epochs else ""),
        help="The recorded snapshots of this run: 0 is the initial network. The tab opens "
             "at 0, or at the epoch scrubbed to in the Training tab.")
    with example_column:
        example = _example_picker(run)
    return epoch, example


def _example_picker(run):
    """ALL or an example's row in X: a radio button each for a few, else a list to type into."""
    X, y, n = run.data.X, run.data.y, run.data.n
    options = (ALL, *range(n))
    if n <= RADIO_MAX:
        return st.radio("Example", options, key="flow_example", horizontal=True,
                        format_func=lambda i: f"all {n} (batch)" if i == ALL else
                        flow_math.example_label(X[i], y[i, 0]))
    return st.selectbox(
        "Example", options, key="flow_example", on_change=_clear_table_pick,
        format_func=lambda i: f"all {n} (batch)" if i == ALL else
        flow_math.example_name(i, X[i], y[i, 0]),
        help=f"The whole batch, or one example by its row in X: type # and its number "
             f"(0 to {n - 1}), or click it in the table of examples at the bottom.")


def _clear_table_pick():
    st.session_state[PICKS] = st.session_state.get(PICKS, 0) + 1


def _examples(run, inspection):
    """Every example in a table; clicking a row inspects that example."""
    n = inspection.n
    if n <= RADIO_MAX:
        return
    key = f"flow_pick_{run.id}_{st.session_state.get(PICKS, 0)}"

    def pick():
        picked = st.session_state[key].selection.rows
        if picked:
            st.session_state["flow_example"] = int(picked[0])

    shown = flow_update.folded(f"All {n} examples: click a row to inspect it, sort by ℓ to find "
                               "the worst", "flow_fold_examples")
    if shown:
        shown.dataframe(inspection.table("examples", lambda i: flow_update.styled(
            flow_tables.examples_table(i.batch))), key=key, on_select=pick,
            selection_mode="single-row", hide_index=False, width="stretch",
            height=flow_update.table_height(n))


def _inspection(run, epoch, edited):
    """The numbers of the shown network: once per run and epoch, or once per edit."""
    def inspect():
        return flow_math.inspect(edited.net, run.config.lr, run.data.X, run.data.y,
                                 run.config.batch)

    if not edited.changed:
        return run.picture(("flow", epoch), inspect)
    key = (run.id, epoch, edited.signature)
    cached = st.session_state.get(INSPECTION)
    if cached is None or cached[0] != key:
        cached = st.session_state[INSPECTION] = (key, inspect())
    return cached[1]


def _summary(run, epoch, example, edited, inspection):
    """The loss and accuracy of the network shown, and how big its gradient is at this epoch."""
    batch = inspection.batch
    accuracy = float(((batch.output > 0.5) == (batch.y > 0.5)).mean())
    said = [f"At epoch {epoch:,}: loss L = {number(batch.loss)} on all {batch.n} examples, "
            f"accuracy {accuracy:.0%}."]
    row = np.flatnonzero(run.history.epochs == epoch)
    if not edited.changed and row.size and np.isfinite(run.history.grad_norms[row[0]]).all():
        said.append(vanishing.size_sentence(run.history, int(row[0])))
    st.markdown(" ".join(said))
    if edited.changed:
        st.warning(f"**Edited network:** {edited.changed} parameter"
                   f"{'s' if edited.changed != 1 else ''} changed by hand at epoch {epoch:,} "
                   "(see *Edit a weight by hand* at the bottom, where **Restore** undoes it).")


def _stepper(every):
    """Previous, the stage picker and Next; the stage shown."""
    keys = [stage.key for stage in every]
    if st.session_state.get(STAGE) not in keys:
        st.session_state[STAGE] = keys[0]
    at = keys.index(st.session_state[STAGE])
    titles = {stage.key: f"{i + 1} of {len(every)}: {stage.title}"
              for i, stage in enumerate(every)}
    back, pick, forward = st.columns([1, 5, 1], vertical_alignment="bottom")
    back.button("← Previous", key="flow_prev", on_click=_move, args=(keys, -1),
                disabled=at == 0, width="stretch")
    pick.selectbox("Stage", keys, key=STAGE, format_func=titles.get)
    forward.button("Next →", key="flow_next", on_click=_move, args=(keys, 1),
                   disabled=at == len(keys) - 1, width="stretch", type="primary")
    return every[keys.index(st.session_state[STAGE])]


def _move(keys, by):
    at = keys.index(st.session_state[STAGE]) if st.session_state.get(STAGE) in keys else 0
    st.session_state[STAGE] = keys[min(max(at + by, 0), len(keys) - 1)]


def _followed(run):
    """The weight followed: picked in its list, on the diagram or in a stage's table."""
    weights = flow_math.weights_only(run.net.layer_sizes)
    if st.session_state.get("flow_weight") not in weights:
        st.session_state["flow_weight"] = weights[0]
    return st.session_state["flow_weight"]


def follow_clicked():
    """The diagram's callback: follow the connection just clicked."""
    event = st.session_state.get(DIAGRAM)
    picked = (event.selection.get(flow_diagram.SELECTION) or []) if event else []
    if not picked:
        return
    try:
        layer, j, k = flow_diagram.parse_weight_id(picked[0]["weight"])
    except (KeyError, TypeError, ValueError):
        return
    st.session_state["flow_weight"] = flow_math.Parameter(layer, k, j)


def _diagram(inspection, stage, weight):
    net, batch = inspection.net, inspection.batch
    last = len(net.weights)
    followed = (weight.layer, weight.row, weight.col)
    title = (f"{weight.name} ({weight.link(last)}): w = {number(weight.of(net.weights, []))}, "
             f"∂L/∂w = {number(weight.of(batch.dw, []))}")
    st.vega_lite_chart(flow_diagram.flow_diagram(net.weights, net.biases, stage.neurons,
                                                 stage.weights, followed, title),
                       key=DIAGRAM, on_select=follow_clicked,
                       selection_mode=[flow_diagram.SELECTION], width="stretch")
    weights = flow_math.weights_only(net.layer_sizes)
    st.selectbox("Follow one weight (or click a connection)", weights, key="flow_weight",
                 format_func=lambda p: f"{p.name}: {p.link(last)}",
                 help="Its chain rule is written out, factor by factor, at the backward "
                      "stage of its layer; it is drawn in teal.")
    st.caption("Lit: what this stage computes. Line colour is the sign of w (orange "
               "negative, purple positive), width |w|; a neuron's fill is the sign of its bias. "
               "Teal: the weight you follow.")
