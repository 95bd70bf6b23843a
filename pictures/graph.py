"""The network as a Graphviz DOT graph, drawn by the browser (st.graphviz_chart)."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_hex

from formats import number
from pictures.colours import CLASS0_HEX, CLASS1_HEX, FIELD_STRENGTH, INK_HEX, signed_colours

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
MAX_LABELLED_EDGES = 24   # more connections than this: gradients only in tooltips
_ZERO_HEX = "#bdbdbd"     # a connection of weight exactly 0: neither sign


def neuron_name(layer, k, last):
    """x₁ for an input, h⁽ˡ⁾ₖ for a hidden neuron, ŷ for the output unit (k is 0-based)."""
    if layer == 0:
        return "x" + str(k + 1).translate(_SUBSCRIPT)
    if layer == last:
        return "ŷ"
    return f"h⁽{str(layer).translate(_SUPERSCRIPT)}⁾{str(k + 1).translate(_SUBSCRIPT)}"


def _dot_text(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _dot_attributes(**attributes):
    return "[" + ", ".join(f"{key}={value}" for key, value in attributes.items()) + "]"


def _short(value):
    return number(value, digits=3).replace("-", "−")


def network_dot(weights, biases, weight_gradients=None, bias_gradients=None, highlight=None,
                labels=None):
    """The network as Graphviz DOT: neurons left to right, one edge per weight.

    Edge width grows with |w| (relative to the largest) and its colour is w's sign on the
    app's scale (CLASS0_HEX negative, CLASS1_HEX positive). A neuron's fill is its bias on
    the same scale, and its label writes b out. With gradients, each edge's tooltip gives
    w and ∂L/∂w, and when there are at most MAX_LABELLED_EDGES edges (or `labels` is True)
    the edge is labelled with ∂L/∂w. `highlight` = (layer, j, k), layer 1-based, j and k
    0-based, draws that weight bold and always labels it.
    """
    weights = [np.asarray(W, dtype=float) for W in weights]
    biases = [np.asarray(b, dtype=float).reshape(-1) for b in biases]
    last = len(weights)
    sizes = [weights[0].shape[0]] + [W.shape[1] for W in weights]
    if labels is None:
        labels = sum(W.size for W in weights) <= MAX_LABELLED_EDGES
    widest = max(float(np.abs(W).max()) for W in weights) or 1.0
    bias_limit = max(float(np.abs(b).max()) for b in biases)
    lines = ["digraph network {",
             # Straight lines, neurons kept in their order: the classic picture of a network.
             f'  graph [rankdir=LR, ranksep={1.3 if max(sizes) <= 4 else 2.6}, nodesep=0.18, '
             'splines=line, ordering=out, bgcolor="transparent"];',
             '  node [shape=circle, fixedsize=true, width=0.85, style=filled, fontsize=10, '
             f'fontname="Helvetica", color="{INK_HEX}", penwidth=0.8];',
             f'  edge [arrowsize=0.4, fontsize=9, fontname="Helvetica", fontcolor="{INK_HEX}"];']
    for layer, size in enumerate(sizes):
        nodes = []
        for k in range(size):
            name = neuron_name(layer, k, last)
            if layer == 0:
                attributes = {"label": _dot_text(name), "fillcolor": '"#ffffff"',
                              "tooltip": _dot_text(f"input {name}")}
            else:
                b = float(biases[layer - 1][k])
                fill = to_hex(signed_colours(b, bias_limit, FIELD_STRENGTH) / 255.0)
                tip = f"{name}: bias b = {b:.4g}"
                if bias_gradients is not None:
                    tip += f"\n∂L/∂b = {float(bias_gradients[layer - 1][k]):.4g}"
                attributes = {"label": _dot_text(f"{name}\nb={_short(b)}"),
                              "fillcolor": f'"{fill}"', "tooltip": _dot_text(tip)}
            nodes.append(f"n{layer}_{k}")
            lines.append(f"  n{layer}_{k} {_dot_attributes(**attributes)};")
        # Invisible edges inside a rank keep its neurons in order, first on top.
        chain = " -> ".join(nodes) + " [style=invis]; " if len(nodes) > 1 else ""
        lines.append("  { rank=same; " + "; ".join(nodes) + "; " + chain + "}")
    for layer, W in enumerate(weights, 1):
        for j in range(W.shape[0]):
            for k in range(W.shape[1]):
                w = float(W[j, k])
                colour = CLASS1_HEX if w > 0 else CLASS0_HEX if w < 0 else _ZERO_HEX
                chosen = highlight == (layer, j, k)
                tip = f"{neuron_name(layer - 1, j, last)} → {neuron_name(layer, k, last)}\n" \
                      f"w = {w:.4g}"
                attributes = {"color": f'"{colour}"',
                              "penwidth": f"{0.4 + 4.6 * abs(w) / widest:.2f}"}
                if weight_gradients is not None:
                    gradient = float(weight_gradients[layer - 1][j, k])
                    tip += f"\n∂L/∂w = {gradient:.4g}"
                    if chosen:
                        attributes["label"] = _dot_text(f"∂L/∂w={_short(gradient)}")
                        attributes["fontsize"] = "11"
                    elif labels:
                        attributes["label"] = _dot_text(_short(gradient))
                if chosen:
                    attributes["style"] = "bold"
                    attributes["penwidth"] = f"{float(attributes['penwidth']) + 2.0:.2f}"
                attributes["tooltip"] = _dot_text(tip)
                lines.append(f"  n{layer - 1}_{j} -> n{layer}_{k} {_dot_attributes(**attributes)};")
    lines.append("}")
    return "\n".join(lines)
