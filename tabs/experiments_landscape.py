"""The Experiments tab's last two sections: every optimizer from the run's own start, and
the loss landscape around the run with their paths drawn on it."""

from __future__ import annotations

import numpy as np
import streamlit as st

import landscape
import studies
import workers
from pictures import study_charts
from tabs import pool
from tabs.text import escaped

RACE = "_race"                 # (the Race, the uploaded Dataset it trained on or None)
LANDSCAPE = "landscape"        # run.pictures key: (directions, the race drawn, the View)
DIRECTIONS = {"principal": "the path's two principal directions",
              "random": "two random directions, filter-normalized (Li et al. 2018)"}
AXES = {"principal": ("principal direction 1 (distance)", "principal direction 2 (distance)"),
        "random": ("random direction 1 (filter-normalized)",
                   "random direction 2 (filter-normalized)")}


def same_setting(kept, config):
    """True if `kept` (a result's config) is `config` but for the seed."""
    return _same(kept.replace(seed=config.seed), config)


def _same(kept, config):
    """True if `kept` trains exactly what `config` does, epochs included."""
    return kept.same_run(config) and kept.epochs == config.epochs


def stale_note(kept, config):
    changes = [key for key, _, _ in kept.replace(seed=config.seed).differences(config)]
    if kept.epochs != config.epochs:
        changes.append("epochs")
    if not changes:   # the same settings: another uploaded file
        changes.append("the uploaded file")
    st.caption("These results are of other settings than the sidebar's now ("
               + ", ".join(changes) + " changed); press the button again for the new ones.")


# --- the loss landscape ---------------------------------------------------------------------

def landscape_section(run, race):
    st.subheader("What does the loss look like around this run?")
    if run is None:
        st.info("Train a run with the sidebar's settings (Training tab) to see the loss "
                "around its weights.")
        return
    choice = st.radio("Slice through the final weights along", list(DIRECTIONS),
                      format_func=DIRECTIONS.get, key="landscape_directions", horizontal=True)
    # One view kept per run, redrawn when the directions or the race drawn on it change.
    kept = run.pictures.get(LANDSCAPE)
    if kept is None or kept[0] != choice or kept[1] is not race:
        kept = run.pictures[LANDSCAPE] = (choice, race, _landscape(run, choice, race))
    view = kept[2]
    for sentence in landscape.describe(view):
        st.markdown(sentence)
    left, right = st.columns([3, 2])
    with left:
        st.altair_chart(study_charts.landscape_chart(view.section, view.paths, AXES[choice]))
    with right:
        st.altair_chart(study_charts.line_chart(
            view.between, "from the initial (0) to the final weights (1)",
            [(0.0, "start"), (1.0, "end")]))
        if view.gradient is not None:
            st.altair_chart(study_charts.line_chart(
                view.gradient, "distance downhill along the final gradient",
                [(0.0, "final weights")]))
        else:
            st.caption("The final gradient is exactly zero: there is no downhill direction.")


def _path(history):
    return np.array([landscape.flatten(s.weights, s.biases)
                     for _, s in sorted(history.snapshots.items())])


def _landscape(run, choice, race):
    """The view of `run`, with the race's paths (its SGD at the run's rate is this run)."""
    paths = {"this run": _path(run.history)}
    if race is not None:
        paths |= {studies.OPTIMIZER_NAMES[name]: _path(history)
                  for name, history in zip(race.names, race.histories)
                  if not (name == "sgd" and race.learning_rate == run.config.lr)}
    return landscape.around(run.net, run.data.X, run.data.y, paths, choice)


# --- optimizers -----------------------------------------------------------------------------

def race_of(run):
    """The session's race if it started from this run's own weights on its data, else None."""
    race, source = st.session_state.get(RACE, (None, None))
    if race is None or run is None or not _same(race.config, run.config) \
            or source is not run.source:
        return None
    return race


def race_section(request, run):
    config = request.config
    st.subheader("What would another optimizer do from the same start?")
    st.caption(f"SGD, momentum, Nesterov, RMSprop and Adam, each from seed {config.seed:,}'s "
               "initial weights with the same mini-batch order, for the sidebar's epochs.")
    with st.container(horizontal=True, vertical_alignment="bottom"):
        rate = st.number_input("Learning rate for all five", min_value=1e-4, max_value=100.0,
                               value=float(config.lr), format="%g", key="race_lr", width=200)
        pressed = st.button("Race the optimizers", key="race", type="primary")
    if pressed:
        try:
            st.session_state[RACE] = (pool.run(workers.race, config, rate, request.dataset),
                                      request.dataset)
        except (ValueError, workers.WorkerDiedError) as error:
            st.error(escaped(str(error)))
    race, source = st.session_state.get(RACE, (None, None))
    if race is None:
        return
    if not _same(race.config, config) or source is not request.dataset:
        stale_note(race.config, config)
    for sentence in studies.race_sentences(race):
        st.markdown(sentence)
    names = [studies.OPTIMIZER_NAMES[name] for name in race.names]
    st.altair_chart(study_charts.race_chart(race, names))
    if run is not None and race_of(run) is race:
        st.caption("Their paths are drawn on the landscape below.")
