"""Tab 2's stages of the forward and backward pass: one layer's equation with the engine's
numbers, the full matrices folded; each stage after the backward pass is in
gradient_flow_update."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from formats import number
from inspection import latex as flow_latex
from inspection import numbers as flow_math
from inspection import tables as flow_tables
from tabs import gradient_flow_update as flow_update

ALL = "all"
MAX_ROWS = flow_latex.MAX_ROWS
INLINE_ROWS = 8   # a layer with more weights than this folds its table (it shows every row)


def render(stage, run, epoch, example, weight, original, edited, inspection):
    st.markdown(f"#### {stage.title}")
    if stage.kind == "forward":
        _forward(run, inspection, example, stage.layer)
    elif stage.kind == "loss":
        _loss(run, inspection, example)
    elif stage.kind == "backward":
        _backward(run, inspection, example, weight, stage.layer)
    elif stage.kind == "update":
        flow_update.render_update(run, epoch, original, edited, inspection)
    elif stage.kind == "check":
        flow_update.render_check(inspection)
    else:
        flow_update.render_run(run, epoch, inspection, edited.changed > 0)


def _pass(inspection, example):
    return inspection.batch if example == ALL else inspection.example(example)


def _folded(inspection, what, key, build):
    """The full matrices of the batch, one row per example, when the equation leaves rows out."""
    if inspection.n <= MAX_ROWS:
        return
    shown = flow_update.folded(f"All {inspection.n} rows of {what}", key)
    if shown:
        shown.dataframe(build(), hide_index=False, width="stretch",
                        height=flow_update.table_height(inspection.n))


def _forward(run, inspection, example, layer):
    activation, net = run.config.activation, inspection.net
    last = len(net.weights)
    f = "sigmoid" if layer == last else activation
    p = _pass(inspection, example)
    formula = flow_latex.ACTIVATION_FORMULAS[f]
    st.markdown(f"Each neuron of layer {layer} adds up its inputs, each times its weight, and "
                f"its bias: z = aW + b, one column per neuron. Then a = f(z), with f = {f}"
                + (" (the output unit is always a sigmoid, so ŷ lies between 0 and 1)."
                   if layer == last else "."))
    if layer == 1:
        st.latex(flow_latex.inputs(p))
    st.latex(rf"f(z) = {formula[0]}")
    if example == ALL and p.n > 1:
        st.caption(f"All {p.n} examples at once: each matrix has one row per example"
                   + (f" (the first {MAX_ROWS} written out, ⋮ for the rest)" if p.n > MAX_ROWS
                      else "") + ", and b is added to every row.")
    st.latex(flow_latex.forward_layer(p, net.weights, net.biases, layer, activation))
    tag = flow_math.tag(layer)
    _folded(inspection, f"z{tag} and a{tag}", f"flow_fold_forward_{layer}",
            lambda: flow_update.styled(inspection.table(("forward", layer), lambda i: _columns(
                flow_tables.forward_table(i.batch), tag))))


def _columns(table, tag):
    return table[[column for column in table.columns if tag in column]]


def _loss(run, inspection, example):
    loss, batch = run.config.loss, inspection.batch
    p = _pass(inspection, example)
    st.markdown(f"The loss L is the mean over the n = {batch.n} examples of each one's term ℓᵢ "
                + ("(the plain squared error, no ½: so ∂ℓ/∂a = 2(a − y))" if loss == "mse" else
                   "(binary cross-entropy)")
                + (f", plus the L2 penalty (λ/2)ΣW² on every weight, λ = {batch.l2:g}."
                   if batch.l2 else ".") + " The backward pass differentiates exactly this.")
    st.latex(flow_latex.loss_formula(loss, batch.l2))
    if example == ALL:
        st.latex(flow_latex.loss_batch(p, loss))
    else:
        st.latex(flow_latex.loss_example(p, loss, batch))


def _backward(run, inspection, example, weight, layer):
    activation, loss = run.config.activation, run.config.loss
    net, n = inspection.net, inspection.n
    last = len(net.weights)
    one = example != ALL
    p = _pass(inspection, example)
    if layer == last:
        st.markdown(" ".join(_story(inspection, one)))
        if loss == "bce":
            st.markdown("With cross-entropy and a sigmoid output, σ′ cancels: the output delta "
                        f"is simply (a − y){'' if one else f'/{n}'}, so a confidently wrong "
                        "output still learns fast.")
        st.latex(flow_latex.backward_output(p, net.weights, loss, example=one))
    else:
        st.markdown(f"Layer {layer}'s δ is the δ of the layer above sent back through its "
                    f"weights, times the slope f′(z) of this layer's {activation} units.")
        st.latex(flow_latex.backward_hidden(p, net.weights, layer, activation, example=one))
    if not one:
        tag = flow_math.tag(layer)
        _folded(inspection, f"∂L/∂a{tag}, f′(z{tag}) and δ{tag}", f"flow_fold_backward_{layer}",
                lambda: flow_update.styled(
            inspection.table(("backward", layer), lambda i: _columns(
                flow_tables.backward_table(i.batch, activation), tag))))
    _weights_table(run, inspection, layer)
    if weight.layer == layer:
        _chain(run, inspection, example, weight)
    else:
        st.caption(f"The weight you follow, {weight.name}, is in layer {weight.layer}: its chain "
                   f"rule is at *Backward, layer {weight.layer}*. Click a row above or a "
                   "connection to follow one of this layer's.")


def _story(inspection, one):
    """What the backward pass computes, for one example or the batch, with this run's n."""
    n, l2, batch = inspection.n, inspection.batch.l2, len(inspection.rows)
    decay = " + (λ/2)ΣW²" if l2 else ""
    if one:
        return [f"The chain rule from this example's own loss ℓ back, one layer at a time. "
                f"The batch loss is L = (1/{n}) Σ ℓᵢ{decay}, so this example adds "
                f"(1/{n})·∂ℓ/∂θ to the batch gradient."]
    story = [f"The chain rule from the batch loss L back, one layer at a time, exactly as the "
             f"engine computes it: the factor 1/{n} of the mean enters at the output delta, "
             f"and ∂L/∂W = aᵀδ sums over the n = {n} rows (examples)."]
    if l2:
        story.append(f"Weight decay adds λW = {l2:g}·W to every weight gradient (the biases "
                     "have none).")
    if inspection.mini_batch:
        story.append(f"This run trains on mini-batches of {batch}: each update applies the "
                     f"same formulas to {batch} of the rows (see the *Update* stage).")
    return story


def _weights_table(run, inspection, layer):
    """This layer's weights and their gradients; clicking a row follows that weight."""
    net, batch = inspection.net, inspection.batch
    last = len(net.weights)
    rows = [p for p in flow_math.weights_only(net.layer_sizes) if p.layer == layer]
    frame = inspection.table(("weights", layer), lambda i: flow_update.styled(_weights_frame(
        rows, net, batch, last)))
    key = f"flow_rows_{run.id}_{layer}"

    def follow():
        picked = st.session_state[key].selection.rows
        if picked:
            st.session_state["flow_weight"] = rows[int(picked[0])]

    shown = st.container() if len(rows) <= INLINE_ROWS else flow_update.folded(
        f"Layer {layer}'s {len(rows)} weights and their gradients: click a row to follow one",
        f"flow_fold_weights_{layer}")
    if shown:
        shown.dataframe(frame, key=key, on_select=follow, selection_mode="single-row",
                        hide_index=True, width="stretch",
                        height=flow_update.table_height(len(rows)))


def _weights_frame(rows, net, batch, last):
    return pd.DataFrame({"weight": [p.name for p in rows],
                         "connection": [p.link(last) for p in rows],
                         "w": [p.of(net.weights, []) for p in rows],
                         "∂L/∂w": [p.of(batch.dw, []) for p in rows]})


def _chain(run, inspection, example, weight):
    activation, loss = run.config.activation, run.config.loss
    net, n = inspection.net, inspection.n
    one = example != ALL
    st.markdown(f"**The weight you follow, {weight.name} ({weight.link(len(net.weights))}), "
                "factor by factor:**")
    args = (net.weights, weight.layer, weight.row, weight.col, loss, activation)
    X, y = run.data.X, run.data.y
    if one:
        st.latex(flow_latex.chain_rule(inspection.example(example), *args))
    else:
        shown = [(i, flow_math.example_label(X[i], y[i, 0]), inspection.example(i))
                 for i in range(min(n, MAX_ROWS))]
        st.latex(flow_latex.chain_average(shown, inspection.batch, *args))
    indices = list(range(min(n, MAX_ROWS)))
    if one and example not in indices:
        indices.append(example)
    shown = flow_update.folded("From each example's gradient to the batch gradient, every "
                               "parameter", "flow_fold_average")
    if shown:
        shown.caption(f"The loss is the mean of the {n} examples' terms, so its gradient is "
                      f"the mean of their gradients{' plus λθ' if inspection.batch.l2 else ''}."
                      + (f" Shown: {len(indices)} of the {n} examples' columns; the mean is "
                         f"over all {n}." if len(indices) < n else ""))
        table = inspection.table(("average", *indices),
                                 lambda i: flow_tables.average_table(i, indices))
        shown.dataframe(flow_update.styled(table), hide_index=True, width="stretch",
                        height=flow_update.table_height(len(table)))
    if one and inspection.batch.l2:
        st.caption(f"ℓ has no penalty: the (λ/2)ΣW² term of L adds λW = "
                   f"{number(inspection.batch.l2)}·W to the batch gradient once, not per "
                   "example.")

