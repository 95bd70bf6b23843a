"""What each chart costs the server per script run: built and turned into the element Streamlit
sends, the Altair charts of pictures/charts.py against the hand-written Vega-Lite dicts they
replaced (re-created here from the previous pictures/charts.py as the reference).

Each figure is the median of `--repeats` timings in milliseconds, the columns of a row timed
in turns. The frames (history_frame, grad_norm_frame) are built beforehand, as the tabs cache
them per run. The `st.*` columns call Streamlit outside a running app ("bare mode"): the
element is marshalled in full (spec to JSON, data to Arrow) and then dropped instead of sent.

Run from the project folder: python -m bench.charts
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time

import numpy as np
import pandas as pd
import streamlit as st

import data
from network import MLP
from pictures import charts
from pictures.colours import CLASS0_HEX, CLASS1_HEX

HISTORIES = (5_000, 50_000)
MARKED = 1_234
# old dict + st: the previous builder and st.vega_lite_chart(frame, spec). The rest build the
# Altair chart, then: nothing; to_dict() (schema-checked); to_dict(validate=False);
# st.altair_chart(chart); st.vega_lite_chart(spec(chart)).
COLUMNS = ("old dict + st", "alt build", "+to_dict", "+to_dict novalid", "+st.altair_chart",
           "+st.vega(spec)")
WIDTH = 18
HEADER = f"{'chart':30}" + "".join(f"{name:>{WIDTH}}" for name in COLUMNS)


# --- the reference: the hand-written dicts of the previous pictures/charts.py -------------

def old_loss_chart(log_scale=False, marked_epoch=None, height=260, test=False):
    """Loss and accuracy on one chart with two y axes, as the previous module drew them."""
    x = {"field": "epoch", "type": "quantitative", "title": "epoch"}
    sets = charts.SETS if test else charts.SETS[:1]
    colour = {"field": "set", "type": "nominal", "title": None,
              "scale": {"domain": list(sets),
                        "range": [charts.TRAINING_HEX, charts.TEST_HEX][:len(sets)]},
              "legend": {"orient": "top", "labelFontSize": 13}}
    layers = [
        {"mark": {"type": "line"},
         "encoding": {"x": x, "color": colour,
                      "y": {"field": "loss", "type": "quantitative",
                            "scale": {"type": "log"} if log_scale else {"zero": True},
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


def old_grad_norm_chart(layers, marked_epoch=None, height=260):
    names = [f"layer {layer}" for layer in range(1, layers + 1)]
    colours = [charts._mix(CLASS0_HEX, CLASS1_HEX, i / max(layers - 1, 1))
               for i in range(layers)]
    line = {"mark": {"type": "line", "strokeWidth": 2}, "encoding": {
        "x": {"field": "epoch", "type": "quantitative", "title": "epoch"},
        "y": {"field": "norm", "type": "quantitative", "scale": {"type": "log"},
              "axis": {"title": "gradient norm ‖∂L/∂(W, b)‖ (log scale)", "format": ".0e"}},
        "color": {"field": "layer", "type": "nominal", "sort": names,
                  "scale": {"domain": names, "range": colours}},
        "strokeDash": {"field": "layer", "type": "nominal", "sort": names,
                       "scale": {"domain": names,
                                 "range": [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [1, 3]][:layers]}},
        "tooltip": [{"field": "layer"}, {"field": "epoch"}, {"field": "norm", "format": ".3g"}]}}
    spec = [line]
    if marked_epoch is not None:
        spec.append({"mark": {"type": "rule", "color": "#444", "strokeDash": [2, 2]},
                     "encoding": {"x": {"datum": int(marked_epoch), "type": "quantitative"}}})
    return {"height": height, "layer": spec}


def old_hidden_space(hidden, X, y, output_weights, output_bias, value_range=None):
    """(data, spec): one row per point, no merging of points that coincide."""
    u, v, (u_title, v_title), (w, b) = charts.hidden_coordinates(hidden, output_weights,
                                                                 output_bias)
    k = hidden.shape[1]
    u_box, v_box = charts.hidden_view(u, v, k, value_range)
    frame = pd.DataFrame({"u": u, "v": v, "layer": "point",
                          "input": ["(" + ", ".join(f"{value:.3g}" for value in x) + ")"
                                    for x in X],
                          "class": np.where(np.ravel(y) > 0.5, "class 1", "class 0")})
    classes = {"domain": ["class 0", "class 1"]}
    points_only = [{"filter": "datum.layer == 'point'"}]
    layers = [{"transform": points_only,
               "mark": {"type": "point", "filled": True,
                        "size": 160 if len(X) <= charts.MAX_LABELLED_POINTS else 40,
                        "stroke": "#262626", "strokeWidth": 1, "opacity": 0.9},
               "encoding": {
                   "x": {"field": "u", "type": "quantitative", "title": u_title,
                         "scale": {"domain": list(u_box), "nice": False}},
                   "y": {"field": "v", "type": "quantitative", "title": v_title,
                         "scale": {"domain": list(v_box), "nice": False},
                         "axis": None if k == 1 else {}},
                   "color": {"field": "class", "type": "nominal",
                             "scale": {**classes, "range": [CLASS0_HEX, CLASS1_HEX]}},
                   "shape": {"field": "class", "type": "nominal",
                             "scale": {**classes, "range": ["circle", "square"]}},
                   "tooltip": [{"field": "input"}, {"field": "class"}]}}]
    if len(X) <= charts.MAX_LABELLED_POINTS:
        layers.append({"transform": points_only,
                       "mark": {"type": "text", "dx": 14, "dy": -10, "fontSize": 11},
                       "encoding": {"x": {"field": "u", "type": "quantitative"},
                                    "y": {"field": "v", "type": "quantitative"},
                                    "text": {"field": "input"}}})
    segment = charts._segment(w, b, (*u_box, *v_box))
    if segment is not None:
        (ua, va), (ub, vb) = segment
        frame = pd.concat([frame, pd.DataFrame({"u": [ua, ub], "v": [va, vb],
                                                "layer": "line"})], ignore_index=True)
        layers.append({"transform": [{"filter": "datum.layer == 'line'"}],
                       "mark": {"type": "line", "color": "#262626", "strokeDash": [6, 4]},
                       "encoding": {"x": {"field": "u", "type": "quantitative"},
                                    "y": {"field": "v", "type": "quantitative"}}})
    return frame, {"height": 260, "layer": layers}


# --- the cases -----------------------------------------------------------------------------

def history_cases(epochs):
    """(name, old (frame, spec) maker, Altair chart maker) for a run of `epochs` epochs."""
    xor = data.make("xor")
    history = MLP((2, 4, 4, 1), seed=1).train(xor.X, xor.y, 0.3, epochs)
    frame = charts.history_frame(history)
    norms = charts.grad_norm_frame(history)
    layers = norms["layer"].nunique()
    marked = min(MARKED, epochs)
    return [
        (f"loss, {epochs:,} epochs",
         lambda: (frame, old_loss_chart(marked_epoch=marked)),
         lambda: charts.loss_chart(frame, marked_epoch=marked)),
        (f"loss log, {epochs:,} epochs",
         lambda: (frame, old_loss_chart(log_scale=True, marked_epoch=marked)),
         lambda: charts.loss_chart(frame, log_scale=True, marked_epoch=marked)),
        (f"live loss, {epochs:,} epochs",
         lambda: (frame, old_loss_chart(height=180)),
         lambda: charts.loss_chart(frame, epochs=epochs, height=180)),
        (f"grad norms, {epochs:,} epochs",
         lambda: (norms, old_grad_norm_chart(layers, marked_epoch=marked)),
         lambda: charts.grad_norm_chart(norms, layers, marked_epoch=marked)),
    ]


def hidden_cases():
    cases = []
    for name, points, sizes in (("xor", 4, (2, 2, 1)), ("spiral", 400, (2, 8, 1))):
        dataset = data.make(name, points, 0.1, 0)
        net = MLP(sizes, seed=0)
        net.train(dataset.X, dataset.y, 0.3, 200)
        arguments = (net.forward(dataset.X).activations[-2], dataset.X, dataset.y,
                     net.weights[-1][:, 0], float(net.biases[-1][0]), (0.0, 1.0))
        cases.append((f"hidden space, {len(dataset.X)} points",
                      lambda arguments=arguments: old_hidden_space(*arguments),
                      lambda arguments=arguments: charts.hidden_space(*arguments)[0]))
    return cases


# --- timing --------------------------------------------------------------------------------

def medians_ms(works, repeats):
    """The median time of each piece of work, taken in turns so that whatever else the
    machine does slows them all alike."""
    for work in works:
        work()   # warm: first calls compile Altair's schema validators
    times = [[] for _ in works]
    for _ in range(repeats):
        for work, taken in zip(works, times):
            start = time.perf_counter()
            work()
            taken.append(time.perf_counter() - start)
    return [statistics.median(taken) * 1000 for taken in times]


def ways(old, chart):
    """Each column's work, from nothing to what it produces."""
    return [
        lambda: st.vega_lite_chart(*old(), width="stretch"),
        chart,
        lambda: chart().to_dict(),
        lambda: chart().to_dict(validate=False),
        lambda: st.altair_chart(chart(), width="stretch"),
        lambda: st.vega_lite_chart(charts.spec(chart()), width="stretch"),
    ]


def quiet_streamlit():
    """No "missing ScriptRunContext" warning per call: bare mode is the point here. (Streamlit
    still says once, first, how to view an app.)"""
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").disabled = True
    st.empty()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=41)
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 2 repeats, the 5,000-epoch run only")
    args = parser.parse_args(argv)
    repeats = 2 if args.quick else args.repeats
    quiet_streamlit()
    cases = [case for epochs in (HISTORIES[:1] if args.quick else HISTORIES)
             for case in history_cases(epochs)] + hidden_cases()
    print(f"median ms of {repeats} repeats")
    print(HEADER)
    for name, old, chart in cases:
        figures = medians_ms(ways(old, chart), repeats)
        print(f"{name:30}" + "".join(f"{value:{WIDTH}.1f}" for value in figures))
    return 0


if __name__ == "__main__":
    main()
