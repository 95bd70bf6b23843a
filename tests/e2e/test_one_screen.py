"""The one screen, measured from bounding boxes in a real browser: what is in the first
viewport before and after Train at 1280x720 (sidebar open) and on a 390x844 phone; live
training, Stop and Play."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import TIMEOUT_MS

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}
# The network diagram is the first SVG image (the colour legend is the other one).
DIAGRAM = '[data-testid="stImage"] img[src^="data:image/svg+xml"]'
CHART = '[data-testid="stVegaLiteChart"]'
SCRUBBER = '.st-key-scrubber input[type="range"]'   # while playing, a moving copy
# A run long enough to watch and stop: about 3 to 10 s on this machine.
LONG_RUN = "?arch=2-8-8-1&dataset=spiral&points=400&epochs=50000"


def boundary(page):
    """The decision boundary: the first image served as a file (a PNG); the network diagram
    and the legend are SVGs written into the page."""
    return page.locator('[data-testid="stImage"] img:not([src^="data:"])').first


def box(locator):
    locator.wait_for()
    return locator.bounding_box()


def wholly_in_view(locator, viewport, smallest=50):
    """The element's box lies inside the viewport, as the page is first shown (no scrolling)."""
    b = box(locator)
    assert b["width"] > smallest and b["height"] > smallest, b
    assert b["x"] >= 0 and b["y"] >= 0, b
    assert b["x"] + b["width"] <= viewport["width"] + 0.5, b
    assert b["y"] + b["height"] <= viewport["height"] + 0.5, b
    return b


def scrolled_to_top(page):
    assert page.evaluate("() => document.scrollingElement.scrollTop") == 0


def test_before_training_the_data_and_the_untrained_network_are_in_view(at_size):
    app = at_size(DESKTOP).open()
    page = app.page
    scrolled_to_top(page)
    wholly_in_view(page.locator(DIAGRAM).first, DESKTOP)
    wholly_in_view(boundary(page), DESKTOP)
    wholly_in_view(page.locator(".st-key-train button"), DESKTOP, smallest=20)
    expect(app.alert(re.compile("Untrained: the network of seed 123 at epoch 0"))).to_be_visible()
    app.assert_healthy()
    app.screenshot("one_screen_before.png")


def test_after_train_the_network_the_boundary_and_the_loss_are_in_one_screen(at_size):
    app = at_size(DESKTOP, scale=2).open()
    page = app.page
    app.train()
    scrolled_to_top(page)
    network = wholly_in_view(page.locator(DIAGRAM).first, DESKTOP)
    picture = wholly_in_view(boundary(page), DESKTOP)
    chart = wholly_in_view(page.locator(CHART).first, DESKTOP)
    # side by side, in this order, not on top of each other
    assert network["x"] + network["width"] <= picture["x"] + 1
    assert picture["x"] + picture["width"] <= chart["x"] + 1
    toolbar = box(page.locator(".st-key-toolbar"))
    assert toolbar["y"] + toolbar["height"] <= min(network["y"], picture["y"], chart["y"])
    # crisp: the boundary's image has at least twice as many pixels as it is shown with
    natural = boundary(page).evaluate("image => image.naturalWidth")
    assert natural >= 2 * picture["width"] - 2, (natural, picture)
    expect(app.alert(re.compile(r"Converged"))).to_be_visible()
    app.assert_healthy()
    app.screenshot("one_screen_after.png")


def test_every_picture_reaches_the_browser_as_the_png_drawn_at_twice_its_size(at_size):
    """Streamlit re-encodes a PNG without transparency as a JPEG unless told it is a PNG, and
    shrinks one wider than a width in pixels: neither may happen to the app's pictures."""
    app = at_size(DESKTOP).open()
    page = app.page
    app.train()
    app.wait_for_pictures()
    pictures = page.evaluate("""async () => Promise.all(
        [...document.querySelectorAll('[data-testid="stImage"] img')]
        .filter(image => !image.src.startsWith('data:'))
        .map(async image => ({src: image.src, shown: image.getBoundingClientRect().width,
                              natural: image.naturalWidth,
                              type: (await fetch(image.src)).headers.get('content-type')})))""")
    assert len(pictures) >= 2, pictures   # the boundary and the hidden layer's neurons
    for picture in pictures:
        assert picture["type"] == "image/png", picture
        assert picture["natural"] >= 2 * picture["shown"] - 2, picture
    app.assert_healthy()


def test_on_a_phone_nothing_is_cut_off_and_the_result_shows_after_train(at_size):
    app = at_size(PHONE).open()
    page = app.page
    app.train()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    for picture in (page.locator(DIAGRAM).first, boundary(page), page.locator(CHART).first):
        b = box(picture)
        assert b["x"] >= 0 and b["x"] + b["width"] <= PHONE["width"] + 0.5, b
    # The result begins in the first screen: the network diagram's top is in view.
    assert box(page.locator(DIAGRAM).first)["y"] < PHONE["height"] - 100
    app.assert_healthy()
    app.screenshot("one_screen_phone.png")


def test_a_fixed_architecture_trains_on_the_first_click(at_size):
    app = at_size(DESKTOP).open()
    page = app.page
    field = page.locator(".st-key-arch input")
    field.fill("2-9-1")
    field.press("Enter")
    app.idle()
    expect(app.alert("1 to 8 neurons")).to_be_visible()
    field.fill("2-2-1")          # still focused: the new text reaches the app on the click
    app.train()
    expect(page.locator(".st-key-arch input")).to_have_value("2-2-1")
    expect(page.get_by_text("the two hidden neurons' outputs")).to_be_visible()
    app.assert_healthy()


def test_training_is_drawn_live_and_stop_keeps_what_was_trained(at_size):
    app = at_size(DESKTOP).open(LONG_RUN)
    page = app.page
    page.evaluate("""() => {
        window.seen = {boundary: new Set(), diagram: new Set(), progress: new Set()};
        const record = () => {
            for (const image of document.querySelectorAll('[data-testid="stImage"] img')) {
                const kind = image.src.startsWith('data:image/svg') ? 'diagram' : 'boundary';
                window.seen[kind].add(image.src.slice(-64));
            }
            const bar = document.querySelector('[data-testid="stProgress"]');
            if (bar) window.seen.progress.add(bar.innerText);
        };
        new MutationObserver(record).observe(document.body,
            {subtree: true, childList: true, attributes: true, characterData: true});
    }""")
    page.locator(".st-key-train button").click()
    stop = page.locator(".st-key-stop button")
    expect(stop).to_be_enabled()
    page.wait_for_function("() => window.seen.progress.size >= 3", timeout=TIMEOUT_MS)
    stop.click()
    app.idle()
    expect(app.alert(re.compile(r"Stopped at epoch [\d,]+ of 50,000"))).to_be_visible()
    stopped = int(app.metric("Epochs").inner_text().replace(",", ""))
    assert 0 < stopped < 50_000
    seen = page.evaluate("() => [window.seen.boundary.size, window.seen.diagram.size]")
    assert min(seen) >= 3, seen   # both pictures were redrawn while training, not only at the end
    expect(page.locator(".st-key-continue button").first).to_be_enabled()
    app.assert_healthy()


def test_play_moves_the_scrubber_and_the_pictures_together(at_size):
    app = at_size(DESKTOP).open()
    page = app.page
    app.train()
    slider = page.locator(SCRUBBER)
    page.evaluate("""() => {
        window.played = [];
        new MutationObserver(() => {
            const slider = document.querySelector('.st-key-scrubber input[type="range"]');
            const caption = [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
                .map(c => c.innerText).find(t => t.startsWith('Output at epoch'));
            if (slider && caption) window.played.push([slider.getAttribute('aria-valuetext')
                || slider.getAttribute('aria-valuenow'), caption.split(',').slice(0, 2).join(',')]);
        }).observe(document.body, {subtree: true, childList: true, attributes: true,
                                    characterData: true});
    }""")
    page.locator(".st-key-play label").click()
    page.wait_for_function("() => new Set(window.played.map(p => p[0])).size >= 4",
                           timeout=TIMEOUT_MS)
    played = page.evaluate("() => window.played")
    values = {value for value, _ in played}
    assert len(values) >= 4, played
    page.locator(".st-key-play label").click()
    # The click stops Play. On a slow machine Play may reach the last snapshot first, and the
    # click then starts it again from epoch 0: either way Play ends switched off, with the
    # moving copy of the scrubber gone.
    expect(page.locator(".st-key-play input")).not_to_be_checked(timeout=TIMEOUT_MS)
    app.idle()
    expect(slider).to_have_count(1, timeout=TIMEOUT_MS)
    expect(slider).to_be_enabled()
    # stopped: the scrubber and the boundary's caption name the same epoch
    shown = slider.get_attribute("aria-valuetext") or ""
    caption = page.get_by_text(re.compile(r"^Output at epoch [\d,]+")).first.inner_text()
    assert epoch_in(shown) == epoch_in(caption.replace("Output at", "")), (shown, caption)
    app.assert_healthy()


def epoch_in(text):
    return int(re.search(r"epoch ([\d,]+)", text).group(1).replace(",", ""))
