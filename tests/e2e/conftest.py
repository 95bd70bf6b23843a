"""A real `streamlit run` and Debian's chromium (never `playwright install`) for tests/e2e;
the server and browser helpers themselves are in tests/browser.py."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser import (
    CHROMIUM,
    COUNT_RUNS,
    NO_CHROMIUM,
    NOT_RUNNING,
    PICTURES_LOADED,
    ROOT,
    RUNS_SEEN,
    RUNS_SINCE,
    STATUS,
    TRAIN,
    chromium_launch_options,
    streamlit_server,
)

SCREENSHOTS = ROOT / ".screenshots"
VIEWPORT = {"width": 1280, "height": 2000}   # screenshots show the viewport only: make it tall
TIMEOUT_MS = 120_000                          # the machine is shared: be generous

# What the sidebar shows about the uploaded file: its caption or its error.
UPLOAD_SHOWN = """() => [...document.querySelectorAll('[data-testid="stSidebar"] :is('
        + '[data-testid="stCaptionContainer"], [data-testid="stAlert"])')]
    .map(element => element.innerText)
    .filter(text => / points\\.|This file cannot be used/.test(text)).join('\\n')"""
# The script run is over and the sidebar shows a caption or error other than `before`'s.
UPLOAD_READ = f"""before => {{
    const app = document.querySelector('[data-testid="stApp"]');
    const shown = ({UPLOAD_SHOWN})();
    return app.dataset.testScriptState === 'notRunning' && shown !== '' && shown !== before;
}}"""

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def launch_options():
    """How to launch chromium; fails (never skips) when it is not installed."""
    if not CHROMIUM.exists():
        pytest.fail(NO_CHROMIUM, pytrace=False)
    return chromium_launch_options()


@pytest.fixture(scope="session")
def server():
    """One app server for the whole test session, stopped by its own PID afterwards."""
    with streamlit_server() as running:
        yield running


@pytest.fixture(scope="session")
def chromium(launch_options):
    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(**launch_options)
        yield launched
        launched.close()
    finally:
        playwright.stop()


class App:
    """One browser page on the app, with the waits every journey needs."""

    def __init__(self, page, server):
        self.page = page
        self.server = server
        self.log_start = len(server.log_text())

    def open(self, query=""):
        self.page.goto(f"{self.server.url}/{query}")
        expect(self.page.get_by_role("heading", name="Backprop Playground")).to_be_visible()
        expect(self.page.locator(TRAIN)).to_be_visible()
        self.idle()
        self.page.evaluate(COUNT_RUNS)
        return self

    def idle(self):
        """Wait until the script run is over (call it after the expected element showed)."""
        self.page.locator(NOT_RUNNING).wait_for(timeout=TIMEOUT_MS)
        self.page.locator(STATUS).wait_for(state="detached", timeout=TIMEOUT_MS)

    def rerun(self, action):
        """Do `action()` (a click, a key press) and wait for the script run it starts to end."""
        runs_before = self.page.evaluate(RUNS_SEEN)
        action()
        self.page.wait_for_function(RUNS_SINCE, arg=runs_before, polling=100,
                                    timeout=TIMEOUT_MS)
        self.idle()

    def train(self, button=None):
        """Click Train (or another button that trains); wait for the new run's metrics."""
        self.rerun((button or self.page.locator(TRAIN)).click)
        expect(self.metric("Final loss")).to_be_visible()

    def upload(self, files):
        """Choose `files` (a path, or a dict of name, mimeType and buffer) in the sidebar's
        file uploader; wait until the app has read it: its caption or its error shows, and
        differs from what was shown before (so the file must be another one).

        The wait is for the outcome, not for a script run: replacing a file may take two runs
        (the old file removed, then the new one read), and a run this short may never show
        as running in the page (seen once in 25 uploads), which RUNS_SINCE would wait for.
        """
        before = self.page.evaluate(UPLOAD_SHOWN)
        self.page.locator('.st-key-upload input[type="file"]').set_input_files(files)
        self.page.wait_for_function(UPLOAD_READ, arg=before, polling=100, timeout=TIMEOUT_MS)
        self.idle()

    def metric(self, label):
        return self.page.locator('[data-testid="stMetric"]', has_text=label) \
            .locator('[data-testid="stMetricValue"]')

    def alert(self, text):
        return self.page.locator('[data-testid="stAlert"]', has_text=text)

    def assert_healthy(self):
        """No exception box, no traceback, no 'Something went wrong', nothing in the server log."""
        expect(self.page.locator('[data-testid="stException"]')).to_have_count(0)
        body = self.page.locator("body").inner_text()
        assert "Traceback" not in body
        assert "Something went wrong" not in body
        log = self.server.log_text()[self.log_start:]
        assert "Traceback" not in log and "unexpected error" not in log, log[-3000:]

    def wait_for_pictures(self):
        """Every image decoded and every chart drawn (for screenshots)."""
        self.page.wait_for_function(PICTURES_LOADED, timeout=TIMEOUT_MS)
        charts = self.page.locator('[data-testid="stVegaLiteChart"]')
        for index in range(charts.count()):
            charts.nth(index).locator("canvas, svg").first.wait_for(timeout=TIMEOUT_MS)

    def screenshot(self, name):
        SCREENSHOTS.mkdir(exist_ok=True)
        self.wait_for_pictures()
        self.page.screenshot(path=SCREENSHOTS / name, scale="css")   # CSS pixels at any DPR


@pytest.fixture
def app(chromium, server):
    context = chromium.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield App(context.new_page(), server)
    finally:
        context.close()


@pytest.fixture
def at_size(chromium, server):
    """A function that opens a page of the given viewport; all are closed afterwards."""
    contexts = []

    def open_page(viewport, scale=1):
        context = chromium.new_context(viewport=viewport, device_scale_factor=scale)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return App(context.new_page(), server)

    yield open_page
    for context in contexts:
        context.close()
