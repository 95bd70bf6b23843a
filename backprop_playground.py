"""Backprop Playground: watch a NumPy neural network learn XOR by backpropagation.

Run with `streamlit run backprop_playground.py`.
"""

import logging
import time

import streamlit as st

from tabs import charts, controls, gradient_flow, runs, training

LIVE_EVERY = 0.1   # seconds between live redraws while training

st.set_page_config(page_title="Backprop Playground", page_icon="🧠", layout="wide")


def train_live(make_run):
    """Run `make_run(progress)` while a progress bar and the loss curve update live."""
    slot = st.empty()
    with slot.container():
        bar = st.progress(0.0, text="Training…")
        curve = st.empty()
    last_draw = time.perf_counter()

    def progress(fraction, history):
        nonlocal last_draw
        if time.perf_counter() - last_draw < LIVE_EVERY:
            return
        bar.progress(fraction, text=f"Training… epoch {int(history.epochs[-1]):,}")
        curve.vega_lite_chart(charts.history_frame(history), charts.loss_chart(height=180),
                              width="stretch")
        last_draw = time.perf_counter()

    run = make_run(progress)
    slot.empty()
    return run


def main():
    st.title("Backprop Playground")
    st.caption("A NumPy network learns XOR by backpropagation. Choose settings in the sidebar, "
               "press **Train**, then open **Gradient flow** to see every number of a step.")
    config, problems, actions = controls.sidebar()
    run = st.session_state.get("run")
    if actions.reset:
        run = st.session_state["run"] = None
    if config is not None and (actions.train or (actions.more and run is not None)):
        if actions.train:
            run = train_live(lambda progress: runs.new_run(config, progress))
        else:
            run = train_live(lambda progress: runs.continued(run, config, progress))
        st.session_state["run"] = run
        st.session_state["frame"] = run.snapshot_epochs[-1]
        st.session_state["play"] = False
    elif problems:
        st.error("Fix the settings in the sidebar to train: " + " ".join(problems))

    training_tab, flow_tab = st.tabs(["Training", "Gradient flow"], key="tab", on_change="rerun")
    if training_tab.open:
        with training_tab:
            training.render(run, config)
    if flow_tab.open:
        with flow_tab:
            gradient_flow.render(run, config)


try:
    main()
except Exception:   # the page shows a plain message; the traceback goes to the server log
    logging.getLogger("backprop_playground").exception("unexpected error")
    st.error("Something went wrong while drawing this page. Your settings are kept; "
             "press **Reset** or reload the page.")
