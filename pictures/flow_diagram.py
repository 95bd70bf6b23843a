"""The network as an Altair chart for the Gradient flow tab: the stage's part lit, the followed
weight in its own colour, every connection clickable.

Neurons are circles (fill: the sign of the bias on the app's scale), connections are lines
(colour: the sign of w, width: |w| against the largest). A stage lights the neurons and the
layers of weights it computes; the rest is drawn faint. The followed weight is FOLLOWED_HEX,
a hue the class scale does not use, and its values are written in the chart's title, so no
label ever lies on another. A wide invisible line under each connection takes the click.
"""

from __future__ import annotations

from functools import lru_cache

import altair as alt
import numpy as np
import pandas as pd
from matplotlib.colors import to_hex

from formats import number
from pictures.colours import CLASS0_HEX, CLASS1_HEX, FIELD_STRENGTH, INK_HEX, signed_colours
from pictures.graph import neuron_name

FOLLOWED_HEX = "#0f8a7e"   # teal: the weight the learner follows
ZERO_HEX = "#bdbdbd"       # a weight of exactly 0: neither sign
FAINT = 0.15               # the opacity of what the stage does not compute
ROW_PX = 58                # vertical room per neuron of the tallest layer
CLICK_WIDTH = 12           # px: the invisible line that takes a click on a connection
SELECTION = "weight"       # the point selection's name; its field is "weight"


def weight_id(layer, j, k):
    """'1,0,2': the selection value of W⁽ˡ⁾[j, k] (layer 1-based, j and k 0-based)."""
    return f"{layer},{j},{k}"


def parse_weight_id(text):
    """(layer, j, k) from weight_id's text; ValueError for anything else."""
    layer, j, k = (int(part) for part in str(text).split(","))
    return layer, j, k


def _positions(sizes):
    """(x, y) of every neuron: a column per layer, each column centred."""
    centre = (max(sizes) - 1) / 2
    return {(layer, k): (float(layer), centre + (size - 1) / 2 - k)
            for layer, size in enumerate(sizes) for k in range(size)}


def frames(weights, biases, lit_neurons=(), lit_weights=(), followed=None):
    """The neurons' and the connections' DataFrames the chart draws."""
    weights = [np.asarray(W, dtype=float) for W in weights]
    biases = [np.asarray(b, dtype=float).reshape(-1) for b in biases]
    sizes = [weights[0].shape[0]] + [W.shape[1] for W in weights]
    last = len(weights)
    where = _positions(sizes)
    bias_limit = max(float(np.abs(b).max()) for b in biases)
    neurons = []
    for (layer, k), (x, y) in where.items():
        if layer == 0:
            fill, tip = "#ffffff", "input"
        else:
            b = float(biases[layer - 1][k])
            fill = to_hex(signed_colours(b, bias_limit, FIELD_STRENGTH) / 255.0)
            tip = f"bias b = {number(b)}"
        neurons.append({"x": x, "y": y, "name": neuron_name(layer, k, last), "fill": fill,
                        "lit": layer in lit_neurons, "about": tip})
    widest = max(float(np.abs(W).max()) for W in weights) or 1.0
    edges = []
    for layer, W in enumerate(weights, 1):
        for j in range(W.shape[0]):
            for k in range(W.shape[1]):
                w = float(W[j, k])
                chosen = followed == (layer, j, k)
                colour = FOLLOWED_HEX if chosen else \
                    CLASS1_HEX if w > 0 else CLASS0_HEX if w < 0 else ZERO_HEX
                (x, y), (x2, y2) = where[(layer - 1, j)], where[(layer, k)]
                edges.append({"x": x, "y": y, "x2": x2, "y2": y2, "colour": colour,
                              "width": 0.8 + 4.2 * abs(w) / widest + (2.5 if chosen else 0),
                              "opacity": 1.0 if chosen or layer in lit_weights else FAINT,
                              "weight": weight_id(layer, j, k),
                              "link": f"{neuron_name(layer - 1, j, last)} → "
                                      f"{neuron_name(layer, k, last)}",
                              "w": number(w), "order": 2 if chosen else 1})
    return pd.DataFrame(neurons), pd.DataFrame(edges).sort_values("order", kind="stable")


def flow_diagram(weights, biases, lit_neurons=(), lit_weights=(), followed=None, title=""):
    """The chart as the dict st.vega_lite_chart takes; `followed` = (layer, j, k) or None.

    The chart's shape depends only on how many layers there are and how tall the tallest is,
    so it is built by Altair once per shape; each call brings its own two DataFrames.
    """
    neurons, edges = frames(weights, biases, lit_neurons, lit_weights, followed)
    spec = dict(_template(int(neurons["x"].max()) + 1, int(neurons.groupby("x").size().max())))
    spec["datasets"] = {"neurons": neurons, "edges": edges}
    if title:
        spec["title"] = {"text": title, "fontSize": 13, "color": FOLLOWED_HEX, "anchor": "start"}
    return spec


@lru_cache(maxsize=32)
def _template(layers_count, tallest):
    """The diagram's Vega-Lite spec for this shape, its data named "neurons" and "edges"."""
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-0.35, layers_count - 0.65]))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[-0.6, tallest - 0.4]))
    pick = alt.selection_point(name=SELECTION, fields=["weight"], on="click", clear=False,
                               empty=False)
    tooltip = [alt.Tooltip("link:N", title="connection"), alt.Tooltip("w:N", title="w")]
    base = alt.Chart(alt.NamedData("edges")).encode(x=x, y=y, x2="x2:Q", y2="y2:Q",
                                                    tooltip=tooltip)
    clicks = base.mark_rule(strokeWidth=CLICK_WIDTH, opacity=0.001, cursor="pointer"
                            ).add_params(pick)
    lines = base.mark_rule().encode(
        color=alt.Color("colour:N", scale=None),
        strokeWidth=alt.StrokeWidth("width:Q", scale=None),
        opacity=alt.Opacity("opacity:Q", scale=None))
    neurons = alt.Chart(alt.NamedData("neurons"))
    dots = neurons.mark_circle(size=800, stroke=INK_HEX, opacity=1).encode(
        x=x, y=y, fill=alt.Fill("fill:N", scale=None),
        strokeWidth=alt.condition("datum.lit", alt.value(3), alt.value(0.8)),
        strokeOpacity=alt.condition("datum.lit", alt.value(1.0), alt.value(0.35)),
        tooltip=[alt.Tooltip("name:N", title="neuron"), alt.Tooltip("about:N", title="")])
    names = neurons.mark_text(fontSize=12, color=INK_HEX).encode(x=x, y=y, text="name:N")
    chart = alt.layer(lines, clicks, dots, names).properties(
        height=max(160, ROW_PX * tallest), width="container").configure_view(stroke=None)
    return chart.to_dict(validate=False)
