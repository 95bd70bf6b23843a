"""Tab 2, "Gradient flow": every number of one forward pass, backward pass and update."""

from __future__ import annotations

import streamlit as st

from inspection import latex as flow_latex
from inspection import numbers as flow_math
from inspection import tables as flow_tables
from pictures.graph import MAX_LABELLED_EDGES, network_dot
from tabs import documents, drawing, live
from tabs import gradient_flow_edit as flow_edit
from tabs import gradient_flow_update as flow_update

ALL = "all"   # the flow_example option that shows the whole batch; else an example's row in X
RADIO_MAX = 8   # up to this many examples, a radio button each; more: a list and a table
PICKS = "_flow_pick_gen"   # bumped when the list picks, so the table's old selection clears
INSPECTION = "_flow_inspection"   # (key, Inspection) of the last edited network
MAX_ROWS = flow_latex.MAX_ROWS
NUMBER = st.column_config.NumberColumn


def render(request):
    run, config = live.current_run(), request.config
    if run is None:
        st.info("Train a network first (**Train** in the Training tab), then inspect its "
                "gradients here.")
        return
    _about(run, config)
    documents.show(documents.CALCULUS)
    epoch, example, weight = _controls(run)
    original = run.picture(("flow_network", epoch), lambda: _network_at(run, epoch))
    edited = flow_edit.edited_network(run, epoch, original)
    inspection = _inspection(run, epoch, edited)
    _summary(epoch, example, edited, inspection)
    _examples(run, inspection)
    _network(run, inspection, weight)
    _forward(run, inspection, example)
    _backward(run, inspection, example, weight)
    flow_update.render_magnitudes(run, epoch, inspection, edited.changed > 0)
    flow_update.render_update(run, epoch, edited, inspection)
    flow_update.render_check(inspection)
    flow_edit.render(run, epoch, original, edited)


def _about(run, config):
    trained = run.config
    text = (f"Inspecting the run trained with {trained.arch}, {trained.activation} hidden "
            f"units, loss {trained.loss}, {trained.init} initialization, learning rate "
            f"{trained.lr:g}, seed {trained.seed}.")
    if config is not None and not trained.same_run(config):
        text += " The sidebar now holds other settings: press **Train** to inspect those."
    st.caption(text + f" Numbers in the equations are rounded to {flow_latex.DIGITS} significant "
               "digits for display, those in the tables as each column says; the engine "
               "computes in full float64 precision, so a product of rounded factors can "
               "differ from the rounded result in its last digit.")


def epochs_of(run):
    """The epochs one can inspect: every snapshot, and the final weights."""
    return sorted(set(run.snapshot_epochs) | {run.epochs})


def _network_at(run, epoch):
    return run.network_at(epoch) if epoch in run.history.snapshots else run.net.copy()


def _controls(run):
    epochs = epochs_of(run)
    if st.session_state.get("flow_epoch") not in epochs:
        st.session_state["flow_epoch"] = epochs[-1]
    weights = flow_math.weights_only(run.net.layer_sizes)
    if st.session_state.get("flow_weight") not in weights:
        st.session_state["flow_weight"] = weights[0]
    example = st.session_state.get("flow_example")
    if example != ALL and example not in range(run.data.n):
        st.session_state["flow_example"] = ALL
    last = len(run.net.weights)
    epoch_column, example_column, weight_column = st.columns([3, 3, 2])
    epoch = epoch_column.select_slider(
        "Epoch", epochs, key="flow_epoch",
        format_func=lambda e: f"{e:,}" + (" (initial)" if e == 0 else
                                          " (final)" if e == run.epochs else ""),
        help="The recorded snapshots of this run: 0 is the initial network.")
    with example_column:
        example = _example_picker(run)
    weight = weight_column.selectbox(
        "Follow one weight", weights, key="flow_weight",
        format_func=lambda p: f"{p.name}: {p.link(last)}",
        help="Its chain rule is written out in the backward pass; it is drawn bold below.")
    return epoch, example, weight


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
             f"(0 to {n - 1}), or click it in the table of examples below the metrics.")


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

    with st.expander(f"All {n} examples: click a row to inspect it, sort by ℓ to find the "
                     "worst"):
        st.dataframe(inspection.table("examples", lambda i: flow_tables.examples_table(i.batch)),
                     key=key, on_select=pick, selection_mode="single-row", hide_index=False,
                     width="stretch", height=250,
                     column_config={"ŷ": NUMBER(format="%.4f"), "ℓ": NUMBER(format="%.4g")})


def _all_rows(inspection, key, build, what):
    """The full matrices of the batch, folded: one row per example."""
    n = inspection.n
    if n <= MAX_ROWS:
        return
    with st.expander(f"All {n} rows of {what}"):
        table = inspection.table(key, lambda i: build(i.batch))
        st.dataframe(table, hide_index=False, width="stretch", height=250,
                     column_config={column: NUMBER(format="%.4g") for column in table.columns})


def _data(run):
    return run.data.X, run.data.y


def _inspection(run, epoch, edited):
    """The numbers of the shown network: once per run and epoch, or once per edit."""
    def inspect():
        return flow_math.inspect(edited.net, run.config.lr, *_data(run), run.config.batch)

    if not edited.changed:
        return run.picture(("flow", epoch), inspect)
    key = (run.id, epoch, edited.signature)
    cached = st.session_state.get(INSPECTION)
    if cached is None or cached[0] != key:
        cached = st.session_state[INSPECTION] = (key, inspect())
    return cached[1]


def _summary(epoch, example, edited, inspection):
    batch = inspection.batch
    N = batch.n
    penalty = " plus the L2 penalty" if batch.l2 else ""
    columns = st.columns(3)
    columns[0].metric(f"Loss L (all {N} examples)", f"{batch.loss:.4g}", border=True,
                      help=f"The engine's loss of the network shown, the mean of the ℓᵢ{penalty}")
    accuracy = float(((batch.output > 0.5) == (batch.y > 0.5)).mean())
    columns[1].metric("Accuracy", f"{accuracy:.0%}", border=True)
    if example == ALL:
        columns[2].metric("Epoch", f"{epoch:,}", border=True)
    else:
        p = inspection.example(example)
        columns[2].metric(f"ℓ of {flow_math.example_name(example, p.X[0], p.y[0, 0])}",
                          f"{p.terms[0]:.4g}", border=True,
                          help=f"This example's own loss term; L is the mean of the {N}{penalty}")
    if edited.changed:
        st.warning(f"**Edited network:** {edited.changed} parameter"
                   f"{'s' if edited.changed != 1 else ''} changed by hand at epoch {epoch:,} "
                   "(see *Edit a weight* at the bottom, where **Restore** undoes it).")


def _network(run, inspection, weight):
    st.subheader("The network")
    net, batch = inspection.net, inspection.batch
    st.graphviz_chart(network_dot(net.weights, net.biases, batch.dw, batch.db,
                                  highlight=(weight.layer, weight.row, weight.col)))
    labelled = sum(W.size for W in net.weights) <= MAX_LABELLED_EDGES
    gradient = "full-batch gradient" if inspection.mini_batch else "batch gradient"
    st.caption("Line width is |w|, colour its sign; a neuron's fill is the sign of its bias b. "
               + (f"Each connection is labelled with its {gradient} ∂L/∂w. " if labelled else
                  "Hover a connection for w and ∂L/∂w; every value is in the tables below. ")
               + f"The bold connection is {weight.name}, followed below.")
    drawing.show_png(drawing.legend("signed"), 300)


def _forward(run, inspection, example):
    st.subheader("Forward pass")
    activation, loss = run.config.activation, run.config.loss
    net = inspection.net
    hidden, N = flow_latex.ACTIVATION_FORMULAS[activation], inspection.batch.n
    l2 = inspection.batch.l2
    st.markdown(f"Each layer computes z = aW + b, then a = f(z): hidden layers use "
                f"f = {activation}, the output unit the sigmoid σ. The loss is the mean over "
                f"the n = {N} examples of each example's term ℓᵢ "
                + ("(the plain squared error, no ½: so ∂ℓ/∂a = 2(a − y))" if loss == "mse" else
                   "(binary cross-entropy)")
                + (f", plus the L2 penalty (λ/2)ΣW² on every weight, λ = {l2:g}." if l2 else "."))
    st.latex(rf"f(z) = {hidden[0]}, \quad f'(z) = {hidden[1]}, \qquad "
             + flow_latex.loss_formula(loss, l2))
    p = inspection.batch if example == ALL else inspection.example(example)
    if example == ALL:
        folded = (f" ({N} rows; the first {MAX_ROWS} shown, ⋮ stands for the rest, all of them "
                  "are in the table below)") if N > MAX_ROWS else ""
        st.caption(f"All {N} examples at once: each matrix has one row per example{folded}, "
                   "and b is added to every row. Example i is row i of X, from 0.")
    st.latex(flow_latex.inputs(p))
    for layer in range(1, len(net.weights) + 1):
        st.latex(flow_latex.forward_layer(p, net.weights, net.biases, layer, activation))
    if example == ALL:
        st.latex(flow_latex.loss_batch(p, loss))
        _all_rows(inspection, "forward", flow_tables.forward_table, "x, y, z, a and ℓ")
    else:
        st.latex(flow_latex.loss_example(p, loss, inspection.batch))


def _backward(run, inspection, example, weight):
    st.subheader("Backward pass")
    activation, loss = run.config.activation, run.config.loss
    net, n, l2 = inspection.net, inspection.n, inspection.batch.l2
    one = example != ALL
    p = inspection.example(example) if one else inspection.batch
    st.markdown(" ".join(_backward_story(inspection, one)))
    if loss == "bce":
        st.markdown("With cross-entropy and a sigmoid output, σ′ cancels: the output delta is "
                    f"simply (a − y){'' if one else f'/{n}'}, so a confidently wrong output "
                    "still learns fast.")
    st.latex(flow_latex.backward_output(p, net.weights, loss, example=one))
    for layer in range(len(net.weights) - 1, 0, -1):
        st.latex(flow_latex.backward_hidden(p, net.weights, layer, activation, example=one))
    if not one:
        _all_rows(inspection, "backward", lambda batch: flow_tables.backward_table(
            batch, activation), "∂L/∂a, f′(z) and δ")

    st.markdown(f"**One weight, the whole chain: {weight.name}** "
                f"({weight.link(len(net.weights))})")
    args = (net.weights, weight.layer, weight.row, weight.col, loss, activation)
    X, y = _data(run)
    if one:
        st.latex(flow_latex.chain_rule(p, *args))
    else:
        shown = [(i, flow_math.example_label(X[i], y[i, 0]), inspection.example(i))
                 for i in range(min(n, MAX_ROWS))]
        st.latex(flow_latex.chain_average(shown, inspection.batch, *args))
    _average(inspection, example)
    if one and l2:
        st.caption(f"ℓ has no penalty: the (λ/2)ΣW² term of L adds λW = {l2:g}·W to the batch "
                   "gradient once, not per example.")


def _backward_story(inspection, one):
    """What the backward pass computes, for one example or the batch, with this run's n."""
    n, l2, batch = inspection.n, inspection.batch.l2, len(inspection.rows)
    decay = " + (λ/2)ΣW²" if l2 else ""
    if one:
        return [f"The chain rule from this example's own loss ℓ back to the first layer. "
                f"The batch loss is L = (1/{n}) Σ ℓᵢ{decay}, so this example adds "
                f"(1/{n})·∂ℓ/∂θ to the batch gradient; the table at the end of this "
                f"section averages all {n}."]
    story = [f"The chain rule from the batch loss L back to the first layer, exactly as "
             f"the engine computes it: the factor 1/{n} of the mean enters at the output "
             f"delta, and ∂L/∂W = aᵀδ sums over the n = {n} rows (examples)."]
    if l2:
        story.append(f"Weight decay adds λW = {l2:g}·W to every weight gradient (the "
                     "biases have none).")
    if inspection.mini_batch:
        story.append(f"This run trains on mini-batches of {batch}: each update applies the "
                     f"same formulas to {batch} of the rows; *The update* below shows the next "
                     "one.")
    return story


def _average(inspection, example):
    """Each example's gradient beside their mean: the first few, and the one selected."""
    n, l2 = inspection.n, inspection.batch.l2
    indices = list(range(min(n, MAX_ROWS)))
    if example != ALL and example not in indices:
        indices.append(example)
    uses = "what a full-batch update would use" if inspection.mini_batch else \
        "what the update uses"
    text = (f"**From each example's gradient to the batch gradient.** The engine's loss is "
            f"the mean of the {n} examples' terms{' plus the penalty' if l2 else ''}, so its "
            f"gradient is the mean of their gradients{' plus λθ' if l2 else ''}: the last "
            f"column is {uses}.")
    if len(indices) < n:
        text += (f" The table shows {len(indices)} of the {n} examples' columns "
                 f"({', '.join(f'#{i}' for i in indices)}); the mean is over all {n}.")
    st.markdown(text)
    table = inspection.table(("average", *indices),
                             lambda i: flow_tables.average_table(i, indices))
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={column: NUMBER(format="%.4g") for column in table.columns[2:]})
