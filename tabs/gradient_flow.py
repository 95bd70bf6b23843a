"""Tab 2, "Gradient flow": every number of one forward pass, backward pass and update."""

from __future__ import annotations

import numpy as np
import streamlit as st

from network import ACTIVATIONS, LOSSES, XOR_X, XOR_Y
from plots import MAX_LABELLED_EDGES, network_dot
from tabs import charts, documents, flow_edit, flow_latex, flow_math, flow_tables, flow_update, runs

ALL = "all"   # the flow_example option that shows the whole batch
N = len(XOR_X)
INSPECTION = "_flow_inspection"   # (key, Inspection) of the last edited network
NUMBER = st.column_config.NumberColumn


def render(run, config):
    if run is None:
        st.info("Train a network first (sidebar), then inspect its gradients here.")
        return
    _about(run, config)
    documents.show(documents.CALCULUS)
    epoch, example, weight = _controls(run)
    original = run.picture(("flow_network", epoch), lambda: _network_at(run, epoch))
    edited = flow_edit.edited_network(run, epoch, original)
    inspection = _inspection(run, epoch, edited)
    _summary(epoch, example, edited, inspection)
    _network(run, inspection, weight)
    _forward(run, inspection, example)
    _backward(run, inspection, example, weight)
    _magnitudes(run, epoch, inspection, edited.changed > 0)
    flow_update.render_update(run, epoch, edited, inspection)
    flow_update.render_check(inspection)
    flow_edit.render(run, epoch, original, edited)


def _about(run, config):
    trained = run.config
    text = (f"Inspecting the run trained with {trained.arch}, {trained.activation} hidden "
            f"units, loss {trained.loss}, {trained.init} initialization, learning rate "
            f"{trained.learning_rate:g}, seed {trained.seed}.")
    if config is not None and not trained.same_network(config):
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
    last = len(run.net.weights)
    epoch_column, example_column, weight_column = st.columns([3, 3, 2])
    epoch = epoch_column.select_slider(
        "Epoch", epochs, key="flow_epoch",
        format_func=lambda e: f"{e:,}" + (" (initial)" if e == 0 else
                                          " (final)" if e == run.epochs else ""),
        help="The recorded snapshots of this run: 0 is the initial network.")
    example = example_column.radio(
        "Example", (ALL, *range(N)), key="flow_example", horizontal=True,
        format_func=lambda i: f"all {N} (batch)" if i == ALL else
        flow_math.example_label(XOR_X[i], XOR_Y[i, 0]))
    weight = weight_column.selectbox(
        "Follow one weight", weights, key="flow_weight",
        format_func=lambda p: f"{p.name}: {p.link(last)}",
        help="Its chain rule is written out in the backward pass; it is drawn bold below.")
    return epoch, example, weight


def _inspection(run, epoch, edited):
    """The numbers of the shown network: once per run and epoch, or once per edit."""
    lr = run.config.learning_rate
    if not edited.changed:
        return run.picture(("flow", epoch), lambda: flow_math.inspect(edited.net, lr))
    key = (run.id, epoch, edited.signature)
    cached = st.session_state.get(INSPECTION)
    if cached is None or cached[0] != key:
        cached = st.session_state[INSPECTION] = (key, flow_math.inspect(edited.net, lr))
    return cached[1]


def _summary(epoch, example, edited, inspection):
    batch = inspection.batch
    columns = st.columns(3)
    columns[0].metric(f"Loss L (all {N} examples)", f"{batch.loss:.4g}", border=True,
                      help="The engine's loss of the network shown, the mean of the ℓᵢ")
    accuracy = float(((batch.output > 0.5) == (batch.y > 0.5)).mean())
    columns[1].metric("Accuracy", f"{accuracy:.0%}", border=True)
    if example == ALL:
        columns[2].metric("Epoch", f"{epoch:,}", border=True)
    else:
        p = inspection.examples[example]
        columns[2].metric(f"ℓ of {flow_math.example_label(p.X[0], p.y[0, 0])}",
                          f"{p.terms[0]:.4g}", border=True,
                          help=f"This example's own loss term; L is the mean of the {N}")
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
    st.caption("Line width is |w|, colour its sign; a neuron's fill is the sign of its bias b. "
               + ("Each connection is labelled with its batch gradient ∂L/∂w. " if labelled else
                  "Hover a connection for w and ∂L/∂w; every value is in the tables below. ")
               + f"The bold connection is {weight.name}, followed below.")
    st.image(runs.legend("signed"), width=300, output_format="PNG")


def _forward(run, inspection, example):
    st.subheader("Forward pass")
    activation, loss = run.config.activation, run.config.loss
    net = inspection.net
    hidden = ACTIVATIONS[activation]
    st.markdown(f"Each layer computes z = aW + b, then a = f(z): hidden layers use "
                f"f = {activation}, the output unit the sigmoid σ. The loss is the mean over "
                f"the n = {N} examples of each example's term ℓᵢ "
                + ("(the plain squared error, no ½: so ∂ℓ/∂a = 2(a − y))." if loss == "mse" else
                   "(binary cross-entropy)."))
    st.latex(rf"f(z) = {hidden.formula}, \quad f'(z) = {hidden.prime_formula}, \qquad "
             + LOSSES[loss].formula)
    p = inspection.batch if example == ALL else inspection.examples[example]
    if example == ALL:
        st.caption(f"All {N} examples at once: each matrix has one row per example, and b is "
                   "added to every row.")
    st.latex(flow_latex.inputs(p))
    for layer in range(1, len(net.weights) + 1):
        st.latex(flow_latex.forward_layer(p, net.weights, net.biases, layer, activation))
    if example == ALL:
        st.latex(flow_latex.loss_batch(p, loss))
    else:
        st.latex(flow_latex.loss_example(p, loss, N, inspection.batch.loss))


def _backward(run, inspection, example, weight):
    st.subheader("Backward pass")
    activation, loss = run.config.activation, run.config.loss
    net, n = inspection.net, N
    one = example != ALL
    p = inspection.examples[example] if one else inspection.batch
    if one:
        st.markdown(f"The chain rule from this example's own loss ℓ back to the first layer. "
                    f"The batch loss is L = (1/{n}) Σ ℓᵢ, so this example adds "
                    f"(1/{n})·∂ℓ/∂θ to the batch gradient; the table at the end of this "
                    f"section averages all {n}.")
    else:
        st.markdown(f"The chain rule from the batch loss L back to the first layer, exactly as "
                    f"the engine computes it: the factor 1/{n} of the mean enters at the output "
                    f"delta, and ∂L/∂W = aᵀδ sums over the {n} rows (examples).")
    if loss == "bce":
        st.markdown("With cross-entropy and a sigmoid output, σ′ cancels: the output delta is "
                    f"simply (a − y){'' if one else f'/{n}'}, so a confidently wrong output "
                    "still learns fast.")
    st.latex(flow_latex.backward_output(p, loss, example=one))
    for layer in range(len(net.weights) - 1, 0, -1):
        st.latex(flow_latex.backward_hidden(p, net.weights, layer, activation, example=one))

    st.markdown(f"**One weight, the whole chain: {weight.name}** "
                f"({weight.link(len(net.weights))})")
    args = (net.weights, weight.layer, weight.row, weight.col, loss, activation)
    if one:
        st.latex(flow_latex.chain_rule(p, *args))
    else:
        labels = [flow_math.example_label(x, y[0]) for x, y in zip(XOR_X, XOR_Y)]
        st.latex(flow_latex.chain_average(inspection.examples, inspection.batch, *args, labels))

    st.markdown(f"**From each example's gradient to the batch gradient.** The engine's loss is "
                f"the mean of the {n} examples' terms, so its gradient is the mean of their "
                "gradients: this last column is what the update uses.")
    table = inspection.table("average", flow_tables.average_table)
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={column: NUMBER(format="%.4g") for column in table.columns[2:]})


def _magnitudes(run, epoch, inspection, edited):
    st.subheader("Gradient magnitudes")
    table = inspection.table("magnitudes", lambda i: flow_tables.magnitude_table(
        i.batch, i.net.activation))
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "mean |∂L/∂W|": NUMBER(format="%.3e"), "max |∂L/∂W|": NUMBER(format="%.3e"),
        "‖∂L/∂(W, b)‖": NUMBER(format="%.3e"), "mean f′(z)": NUMBER(format="%.3g")})
    norms = flow_tables.layer_norms(inspection.batch)
    layers = len(norms)
    st.vega_lite_chart(run.picture("flow_norms", lambda: charts.grad_norm_frame(run.history)),
                       charts.grad_norm_chart(layers, marked_epoch=epoch), width="stretch")
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
