"""The Experiments tab through AppTest: every control by key, and every number it writes
against studies.py's and the engine's own results computed here."""

import io
import re

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import data
import runs
import studies
from formats import number
from tests.test_app import page_text
from tests.test_app_data import csv_bytes
from verdict import Kind

APP = "../backprop_playground.py"
EPOCHS = 600   # short runs: the tab's behaviour, not the networks', is under test


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def healthy(at):
    assert not at.exception
    assert "Something went wrong" not in page_text(at)
    return at


TAB_KEYS = ("sweep_seeds", "map_seeds", "race_lr")


def open_tab(**settings):
    """The app with the Experiments tab open, the sidebar's and the tab's numbers set."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    settings = {"epochs": EPOCHS, **settings}
    for key, value in settings.items():
        if key not in TAB_KEYS:
            widget = {"arch": at.text_input, "lr": at.select_slider}.get(key, at.number_input)
            widget(key=key).set_value(value)
    at.session_state["tab"] = "Experiments"
    healthy(at.run())
    for key in TAB_KEYS:
        if key in settings:
            at.number_input(key=key).set_value(settings[key])
    return healthy(at.run())


def config_of(at):
    return runs.config(arch=at.text_input(key="arch").value, lr=at.select_slider(key="lr").value,
                       epochs=at.number_input(key="epochs").value,
                       seed=at.number_input(key="seed").value)


def test_the_tab_opens_with_nothing_computed_and_asks_for_a_run_for_the_landscape():
    at = open_tab()
    assert [t.label for t in at.tabs][:3] == ["Training", "Gradient flow", "Experiments"]
    for key in ("sweep", "map", "race"):
        assert at.button(key=key).value is False
    assert any("Train a run" in str(info.value) for info in at.info)
    assert "Wilson" not in page_text(at)


def test_sweep_counts_are_the_sweep_of_the_same_seeds():
    at = open_tab(arch="2-2-1", sweep_seeds=40, seed=7)
    at.button(key="sweep").click().run()
    healthy(at)
    expected = studies.sweep(config_of(at), range(40))
    text = page_text(at)
    solved = int(expected.solved.sum())
    assert f"{solved:,} of 40 seeds ({solved / 40:.0%})" in text
    low, high = studies.wilson(solved, 40)
    assert f"between {low:.0%} and {high:.0%}" in text
    kinds = at.dataframe[0].value
    for kind, seeds in zip(kinds["verdict"], kinds["seeds"]):
        assert seeds == f"{expected.count(Kind(kind))} of 40"
    assert sum(int(s.split(" of ")[0]) for s in kinds["seeds"]) == 40
    table = at.dataframe[1].value
    assert list(table["seed"]) == list(range(40))
    assert list(table["verdict"]) == [str(k) for k in expected.kinds]
    # The sidebar's seed: its verdict and how many share it.
    i = expected.index(7)
    assert "Seed 7 is" in text and f"“{expected.kinds[i]}”" in text
    assert len({str(k) for k in expected.kinds}) >= 2   # the sample is not one verdict only


def test_a_seed_outside_the_sweep_is_said_to_be_outside_it():
    at = open_tab(arch="2-2-1", sweep_seeds=10, seed=500)
    at.button(key="sweep").click().run()
    assert "Seed 500 (the sidebar's) is not among the seeds swept" in page_text(healthy(at))


def test_changing_a_setting_marks_the_sweep_out_of_date_and_keeps_it():
    at = open_tab(arch="2-2-1", sweep_seeds=10)
    at.button(key="sweep").click().run()
    at.select_slider(key="lr").set_value(0.5).run()
    text = page_text(healthy(at))
    assert "other settings than the sidebar's now (lr changed)" in text
    assert "of 10 seeds" in text
    at.number_input(key="seed").set_value(3).run()   # the seed is not a setting of a sweep
    assert "other settings" in page_text(healthy(at))


def test_reliability_map_cells_are_their_own_rows_and_come_from_the_cache_the_second_time():
    at = open_tab(map_seeds=10, epochs=300)
    at.button(key="map").click().run()
    healthy(at)
    config = config_of(at)
    rows = [studies.map_row(config, arch, 10) for arch in studies.MAP_ARCHS]
    best = max(row.solved.sum(axis=1).max() for row in rows)
    assert best > 1   # so the sentence below is the plural one
    assert f"where {best} of 10 seeds are right everywhere at epoch 300" in page_text(at)
    # A second session with the same settings (another seed and lr) reuses the cached rows.
    other = open_tab(map_seeds=10, epochs=300, seed=9, lr=0.5)
    calls = []
    original = studies.map_row
    studies.map_row = lambda *a, **k: calls.append(a) or original(*a, **k)
    try:
        other.button(key="map").click().run()
    finally:
        studies.map_row = original
    healthy(other)
    assert calls == []
    assert f"where {best} of 10 seeds" in page_text(other)


def test_race_sentence_numbers_are_the_optimizers_own_epochs():
    at = open_tab(arch="2-4-1", epochs=800)
    at.number_input(key="race_lr").set_value(0.3)
    at.button(key="race").click().run()
    healthy(at)
    race = studies.race(config_of(at), 0.3)
    text = page_text(at)
    for name, at_epoch in zip(race.names, race.solved_at):
        label = studies.OPTIMIZER_NAMES[name]
        if at_epoch >= 0:
            assert re.search(rf"{label}[^.;]*?{at_epoch:,}", text), (label, at_epoch)
    best = min(h.final_loss for h in race.histories)
    assert number(best) in text


def test_landscape_of_the_trained_run_is_centred_on_its_final_loss():
    at = open_tab(arch="2-2-1", seed=42, epochs=2000)
    at.session_state["tab"] = "Training"
    at.run()
    at.button(key="train").click().run()
    run = at.session_state["run"]
    at.session_state["tab"] = "Experiments"
    at.run()
    text = page_text(healthy(at))
    assert f"final weights, loss {number(run.history.final_loss)}" in text
    assert "of the spread of the run's recorded weights" in text
    at.radio(key="landscape_directions").set_value("random").run()
    text = page_text(healthy(at))
    assert f"final weights, loss {number(run.history.final_loss)}" in text
    assert "spread" not in text


def test_race_paths_join_the_landscape_of_the_same_run():
    at = open_tab(arch="2-2-1", seed=42, epochs=1000)
    at.session_state["tab"] = "Training"
    at.run()
    at.button(key="train").click().run()
    at.session_state["tab"] = "Experiments"
    at.run()
    at.button(key="race").click().run()
    assert "Their paths are drawn on the landscape below" in page_text(healthy(at))


def test_bad_settings_get_a_message_and_no_experiment():
    at = open_tab()
    at.text_input(key="arch").set_value("2-x-1").run()
    healthy(at)
    assert any("Fix the settings in the sidebar" in str(i.value) for i in at.info)
    with pytest.raises(KeyError):
        at.button(key="sweep")



def test_an_uploaded_file_is_what_the_sweep_and_the_map_train_on():
    made = data.make("moons", points=40, noise=0.1, seed=3)
    content = csv_bytes(made.X, made.y)
    at = open_tab(arch="2-4-1", sweep_seeds=10, map_seeds=10, epochs=300)
    at.file_uploader(key="upload").set_value(("moons.csv", content, "text/csv")).run()
    healthy(at)
    assert at.selectbox(key="dataset").value == runs.UPLOAD
    at.button(key="sweep").click().run()
    at.button(key="map").click().run()
    text = page_text(healthy(at))
    uploaded = data.read_csv(io.BytesIO(content))
    config = config_of(at).replace(dataset=runs.UPLOAD)
    expected = studies.sweep(config, range(10), uploaded)
    solved = int(expected.solved.sum())
    assert f"{solved:,} of 10 seeds ({solved / 10:.0%})" in text
    best = max(studies.map_row(config, arch, 10, dataset=uploaded).solved.sum(axis=1).max()
               for arch in studies.MAP_ARCHS)
    assert re.search(rf"where {best} of 10 seeds (is|are) right everywhere at epoch 300", text) \
        or best == 0 and "In no cell" in text


def handed_over(so_far, asked):
    """What a stopped script run leaves for the next one (tabs.pool.Handover)."""
    from tabs import pool

    handover = pool.Handover(asked)
    handover.end(so_far)
    return handover


def test_a_click_during_a_sweep_keeps_its_finished_seeds_and_says_stopped_only_if_cut_short():
    # What a click leaves behind (the sweep so far, and the seeds asked for); the browser
    # test clicks Stop for real.
    from tabs import experiments

    at = open_tab(arch="2-2-1")
    done = studies.sweep(config_of(at), range(10))
    at.session_state[experiments.SWEEP_UNFINISHED] = handed_over(done, 30)
    text = page_text(healthy(at.run()))
    assert "Stopped after 10 of 30 seeds" in text and "of 10 seeds (" in text
    at.session_state[experiments.SWEEP_UNFINISHED] = handed_over(done, 10)
    text = page_text(healthy(at.run()))
    assert "Stopped" not in text and "of 10 seeds (" in text


def test_results_of_another_uploaded_file_are_marked_out_of_date_and_the_map_never_breaks():
    at = open_tab(arch="2-4-1", sweep_seeds=10, map_seeds=10, epochs=200)
    made = data.make("moons", points=30, noise=0.1, seed=3)
    first = csv_bytes(made.X, made.y)
    at.file_uploader(key="upload").set_value(("a.csv", first, "text/csv")).run()
    for button in ("sweep", "map", "race"):
        at.button(key=button).click().run()
    assert "other settings than" not in page_text(healthy(at))
    made = data.make("xor_cloud", points=30, noise=0.1, seed=4)
    second = csv_bytes(made.X, made.y)
    at.file_uploader(key="upload").set_value(("b.csv", second, "text/csv")).run()
    text = page_text(healthy(at))
    assert text.count("(the uploaded file changed)") == 3   # sweep, map and race
    at.selectbox(key="dataset").set_value("xor").run()
    assert not at.error, [e.value for e in at.error]      # a map of a file, now stale
    assert "dataset changed" in page_text(healthy(at))


def test_a_map_stopped_part_way_shows_its_rows_and_trains_nothing_on_the_next_click():
    from tabs import experiments

    at = open_tab(map_seeds=10, epochs=100)
    config = config_of(at)
    key = experiments._map_key(config)
    rows = [studies.map_row(config, arch, 10) for arch in studies.MAP_ARCHS[:2]]
    at.session_state[experiments.MAP_UNFINISHED] = (key, 10, None, rows)
    calls = []
    original = studies.map_row
    studies.map_row = lambda *a, **k: calls.append(a) or original(*a, **k)
    try:
        at.run()
        at.button(key="sweep").click().run()   # any other click: the map is not retrained
    finally:
        studies.map_row = original
    assert calls == []
    assert "Stopped after 2 of 5 architectures" in page_text(healthy(at))
