"""The Experiments tab in a real browser: a seed sweep whose picked row trains that seed in
the Training tab, a reliability map cell clicked, and the tab on a phone."""

import re

import pytest
from playwright.sync_api import expect

import runs
import studies
from formats import number
from tests.e2e.conftest import TIMEOUT_MS, App

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}
SETTINGS = {"arch": "2-2-1", "epochs": 1000}
QUERY = "?" + "&".join(f"{key}={value}" for key, value in SETTINGS.items())
CHART = '[data-testid="stVegaLiteChart"]'
ROW_PX = 35   # st.dataframe's header and row height


@pytest.fixture
def app(chromium, server):
    contexts = []

    def open_page(viewport=DESKTOP, query=QUERY):
        context = chromium.new_context(viewport=viewport)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = App(context.new_page(), server).open(query)
        page.page.get_by_role("tab", name="Experiments").click()
        expect(page.page.locator(".st-key-sweep button")).to_be_visible()
        page.idle()
        return page

    yield open_page
    for context in contexts:
        context.close()


# Each step waits for what it should show, not for a script run: a run as short as a number
# changed on an empty tab may finish before the page ever shows it as running.

def set_number(app, key, value):
    field = app.page.locator(f".st-key-{key} input")
    field.fill(str(value))
    field.press("Enter")
    app.idle()


def sweep(app, seeds):
    set_number(app, "sweep_seeds", seeds)
    app.page.locator(".st-key-sweep button").click()
    expect(app.page.get_by_text(re.compile(rf"of {seeds} seeds \(\d+%\)"))).to_be_visible()
    app.idle()


def test_a_sweep_row_picked_trains_that_seed_in_the_training_tab(app):
    page = app()
    sweep(page, 20)
    page.assert_healthy()
    page.screenshot("experiments.png")   # the README's picture of the tab
    table = page.page.locator(".st-key-sweep_table")
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    picked = 5   # the sixth row: seed 5
    page.page.mouse.click(box["x"] + 12, box["y"] + ROW_PX * (picked + 1) + ROW_PX / 2)
    expect(page.page.get_by_role("tab", name="Training")).to_have_attribute(
        "aria-selected", "true")
    expect(page.page.locator(".st-key-seed input")).to_have_value(str(picked))
    expected = runs.train(runs.config(**SETTINGS, seed=picked))
    expect(page.metric("Final loss")).to_have_text(number(expected.history.final_loss))
    page.idle()
    page.assert_healthy()


def test_stop_keeps_the_seeds_a_sweep_finished(app):
    # 1,000 seeds of 2-4-1 for 5,000 epochs: five chunks of 200, a few seconds in all.
    page = app(query="?arch=2-4-1&epochs=5000")
    set_number(page, "sweep_seeds", 1000)
    page.page.locator(".st-key-sweep button").click()
    expect(page.page.get_by_text(re.compile(r"Trained [\d,]+ of 1,000 seeds"))).to_be_visible()
    page.page.locator(".st-key-sweep_stop button").click()
    stopped = page.page.get_by_text(re.compile(r"Stopped after [\d,]+ of 1,000 seeds"))
    expect(stopped).to_be_visible()
    page.idle()
    done = int(re.search(r"after ([\d,]+) of", stopped.inner_text())[1].replace(",", ""))
    assert 0 < done < 1000 and done % studies.SWEEP_CHUNK == 0
    # What is shown is of those seeds: the sweep's own sentence and its seed table.
    expect(page.page.get_by_text(re.compile(rf"of {done:,} seeds \(\d+%\)"))).to_be_visible()
    page.assert_healthy()


def test_a_map_cell_clicked_lists_its_seeds(app):
    page = app()
    set_number(page, "map_seeds", 10)
    page.page.locator(".st-key-map button").click()
    chart = page.page.locator(f".st-key-map_chart {CHART}")
    chart.locator("canvas, svg").first.wait_for()
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    # Below the legend and right of the axis: a cell, whichever one.
    page.idle()
    page.page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.6)
    said = page.page.locator("p", has_text=re.compile(r"at learning rate [\d.]+:"))
    expect(said).to_be_visible()
    found = re.search(r"(\S+) at learning rate ([\d.]+): (\d+) of 10", said.inner_text())
    assert found, said.inner_text()
    arch, rate, solved = found.groups()
    row = studies.map_row(runs.config(**SETTINGS), arch, 10)
    assert int(solved) == row.solved[row.rates.index(float(rate))].sum()
    page.assert_healthy()


def test_the_tab_fits_a_phone_and_is_captured_for_the_docs(app):
    page = app(PHONE)
    sweep(page, 20)
    page.page.locator(".st-key-race button").click()
    expect(page.page.get_by_text(re.compile("initial weights at learning rate"))).to_be_visible()
    page.idle()
    assert page.page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.page.set_viewport_size({"width": PHONE["width"], "height": 6000})   # the whole tab
    page.screenshot("experiments-phone.png")
    page.assert_healthy()
