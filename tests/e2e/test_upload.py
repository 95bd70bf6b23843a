"""A learner's own CSV file, uploaded in a real browser: it trains, and a bad one is explained."""

import numpy as np
import pytest
from playwright.sync_api import expect

import data
from formats import number
from network import MLP

pytestmark = pytest.mark.e2e

SIDEBAR = '[data-testid="stSidebar"]'
CAPTION = '[data-testid="stCaptionContainer"]'
BAD_FILE = b"x1,x2,label\n1,2,0\n3,abc,1\n"


def two_clusters(points=40, seed=5):
    """CSV bytes: half the points around (-1, -1) labelled 0, half around (1, 1) labelled 1."""
    rng = np.random.default_rng(seed)
    half = points // 2
    X = np.vstack([rng.normal(-1.0, 0.3, (half, 2)), rng.normal(1.0, 0.3, (points - half, 2))])
    labels = [0] * half + [1] * (points - half)
    rows = [f"{a:.3f},{b:.3f},{label}" for (a, b), label in zip(X, labels)]
    return ("x1,x2,label\n" + "\n".join(rows) + "\n").encode()


def test_a_good_file_trains_and_a_bad_one_is_explained_and_keeps_the_run(app, tmp_path):
    content = two_clusters()
    good = tmp_path / "clusters.csv"
    good.write_bytes(content)
    bad = tmp_path / "broken.csv"
    bad.write_bytes(BAD_FILE)
    dataset = data.read_csv(content)
    expected_loss = MLP([2, 4, 1], seed=123).train(dataset.X, dataset.y, 0.3, 5000).final_loss

    page = app.open().page
    sidebar = page.locator(SIDEBAR)
    app.upload(good)
    expect(sidebar.locator(CAPTION, has_text="clusters.csv")).to_have_text(
        "clusters.csv: 40 points.")
    expect(sidebar.locator(".st-key-dataset input")).to_have_value("your CSV file")
    app.assert_healthy()

    app.train()
    expect(app.metric("Final loss")).to_have_text(number(expected_loss))
    expect(app.metric("Accuracy")).to_be_visible()
    expect(app.metric("Epochs")).to_have_text("5,000")
    accuracy = app.metric("Accuracy").inner_text()
    app.assert_healthy()

    app.upload(bad)
    error = sidebar.locator('[data-testid="stAlert"]', has_text="This file cannot be used:")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Line 3")
    expect(error).to_contain_text('"abc"')
    expect(app.metric("Final loss")).to_have_text(number(expected_loss))   # the run is kept
    expect(app.metric("Accuracy")).to_have_text(accuracy)
    expect(app.metric("Epochs")).to_have_text("5,000")
    app.assert_healthy()
    app.screenshot("upload_bad_file.png")


def test_a_bad_file_after_a_good_one_keeps_the_good_files_data(app, tmp_path):
    """The error promises "The previous data and run are kept": the good file stays chosen."""
    good = tmp_path / "clusters.csv"
    good.write_bytes(two_clusters())
    bad = tmp_path / "broken.csv"
    bad.write_bytes(BAD_FILE)
    page = app.open().page
    app.upload(good)
    dataset = page.locator(f"{SIDEBAR} .st-key-dataset input")
    expect(dataset).to_have_value("your CSV file")
    app.upload(bad)
    expect(app.alert("The previous data and run are kept")).to_be_visible()
    assert dataset.input_value() == "your CSV file", \
        f"after the bad file the dataset is {dataset.input_value()!r}, not the good file's"
    app.assert_healthy()
