"""The Experiments tab: how often the current settings work over seeds, a reliability map of
architectures and learning rates, the loss landscape around the current run, and every
optimizer from the run's own start. Each result is kept with the settings it was computed for;
a stopped sweep keeps the seeds it finished."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import landscape
import studies
from formats import number
from pictures import study_charts
from tabs.sidebar import load_seed
from tabs.text import escaped

SWEEP, SWEEP_UNFINISHED, SWEEP_STOPPED = "_sweep", "_sweep_unfinished", "_sweep_stopped"
MAP, RACE = "_map", "_race"
DIRECTIONS = {"principal": "the path's two principal directions",
              "random": "two random directions, filter-normalized (Li et al. 2018)"}
AXES = {"principal": ("principal direction 1 (distance)", "principal direction 2 (distance)"),
        "random": ("random direction 1 (filter-normalized)",
                   "random direction 2 (filter-normalized)")}


def render(request):
    config = request.config
    if config is None:
        st.info("Fix the settings in the sidebar to run experiments: "
                + " ".join(escaped(problem) for problem in request.problems))
        return
    _sweep_section(request)
    st.divider()
    _map_section(request)
    st.divider()
    run = st.session_state.get("run")
    current = run if run is not None and run.continues(config, request.dataset) else None
    _race_section(request, current)
    st.divider()
    _landscape_section(current, _race_of(current))


def _same_setting(kept, config):
    """True if `kept` (a result's config) is `config` but for the seed."""
    return kept.replace(seed=config.seed).same_run(config) and kept.epochs == config.epochs


def _stale(kept, config):
    changes = [key for key, _, _ in kept.replace(seed=config.seed).differences(config)]
    if kept.epochs != config.epochs:
        changes.append("epochs")
    st.caption("These results are of other settings than the sidebar's now ("
               + ", ".join(changes) + " changed); press the button again for the new ones.")


# --- seeds ----------------------------------------------------------------------------------

def _sweep_section(request):
    config = request.config
    st.subheader("How often does this setting work?")
    st.caption("The sidebar's settings, data included, trained from seeds 0, 1, 2, … and each "
               "judged as the Training tab would judge it.")
    with st.container(horizontal=True, vertical_alignment="bottom"):
        count = st.number_input("Seeds", min_value=10, max_value=1000, value=200, step=10,
                                key="sweep_seeds", width=160)
        pressed = st.button("Sweep seeds", key="sweep", type="primary")
        stop = st.empty()
    progress_slot = st.empty()
    unfinished = st.session_state.pop(SWEEP_UNFINISHED, None)
    if unfinished is not None:   # a click during the sweep: keep the seeds it finished
        st.session_state[SWEEP], st.session_state[SWEEP_STOPPED] = unfinished
    if pressed:
        stop.button("Stop", key="sweep_stop")
        st.session_state.pop(SWEEP_STOPPED, None)

        def progress(so_far):
            st.session_state[SWEEP_UNFINISHED] = (so_far, count)
            progress_slot.progress(len(so_far.seeds) / count,
                                   text=f"Trained {len(so_far.seeds):,} of {count:,} seeds…")

        try:
            st.session_state[SWEEP] = studies.sweep(config, range(count), request.dataset,
                                                    progress)
        except ValueError as error:
            st.error(escaped(str(error)))
        st.session_state.pop(SWEEP_UNFINISHED, None)
        progress_slot.empty()
        stop.empty()
    result = st.session_state.get(SWEEP)
    if result is None:
        return
    if not _same_setting(result.config, config):
        _stale(result.config, config)
    stopped = st.session_state.get(SWEEP_STOPPED)
    if stopped is not None:
        st.caption(f"Stopped after {len(result.seeds):,} of {stopped:,} seeds: what follows is "
                   "of those.")
    _sweep_result(result, config.seed)


def _sweep_result(result, seed):
    for sentence in studies.sweep_sentences(result):
        st.markdown(sentence)
    about_seed = studies.seed_sentence(result, seed)
    st.markdown(about_seed if about_seed is not None else
                f"Seed {seed:,} (the sidebar's) is not among the seeds swept.")
    left, right = st.columns([3, 2])
    with left:
        st.markdown("**Every seed's training loss**, the median bold"
                    + (f", seed {seed:,} dashed" if about_seed is not None else ""))
        st.altair_chart(study_charts.sweep_curves(result, seed))
    with right:
        st.markdown("**When each seed first got every example right**")
        if (result.solved_at >= 0).any():
            st.altair_chart(study_charts.solved_histogram(result))
        else:
            st.caption("None did.")
    st.dataframe(_kinds_table(result), hide_index=True)
    st.markdown("**Every seed.** Pick a row to train that seed in the Training tab.")
    st.dataframe(_seed_table(result), hide_index=True, key="sweep_table", height=260,
                 on_select=_load_picked, selection_mode="single-row")


def _kinds_table(result):
    total = len(result.seeds)
    rows = []
    for kind in dict.fromkeys(sorted(result.kinds, key=lambda k: -result.count(k))):
        count = result.count(kind)
        low, high = studies.wilson(count, total)
        rows.append({"verdict": str(kind), "seeds": f"{count:,} of {total:,}",
                     "share": f"{count / total:.0%}",
                     "95% interval": f"{low:.0%} to {high:.0%}"})
    return pd.DataFrame(rows)


def _seed_table(result):
    return pd.DataFrame({
        "seed": result.seeds,
        "verdict": [str(kind) for kind in result.kinds],
        "accuracy": [f"{a:.0%}" for a in result.accuracy],
        "first 100% at epoch": [f"{e:,}" if e >= 0 else "never" for e in result.solved_at],
        "final loss": [number(v) for v in result.final_loss],
    })


def _load_picked():
    rows = st.session_state["sweep_table"].selection.rows
    result = st.session_state.get(SWEEP)
    if rows and result is not None:
        load_seed(int(result.seeds[rows[0]]))


# --- the reliability map --------------------------------------------------------------------

@st.cache_data(max_entries=256, show_spinner=False)
def _map_row(config, arch, count, _dataset, dataset_key):
    """One architecture's row, shared by every session with the same settings."""
    return studies.map_row(config, arch, count, dataset=_dataset)


def _map_key(config):
    """The settings a map depends on: not the sidebar's architecture, rate or seed."""
    return config.replace(arch=studies.MAP_ARCHS[0], lr=studies.MAP_RATES[0], seed=0)


def _map_section(request):
    config = request.config
    st.subheader("Which architectures and learning rates work?")
    st.caption(f"Architectures {', '.join(studies.MAP_ARCHS)} at learning rates "
               f"{', '.join(f'{r:g}' for r in studies.MAP_RATES)}, each from seeds 0, 1, …; "
               "the other settings are the sidebar's. Each cell counts the seeds right on "
               f"every training example after {config.epochs:,} epochs. Computed once for "
               "everyone with the same settings.")
    with st.container(horizontal=True, vertical_alignment="bottom"):
        count = st.number_input("Seeds per cell", min_value=10, max_value=200, value=100,
                                step=10, key="map_seeds", width=160)
        pressed = st.button("Draw the map", key="map", type="primary")
        stop = st.empty()
    if pressed:
        st.session_state[MAP] = (_map_key(config), count)
    asked = st.session_state.get(MAP)
    if asked is None:
        return
    key, count = asked
    if pressed:
        stop.button("Stop", key="map_stop")
    bar = st.empty()
    dataset = request.dataset if key.dataset == "csv" else None
    dataset_key = None if dataset is None else (dataset.X.tobytes(), dataset.y.tobytes())
    rows = []
    for i, arch in enumerate(studies.MAP_ARCHS):
        bar.progress(i / len(studies.MAP_ARCHS), text=f"Training {arch}: {count:,} seeds at "
                                                      f"{len(studies.MAP_RATES)} rates…")
        try:
            rows.append(_map_row(key, arch, count, dataset, dataset_key))
        except ValueError as error:
            st.error(escaped(str(error)))
            break
    bar.empty()
    stop.empty()
    if not rows:
        return
    if _map_key(config) != key:
        _stale(key, config.replace(arch=key.arch, lr=key.lr))
    for sentence in studies.map_sentences(rows, key.epochs):
        st.markdown(sentence)
    event = st.altair_chart(study_charts.reliability_chart(rows), on_select="rerun",
                            key="map_chart")
    picked = (event.selection.get("pick") or [None])[0] if event is not None else None
    if picked:
        _map_cell(rows, picked["arch"], float(picked["lr"]), key.epochs)
    else:
        st.caption("Click a cell to see its seeds.")


def _map_cell(rows, arch, rate, epochs):
    row = next(row for row in rows if row.arch == arch)
    r = row.rates.index(rate)
    solved, solved_at = row.solved[r], row.solved_at[r]
    failed = row.seeds[~solved]
    said = f"**{arch} at learning rate {rate:g}:** {int(solved.sum()):,} of " \
           f"{len(row.seeds):,} seeds right everywhere at epoch {epochs:,}."
    if solved.any():
        said += f" Median epoch of their first 100%: {int(np.median(solved_at[solved])):,}."
    if failed.size:
        listed = ", ".join(map(str, failed[:30])) + (" …" if failed.size > 30 else "")
        said += f" Not right everywhere: seed{'s' if failed.size > 1 else ''} {listed}."
    diverged = int((row.diverged_at[r] >= 0).sum())
    if diverged:
        said += f" {diverged:,} diverged."
    st.markdown(said)


# --- the loss landscape ---------------------------------------------------------------------

def _landscape_section(run, race):
    st.subheader("What does the loss look like around this run?")
    if run is None:
        st.info("Train a run with the sidebar's settings (Training tab) to see the loss "
                "around its weights.")
        return
    choice = st.radio("Slice through the final weights along", list(DIRECTIONS),
                      format_func=DIRECTIONS.get, key="landscape_directions", horizontal=True)
    view = run.picture(("landscape", choice, None if race is None else id(race)),
                       lambda: _landscape(run, choice, race))
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

def _race_of(run):
    race = st.session_state.get(RACE)
    if race is None or run is None or not race.config.same_run(run.config) \
            or race.config.epochs != run.config.epochs:
        return None
    return race


def _race_section(request, run):
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
            st.session_state[RACE] = studies.race(config, rate, request.dataset)
        except ValueError as error:
            st.error(escaped(str(error)))
    race = st.session_state.get(RACE)
    if race is None:
        return
    if not (race.config.same_run(config) and race.config.epochs == config.epochs):
        _stale(race.config, config)
    for sentence in studies.race_sentences(race):
        st.markdown(sentence)
    names = [studies.OPTIMIZER_NAMES[name] for name in race.names]
    st.altair_chart(study_charts.race_chart(race, names))
    if run is not None and _race_of(run) is race:
        st.caption("Their paths are drawn on the landscape below.")
