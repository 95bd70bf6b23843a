"""Altair charts from recorded arrays: small specs drawn by the browser, readable on a projector.

Every chart carries its one DataFrame at its top level (the marked-epoch rules bring their own
one-row data), so Streamlit sends that frame as Arrow whichever way the chart is shown:
`st.altair_chart(chart)`, or `st.vega_lite_chart(spec(chart))`, which skips Altair's schema
check (see bench/charts.py for what each costs).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import altair as alt
import numpy as np
import pandas as pd

from pictures.colours import CLASS0_HEX, CLASS1_HEX, INK_HEX, MIDDLE_HEX

MAX_POINTS = 400   # a line of 50,000 epochs is thinned to this many points; the last is kept
MAX_LABELLED_POINTS = 12   # more markers than this: inputs only in tooltips


def thinned(epochs):
    """Indices of at most MAX_POINTS rows, evenly spread, always including the first and last."""
    if len(epochs) <= MAX_POINTS:
        return np.arange(len(epochs))
    return np.unique(np.linspace(0, len(epochs) - 1, MAX_POINTS).round().astype(int))


TRAINING_HEX = INK_HEX     # the training set's curves: ink, like the outlines
TEST_HEX = "#5b7fa6"       # the test set's: slate blue, a hue the class scale does not use
SETS = ("training", "test")
GRID_HEX = "#d9d9d9"       # grid lines only; every label and tick is ink
LABEL_PX = 14              # tick labels, legend entries, point labels: legible from the back row
TITLE_PX = 15
# Tick numbers are written as formats.number writes them: 0.25, 0.001, 1200 as they are;
# outside [0.001, 10,000) as 1e+6, 1.2e-6 (never 0.000001234, and no SI suffix: "5m" would
# read as five million or metres).
SHORT_NUMBER = ("abs(datum.value) >= 10000 || (datum.value != 0 && abs(datum.value) < 0.001)"
                " ? format(datum.value, '.3~e') : format(datum.value, '.4~g')")
# Epochs as 400, 2.5k, 50k, 1.2M: d3's "~s" gives every tick the largest tick's prefix ("0.4k").
EPOCH_LABEL = ("datum.value >= 1e6 ? format(datum.value / 1e6, '~g') + 'M' : datum.value >= 1000"
               " ? format(datum.value / 1000, '~g') + 'k' : format(datum.value, '~g')")
X_TICKS = 8                # about this many ticks across: 14 px numbers need the room
LOSS_SHARE = 0.6           # of loss_chart's height, the loss panel's; accuracy gets the rest
LOG_WANTED = 1000.0        # wants_log: the training loss spans at least this factor
# On a log scale losses below this are drawn at it: float64 rounding leaves ~1e-16 on a loss of
# order 1 anyway, and an exact 0 would otherwise have no place (or stretch the axis 300 decades).
LOG_FLOOR = 1e-12


# The look, once, in every chart's config: ink text at projector size (an encoding's own axis
# or legend says only what differs: its title, format, ticks).
LOOK = {
    "axis": {"labelFontSize": LABEL_PX, "labelColor": INK_HEX, "titleFontSize": TITLE_PX,
             "titleColor": INK_HEX, "tickColor": INK_HEX, "domainColor": INK_HEX,
             "gridColor": GRID_HEX},
    "legend": {"orient": "top", "labelFontSize": LABEL_PX, "labelColor": INK_HEX,
               "titleFontSize": TITLE_PX, "titleColor": INK_HEX},
}
LEGEND = alt.Legend(title=None)


def log_y(field, title, values):
    """A log-scale y encoding from the decade below `values` (positive) to the one above, its
    ticks at powers of ten (every few when there are many), or at 1, 2, 5 times them when the
    values span two decades or less: Vega's own log ticks label 0.07, 0.008, 9e-4."""
    decades = log_decades(values)
    if decades is None:
        scale, ticks = alt.Scale(type="log"), alt.Undefined
    else:
        first, last = decades
        if last - first <= 2:
            ticks = [m * 10.0 ** e for e in range(first, last) for m in (1, 2, 5)]
            ticks.append(10.0 ** last)
        else:
            step = -(-(last - first) // 6)
            last = first + step * -(-(last - first) // step)   # the top is a tick too
            ticks = [10.0 ** e for e in range(first, last + 1, step)]
        scale = alt.Scale(type="log", domain=[10.0 ** first, 10.0 ** last], nice=False)
    return alt.Y(field=field, type="quantitative", scale=scale,
                 axis=alt.Axis(title=title, labelExpr=SHORT_NUMBER, values=ticks))


def _epoch_x(domain, labelled):
    """The epoch axis; only the bottom panel of a stack writes its numbers."""
    axis = (alt.Axis(title="epoch", labelExpr=EPOCH_LABEL, tickCount=X_TICKS) if labelled
            else alt.Axis(title=None, labels=False, ticks=False, domain=False,
                          tickCount=X_TICKS))
    return alt.X(field="epoch", type="quantitative", axis=axis,
                 scale=alt.Scale(domain=domain, nice=False))


# loss_spec's two datasets. Their names never change, so a new marked epoch or a longer history
# changes only data: the spec stays the same and the browser updates the chart in place
# instead of drawing it anew (what Play and live training redraw several times a second).
HISTORY, MARKED = "history", "marked"


def _rule(epoch):
    """A dotted rule at `epoch`, drawn from its own one row of data (MARKED: from loss_spec's
    dataset of that name)."""
    data = alt.NamedData(MARKED) if epoch is MARKED else \
        alt.InlineData(values=[{"epoch": int(epoch)}])
    return alt.Chart(data,
                     mark=alt.MarkDef(type="rule", color=INK_HEX, strokeDash=[3, 3],
                                      strokeWidth=1.5),
                     encoding=alt.FacetedEncoding(x=alt.X(field="epoch", type="quantitative")))


def _layered(chart, epoch, **properties):
    """`chart`, with the rule at `epoch` over it unless that is None."""
    return alt.LayerChart(layer=[chart, *([] if epoch is None else [_rule(epoch)])],
                          **properties)


def history_frame(history):
    """Loss and accuracy per recorded epoch, one row per (epoch, set); thinned."""
    rows = thinned(history.epochs)
    parts = [("training", history.loss, history.accuracy)]
    if history.test_loss is not None:
        parts.append(("test", history.test_loss, history.test_accuracy))
    return pd.concat([pd.DataFrame({"epoch": history.epochs[rows], "loss": loss[rows],
                                    "accuracy": accuracy[rows], "set": name})
                      for name, loss, accuracy in parts], ignore_index=True)


def wants_log(frame):
    """Whether the loss needs a log scale: not finite somewhere, or the training loss spans
    LOG_WANTED or more (its largest finite value against its smallest positive one)."""
    loss = frame["loss"].to_numpy(dtype=float)
    if not np.isfinite(loss).all():
        return True
    training = loss[(frame["set"] == "training").to_numpy()]
    positive = training[training > 0]
    return positive.size > 0 and bool(training.max() >= LOG_WANTED * positive.min())


def plotted_rows(frame, log_scale):
    """The rows loss_chart draws: those whose loss and accuracy are finite (a run that blew up
    ends where its numbers do); on a log scale, losses below LOG_FLOOR raised to it."""
    finite = np.isfinite(frame["loss"].to_numpy(dtype=float)) & \
        np.isfinite(frame["accuracy"].to_numpy(dtype=float))
    rows = frame[finite].reset_index(drop=True)
    if log_scale:
        rows = rows.assign(loss=rows["loss"].clip(lower=LOG_FLOOR))
    return rows


def _epoch_domain(frame, epochs):
    if epochs is not None:
        return [0, int(epochs)]
    if frame.empty:
        return [0, 1]
    first, last = int(frame["epoch"].min()), int(frame["epoch"].max())
    return [first, max(last, first + 1)]


def loss_chart(frame, *, log_scale=False, marked_epoch=None, test=False, epochs=None,
               width=None, height=250):
    """Loss over accuracy, two panels on one epoch axis; training in ink, test in slate blue.

    `epochs` fixes the epoch axis to [0, epochs] (a live chart that grows keeps its scale);
    None spans the frame's epochs. `height` is the two panels' plot areas together.
    """
    rows = plotted_rows(frame, log_scale)
    domain = _epoch_domain(frame, epochs)
    sets = list(SETS if test else SETS[:1])
    colour = alt.Color(field="set", type="nominal", legend=LEGEND if test else None,
                       scale=alt.Scale(domain=sets, range=[TRAINING_HEX, TEST_HEX][:len(sets)]))
    tooltip = [alt.Tooltip(field="set", type="nominal"),
               alt.Tooltip(field="epoch", type="quantitative", format=","),
               alt.Tooltip(field="loss", type="quantitative", format=".4~g"),
               alt.Tooltip(field="accuracy", type="quantitative", format=".0%")]
    loss_y = (log_y("loss", "loss", rows["loss"]) if log_scale else
              alt.Y(field="loss", type="quantitative", scale=alt.Scale(zero=True),
                    axis=alt.Axis(title="loss", labelExpr=SHORT_NUMBER)))
    loss = alt.Chart().mark_line(strokeWidth=2.5, clip=True).encode(
        x=_epoch_x(domain, labelled=False), y=loss_y, color=colour, tooltip=tooltip)
    loss_height = round(LOSS_SHARE * height)
    accuracy_height = height - loss_height
    ticks = [0, 0.25, 0.5, 0.75, 1] if accuracy_height >= 90 else [0, 0.5, 1]
    accuracy = alt.Chart().mark_line(strokeWidth=2.5, clip=True).encode(
        x=_epoch_x(domain, labelled=True), color=colour, tooltip=tooltip,
        y=alt.Y(field="accuracy", type="quantitative",
                scale=alt.Scale(domain=[0, 1], nice=False),
                axis=alt.Axis(title="accuracy", format=".0%", values=ticks)))
    size = {} if width is None else {"width": width}
    panels = [_layered(loss, marked_epoch, height=loss_height, **size),
              _layered(accuracy, marked_epoch, height=accuracy_height, **size)]
    # Streamlit lays a stack of layered panels out with "pad", which overflows a stretched
    # container by the axis labels' width; "fit-x" keeps it inside (checked in Chromium).
    return alt.VConcatChart(
        vconcat=panels, data=rows, spacing=6, config=LOOK,
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(x="shared", color="shared"),
                            legend=alt.LegendResolveMap(color="shared")))


def loss_spec(frame, *, log_scale=False, marked_epoch=None, test=False, epochs=None,
              height=250):
    """What st.vega_lite_chart takes to draw `loss_chart(frame, ...)`, fast: the spec is built
    by Altair once per look (scale and its decades, the epoch axis, height, test set, rule)
    and kept; the history and the marked epoch travel as the datasets HISTORY and MARKED."""
    rows = plotted_rows(frame, log_scale)
    decades = log_decades(rows["loss"]) if log_scale else None
    template = _loss_template(decades, tuple(_epoch_domain(frame, epochs)),
                              marked_epoch is not None, bool(test), int(height))
    return _with_data(template, HISTORY, rows, marked_epoch)


def log_decades(values):
    """(first, last): the powers of ten log_y's scale runs between for `values` (positive),
    or None when there are none."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return None
    first = int(np.floor(np.log10(values.min())))
    return first, max(int(np.ceil(np.log10(values.max()))), first + 1)


def _stand_in(decades):
    """Two values whose log_y scale has these decades (a frame's look without its data)."""
    first, last = decades
    return [1.5 * 10.0 ** first, 0.9 * 10.0 ** last]


def _with_data(template, name, frame, marked_epoch):
    datasets = {name: frame}
    if marked_epoch is not None:
        datasets[MARKED] = pd.DataFrame({"epoch": [int(marked_epoch)]})
    return {**template, "datasets": datasets}


def _template(chart, name):
    """`chart` as a dict whose data is the dataset `name`, left out (sent with each use)."""
    chart = chart.copy(deep=False)
    chart.data = alt.NamedData(name)
    vega = chart.to_dict(validate=False)
    vega.pop("datasets", None)
    return vega


@lru_cache(maxsize=256)
def _loss_template(decades, domain, marked, test, height):
    # A two-row stand-in frame with the same epoch span and (on a log scale) the same decades
    # gives loss_chart everything the look depends on.
    stand_in = pd.DataFrame({"epoch": list(domain), "set": "training", "accuracy": 0.0,
                             "loss": _stand_in(decades) if decades else [0.0, 1.0]})
    chart = loss_chart(stand_in, log_scale=decades is not None, test=test, height=height,
                       epochs=domain[1] if domain[0] == 0 else None,
                       marked_epoch=MARKED if marked else None)
    return _template(chart, HISTORY)


def _segment(w, b, box):
    """Where the line w[0]*u + w[1]*v + b = 0 crosses the box (u0, u1, v0, v1), or None."""
    u0, u1, v0, v1 = box
    ends = []
    if abs(w[1]) > 1e-12:
        ends += [(u, -(w[0] * u + b) / w[1]) for u in (u0, u1)]
    if abs(w[0]) > 1e-12:
        ends += [(-(w[1] * v + b) / w[0], v) for v in (v0, v1)]
    inside = [(u, v) for u, v in ends
              if u0 - 1e-9 <= u <= u1 + 1e-9 and v0 - 1e-9 <= v <= v1 + 1e-9]
    if len(inside) < 2:
        return None
    return min(inside), max(inside)


def _padded(values, fixed):
    if fixed is not None:
        return fixed
    low, high = float(np.min(values)), float(np.max(values))
    pad = max(0.1 * (high - low), 0.1)
    return low - pad, high + pad


def hidden_view(u, v, k, value_range=None):
    """The view's (u0, u1) and (v0, v1) for k hidden neurons: the activation's own range
    (`value_range`) where the axes are neurons, else the points' span padded, with z = 0 kept
    in view when u is the output unit's input z."""
    fixed = value_range if k <= 2 else None
    u_box = _padded(u if k <= 2 else np.append(u, 0.0), fixed)
    v_box = _padded(v, fixed if k == 2 else None) if k > 1 else (-1.0, 1.0)
    return u_box, v_box


def hidden_coordinates(hidden, output_weights, output_bias):
    """A 2-D view of the last hidden layer in which the output's 0.5 line is straight.

    Two neurons: their own plane. One: its axis. More: across, the output unit's own input
    z = w·h + b (output 0.5 at z = 0); up, the main direction of spread left over.
    Returns (u, v, axis titles, the line's (w, b) in these coordinates).
    """
    k = hidden.shape[1]
    if k == 1:
        line = (np.array([output_weights[0], 0.0]), output_bias)
        return hidden[:, 0], np.zeros(len(hidden)), ("h1", ""), line
    if k == 2:
        return hidden[:, 0], hidden[:, 1], ("h1", "h2"), (output_weights, output_bias)
    z = hidden @ output_weights + output_bias
    direction = output_weights / np.linalg.norm(output_weights)
    rest = hidden - np.outer(hidden @ direction, direction)
    rest = rest - rest.mean(axis=0)
    _, _, components = np.linalg.svd(rest, full_matrices=False)
    spread = rest @ components[0]
    titles = ("z = w·h + b, the output unit's input", "main spread across z")
    return z, spread, titles, (np.array([1.0, 0.0]), 0.0)


OVERLAP = 1e-3      # points this share of the view's width and height apart look like one
MIXED = "both classes"
MARKERS = {"class 0": (CLASS0_HEX, "circle"), "class 1": (CLASS1_HEX, "square"),
           MIXED: (MIDDLE_HEX, "diamond")}   # mixed: white, the undecided colour
HIDDEN_HEIGHT = 260
MAX_LISTED = 4      # a marker's label names at most this many inputs, then "& n more"


def _point_label(x):
    return "(" + ", ".join(f"{value:.3g}" for value in x) + ")"


def _listed(labels):
    shown = " & ".join(labels[:MAX_LISTED])
    return shown if len(labels) <= MAX_LISTED else f"{shown} & {len(labels) - MAX_LISTED} more"


def markers(u, v, X, y, box):
    """One row per marker: the points whose (u, v), rounded to a grid of OVERLAP times the
    view's span (box = (u0, u1, v0, v1)), are equal share one, at its first point's place.

    Its class is the points' class, or MIXED when both are there; `input` lists the points.
    """
    u0, u1, v0, v1 = box
    cells = zip(np.round((u - u0) / (OVERLAP * (u1 - u0))).tolist(),
                np.round((v - v0) / (OVERLAP * (v1 - v0))).tolist())
    groups = {}
    for i, cell in enumerate(cells):
        groups.setdefault(cell, []).append(i)   # insertion order: by each marker's first point
    classes = np.ravel(y) > 0.5
    rows = []
    for members in groups.values():
        first, kinds = members[0], set(classes[members].tolist())
        rows.append({"u": u[first], "v": v[first],
                     "input": _listed([_point_label(X[i]) for i in members]),
                     "points": len(members),
                     "class": MIXED if len(kinds) == 2 else f"class {int(kinds.pop())}"})
    return pd.DataFrame(rows).assign(layer="point")


def hidden_space(hidden, X, y, output_weights, output_bias, value_range=None):
    """The training points in the last hidden layer's coordinates, with the output's 0.5 line.

    Points that coincide in this view (see `markers`) are one marker listing every input
    there: the overlaps are what a hidden layer that cannot separate the classes looks like.
    Returns (chart, whether the line crosses the view); the chart's data has a row per marker
    (layer "point") and the line's two ends (layer "line").
    """
    u, v, (u_title, v_title), (w, b) = hidden_coordinates(hidden, output_weights, output_bias)
    k = hidden.shape[1]
    u_box, v_box = hidden_view(u, v, k, value_range)
    data = markers(u, v, X, y, (*u_box, *v_box))
    present = [kind for kind in MARKERS if (data["class"] == kind).any()]
    labelled = len(data) <= MAX_LABELLED_POINTS
    base = 160 if labelled else 40
    data["size"] = base * np.minimum(data["points"], 4)   # a shared marker is bigger
    x = alt.X(field="u", type="quantitative", scale=alt.Scale(domain=list(u_box), nice=False),
              axis=alt.Axis(title=u_title, labelExpr=SHORT_NUMBER, tickCount=X_TICKS))
    y_axis = None if k == 1 else alt.Axis(title=v_title, labelExpr=SHORT_NUMBER)
    y_enc = alt.Y(field="v", type="quantitative", scale=alt.Scale(domain=list(v_box), nice=False),
                  axis=y_axis)
    legend = alt.Legend(title=None, symbolStrokeColor=INK_HEX)   # outlines the white diamond
    points_only = alt.datum.layer == "point"
    points = alt.Chart().transform_filter(points_only).mark_point(
        filled=True, stroke=INK_HEX, strokeWidth=1.5, opacity=0.95).encode(
        x=x, y=y_enc,
        color=alt.Color(field="class", type="nominal", legend=legend,
                        scale=alt.Scale(domain=present, range=[MARKERS[c][0] for c in present])),
        shape=alt.Shape(field="class", type="nominal", legend=legend,
                        scale=alt.Scale(domain=present, range=[MARKERS[c][1] for c in present])),
        size=alt.Size(field="size", type="quantitative", scale=None, legend=None),
        tooltip=[alt.Tooltip(field="input", type="nominal", title="inputs"),
                 alt.Tooltip(field="class", type="nominal"),
                 alt.Tooltip(field="points", type="quantitative")])
    layers = [points]
    if labelled:
        layers.append(alt.Chart().transform_filter(points_only).mark_text(
            align="left", dx=10, dy=-12, fontSize=LABEL_PX, color=INK_HEX).encode(
            x=alt.X(field="u", type="quantitative"), y=alt.Y(field="v", type="quantitative"),
            text=alt.Text(field="input", type="nominal")))
    segment = _segment(w, b, (*u_box, *v_box))
    if segment is not None:
        (ua, va), (ub, vb) = segment
        data = pd.concat([data, pd.DataFrame({"u": [ua, ub], "v": [va, vb], "layer": "line"})],
                         ignore_index=True)
        layers.append(alt.Chart().transform_filter(alt.datum.layer == "line").mark_line(
            color=INK_HEX, strokeDash=[6, 4], strokeWidth=2).encode(
            x=alt.X(field="u", type="quantitative"), y=alt.Y(field="v", type="quantitative")))
    chart = alt.LayerChart(layer=layers, data=data, height=HIDDEN_HEIGHT, config=LOOK)
    return chart, segment is not None


def _mix(start_hex, end_hex, t):
    """The colour a share t of the way from one hex colour to another."""
    start = np.array([int(start_hex[i:i + 2], 16) for i in (1, 3, 5)])
    end = np.array([int(end_hex[i:i + 2], 16) for i in (1, 3, 5)])
    return "#" + "".join(f"{round(v):02x}" for v in start + (end - start) * t)


def grad_norm_frame(history, scale=1.0):
    """Each layer's gradient norm per recorded epoch (divided by `scale`, one per layer or
    one for all), long format; zeros left out (log scale)."""
    rows = thinned(history.epochs)
    norms = history.grad_norms[rows] / scale               # (m, layers)
    layers = norms.shape[1]
    frame = pd.DataFrame({
        "epoch": np.repeat(history.epochs[rows], layers),
        "layer": np.tile([f"layer {layer}" for layer in range(1, layers + 1)], len(rows)),
        "norm": norms.ravel(),
    })
    return frame[np.isfinite(frame["norm"]) & (frame["norm"] > 0)]


def grad_norm_chart(frame, layers, marked_epoch=None, height=260, title="gradient norm"):
    """One line per layer: the norm of its gradient against the epoch, on a log scale.

    Layer 1 is orange (CLASS0_HEX), the last layer purple (CLASS1_HEX), layers between are
    mixed from the two; each layer also has its own dash pattern.
    """
    names = [f"layer {layer}" for layer in range(1, layers + 1)]
    colours = [_mix(CLASS0_HEX, CLASS1_HEX, i / max(layers - 1, 1)) for i in range(layers)]
    dashes = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [1, 3]][:layers]
    lines = alt.Chart().mark_line(strokeWidth=2.5).encode(
        x=_epoch_x(_epoch_domain(frame, None), labelled=True),
        y=log_y("norm", title, frame["norm"]),
        color=alt.Color(field="layer", type="nominal", sort=names, legend=LEGEND,
                        scale=alt.Scale(domain=names, range=colours)),
        strokeDash=alt.StrokeDash(field="layer", type="nominal", sort=names, legend=LEGEND,
                                  scale=alt.Scale(domain=names, range=dashes)),
        tooltip=[alt.Tooltip(field="layer", type="nominal"),
                 alt.Tooltip(field="epoch", type="quantitative", format=","),
                 alt.Tooltip(field="norm", type="quantitative", format=".3g")])
    return _layered(lines, marked_epoch, data=frame, height=height, config=LOOK)


# grad_norm_spec's dataset; as with loss_spec, the look is kept and only the data travels.
NORMS = "norms"


def grad_norm_spec(frame, layers, *, marked_epoch=None, height=260, title="gradient norm"):
    """What st.vega_lite_chart takes to draw `grad_norm_chart(frame, ...)`, fast: the spec is
    built by Altair once per look (layers, decades, epoch span, rule, height, title) and kept;
    the norms and the marked epoch travel as the datasets NORMS and MARKED."""
    template = _norm_template(int(layers), log_decades(frame["norm"]),
                              tuple(_epoch_domain(frame, None)), marked_epoch is not None,
                              int(height), title)
    return _with_data(template, NORMS, frame, marked_epoch)


@lru_cache(maxsize=64)
def _norm_template(layers, decades, domain, marked, height, title):
    stand_in = pd.DataFrame({"epoch": list(domain) if decades else [],
                             "layer": "layer 1", "norm": _stand_in(decades) if decades else []})
    chart = grad_norm_chart(stand_in, layers, marked_epoch=MARKED if marked else None,
                            height=height, title=title)
    return _template(chart, NORMS)


def spec(chart):
    """`chart` as the dict st.vega_lite_chart takes: Altair's, without its schema check.

    The chart's DataFrame becomes a named dataset, still a DataFrame (Streamlit sends it as
    Arrow), named after its content as st.altair_chart names it. (Without a name, Altair gives
    each layer an empty dataset of its own, and the chart is drawn empty.)
    """
    frame = chart.data
    rows = pd.util.hash_pandas_object(frame).to_numpy()   # one hash per row, in order
    name = "frame-" + hashlib.blake2b(rows.tobytes(), digest_size=8).hexdigest()
    named = chart.copy(deep=False)
    named.data = alt.NamedData(name)
    vega = named.to_dict(validate=False)
    vega.setdefault("datasets", {})[name] = frame
    return vega
