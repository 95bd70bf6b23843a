"""Altair charts of the Experiments tab, from the arrays studies.py and landscape.py compute."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from pictures.charts import (
    EPOCH_LABEL,
    LABEL_PX,
    LOG_FLOOR,
    LOOK,
    SHORT_NUMBER,
    log_y,
    thinned,
)
from pictures.colours import INK_HEX

MAX_CURVES = 100    # faint loss curves drawn at most; the median is of every seed
HEIGHT = 260
# Shares and losses get sequential scales with no orange or purple in them: those two mean the
# classes everywhere in this app.
SHARE_SCHEME = "greens"
# Light greys only, so that every path drawn over the loss (ink included) stands out.
LOSS_SCHEME = {"name": "greys", "extent": [0.04, 0.62]}
# One line style per optimizer, told apart by dash as well as by colour.
OPTIMIZER_STYLE = {
    "this run": (INK_HEX, [1, 0]),
    "SGD": ("#6b6b6b", [4, 4]),
    "momentum": ("#c0392b", [6, 3]),
    "Nesterov": ("#1f6fb4", [2, 2]),
    "RMSprop": ("#7f5539", [8, 3, 2, 3]),
    "Adam": ("#2a9d8f", [1, 0]),
}


def _configured(chart):
    return chart.configure(**LOOK)


def _loss_axis(values, title="loss"):
    """Log when the positive losses span 100x or more, else linear."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    log = values.size > 0 and values.max() >= 100 * values.min()
    if log:   # ticks at powers of ten (or 1, 2, 5 times them), as the Training tab's
        return log_y("loss", title + " (log scale)", np.maximum(values, LOG_FLOOR)), log
    return alt.Y(field="loss", type="quantitative", scale=alt.Scale(zero=True),
                 axis=alt.Axis(title=title, labelExpr=SHORT_NUMBER)), log


def _epoch_x(epochs):
    return alt.X(field="epoch", type="quantitative",
                 scale=alt.Scale(domain=[0, int(epochs)], nice=False),
                 axis=alt.Axis(title="epoch", labelExpr=EPOCH_LABEL, tickCount=6))


def sweep_curves(result, seed=None):
    """Each seed's loss, faint (the first MAX_CURVES), the median of all bold, `seed` dashed."""
    epochs, curves = result.curve_epochs, result.curves
    shown = min(MAX_CURVES, curves.shape[1])
    faint = pd.DataFrame({"epoch": np.tile(epochs, shown),
                          "loss": curves[:, :shown].T.ravel(),
                          "seed": np.repeat(result.seeds[:shown], len(epochs))})
    # A diverged seed's loss counts as infinite: once half the seeds have diverged, the
    # median has too, and its line ends there.
    with np.errstate(all="ignore"):
        median = np.median(np.where(np.isnan(curves), np.inf, curves), axis=1)
    median = np.where(np.isfinite(median), median, np.nan)
    y, log = _loss_axis(curves[np.isfinite(curves)])
    floor = (lambda v: np.maximum(v, LOG_FLOOR)) if log else (lambda v: v)
    faint["loss"] = floor(faint["loss"])
    layers = [
        alt.Chart(faint.dropna()).mark_line(color=INK_HEX, opacity=0.12, strokeWidth=1)
        .encode(x=_epoch_x(epochs[-1]), y=y, detail="seed:N"),
        alt.Chart(pd.DataFrame({"epoch": epochs, "loss": floor(median), "line": "median"})
                  .dropna()).mark_line(color=INK_HEX, strokeWidth=3)
        .encode(x=_epoch_x(epochs[-1]), y=y),
    ]
    i = None if seed is None else result.index(seed)
    if i is not None:
        mine = pd.DataFrame({"epoch": epochs, "loss": floor(curves[:, i])}).dropna()
        layers.append(alt.Chart(mine).mark_line(color="#1f6fb4", strokeWidth=2.5,
                                                strokeDash=[6, 3])
                      .encode(x=_epoch_x(epochs[-1]), y=y))
    return _configured(alt.layer(*layers).properties(height=HEIGHT, width="container"))


def solved_histogram(result):
    """How many seeds first reached 100% accuracy in each span of epochs."""
    reached = result.solved_at[result.solved_at >= 0]
    frame = pd.DataFrame({"epoch": reached})
    chart = alt.Chart(frame).mark_bar(color=INK_HEX).encode(
        x=alt.X("epoch:Q", bin=alt.Bin(maxbins=20, extent=[0, int(result.curve_epochs[-1])]),
                axis=alt.Axis(title="epoch of the first 100%", labelExpr=EPOCH_LABEL)),
        y=alt.Y("count():Q", axis=alt.Axis(title="seeds", tickMinStep=1)))
    return _configured(chart.properties(height=HEIGHT, width="container"))


def map_frame(rows):
    """One row per (architecture, learning rate) cell: its solved count and share."""
    return pd.DataFrame([{"arch": row.arch, "lr": f"{rate:g}", "rate": rate,
                          "solved": int(solved.sum()), "seeds": solved.size,
                          "share": float(solved.mean())}
                         for row in rows for rate, solved in zip(row.rates, row.solved)])


def reliability_chart(rows):
    """The reliability map: a cell per architecture and rate, its shade the share solved,
    its number the count; a click picks a cell (selection "pick": arch and lr)."""
    frame = map_frame(rows)
    pick = alt.selection_point(fields=["arch", "lr"], name="pick")
    x = alt.X("lr:O", sort=[f"{rate:g}" for rate in rows[0].rates],
              axis=alt.Axis(title="learning rate", labelAngle=0))
    y = alt.Y("arch:O", sort=[row.arch for row in rows], axis=alt.Axis(title="architecture"))
    cells = alt.Chart(frame).mark_rect(stroke="white", strokeWidth=2).encode(
        x=x, y=y,
        color=alt.Color("share:Q", scale=alt.Scale(scheme=SHARE_SCHEME, domain=[0, 1]),
                        legend=alt.Legend(title="share solved", format=".0%")),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)),
        tooltip=["arch", "lr", "solved", "seeds", alt.Tooltip("share:Q", format=".0%")],
    ).add_params(pick)
    counts = alt.Chart(frame).mark_text(fontSize=LABEL_PX).encode(
        x=x, y=y, text="solved:Q",
        color=alt.condition("datum.share > 0.6", alt.value("white"), alt.value(INK_HEX)))
    return _configured(alt.layer(cells, counts).properties(height=44 * len(rows) + 40,
                                                            width="container"))


def landscape_chart(section, paths, axis_titles=("direction 1", "direction 2")):
    """The loss on a slice (log colour), with each path in `paths` (name -> (m, 2) coordinates)
    drawn over it from its start (a ring) to its end (a square)."""
    a, b = section.alphas, section.betas
    # Each cell overlaps its neighbours, so that no seam of background shows between them.
    da, db = (a[1] - a[0]) * 0.6, (b[1] - b[0]) * 0.6
    A, B = np.meshgrid(a, b)
    cells = pd.DataFrame({"a0": (A - da).ravel(), "a1": (A + da).ravel(),
                          "b0": (B - db).ravel(), "b1": (B + db).ravel(),
                          "loss": np.maximum(section.loss, LOG_FLOOR).ravel()}).dropna()
    x = alt.X("a0:Q", scale=alt.Scale(domain=[a[0], a[-1]], nice=False),
              axis=alt.Axis(title=axis_titles[0]))
    y = alt.Y("b0:Q", scale=alt.Scale(domain=[b[0], b[-1]], nice=False),
              axis=alt.Axis(title=axis_titles[1]))
    surface = alt.Chart(cells).mark_rect(clip=True).encode(
        x=x, x2="a1:Q", y=y, y2="b1:Q",
        color=alt.Color("loss:Q", scale=alt.Scale(type="log", scheme=LOSS_SCHEME),
                        legend=alt.Legend(title="loss", labelExpr=SHORT_NUMBER,
                                          orient="right")),
        tooltip=[alt.Tooltip("loss:Q", format=".4~g")])
    names = list(paths)
    frame = pd.concat([pd.DataFrame({"a0": c[:, 0], "b0": c[:, 1], "order": np.arange(len(c)),
                                     "path": name}) for name, c in paths.items()],
                      ignore_index=True)
    ends = pd.concat([pd.DataFrame({"a0": c[[0, -1], 0], "b0": c[[0, -1], 1],
                                    "path": name, "end": ["start", "end"]})
                      for name, c in paths.items()], ignore_index=True)
    colour = alt.Color("path:N", sort=names,
                       legend=alt.Legend(title=None, orient="bottom", columns=3),
                       scale=alt.Scale(domain=names, range=[
                           OPTIMIZER_STYLE.get(name, (INK_HEX, [1, 0]))[0] for name in names]))
    lines = alt.Chart(frame).mark_line(strokeWidth=2.5, clip=True).encode(
        x=x, y=y, order="order:Q", color=colour, tooltip=["path"],
        strokeDash=alt.StrokeDash("path:N", sort=names, legend=None, scale=alt.Scale(
            domain=names, range=[OPTIMIZER_STYLE.get(name, (INK_HEX, [1, 0]))[1]
                                 for name in names])))
    marks = alt.Chart(ends).mark_point(size=90, strokeWidth=2, filled=False, clip=True).encode(
        x=x, y=y, color=alt.Color("path:N", sort=names, legend=None,
                                  scale=alt.Scale(domain=names, range=[
                                      OPTIMIZER_STYLE.get(n, (INK_HEX, []))[0] for n in names])),
        shape=alt.Shape("end:N", scale=alt.Scale(domain=["start", "end"],
                                                 range=["circle", "square"]),
                        legend=alt.Legend(title=None, orient="bottom")),
        tooltip=["path", "end"])
    chart = alt.layer(surface, lines, marks).resolve_scale(color="independent")
    return _configured(chart.properties(height=360, width="container"))


def line_chart(line, title, marks=()):
    """The loss along a line of weights; `marks` are (offset, label) rules (0: start, ...)."""
    frame = pd.DataFrame({"offset": line.offsets, "loss": line.loss})
    y, _ = _loss_axis(line.loss)
    layers = [alt.Chart(frame).mark_line(color=INK_HEX, strokeWidth=2.5).encode(
        x=alt.X("offset:Q", axis=alt.Axis(title=title)), y=y,
        tooltip=[alt.Tooltip("offset:Q", format=".3~g"), alt.Tooltip("loss:Q", format=".4~g")])]
    if marks:
        rules = pd.DataFrame({"offset": [m for m, _ in marks], "label": [t for _, t in marks]})
        layers.append(alt.Chart(rules).mark_rule(color=INK_HEX, strokeDash=[3, 3])
                      .encode(x="offset:Q", tooltip=["label"]))
        layers.append(alt.Chart(rules).mark_text(dy=-8, fontSize=LABEL_PX - 1, align="left",
                                                 dx=4, color=INK_HEX)
                      .encode(x="offset:Q", y=alt.value(8), text="label"))
    return _configured(alt.layer(*layers).properties(height=HEIGHT - 40, width="container"))


def race_chart(result, names):
    """Each optimizer's training loss over the epochs, one style each."""
    frames = []
    for name, history in zip(names, result.histories):
        rows = thinned(history.epochs)
        frames.append(pd.DataFrame({"epoch": history.epochs[rows], "loss": history.loss[rows],
                                    "optimizer": name}))
    frame = pd.concat(frames, ignore_index=True)
    y, log = _loss_axis(frame["loss"])
    if log:
        frame["loss"] = np.maximum(frame["loss"], LOG_FLOOR)
    colours = [OPTIMIZER_STYLE[name][0] for name in names]
    chart = alt.Chart(frame).mark_line(strokeWidth=2.5).encode(
        x=_epoch_x(result.config.epochs), y=y,
        color=alt.Color("optimizer:N", sort=list(names),
                        scale=alt.Scale(domain=list(names), range=colours),
                        legend=alt.Legend(title=None)),
        strokeDash=alt.StrokeDash("optimizer:N", sort=list(names), scale=alt.Scale(
            domain=list(names), range=[OPTIMIZER_STYLE[name][1] for name in names]),
            legend=None))
    return _configured(chart.properties(height=HEIGHT, width="container"))
