"""Tab 1, "Training": watch the loss fall and the decision boundary bend into place."""

from __future__ import annotations

import io
import time

import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image

import runs
from formats import number
from pictures import charts
from pictures.boundary import FLAT_RANGE, neuron_heatmaps
from pictures.diagram import HIDDEN_RANGE
from runs import history_csv, network_json
from tabs import documents, drawing, live
from tabs.sidebar import dataset_for
from tabs.text import escaped
from verdict import UNDECIDED, Kind, format_point, point_statuses

VERDICT_BOX = {Kind.CONVERGED: st.success, Kind.OVERFITTING: st.warning, Kind.IMPROVING: st.info,
               Kind.PLATEAU: st.info, Kind.CRAWLING: st.warning, Kind.STUCK: st.warning,
               Kind.OSCILLATING: st.error, Kind.DIVERGED: st.error}
SETTING_NAMES = {"arch": "architecture", "lr": "learning rate", "init": "init",
                 "test_share": "test share", "data_seed": "data seed", "batch": "batch size",
                 "l2": "L2"}
PLAY_EVERY = 0.08      # seconds per frame while playing, at least: 12.5 frames a second at most
SCRUBBER_HEIGHT = 64   # CSS pixels: the scrubber, or the progress bar in its place


def render(request):
    actions, stop = live.toolbar(request)
    config = request.config
    # Live frames get a slot of their own, emptied once training ends: drawn where the result
    # then goes, their elements past the end of the result would stay on the page under it.
    frames, view = st.empty(), st.empty()
    run = live.act(request, actions, stop,
                   lambda progress, last: _draw_live(frames, progress, last))
    frames.empty()
    shown = run
    if shown is None and config is not None:
        shown = runs.untrained(config, request.dataset)
    if shown is None:
        view.info("Fix the settings in the sidebar to see the network and its data.")
        return
    with view.container():
        if run is not None:
            _stale_note(run, config, dataset_for(config))
        st.fragment(_epoch_view)(shown)
    if run is not None:
        with st.expander(f"Predictions on the {run.data.n:,} training points"
                         + (f" and {run.test.n:,} test points" if run.test is not None else ""),
                         expanded=run.data.n <= 8):
            _predictions(run)
        _downloads(run)
    documents.show(documents.HYPERPARAMETERS)


def _draw_live(view, progress, last_epoch):
    """The pictures of the run so far, while it trains."""
    run = progress.run(judged=False)
    with view.container():
        with st.container(height=SCRUBBER_HEIGHT, border=False):
            st.progress(progress.fraction, text=f"Training… epoch {run.epochs:,} of "
                                                f"{last_epoch:,}")
        _pictures(run, run.epochs, last_epoch)


def _epoch_view(run):
    """Everything that depends on the epoch shown: redrawn alone when the scrubber moves."""
    scrubber = st.container(height=SCRUBBER_HEIGHT, border=False, key="scrubber")
    pictures = st.empty()
    playing = st.session_state.get("play") and len(run.snapshot_epochs) > 1
    if run.verdict is None:
        st.info(f"**Untrained:** the network of seed {run.config.seed} at epoch 0, loss "
                f"{number(run.history.final_loss)}, {run.history.final_accuracy:.0%} of the "
                f"{run.data.n:,} training points right. Press **Train** to watch it learn.")
    else:
        _verdict(run)
        _metrics(run)
    if playing:
        st.caption("Inside the network: shown at the epoch where Play stops.")
        _play(run, scrubber, pictures)
    with scrubber:
        epoch = _scrubber(run)
    with pictures.container():
        _pictures(run, epoch)
    _inside(run, epoch)


def _play(run, scrubber, pictures):
    """Step through the snapshots from the scrubbed one, PLAY_EVERY seconds apart, in one
    script run (a click anywhere ends it, and the scrubber stays where Play got to); then
    stop playing."""
    epochs = run.snapshot_epochs
    at = epochs.index(st.session_state["frame"]) if st.session_state.get("frame") in epochs \
        else 0
    if at == len(epochs) - 1:   # from the end: play from the start
        at = 0
    with scrubber:
        frame = st.empty()
    for epoch in epochs[at:]:
        started = time.perf_counter()
        st.session_state["frame"] = epoch
        st.session_state[live.SCRUBBED] = (run.id, epoch)
        # A moving copy of the scrubber: a keyed widget can be drawn once per script run.
        frame.select_slider("Epoch", epochs, value=epoch, disabled=True,
                            format_func=lambda e: f"epoch {e:,}",
                            label_visibility="collapsed")
        with pictures.container():
            _pictures(run, epoch)
        time.sleep(max(0.0, PLAY_EVERY - (time.perf_counter() - started)))
    st.session_state[live.PLAYED] = True   # the toolbar turns Play off in the next run
    st.rerun()


def _scrubber(run):
    """The epoch slider."""
    epochs = run.snapshot_epochs
    if st.session_state.get("frame") not in epochs:
        st.session_state["frame"] = epochs[-1]
    if len(epochs) == 1:
        st.caption(f"Epoch {epochs[0]:,}")
        return epochs[0]
    return st.select_slider("Epoch", epochs, key="frame", format_func=lambda e: f"epoch {e:,}",
                            on_change=_scrubbed, args=(run.id,),
                            label_visibility="collapsed")


def _scrubbed(run_id):
    """Remember the epoch the learner scrubbed to: Gradient flow opens there."""
    st.session_state[live.SCRUBBED] = (run_id, st.session_state["frame"])


def _pictures(run, epoch, last_epoch=None):
    """The network, the decision boundary and the loss curves, side by side."""
    network, boundary, curves = st.columns([1, 1, 1.1], gap="small")
    with network:
        st.image(drawing.diagram(run, epoch), width="stretch")
        st.caption(f"The network at epoch {epoch:,}: each neuron's output over the plane. "
                   "Lines are weights; width is size.")
    with boundary:
        drawing.show_png(drawing.frame(run, epoch))
        st.caption(boundary_caption(run, epoch))
    with curves:
        untrained = run.verdict is None and last_epoch is None
        _loss_curve(run, epoch, run.config.epochs if untrained else last_epoch)
        st.image(drawing.legend_svg(), width="stretch")


def _stale_note(run, config, dataset):
    if config is None or run.continues(config, dataset):
        return
    changes = [f"{SETTING_NAMES.get(key, key)} {_shown(key, old)} → {_shown(key, new)}"
               for key, old, new in run.config.differences(config)] or ["another file"]
    st.warning("**Out of date:** this result was trained with other settings ("
               + escaped(", ".join(changes)) + "). Press **Train** to train with the new ones.")


def _shown(key, value):
    if key == "batch":
        return "full batch" if value is None else f"{value}"
    return f"{value:g}" if isinstance(value, float) else f"{value}"


def _metrics(run):
    history, n = run.history, run.data.n
    columns = st.columns(4 if run.test is not None else 3)
    columns[0].metric("Final loss", f"{number(history.final_loss)}", border=True,
                      help=f"{run.config.loss} of the final weights on the {n:,} training "
                           "examples" + (", L2 penalty included" if run.config.l2 else ""))
    columns[1].metric("Accuracy", f"{history.final_accuracy:.0%}", border=True,
                      help=f"share of the {n:,} training examples on the right side of 0.5")
    if run.test is not None:
        columns[2].metric("Test accuracy", f"{float(history.test_accuracy[-1]):.0%}",
                          border=True, help=f"share of the {run.test.n:,} held-out test "
                                            "examples on the right side of 0.5")
    batch = "full batch" if run.config.batch is None or run.config.batch >= n else \
        f"mini-batches of {run.config.batch}"
    columns[-1].metric("Epochs", f"{run.epochs:,}", border=True,
                       help=f"passes over the training examples ({batch})")


def _verdict(run):
    """The verdict's headline in its colour; its reasons folded below it."""
    verdict = run.verdict
    stopped = st.session_state.get(live.STOPPED)
    note = ""
    if stopped is not None and stopped[0] == run.epochs:
        note = (f" Stopped at epoch {stopped[0]:,} of {stopped[1]:,}: what was trained is "
                "kept; **+ epochs** trains on from here.")
    VERDICT_BOX[verdict.kind](f"**{verdict.headline}**{note}")
    with st.expander("Why: the verdict's reasons"):
        st.markdown("\n\n".join(verdict.details))


def boundary_caption(run, epoch):
    low, high = drawing.output_range(run, epoch)
    if high - low < FLAT_RANGE:
        return (f"Output at epoch {epoch:,}: {low:.4f} everywhere in this view (it varies by "
                f"less than {FLAT_RANGE:g}), so no point is on either side of 0.5: undecided "
                "everywhere, and no boundary is drawn.")
    shown = f"Output at epoch {epoch:,}, from {low:.3f} to {high:.3f} in this view"
    if low >= 0.5 or high <= 0.5:
        side = "1 (above" if low >= 0.5 else "0 (below"
        return f"{shown}: all of it on the class {side} 0.5), so no boundary yet."
    return f"{shown}: the dark line is output 0.5, where the class flips."


def _loss_curve(run, epoch, last_epoch=None):
    """Loss above, accuracy below; `last_epoch` fixes the epoch axis (while training)."""
    frame = run.picture("history_frame", lambda: charts.history_frame(run.history))
    log_scale = charts.wants_log(frame) or st.session_state.get("log_loss", False)
    st.vega_lite_chart(charts.loss_spec(frame, log_scale=log_scale, marked_epoch=epoch,
                                        test=run.test is not None, epochs=last_epoch,
                                        height=CHART_HEIGHT), width="stretch")


CHART_HEIGHT = 230   # CSS pixels, both panels: the chart and the legend below it match a picture


def _predictions(run):
    parts = [("training", run.data)] + ([("test", run.test)] if run.test is not None else [])
    table = pd.concat([_prediction_rows(run, name, part) for name, part in parts],
                      ignore_index=True)
    shown = len(table)
    st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * shown, 320),
                 column_config={
                     "output": st.column_config.ProgressColumn("output", format="%.3f",
                                                               min_value=0.0, max_value=1.0),
                     "verdict": st.column_config.TextColumn(
                         "verdict", help=f"right or wrong: the output is on the target's or "
                         f"the other side of 0.5; undecided: within {UNDECIDED} of 0.5")})
    if shown > 8:
        st.caption(f"{shown:,} rows: scroll the table, or sort it by a column.")


def _downloads(run):
    """The run to keep: the network as JSON, the history as CSV, the boundary as an animation.
    Each file is made only when its button is pressed."""
    config, epoch = run.config, int(run.history.epochs[-1])
    name = f"backprop-{config.arch}-seed{config.seed}-epoch{epoch}"
    network, history, frames = st.columns(3)
    network.download_button("Network (JSON)", lambda: network_json(run),
                            file_name=f"{name}.json", mime="application/json",
                            key="download_network", on_click="ignore", width="stretch")
    history.download_button("History (CSV)", lambda: history_csv(run),
                            file_name=f"{name}.csv", mime="text/csv",
                            key="download_history", on_click="ignore", width="stretch")
    frames.download_button("Animation", lambda: drawing.animation(run),
                           file_name=f"{name}.png", mime="image/png",
                           key="download_animation", on_click="ignore", width="stretch",
                           help="The decision boundary at every snapshot, as one animated PNG")


def _prediction_rows(run, name, part):
    outputs = run.net.predict(part.X).ravel()
    targets = part.y.ravel()
    rows = {"input": [format_point(x) for x in part.X], "target": targets.astype(int),
            "output": outputs,
            "verdict": [p.status for p in point_statuses(part.X, targets, outputs)]}
    if run.test is not None:
        rows = {"set": name, **rows}
    return pd.DataFrame(rows)


def _inside(run, epoch):
    st.subheader(f"Inside the network at epoch {epoch:,}")
    for layer, (picture, caption) in enumerate(run.picture(("heatmaps", epoch),
                                                           lambda: _heatmaps(run, epoch)), 1):
        drawing.show_png(picture, Image.open(io.BytesIO(picture)).width // drawing.SCALE,
                         f"Hidden layer {layer}: {caption}")
    spec, caption = run.picture(("hidden_space", epoch), lambda: _hidden_space(run, epoch))
    st.vega_lite_chart(spec, width="stretch")
    st.caption(caption)


def _hidden_space(run, epoch):
    net = run.network_at(epoch)
    X, y = run.data.X, run.data.y
    hidden = net.forward(X).activations[-2]
    chart, line_shown = charts.hidden_space(hidden, X, y, net.weights[-1][:, 0],
                                            float(net.biases[-1][0]),
                                            HIDDEN_RANGE[run.config.activation])
    return charts.spec(chart), _hidden_space_caption(net, hidden, y, line_shown)


def _hidden_space_caption(net, hidden, y, line_shown):
    """Say which view the chart is and whether a straight line now splits the classes."""
    k, n = hidden.shape[1], len(hidden)
    view = {1: "along the one hidden neuron's output h1",
            2: "in the plane of the two hidden neurons' outputs (h1, h2)"}.get(
        k, f"across, the output unit's input z = w·h + b computed from all {k} hidden "
           "neurons; up, the direction in which the points spread most apart from z")
    z = hidden @ net.weights[-1][:, 0] + net.biases[-1][0]
    wrong = int(((z > 0) != (np.ravel(y) > 0.5)).sum())
    verdict = ("The dashed line (output 0.5) puts every point on its own class's side: the "
               "hidden layer has made the classes linearly separable." if wrong == 0 else
               f"{wrong:,} of {n:,} points are still on the wrong side of the dashed line "
               "(output 0.5).")
    if not line_shown:
        verdict += " (The line itself lies outside this view.)"
    return f"The {n:,} training points as the output unit sees them, {view}. {verdict}"


def _heatmaps(run, epoch):
    """One tile per hidden neuron: its activation over the input plane."""
    boundary = drawing.renderer(run.data.extent)
    forward = run.network_at(epoch).forward(boundary.grid_points())
    size = boundary.resolution
    pictures = []
    for activations in forward.activations[1:-1]:
        tiles = activations.T.reshape(-1, size, size)
        low, high = HIDDEN_RANGE[run.config.activation] or (float(tiles.min()),
                                                                 float(tiles.max()))
        pictures.append((neuron_heatmaps(tiles, low, high, scale=drawing.SCALE),
                         f"each tile is one neuron's activation over the input plane, "
                         f"coloured from {low:.2g} (orange) to {high:.2g} (purple)."))
    return pictures
