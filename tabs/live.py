"""The toolbar (Train, Step, Continue, Reset, Stop, Play) and training drawn live.

Training runs in the server's pool of worker processes (`workers`, shared by every session;
BACKPROP_WORKERS=0 trains in the script's own thread instead). While a network trains, the
page is redrawn with live frames on the cadence of `runs.live_frames`. Stop, or any other
click, starts the next script run and stops the one that trains within `workers.POLL_S`; the
worker is told to stop and hands back what it trained, through a `tabs.pool.Handover` that
was put in the session when training began, and the next run takes it from there and keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

import runs
import workers
from runs import PRESETS
from tabs import pool
from tabs.sidebar import apply_preset
from tabs.text import escaped

UNFINISHED = "_unfinished"  # session key: the Handover of the training under way
STOPPED = "_stopped"        # session key: (epochs trained, epochs asked) of a stopped run
PLAYED = "_played"          # session key: Play got to the last snapshot
SCRUBBED = "scrubbed"       # session key: (run id, epoch) scrubbed to; Gradient flow opens there


@dataclass(frozen=True)
class Actions:
    """Which button asked for what in this script run."""

    train: bool
    step: bool
    more: bool
    reset: bool

    @property
    def trains(self):
        return self.train or self.step or self.more


def current_run():
    """The session's run; a training that was stopped (or cut short by another click) is kept
    as far as it got."""
    handover = st.session_state.pop(UNFINISHED, None)
    if handover is not None:
        stopped = handover.result()
        if stopped is not None:
            stopped = runs.judged(stopped)
            st.session_state["run"] = stopped
            st.session_state["frame"] = stopped.snapshot_epochs[-1]
            if stopped.epochs < handover.asked:
                st.session_state[STOPPED] = (stopped.epochs, handover.asked)
    return st.session_state.get("run")


def toolbar(request):
    """The buttons above the pictures; returns (Actions, the slot where Stop goes)."""
    pool.shared()   # the server's workers start now, while the first learner reads the page
    run = current_run()
    config = request.config
    requested = st.session_state.pop("_train_requested", False) and config is not None
    epochs = st.session_state["epochs"]
    with st.container(horizontal=True, vertical_alignment="center", key="toolbar"):
        # No help on Train: a button with help is drawn twice (once hidden, for its tooltip),
        # and the browser tests and benchmarks find Train by its key.
        train = st.button("Train", key="train", type="primary",
                          ) or requested
        batch = None if config is None else config.batch
        updates = "one update on the full batch" if batch is None else \
            f"one update per mini-batch of {batch}"
        step = st.button("Step", key="step",
                         help=f"Train one epoch ({updates}), from the current run if it has "
                              "these settings, else from epoch 0")
        can_continue = config is not None and (
            train or (run is not None and run.continues(config, request.dataset)))
        more = st.button(f"+{epochs:,} epochs", key="continue", disabled=not can_continue,
                         help="Continue from the current weights (same settings only)")
        reset = st.button("Reset", key="reset", disabled=run is None and not (train or step),
                          help="Forget the run and go back to the untrained network")
        stop = st.empty()
        stop.button("Stop", key="stop_idle", disabled=True,
                    help="Stops a training in progress, keeping what was trained")
        actions = Actions(train, step and not train, more and not (train or step),
                          reset and not (train or step or more))
        if st.session_state.pop(PLAYED, False) or actions.trains or actions.reset:
            st.session_state["play"] = False
        # What this script run trains will be there by the time anyone can click Play.
        st.toggle("Play", key="play",
                  disabled=actions.reset or not (actions.trains or (
                      run is not None and len(run.snapshot_epochs) > 1)),
                  help="Replay the snapshots: the scrubber, the boundary, the network and the "
                       "loss marker move together")
        st.toggle("Log loss", key="log_loss", help="The loss on a log scale (it switches by "
                  "itself when the loss spans a factor of 1,000 or more, or diverges)")
        _presets(request.limits)
    if train:   # the link's problems have been seen; a run of one's own supersedes them
        st.session_state["_link_problems"] = []
    return actions, stop


def _presets(limits):
    with st.popover("Try an experiment"):
        if limits:
            st.caption("This link fixes some settings, and every experiment sets them all.")
        for preset in PRESETS:
            st.markdown(f"**{preset.title}.** {preset.text}")
            st.button("Try it", key=f"preset_{preset.key}", on_click=apply_preset,
                      args=(preset,), disabled=bool(limits))


def act(request, actions, stop, redraw):
    """Carry out the toolbar's buttons; return the run to show (None: untrained).

    `redraw(progress)` draws a runs.Progress while training; `stop` is the toolbar's slot
    for the Stop button, live only while training.
    """
    run = current_run()
    config = request.config
    if actions.reset:
        st.session_state["run"] = None
        st.session_state.pop(STOPPED, None)
        return None
    if not actions.trains:
        return run
    if config is None:
        st.error("Fix the settings in the sidebar to train: "
                 + " ".join(escaped(problem) for problem in request.problems))
        return run
    continues = run is not None and run.continues(config, request.dataset)
    if actions.step and continues:
        job, first, epochs = (workers.extend_run, run, 1), run.epochs, 1
    elif actions.step:
        job, first, epochs = (workers.train_run, config.replace(epochs=1), request.dataset), 0, 1
    elif actions.more:
        job, first, epochs = (workers.extend_run, run, config.epochs), run.epochs, config.epochs
    else:
        job, first, epochs = (workers.train_run, config, request.dataset), 0, config.epochs
    stop.button("Stop", key="stop", type="primary")   # no help: see Train
    st.session_state.pop(STOPPED, None)
    try:
        trained = _train_live(job, redraw, first + epochs)
    except (ValueError, workers.WorkerDiedError) as error:   # data it cannot start on; a crash
        st.session_state.pop(UNFINISHED, None)
        said = str(error) if isinstance(error, ValueError) else (
            f"The training stopped unexpectedly ({error}); press the button again.")
        st.error(escaped(said) + " The previous run is kept.")
        return st.session_state.get("run")
    stop.button("Stop", key="stop_done", disabled=True)
    st.session_state["run"] = trained
    st.session_state["frame"] = trained.snapshot_epochs[-1]
    return trained


def _train_live(job, redraw, last_epoch):
    """`job` = (a job of `workers`, its arguments) run with the page redrawn live; what it
    trained is handed over to the next script run if a click stops this one."""
    function, *arguments = job
    extending = function is workers.extend_run
    source = arguments[0].source if extending else arguments[1]
    if extending:   # its pictures stay here; the longer run keeps some
        kept = runs.kept_pictures(arguments[0])
        arguments[0] = runs.without_pictures(arguments[0])

    def ours(run):
        """A run from a worker holds a copy of an uploaded file's points: the session's own
        object again, which `Run.continues` recognises."""
        if run is not None:
            run.source = source
        return run

    def frame(report):
        fraction, so_far = report[0], ours(report[1])
        redraw(runs.Progress(fraction, so_far.history, lambda judged=True: so_far), last_epoch)

    handover = pool.Handover(last_epoch, adopt=ours)
    st.session_state[UNFINISHED] = handover
    trained = ours(pool.run(function, *arguments, handover=handover, on_report=frame,
                            kept=lambda report: report[1]))
    if extending:
        trained.pictures.update({**kept, **trained.pictures})
    st.session_state.pop(UNFINISHED, None)
    return trained

