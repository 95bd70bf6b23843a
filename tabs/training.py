"""Tab 1, "Training": watch the loss fall and the decision boundary bend into place."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from pictures import charts
from pictures.boundary import FLAT_RANGE, neuron_heatmaps
from runs import PRESETS, history_csv, network_json
from tabs import documents, drawing
from tabs.sidebar import apply_preset, dataset_for
from tabs.text import escaped
from verdict import UNDECIDED, Kind, format_point, point_statuses

VERDICT_BOX = {Kind.CONVERGED: st.success, Kind.OVERFITTING: st.warning, Kind.IMPROVING: st.info,
               Kind.PLATEAU: st.info, Kind.CRAWLING: st.warning, Kind.STUCK: st.warning,
               Kind.OSCILLATING: st.error, Kind.DIVERGED: st.error}
ACTIVATION_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "linear": None, "relu": None}
SETTING_NAMES = {"arch": "architecture", "lr": "learning rate", "init": "init",
                 "test_share": "test share", "data_seed": "data seed", "batch": "batch size",
                 "l2": "L2"}


def render(run, config):
    if run is None:
        st.info("Press **Train** in the sidebar to watch the network learn, or try one of the "
                "experiments below.")
        _presets()
        return
    _stale_note(run, config, dataset_for(config))
    _metrics(run)
    _verdict(run)
    boundary_column, curve_column = st.columns(2)
    with boundary_column:
        epoch = _boundary(run)
    with curve_column:
        _loss_curve(run, epoch)
        _predictions(run)
        _downloads(run)
    _inside(run, epoch)
    _presets()


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
    columns[0].metric("Final loss", f"{history.final_loss:.4g}", border=True,
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
    verdict = run.verdict
    VERDICT_BOX[verdict.kind](f"**{verdict.headline}**\n\n" + "\n\n".join(verdict.details))


def _boundary(run):
    """The decision boundary at the scrubbed epoch; returns that epoch."""
    st.subheader("Decision boundary")
    epochs = run.snapshot_epochs
    if st.session_state.get("frame") not in epochs:
        st.session_state["frame"] = epochs[-1]
    epoch = st.select_slider("Epoch", epochs, key="frame", format_func=lambda e: f"{e:,}",
                             help="Snapshots recorded while training; drag to replay.")
    playing = st.toggle("▶ Play", key="play", help="Replay every snapshot as an animation")
    test = " Hollow markers are test points, held out of training." if run.test is not None \
        else ""
    if playing:
        st.image(drawing.animation(run), width="stretch", output_format="PNG")
        st.caption(f"Replaying the snapshots from epoch {epochs[0]:,} to {epochs[-1]:,}, "
                   "looping. Turn Play off to scrub.")
    else:
        st.image(drawing.frame(run, epoch), width="stretch", output_format="PNG")
        st.caption(boundary_caption(run, epoch) + f" Circles are class 0, squares class 1.{test}")
    st.image(drawing.legend("output"), width="stretch", output_format="PNG")
    return epoch


def boundary_caption(run, epoch):
    low, high = drawing.output_range(run, epoch)
    if high - low < FLAT_RANGE:
        return (f"Output at epoch {epoch:,}: {low:.4f} everywhere in this view (it varies by "
                f"less than {FLAT_RANGE:g}), so no point is on either side of 0.5: undecided "
                "everywhere, and no boundary is drawn.")
    return (f"Output at epoch {epoch:,}, from {low:.3f} to {high:.3f} in this view: the dark "
            "line is output 0.5, where the class flips.")


def _loss_curve(run, epoch):
    st.subheader("Loss and accuracy")
    log_scale = st.toggle("Log scale for the loss", key="log_loss")
    frame = run.picture("history_frame", lambda: charts.history_frame(run.history))
    st.vega_lite_chart(frame, charts.loss_chart(log_scale, marked_epoch=epoch,
                                                test=run.test is not None), width="stretch")


def _predictions(run):
    st.subheader("Predictions")
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
        st.image(picture, caption=f"Hidden layer {layer}: {caption}", output_format="PNG")
    net = run.network_at(epoch)
    X, y = run.data.X, run.data.y
    hidden = net.forward(X).activations[-2]
    frame, spec, line_shown = charts.hidden_space(hidden, X, y, net.weights[-1][:, 0],
                                                  float(net.biases[-1][0]),
                                                  ACTIVATION_RANGE[run.config.activation])
    st.vega_lite_chart(frame, spec, width="stretch")
    st.caption(_hidden_space_caption(net, hidden, y, line_shown))


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
        low, high = ACTIVATION_RANGE[run.config.activation] or (float(tiles.min()),
                                                                 float(tiles.max()))
        pictures.append((neuron_heatmaps(tiles, low, high),
                         f"each tile is one neuron's activation over the input plane, "
                         f"coloured from {low:.2g} (orange) to {high:.2g} (purple)."))
    return pictures


def _presets():
    st.subheader("Try this")
    documents.show(documents.HYPERPARAMETERS)
    for preset in PRESETS:
        text_column, button_column = st.columns([4, 1], vertical_alignment="center")
        text_column.markdown(f"**{preset.title}.** {preset.text}")
        button_column.button("Try it", key=f"preset_{preset.key}", on_click=apply_preset,
                             args=(preset,))
