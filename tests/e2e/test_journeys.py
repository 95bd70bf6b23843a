"""What a learner does in a real browser against a real server; screenshots go to .screenshots/."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

import data
from formats import number
from inspection.stages import stages
from network import MLP
from tests.browser import TRAIN
from tests.e2e.test_flow_stepper import press_next

XOR = data.make("xor")
XOR_X, XOR_Y = XOR.X, XOR.y


pytestmark = pytest.mark.e2e

SIDEBAR = '[data-testid="stSidebar"]'


def test_first_load_shows_the_title_the_sidebar_and_the_train_button(app):
    page = app.open().page
    sidebar = page.locator(SIDEBAR)
    expect(sidebar).to_be_visible()
    expect(sidebar.get_by_role("heading", name="Network")).to_be_visible()
    expect(page.locator(".st-key-arch input")).to_have_value("2-4-1")
    expect(page.locator(TRAIN)).to_have_text("Train")
    expect(page.locator(TRAIN)).to_be_enabled()
    expect(app.alert("Untrained: the network of seed 123 at epoch 0")).to_be_visible()
    expect(page.locator('[data-testid="stMetric"]')).to_have_count(0)
    app.assert_healthy()
    app.screenshot("first_load.png")


def test_train_at_defaults_shows_full_accuracy_the_boundary_and_the_verdict(app):
    page = app.open().page
    app.train()
    expected_loss = MLP([2, 4, 1], seed=123).train(XOR_X, XOR_Y, 0.3, 5000).final_loss
    expect(app.metric("Accuracy")).to_have_text("100%")
    expect(app.metric("Final loss")).to_have_text(number(expected_loss))
    expect(app.metric("Epochs")).to_have_text("5,000")
    expect(page.locator('[data-testid="stImage"]').first).to_be_visible()
    expect(app.alert(re.compile(r"Converged: 100% accuracy at epoch 5,?000\."))).to_be_visible()
    app.assert_healthy()
    app.screenshot("training.png")   # the README's picture of a trained network


def test_the_seed_42_preset_trains_and_says_plateau_not_stuck(app):
    page = app.open().page
    page.get_by_role("button", name="Try an experiment").click()
    app.train(page.locator(".st-key-preset_seed_42 button"))
    expect(app.alert("On a plateau: no progress for 1,000 epochs.")).to_be_visible()
    expect(app.alert("Stuck")).to_have_count(0)
    expect(page.locator(".st-key-arch input")).to_have_value("2-2-1")
    expect(page.locator(".st-key-seed input")).to_have_value("42")
    app.assert_healthy()
    app.screenshot("preset_seed_42.png")


def test_the_gradient_flow_tab_applies_one_step_to_a_copy(app):
    page = app.open().page
    app.train()
    tab = page.get_by_role("tab", name="Gradient flow")
    app.rerun(tab.click)
    expect(tab).to_have_attribute("aria-selected", "true")
    panel = page.locator('[data-testid="stTabPanel"]:visible')
    expect(panel.get_by_role("heading", name="Forward, layer 1")).to_be_visible()
    expect(panel.locator(".katex >> visible=true").first).to_be_visible()
    every = stages([2, 4, 1])
    for at in range(1, 6):   # forward 2, loss, backward 2, backward 1, update
        # a Next this short may never show as running: wait for the stage it shows instead
        press_next(app, at, every)
    expect(panel.get_by_role("heading", name="Update")).to_be_visible()
    app.rerun(panel.get_by_role("button", name="Apply one step").first.click)
    net = MLP([2, 4, 1], seed=123)   # the tab opens at epoch 0
    step = net.step(XOR_X, XOR_Y, 0.3)
    expect(app.metric("Loss before the step")).to_have_text(number(step.loss_before))
    expect(app.metric("Loss after the step")).to_have_text(number(step.loss_after))
    app.assert_healthy()
    app.screenshot("gradient_flow.png")


def test_a_bad_architecture_typed_in_the_sidebar_is_explained_and_keeps_the_result(app):
    page = app.open().page
    app.train()
    architecture = page.locator(".st-key-arch input")
    architecture.fill("2-0-1")
    app.rerun(lambda: architecture.press("Enter"))
    sidebar = page.locator(SIDEBAR)
    expect(sidebar.locator('[data-testid="stAlert"]', has_text="1 to 8 neurons")).to_be_visible()
    expect(page.locator(TRAIN)).to_be_enabled()   # so that a fixed text trains on one click
    app.rerun(page.locator(TRAIN).click)
    expect(app.alert("Fix the settings in the sidebar to train")).to_be_visible()
    expect(app.metric("Accuracy")).to_have_text("100%")   # the trained result is kept
    app.assert_healthy()
    app.screenshot("bad_architecture.png")


def test_a_bad_link_is_explained_and_the_defaults_still_train(app):
    page = app.open("?lr=abc&arch=2-0-1").page
    warning = page.locator(SIDEBAR).locator('[data-testid="stAlert"]')
    expect(warning.filter(has_text="“lr=abc” in the link was ignored")).to_be_visible()
    expect(warning.filter(has_text="“arch=2-0-1” in the link was ignored")
           ).to_contain_text("1 to 8 neurons")
    expect(page.locator(".st-key-arch input")).to_have_value("2-4-1")
    app.assert_healthy()
    app.screenshot("bad_link.png")
    app.train()
    expect(app.metric("Accuracy")).to_have_text("100%")
    app.assert_healthy()


def test_the_downloaded_network_is_the_trained_one(app):
    page = app.open().page
    app.train()
    with page.expect_download() as download:
        page.locator(".st-key-download_network button").click()
    assert download.value.suggested_filename == "backprop-2-4-1-seed123-epoch5000.json"
    document = json.loads(Path(download.value.path()).read_text())
    net = MLP(document["layer_sizes"], seed=123)
    net.set_parameters([np.array(W) for W in document["weights"]],
                       [np.array(b) for b in document["biases"]])
    trained = MLP([2, 4, 1], seed=123)
    trained.train(XOR_X, XOR_Y, 0.3, 5000)
    assert np.array_equal(net.predict(XOR_X), trained.predict(XOR_X))
    with page.expect_download() as animation:
        page.locator(".st-key-download_animation").get_by_role("button", name="Animation").click()
    assert Path(animation.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    app.assert_healthy()
