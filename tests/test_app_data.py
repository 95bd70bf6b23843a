"""The sidebar's Data section through AppTest: datasets, test share, batches, L2, uploads."""

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import data
import runs
from formats import number
from network import MLP

APP = "../backprop_playground.py"


def shown(markdown):
    """What a reader sees of Markdown that escapes punctuation with backslashes."""
    return re.sub(r"\\(.)", r"\1", str(markdown))


def alerts(at):
    return [shown(alert.value) for alert in (*at.success, *at.info, *at.warning, *at.error)]


def metrics(at):
    return {metric.label: metric.value for metric in at.metric}


def healthy(at):
    assert not at.exception, at.exception
    assert not any("Something went wrong" in text for text in alerts(at))
    return at


@pytest.fixture
def app():
    return healthy(AppTest.from_file(APP, default_timeout=60).run())


def train(at):
    return healthy(at.button(key="train").click().run())


def upload(at, content, name="points.csv"):
    return healthy(at.file_uploader(key="upload").set_value((name, content, "text/csv")).run())


def csv_bytes(X, y):
    rows = ["x1,x2,label"] + [f"{float(a)!r},{float(b)!r},{int(t)}"
                              for (a, b), t in zip(X, y.ravel())]
    return ("\n".join(rows) + "\n").encode()


def test_the_data_section_starts_at_the_four_xor_points_full_batch_no_l2(app):
    assert app.selectbox(key="dataset").value == "xor"
    assert app.slider(key="test_share").value == 0.0
    assert app.select_slider(key="batch").value == "full"
    assert app.select_slider(key="l2").value == 0.0
    assert app.number_input(key="points").disabled        # the four points are fixed


def test_a_spiral_with_a_test_share_trains_on_the_rest_and_shows_test_accuracy(app):
    app.selectbox(key="dataset").set_value("spiral").run()
    app.number_input(key="points").set_value(200)
    app.slider(key="noise").set_value(0.1)
    app.slider(key="test_share").set_value(0.25)
    app.number_input(key="epochs").set_value(800)
    app.run()
    train(app)
    run = app.session_state["run"]
    made = data.make("spiral", 200, 0.1, 0)
    train_set, test_set = data.split(made, 0.25, 0)
    assert np.array_equal(run.data.X, train_set.X) and np.array_equal(run.test.X, test_set.X)
    net = MLP([2, 4, 1], seed=123)
    history = net.train(train_set.X, train_set.y, 0.3, 800, X_test=test_set.X, y_test=test_set.y)
    shown_metrics = metrics(app)
    assert shown_metrics["Final loss"] == number(history.final_loss)
    assert shown_metrics["Accuracy"] == f"{history.final_accuracy:.0%}"
    assert shown_metrics["Test accuracy"] == f"{history.test_accuracy[-1]:.0%}"
    table = app.dataframe[0].value
    assert list(table["set"].value_counts().sort_index()) == [test_set.n, train_set.n]


def test_mini_batches_and_l2_reach_the_engine(app):
    app.selectbox(key="dataset").set_value("moons")
    app.select_slider(key="batch").set_value(16)
    app.select_slider(key="l2").set_value(0.01)
    app.number_input(key="epochs").set_value(300)
    app.run()
    train(app)
    moons = data.make("moons", 200, 0.0, 0)
    net = MLP([2, 4, 1], seed=123, l2=0.01)
    history = net.train(moons.X, moons.y, 0.3, 300, batch_size=16)
    assert metrics(app)["Final loss"] == number(history.final_loss)
    assert app.query_params["batch"] == "16" and app.query_params["l2"] == "0.01"


def test_changing_the_data_marks_the_run_out_of_date_and_keeps_it(app):
    train(app)
    before = app.session_state["run"]
    app.selectbox(key="dataset").set_value("circle").run()
    healthy(app)
    assert app.session_state["run"] is before
    assert any("Out of date" in text and "dataset xor → circle" in text for text in alerts(app))
    assert app.button(key="continue").disabled


def test_a_link_sets_the_data_settings(app):
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in {"dataset": "gaussians", "points": "120", "noise": "0.2",
                       "test_share": "0.3", "data_seed": "5", "batch": "8", "l2": "0.001"}.items():
        at.query_params[key] = value
    healthy(at.run())
    assert at.selectbox(key="dataset").value == "gaussians"
    assert at.number_input(key="points").value == 120
    assert at.slider(key="noise").value == 0.2
    assert at.slider(key="test_share").value == 0.3
    assert at.number_input(key="data_seed").value == 5
    assert at.select_slider(key="batch").value == 8
    assert at.select_slider(key="l2").value == 0.001


def test_a_good_csv_becomes_the_dataset_and_trains(app):
    circle = data.make("circle", 60, 0.05, 3)
    upload(app, csv_bytes(circle.X, circle.y), "my circle.csv")
    assert app.selectbox(key="dataset").value == runs.UPLOAD
    assert any("my circle.csv: 60 points" in shown(caption.value) for caption in app.caption)
    train(app)
    run = app.session_state["run"]
    assert np.array_equal(run.data.X, circle.X) and np.array_equal(run.data.y, circle.y)
    net = MLP([2, 4, 1], seed=123)
    history = net.train(circle.X, circle.y, 0.3, 5000)
    assert metrics(app)["Final loss"] == number(history.final_loss)
    assert "dataset" not in app.query_params   # a file cannot travel in a link


def test_text_labels_are_mapped_and_the_mapping_is_said(app):
    upload(app, b"x1,x2,label\n0,0,cat\n1,1,cat\n0,1,dog\n1,0,dog\n")
    captions = " ".join(shown(caption.value) for caption in app.caption)
    assert '"cat" is class 0' in captions and '"dog" is class 1' in captions


BAD_FILES = [
    (b"", "empty"),
    (b"x1,x2,label\n", "no data"),
    (b"x1,x2\n1,2\n3,4\n", "exactly three"),
    (b"x1,x2,label\n1,2,0\n3,4\n", "Line 3"),
    (b"x1,x2,label\n1,2,0\n3,abc,1\n", '"abc" is not a number'),
    (b"x1,x2,label\n1,2,0\n3,nan,1\n", "not a finite number"),
    (b"x1,x2,label\n1,2,0\n3,4,0\n", "two classes"),
    (b"x1,x2,label\n1,2,0\n3,4,1\n5,6,2\n", "only two classes are supported"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", "not text"),
]


@pytest.mark.parametrize("content, fact", BAD_FILES, ids=[fact for _, fact in BAD_FILES])
def test_a_bad_csv_says_what_to_fix_and_keeps_the_run(app, content, fact):
    train(app)
    before = app.session_state["run"]
    upload(app, content)
    errors = [shown(error.value) for error in app.error]
    assert any("This file cannot be used" in text and fact in text for text in errors), errors
    assert app.session_state["run"] is before
    assert app.selectbox(key="dataset").value == "xor"
    assert metrics(app)["Accuracy"] == "100%"              # the run is still on the page


def test_huge_values_are_scaled_and_said(app):
    upload(app, b"x1,x2,label\n5000,0.1,0\n-2500,0.2,1\n1000,0.3,0\n")
    captions = " ".join(shown(caption.value) for caption in app.caption)
    assert "x1 was divided by 5,000" in captions


def test_a_file_name_with_markdown_is_shown_as_typed(app):
    name = "[click me](x.invalid) ![](t.png) <img src=x onerror=alert(1)> *bold* `code` $x$.csv"
    upload(app, b"x1,x2,label\n0,0,0\n1,1,1\n", name)
    (raw,) = [str(caption.value) for caption in app.caption if "click me" in str(caption.value)]
    # Every character Markdown or HTML acts on is escaped, so none can open a link or a tag.
    assert not re.search(r"(?<!\\)[\[\]()<>`*$!]", raw), raw
    assert shown(raw).startswith(name[:50])


def test_the_example_file_is_offered_and_reads_back():
    assert data.read_csv(data.EXAMPLE_CSV).n > 0


def test_a_bad_file_after_a_good_one_keeps_the_good_files_points_on_offer(app):
    circle = data.make("circle", 40, 0.05, 1)
    upload(app, csv_bytes(circle.X, circle.y), "good.csv")
    train(app)
    before = app.session_state["run"]
    upload(app, b"x1,x2,label\n1,2,0\n3,abc,1\n", "bad.csv")
    assert app.selectbox(key="dataset").value == runs.UPLOAD
    assert app.session_state["run"] is before
    assert not any("Out of date" in text for text in alerts(app))
    assert any("Still using good.csv: 40 points" in shown(caption.value) for caption in app.caption)
    assert not app.button(key="continue").disabled       # the same run can go on


def test_removing_the_file_keeps_its_points_until_another_good_file_comes(app):
    upload(app, b"x1,x2,label\n0,0,0\n1,1,1\n0,1,0\n1,0,1\n", "four.csv")
    healthy(app.file_uploader(key="upload").set_value(None).run())
    assert app.selectbox(key="dataset").value == runs.UPLOAD
    train(app)
    assert app.session_state["run"].data.n == 4
