"""Training from the sidebar's buttons, with a progress bar and the loss curve drawn live."""

from __future__ import annotations

import time

import streamlit as st

import runs
from pictures import charts
from tabs.text import escaped

LIVE_EVERY = 0.1   # seconds between live redraws while training


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
        curve.vega_lite_chart(charts.history_frame(history),
                              charts.loss_chart(height=180, test=history.test_loss is not None),
                              width="stretch")
        last_draw = time.perf_counter()

    try:
        return make_run(progress)
    finally:
        slot.empty()


def act(request):
    """Carry out the sidebar's buttons (reset, train, continue); return the run to show."""
    run = st.session_state.get("run")
    config, actions = request.config, request.actions
    if actions.reset:
        st.session_state["run"] = None
        return None
    if config is not None and (actions.train or (actions.more and run is not None)):
        try:
            if actions.train:
                run = train_live(lambda progress: runs.train(config, progress, request.dataset))
            else:
                run = train_live(lambda progress: runs.extend(run, config.epochs, progress))
        except ValueError as error:   # data the network cannot start on, say
            st.error(escaped(str(error)) + " The previous run is kept.")
            return st.session_state.get("run")
        st.session_state["run"] = run
        st.session_state["frame"] = run.snapshot_epochs[-1]
        st.session_state["play"] = False
    elif request.problems:
        st.error("Fix the settings in the sidebar to train: "
                 + " ".join(escaped(problem) for problem in request.problems))
    return run
