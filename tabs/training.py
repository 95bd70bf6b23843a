"""Tab 1, "Training": watch the loss fall and the decision boundary bend into place."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from network import XOR_X, XOR_Y
from plots import neuron_heatmaps
from tabs import charts, documents, runs
from tabs.controls import PRESETS, apply_preset
from verdict import format_point

VERDICT_BOX = {"converged": st.success, "improving": st.info, "plateau": st.info,
               "crawling": st.warning,
               "stuck": st.warning, "oscillating": st.error, "diverged": st.error}
ACTIVATION_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "linear": None, "relu": None}


def render(run, config):
    if run is None:
        st.info("Press **Train** in the sidebar to watch the network learn XOR, or try one of "
                "the experiments below.")
        _presets()
        return
    _stale_note(run, config)
    _metrics(run)
    _verdict(run)
    boundary_column, curve_column = st.columns(2)
    with boundary_column:
        epoch = _boundary(run)
    with curve_column:
        _loss_curve(run, epoch)
        _predictions(run)
    _inside(run, epoch)
    _presets()


def _stale_note(run, config):
    if config is None or run.config.same_network(config):
        return
    trained, now = run.config, config
    changes = [f"{name} {old} → {new}" for name, old, new in (
        ("architecture", trained.arch, now.arch),
        ("activation", trained.activation, now.activation),
        ("loss", trained.loss, now.loss),
        ("init", trained.init, now.init),
        ("learning rate", trained.learning_rate, now.learning_rate),
        ("seed", trained.seed, now.seed),
    ) if old != new]
    st.warning("**Out of date:** this result was trained with other settings ("
               + ", ".join(changes) + "). Press **Train** to train with the new ones.")


def _metrics(run):
    history = run.history
    loss, accuracy, epochs = st.columns(3)
    loss.metric("Final loss", f"{history.final_loss:.4g}", border=True,
                help=f"{run.config.loss} of the final weights on the 4 XOR examples")
    accuracy.metric("Accuracy", f"{history.final_accuracy:.0%}", border=True,
                    help="share of examples on the right side of 0.5")
    epochs.metric("Epochs", f"{run.epochs:,}", border=True,
                  help="gradient-descent updates made (full batch)")


def _verdict(run):
    verdict = run.verdict
    VERDICT_BOX[verdict.kind](f"**{verdict.headline}**\n\n" + "\n\n".join(verdict.details))


def _boundary(run):
    """The decision boundary at the scrubbed epoch; returns that epoch."""
    st.subheader("Decision boundary")
    frames = runs.render_frames(run)
    epochs = run.snapshot_epochs
    if st.session_state.get("frame") not in epochs:
        st.session_state["frame"] = epochs[-1]
    epoch = st.select_slider("Epoch", epochs, key="frame", format_func=lambda e: f"{e:,}",
                             help="Snapshots recorded while training; drag to replay.")
    playing = st.toggle("▶ Play", key="play", help="Replay every snapshot as an animation")
    if playing:
        st.image(runs.animation(run), width="stretch", output_format="PNG")
        st.caption(f"Replaying the snapshots from epoch {epochs[0]:,} to {epochs[-1]:,}, "
                   "looping. Turn Play off to scrub.")
    else:
        st.image(frames[epoch], width="stretch", output_format="PNG")
        st.caption(f"Output at epoch {epoch:,}: the dark line is output 0.5, where the class "
                   "flips. Circles are class 0, squares class 1.")
    st.image(runs.legend("output"), width="stretch", output_format="PNG")
    return epoch


def _loss_curve(run, epoch):
    st.subheader("Loss and accuracy")
    log_scale = st.toggle("Log scale for the loss", key="log_loss")
    st.vega_lite_chart(charts.history_frame(run.history),
                       charts.loss_chart(log_scale, marked_epoch=epoch), width="stretch")


def _predictions(run):
    st.subheader("Predictions")
    outputs = run.net.predict(XOR_X).ravel()
    table = pd.DataFrame({
        "input": [format_point(x) for x in XOR_X],
        "target": XOR_Y.ravel().astype(int),
        "output": outputs,
        "correct": (outputs > 0.5) == (XOR_Y.ravel() > 0.5),
    })
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "output": st.column_config.ProgressColumn("output", format="%.3f", min_value=0.0,
                                                  max_value=1.0),
        "correct": st.column_config.CheckboxColumn(
            "correct", help="the output is on the target's side of 0.5"),
    })


def _inside(run, epoch):
    st.subheader(f"Inside the network at epoch {epoch:,}")
    for layer, (picture, caption) in enumerate(run.picture(("heatmaps", epoch),
                                                           lambda: _heatmaps(run, epoch)), 1):
        st.image(picture, caption=f"Hidden layer {layer}: {caption}",
                 output_format="PNG")
    net = run.network_at(epoch)
    hidden = net.forward(XOR_X).activations[-2]
    data, spec, line_shown = charts.hidden_space(hidden, XOR_X, XOR_Y, net.weights[-1][:, 0],
                                     float(net.biases[-1][0]),
                                     ACTIVATION_RANGE[run.config.activation])
    st.vega_lite_chart(data, spec, width="stretch")
    st.caption(_hidden_space_caption(net, hidden, line_shown))


def _hidden_space_caption(net, hidden, line_shown):
    """Say which view the chart is and whether a straight line now splits the classes."""
    k = hidden.shape[1]
    view = {1: "along the one hidden neuron's output h1",
            2: "in the plane of the two hidden neurons' outputs (h1, h2)"}.get(
        k, f"across, the output unit's input z = w·h + b computed from all {k} hidden "
           "neurons; up, the direction in which the points spread most apart from z")
    z = hidden @ net.weights[-1][:, 0] + net.biases[-1][0]
    wrong = int(((z > 0) != (XOR_Y.ravel() > 0.5)).sum())
    verdict = ("The dashed line (output 0.5) puts every point on its own class's side: the "
               "hidden layer has made XOR linearly separable." if wrong == 0 else
               f"{wrong} of {len(z)} points are still on the wrong side of the dashed line "
               "(output 0.5).")
    if not line_shown:
        verdict += " (The line itself lies outside this view.)"
    return f"The four XOR points as the output unit sees them, {view}. {verdict}"


def _heatmaps(run, epoch):
    """One tile per hidden neuron: its activation over the input plane."""
    boundary = runs.renderer()
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
