"""The Experiments tab: how often the current settings work over seeds and a reliability map
of architectures and learning rates; then (experiments_landscape.py) every optimizer from
the run's own start and the loss landscape around the run. Each result is kept with the
settings it was computed for; a stopped sweep keeps the seeds it finished."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import studies
import workers
from formats import number, percent
from pictures import study_charts
from tabs import experiments_landscape as paths
from tabs import pool
from tabs.experiments_landscape import same_setting, stale_note
from tabs.sidebar import load_seed
from tabs.text import escaped

SWEEP, SWEEP_UNFINISHED, SWEEP_STOPPED = "_sweep", "_sweep_unfinished", "_sweep_stopped"
SWEEP_SOURCE = "_sweep_source"   # the uploaded Dataset the sweep trained on (None: generated)
MAP, MAP_UNFINISHED = "_map", "_map_unfinished"   # (key, seeds, source, rows drawn so far)


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
    paths.race_section(request, current)
    st.divider()
    paths.landscape_section(current, paths.race_of(current))


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
    handover = st.session_state.pop(SWEEP_UNFINISHED, None)
    so_far = None if handover is None else handover.result()
    if so_far is not None:   # a click during the sweep: keep the seeds it finished
        st.session_state[SWEEP] = so_far
        if len(so_far.seeds) < handover.asked:
            st.session_state[SWEEP_STOPPED] = handover.asked
        else:   # the click came after the last chunk: nothing was cut short
            st.session_state.pop(SWEEP_STOPPED, None)
    if pressed:
        stop.button("Stop", key="sweep_stop")
        st.session_state.pop(SWEEP_STOPPED, None)

        def progress(so_far):
            progress_slot.progress(len(so_far.seeds) / count,
                                   text=f"Trained {len(so_far.seeds):,} of {count:,} seeds…")

        st.session_state[SWEEP_SOURCE] = request.dataset
        st.session_state[SWEEP_UNFINISHED] = handover = pool.Handover(count)
        try:
            st.session_state[SWEEP] = pool.run(workers.sweep, config, range(count),
                                               request.dataset, handover=handover,
                                               on_report=progress)
        except (ValueError, workers.WorkerDiedError) as error:
            st.error(escaped(str(error)))
        st.session_state.pop(SWEEP_UNFINISHED, None)
        progress_slot.empty()
        stop.empty()
    result = st.session_state.get(SWEEP)
    if result is None:
        return
    if not same_setting(result.config, config) \
            or st.session_state.get(SWEEP_SOURCE) is not request.dataset:
        stale_note(result.config, config)
    stopped = st.session_state.get(SWEEP_STOPPED)
    if stopped is not None:
        st.caption(f"Stopped after {len(result.seeds):,} of {stopped:,} seeds: what follows is "
                   "of those.")
    _sweep_result(result, config.seed, "seed" not in request.limits.fixed)


def _sweep_result(result, seed, can_pick):
    for sentence in studies.sweep_sentences(result):
        st.markdown(sentence)
    about_seed = studies.seed_sentence(result, seed)
    st.markdown(about_seed if about_seed is not None else
                f"Seed {seed:,} (the sidebar's) is not among the seeds swept.")
    left, right = st.columns([3, 2])
    with left:
        drawn = min(len(result.seeds), study_charts.MAX_CURVES)
        st.markdown(("**Every seed's training loss**" if drawn == len(result.seeds) else
                     f"**The training loss of seeds 0 to {drawn - 1}**")
                    + ", the median of all bold"
                    + (f", seed {seed:,} dashed" if about_seed is not None else ""))
        st.altair_chart(study_charts.sweep_curves(result, seed))
    with right:
        st.markdown("**When each seed first got every example right**")
        if (result.solved_at >= 0).any():
            st.altair_chart(study_charts.solved_histogram(result))
        else:
            st.caption("None did.")
    st.dataframe(_kinds_table(result), hide_index=True)
    if can_pick:
        st.markdown("**Every seed.** Pick a row to train that seed in the Training tab.")
        st.dataframe(_seed_table(result), hide_index=True, key="sweep_table", height=260,
                     on_select=_load_picked, selection_mode="single-row")
    else:
        st.markdown("**Every seed.** (This link fixes the seed.)")
        st.dataframe(_seed_table(result), hide_index=True, height=260)


def _kinds_table(result):
    total = len(result.seeds)
    rows = []
    for kind in dict.fromkeys(sorted(result.kinds, key=lambda k: -result.count(k))):
        count = result.count(kind)
        low, high = studies.wilson(count, total)
        rows.append({"verdict": str(kind), "seeds": f"{count:,} of {total:,}",
                     "share": percent(count / total),
                     "95% interval": f"{percent(low)} to {percent(high)}"})
    return pd.DataFrame(rows)


def _seed_table(result):
    return pd.DataFrame({
        "seed": result.seeds,
        "verdict": [str(kind) for kind in result.kinds],
        "accuracy": [percent(a) for a in result.accuracy],
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
    return pool.run(workers.map_row, config, arch, count, _dataset)


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
    unfinished = st.session_state.pop(MAP_UNFINISHED, None)
    if unfinished is not None:   # a click during the map: keep the rows it finished
        st.session_state[MAP] = unfinished
    if pressed:
        _draw_map(_map_key(config), count, request.dataset, stop)
    drawn = st.session_state.get(MAP)
    if drawn is None or not drawn[3]:
        return
    key, count, source, rows = drawn
    if _map_key(config) != key or source is not request.dataset:
        stale_note(key, config.replace(arch=key.arch, lr=key.lr))
    if len(rows) < len(studies.MAP_ARCHS):
        st.caption(f"Stopped after {len(rows)} of {len(studies.MAP_ARCHS)} architectures: "
                   "the map shows those.")
    for sentence in studies.map_sentences(rows, key.epochs):
        st.markdown(sentence)
    event = st.altair_chart(study_charts.reliability_chart(rows), on_select="rerun",
                            key="map_chart")
    picked = (event.selection.get("pick") or [None])[0] if event is not None else None
    if picked and any(row.arch == picked["arch"] for row in rows):
        _map_cell(rows, picked["arch"], float(picked["lr"]), key.epochs)
    else:
        st.caption("Click a cell to see its seeds.")


def _draw_map(key, count, source, stop):
    """Every row of the map, kept in the session row by row (so that Stop keeps them)."""
    stop.button("Stop", key="map_stop")
    bar = st.empty()
    dataset_key = None if source is None else (source.X.tobytes(), source.y.tobytes())
    rows = []
    for i, arch in enumerate(studies.MAP_ARCHS):
        bar.progress(i / len(studies.MAP_ARCHS), text=f"Training {arch}: {count:,} seeds at "
                                                      f"{len(studies.MAP_RATES)} rates…")
        try:
            rows.append(_map_row(key, arch, count, source, dataset_key))
        except (ValueError, workers.WorkerDiedError) as error:
            st.error(escaped(str(error)))
            break
        st.session_state[MAP_UNFINISHED] = (key, count, source, list(rows))
    st.session_state.pop(MAP_UNFINISHED, None)
    st.session_state[MAP] = (key, count, source, rows)
    bar.empty()
    stop.empty()


def _map_cell(rows, arch, rate, epochs):
    row = next(row for row in rows if row.arch == arch)
    r = row.rates.index(rate)
    solved, solved_at = row.solved[r], row.solved_at[r]
    failed = row.seeds[~solved]
    said = f"**{arch} at learning rate {rate:g}:** {int(solved.sum()):,} of " \
           f"{len(row.seeds):,} seeds right everywhere at epoch {epochs:,}."
    if solved.any():
        said += f" Median epoch of their first 100%: {studies.median_epoch(solved_at[solved])}."
    if failed.size:
        listed = ", ".join(map(str, failed[:30])) + (" …" if failed.size > 30 else "")
        said += f" Not right everywhere: seed{'s' if failed.size > 1 else ''} {listed}."
    diverged = int((row.diverged_at[r] >= 0).sum())
    if diverged:
        said += f" {diverged:,} diverged."
    st.markdown(said)
