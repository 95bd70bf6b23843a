"""Vega-Lite charts from recorded arrays: cheap to send, drawn by the browser."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pictures.colours import CLASS0_HEX, CLASS1_HEX

MAX_POINTS = 400   # a line of 50,000 epochs is thinned to this many points; the last is kept
MAX_LABELLED_POINTS = 12   # more data points than this: inputs only in tooltips


def thinned(epochs):
    """Indices of at most MAX_POINTS rows, evenly spread, always including the first and last."""
    if len(epochs) <= MAX_POINTS:
        return np.arange(len(epochs))
    return np.unique(np.linspace(0, len(epochs) - 1, MAX_POINTS).round().astype(int))


TRAINING_HEX = "#262626"   # the training set's curves: ink, like the outlines
TEST_HEX = "#5b7fa6"       # the test set's: slate blue, a hue the class scale does not use
SETS = ("training", "test")


def history_frame(history):
    """Loss and accuracy per recorded epoch, one row per (epoch, set); thinned."""
    rows = thinned(history.epochs)
    parts = [("training", history.loss, history.accuracy)]
    if history.test_loss is not None:
        parts.append(("test", history.test_loss, history.test_accuracy))
    return pd.concat([pd.DataFrame({"epoch": history.epochs[rows], "loss": loss[rows],
                                    "accuracy": accuracy[rows], "set": name})
                      for name, loss, accuracy in parts], ignore_index=True)


def loss_chart(log_scale=False, marked_epoch=None, height=260, test=False):
    """Loss (solid, left axis) and accuracy (dashed, right axis) against the epoch, for the
    training set and, with `test`, the test set."""
    x = {"field": "epoch", "type": "quantitative", "title": "epoch"}
    loss_scale = {"type": "log"} if log_scale else {"zero": True}
    sets = SETS if test else SETS[:1]
    colour = {"field": "set", "type": "nominal", "title": None,
              "scale": {"domain": list(sets), "range": [TRAINING_HEX, TEST_HEX][:len(sets)]},
              "legend": {"orient": "top", "labelFontSize": 13}}
    layers = [
        {"mark": {"type": "line"},
         "encoding": {"x": x, "color": colour,
                      "y": {"field": "loss", "type": "quantitative", "scale": loss_scale,
                            "axis": {"title": "loss (solid)"}}}},
        {"mark": {"type": "line", "strokeDash": [4, 3]},
         "encoding": {"x": x, "color": colour,
                      "y": {"field": "accuracy", "type": "quantitative",
                            "scale": {"domain": [0, 1]},
                            "axis": {"title": "accuracy (dashed)", "format": ".0%",
                                     "orient": "right"}}}},
    ]
    if marked_epoch is not None:
        layers.append({"mark": {"type": "rule", "color": "#444", "strokeDash": [2, 2]},
                       "encoding": {"x": {"datum": int(marked_epoch), "type": "quantitative"}}})
    return {"height": height, "layer": layers, "resolve": {"scale": {"y": "independent"}}}


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


def hidden_space(hidden, X, y, output_weights, output_bias, value_range=None):
    """The training points in the last hidden layer's coordinates, with the output's 0.5 line.

    Returns (data, Vega-Lite spec, whether the line crosses the view).
    """
    u, v, (u_title, v_title), (w, b) = hidden_coordinates(hidden, output_weights, output_bias)
    k = hidden.shape[1]
    fixed = value_range if k <= 2 else None
    u_box = _padded(u if k <= 2 else np.append(u, 0.0), fixed)   # keep z = 0 in view
    v_box = _padded(v, fixed if k == 2 else None) if k > 1 else (-1.0, 1.0)
    labels = ["(" + ", ".join(f"{value:.3g}" for value in x) + ")" for x in X]
    data = pd.DataFrame({"u": u, "v": v, "input": labels, "layer": "point",
                         "class": np.where(np.ravel(y) > 0.5, "class 1", "class 0")})
    scale_u = {"domain": list(u_box), "nice": False}
    scale_v = {"domain": list(v_box), "nice": False}
    colour = {"field": "class", "type": "nominal",
              "scale": {"domain": ["class 0", "class 1"], "range": [CLASS0_HEX, CLASS1_HEX]}}
    shape = {"field": "class", "type": "nominal",
             "scale": {"domain": ["class 0", "class 1"], "range": ["circle", "square"]}}
    points_only = [{"filter": "datum.layer == 'point'"}]
    layers = [
        {"transform": points_only,
         "mark": {"type": "point", "filled": True,
                  "size": 160 if len(X) <= MAX_LABELLED_POINTS else 40, "stroke": "#262626",
                  "strokeWidth": 1, "opacity": 0.9},
         "encoding": {"x": {"field": "u", "type": "quantitative", "scale": scale_u,
                            "title": u_title},
                      "y": {"field": "v", "type": "quantitative", "scale": scale_v,
                            "title": v_title, "axis": None if k == 1 else {}},
                      "color": colour, "shape": shape,
                      "tooltip": [{"field": "input"}, {"field": "class"}]}},
    ]
    if len(X) <= MAX_LABELLED_POINTS:
        layers.append({"transform": points_only,
                       "mark": {"type": "text", "dx": 14, "dy": -10, "fontSize": 11},
                       "encoding": {"x": {"field": "u", "type": "quantitative"},
                                    "y": {"field": "v", "type": "quantitative"},
                                    "text": {"field": "input"}}})
    segment = _segment(w, b, (*u_box, *v_box))
    if segment is not None:
        (ua, va), (ub, vb) = segment
        line = pd.DataFrame({"u": [ua, ub], "v": [va, vb], "layer": "line"})
        data = pd.concat([data, line], ignore_index=True)
        layers.append({"transform": [{"filter": "datum.layer == 'line'"}],
                       "mark": {"type": "line", "color": "#262626", "strokeDash": [6, 4]},
                       "encoding": {"x": {"field": "u", "type": "quantitative"},
                                    "y": {"field": "v", "type": "quantitative"}}})
    spec = {"height": 260, "layer": layers}
    return data, spec, segment is not None


def _mix(start_hex, end_hex, t):
    """The colour a share t of the way from one hex colour to another."""
    start = np.array([int(start_hex[i:i + 2], 16) for i in (1, 3, 5)])
    end = np.array([int(end_hex[i:i + 2], 16) for i in (1, 3, 5)])
    return "#" + "".join(f"{round(v):02x}" for v in start + (end - start) * t)


def grad_norm_frame(history):
    """Each layer's gradient norm per recorded epoch, long format; zeros left out (log scale)."""
    rows = thinned(history.epochs)
    norms = history.grad_norms[rows]                      # (m, layers)
    layers = norms.shape[1]
    frame = pd.DataFrame({
        "epoch": np.repeat(history.epochs[rows], layers),
        "layer": np.tile([f"layer {layer}" for layer in range(1, layers + 1)], len(rows)),
        "norm": norms.ravel(),
    })
    return frame[np.isfinite(frame["norm"]) & (frame["norm"] > 0)]


def grad_norm_chart(layers, marked_epoch=None, height=260):
    """One line per layer: the norm of its gradient against the epoch, on a log scale.

    Layer 1 is orange (CLASS0_HEX), the last layer purple (CLASS1_HEX), layers between are
    mixed from the two; each layer also has its own dash pattern.
    """
    names = [f"layer {layer}" for layer in range(1, layers + 1)]
    colours = [_mix(CLASS0_HEX, CLASS1_HEX, i / max(layers - 1, 1)) for i in range(layers)]
    dashes = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [1, 3]][:layers]
    x = {"field": "epoch", "type": "quantitative", "title": "epoch"}
    layer_list = [{
        "mark": {"type": "line", "strokeWidth": 2},
        "encoding": {
            "x": x,
            "y": {"field": "norm", "type": "quantitative", "scale": {"type": "log"},
                  "axis": {"title": "gradient norm ‖∂L/∂(W, b)‖ (log scale)", "format": ".0e"}},
            "color": {"field": "layer", "type": "nominal", "sort": names,
                      "scale": {"domain": names, "range": colours}},
            "strokeDash": {"field": "layer", "type": "nominal", "sort": names,
                           "scale": {"domain": names, "range": dashes}},
            "tooltip": [{"field": "layer"}, {"field": "epoch"},
                        {"field": "norm", "format": ".3g"}],
        },
    }]
    if marked_epoch is not None:
        layer_list.append({"mark": {"type": "rule", "color": "#444", "strokeDash": [2, 2]},
                           "encoding": {"x": {"datum": int(marked_epoch),
                                              "type": "quantitative"}}})
    return {"height": height, "layer": layer_list}
