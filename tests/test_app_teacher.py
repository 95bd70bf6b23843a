"""Teacher links through AppTest: `lock=` fixes settings, `hide=` leaves out settings and
tabs, bad items are ignored with a note, and the teacher's panel writes one link per student."""

from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

import data
import runs
from tabs import teacher
from tests.test_app import page_text

APP = "../backprop_playground.py"


def opened(**link):
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in link.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    return at


def warnings(at):
    return " ".join(str(w.value).replace("\\", "") for w in at.warning)


def test_locked_settings_are_shown_disabled_with_the_links_values():
    at = opened(lock="arch,lr,seed", arch="2-2-1", lr="0.5", seed="7")
    assert at.text_input(key="arch").disabled and at.text_input(key="arch").value == "2-2-1"
    assert at.select_slider(key="lr").disabled and at.select_slider(key="lr").value == 0.5
    assert at.number_input(key="seed").disabled and at.number_input(key="seed").value == 7
    assert at.button(key="random_seed").disabled
    assert not at.number_input(key="epochs").disabled          # not locked: still free
    assert all(at.button(key=f"preset_{p.key}").disabled for p in runs.PRESETS)
    at.button(key="train").click().run()
    config = at.session_state["run"].config
    assert (config.arch, config.lr, config.seed) == ("2-2-1", 0.5, 7)


def test_a_locked_setting_changed_behind_the_widget_goes_back_to_the_links_value():
    # What a preset, the Random button or a picked seed would do: set the widget's state.
    at = opened(lock="seed", seed="7")
    at.session_state["seed"] = 99
    at.run()
    assert at.number_input(key="seed").value == 7
    at.button(key="train").click().run()
    assert at.session_state["run"].config.seed == 7


def test_hidden_settings_are_not_shown_and_keep_the_links_value():
    at = opened(hide="l2,batch", l2="0.01", batch="4")
    for key in ("l2", "batch"):
        with pytest.raises(KeyError):
            at.select_slider(key=key)
    at.button(key="train").click().run()
    config = at.session_state["run"].config
    assert (config.l2, config.batch) == (0.01, 4)


def test_hidden_tabs_are_left_out_and_training_stays():
    at = opened(hide="experiments,gradient_flow")
    assert [tab.label for tab in at.tabs] == ["Training"]
    at = opened(hide="experiments")
    assert [tab.label for tab in at.tabs] == ["Training", "Gradient flow"]


def test_a_hidden_tab_that_was_open_gives_way_to_training():
    at = opened()
    at.session_state["tab"] = "Experiments"
    at.run()
    at.query_params["hide"] = "experiments"
    at.run()
    assert not at.exception
    assert [tab.label for tab in at.tabs] == ["Training", "Gradient flow"]
    assert at.session_state["tab"] == "Training"


def test_bad_lock_and_hide_items_are_ignored_with_a_note_and_the_good_ones_apply():
    at = opened(lock="arch,colour", hide="training,experiments", arch="2-2-1")
    said = warnings(at)
    assert "“lock=colour” in the link was ignored" in said
    assert "“hide=training” in the link was ignored" in said
    assert "“lock=arch" not in said and "“hide=experiments" not in said   # the good ones apply
    assert at.text_input(key="arch").disabled
    assert [tab.label for tab in at.tabs] == ["Training", "Gradient flow"]
    assert "Something went wrong" not in page_text(at)


def test_the_teachers_panel_is_filled_only_while_it_is_open():
    at = opened()
    assert "class_size" not in [widget.key for widget in at.number_input]
    assert not [d for d in at.dataframe if "link" in d.value.columns]
    at.session_state["teacher"] = True   # as a click on the expander does
    at.run()
    assert at.number_input(key="class_size").value == 30
    assert len(next(d.value for d in at.dataframe if "link" in d.value.columns)) == 30


def test_the_teachers_panel_gives_each_student_the_settings_and_their_own_seed():
    at = opened(arch="2-2-1", lr="0.5")
    at.session_state["teacher"] = True
    at.run()
    at.number_input(key="class_size").set_value(5)
    at.number_input(key="class_first").set_value(40)
    at.multiselect(key="class_lock").set_value(["seed", "arch"])
    at.multiselect(key="class_hide").set_value(["experiments"])
    at.run()
    frame = next(d.value for d in at.dataframe if "link" in d.value.columns)
    assert list(frame["student"]) == [1, 2, 3, 4, 5]
    assert list(frame["value"]) == [40, 41, 42, 43, 44]
    queries = [{key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}
               for link in frame["link"]]
    for seed, query in zip(frame["value"], queries):
        assert query["seed"] == str(seed) and query["arch"] == "2-2-1" and query["lr"] == "0.5"
        assert query["lock"] == "seed,arch" and query["hide"] == "experiments"
    # A student's link opens those settings, locked as asked (the others differ in the seed).
    student = opened(**queries[2])
    assert student.number_input(key="seed").value == 42
    assert student.number_input(key="seed").disabled and student.text_input(key="arch").disabled
    assert [tab.label for tab in student.tabs] == ["Training", "Gradient flow"]


def test_class_links_vary_the_data_seed_and_refuse_an_uploaded_file():
    config = runs.config(arch="2-4-1", dataset="moons", points=100, noise=0.1)
    links = runs.class_links(config, 3, "data_seed", 5)
    assert [value for _, value, _ in links] == [5, 6, 7]
    assert all(f"data_seed={value}" in query for _, value, query in links)
    assert teacher.links_frame("http://x/", links)["link"][0].startswith("http://x/?arch=2-4-1")
    with pytest.raises(ValueError, match="uploaded file"):
        runs.class_links(config.replace(dataset=runs.UPLOAD), 3)
    with pytest.raises(ValueError, match="seed"):
        runs.class_links(config, 3, "lr")


def test_class_links_can_give_each_student_another_dataset_in_turn():
    config = runs.config(arch="2-4-1", dataset="circle")
    links = runs.class_links(config, 10, "dataset", data.NAMES.index("circle"))
    names = [value for _, value, _ in links]
    assert names[:2] == ["circle", "gaussians"] and len(set(names)) == len(data.NAMES)
    for name, (_, _, query) in zip(names, links):
        assert f"dataset={name}" in query
    at = opened(dataset="circle")
    at.session_state["teacher"] = True
    at.run()
    at.radio(key="class_vary").set_value("dataset").run()
    frame = next(d.value for d in at.dataframe if "link" in d.value.columns)
    assert list(frame["value"][:2]) == ["circle", "gaussians"]
