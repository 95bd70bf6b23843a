"""What a learner waits for in a real browser: one page, the working tree against a reference.

Two `streamlit run` servers side by side: the CURRENT working tree (run from the project
folder) and a REFERENCE revision (`--reference REV`, default HEAD) checked out with
`git worktree add --detach` into a temporary folder and run from there. One headless Debian
chromium (tests.browser.chromium_launch_options, never `playwright install`) visits each
page in turn, reference then current, `--repeats` times (ABAB..., so machine noise hits both
alike), each visit in a fresh browser context (empty cache, viewport `--viewport`). Before the
recorded visits each page gets one warm-up visit (not recorded: a server's first session
imports everything); a measure whose element that visit could not find is "n/a" for that page.

One visit does, in this order, and times every step with the page's own clock
(`performance.now()`, whose zero is the document's navigation start; event times are the
events' `timeStamp`, on the same clock). "Idle" below means: `NOT_RUNNING` is present and
`STATUS` is absent. Every condition is checked by a page script on every DOM mutation, on
every image load or error event, and every 50 ms, so a time is when the DOM first held it
(the pixels reach the screen at most one frame later).

1. page ready: starts at navigation start (performance.now() = 0) and stops at the first
   check where TRAIN is visible, the app is idle, every IMAGE is `complete` and no SKELETON
   (a component still loading its code) is left.
2. Train -> first result: at the app's defaults, on the fresh page. Starts at the `click`
   event's timeStamp on Train (a capturing listener on window, installed before the click)
   and stops at the first mutation after which a METRIC_VALUE's text differs from before the
   click, an IMAGE shows a src it did not have before, or a new CHART or canvas exists (a
   CHART counts as soon as its container is there, drawn or not: on a fresh page it often
   comes first, while the metric and image code still loads). The table's notes say which
   it was ("metric", "image", "boundary image", "chart", "canvas", joined with + when they
   came in the same mutation batch); --json keeps what the page showed at that moment.
3. Train -> everything drawn: from the same click until the run has started (a first result
   or a `running` script state was seen), the app is idle, every IMAGE is complete with
   naturalWidth > 0, every CHART holds a canvas or svg, no SKELETON is left, and then no DOM
   mutation nor image load for 100 ms. The time is where that quiet stretch began (the 100 ms
   are not counted).
4. scrubber step: after that Train, `--steps` times: focus SLIDER, press ArrowLeft. Starts at
   the `keydown` event's timeStamp and stops at the first IMAGE src the page did not show
   before (the boundary picture of the new epoch). "scrubber step -> all drawn" stops as in 3
   instead. Each step waits for the previous one to be drawn; the medians are over every
   step of every visit.
5. Play: click PLAY's label; for `--play-seconds` (3) from that click's timeStamp, every
   check records SLIDER's value (aria-valuetext, aria-valuenow, value or text) and the
   boundary picture's src (BOUNDARY) and when they changed; reported are the changes per
   second from the first change to the last (a replay that reaches the last snapshot inside
   the window is not made slower by the time after it). Then Play is turned off. A page
   whose scrubber stays put while playing (before the one screen, Play showed one animated
   PNG) shows 0 for the scrubber; the notes say so, and whether the picture was animated.

Selectors (all the bench relies on):
  TRAIN, NOT_RUNNING, STATUS  from tests/browser.py: `.st-key-train button` (the first
                              visible one is clicked), the stApp's
                              data-test-script-state="notRunning", the stStatusWidget
  IMAGE         `[data-testid="stImage"] img`  every picture drawn with st.image
  METRIC_VALUE  `[data-testid="stMetricValue"]`
  CHART         `[data-testid="stVegaLiteChart"]` (and any `canvas`, for "a new chart")
  SKELETON      `[data-testid="stSkeleton"]`  shown while an element's code still loads
  SLIDER        the epoch scrubber, st.select_slider(key="frame") in the container
                `.st-key-scrubber` (which also holds its moving copy while playing), and in it
                `[role="slider"]` or `input[type="range"]` (Streamlit 1.67 renders a
                visually hidden range input, whose slider role is implicit)
  PLAY          st.toggle(key="play"): `.st-key-play label` (falls back to its input);
                it is on when `.st-key-play input` is checked
  BOUNDARY      the boundary picture: the largest IMAGE whose block (its nearest
                `[data-testid="stVerticalBlock"]`) has text matching BOUNDARY_TEXT, "Output at
                epoch" (its caption) or "Decision boundary" (a heading), so neither the network
                diagram nor a legend; failing that, the largest IMAGE in the nearest ancestor
                of `.st-key-scrubber` holding any; failing that, the first IMAGE of the main area
A missing element (or a disabled one, which a click would wait on for the whole timeout)
makes its measure "n/a" with the reason; the bench goes on.

Every visit is a first visit: a fresh context has an empty cache, so the code of Streamlit's
elements (images, metrics, charts) loads on first use, inside measures 1-3. Ctrl-C or SIGTERM
stops the run and still closes the browser, stops both servers (by their PIDs) and removes the
worktree; a second Ctrl-C does not interrupt that clean-up.

Timings taken on a busy machine only prove that the script works; compare the ratios of one
run (both pages measured alike, interleaved). Raw samples: `--json PATH`.
Run from the project folder: python -m bench.browser [--repeats 7] [--reference HEAD]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from tests.browser import (
    NOT_RUNNING,
    ROOT,
    STATUS,
    TRAIN,
    chromium_launch_options,
    streamlit_server,
)

IMAGE = '[data-testid="stImage"] img'
METRIC_VALUE = '[data-testid="stMetricValue"]'
CHART = '[data-testid="stVegaLiteChart"]'
NEW_CHART = f"{CHART}, canvas"
SKELETON = '[data-testid="stSkeleton"]'
# The epoch scrubber's container (and of its moving copy in Play); older pages: the slider's own.
FRAME = ":is(.st-key-scrubber, .st-key-frame)"
SLIDER = f'{FRAME} :is([role="slider"], input[type="range"])'
PLAY = ".st-key-play"
PLAY_CLICK = f"{PLAY} label, {PLAY} input"
MAIN_IMAGE = f'[data-testid="stMain"] {IMAGE}'
BLOCK = '[data-testid="stVerticalBlock"]'
BOUNDARY_TEXT = "output at epoch|decision boundary"   # the boundary's caption or heading
QUIET_MS = 100
INTERRUPTED = threading.Event()   # set by Ctrl-C or SIGTERM (see _interrupt)
CHECK_EVERY_MS = 50

MEASURES = [  # (key, row label, unit)
    ("ready", "page ready", "ms"),
    ("first", "Train -> first result", "ms"),
    ("drawn", "Train -> everything drawn", "ms"),
    ("step", "scrubber step -> first src change", "ms"),
    ("step_drawn", "scrubber step -> all drawn", "ms"),
    ("play_values", "Play: scrubber values", "/s"),
    ("play_srcs", "Play: boundary srcs", "/s"),
]
TRAIN_MEASURES = ("first", "drawn")
STEP_MEASURES = ("step", "step_drawn")
PLAY_MEASURES = ("play_values", "play_srcs")

# Installed in every new document before its own scripts run (context.add_init_script):
# `window.__bench` watches the DOM from the start and answers the bench's questions.
PAGE_SCRIPT = """(S) => {
  if (window !== window.top || window.__bench) return;
  const B = window.__bench = {};
  const now = () => performance.now();
  const one = selector => document.querySelector(selector);
  const all = selector => [...document.querySelectorAll(selector)];
  const area = element => { const r = element.getBoundingClientRect(); return r.width * r.height; };

  B.idle = () => !!one(S.notRunning) && !one(S.status);
  B.images = () => all(S.image);
  B.imagesComplete = () => B.images().every(image => image.complete);
  B.imagesDrawn = () => B.images().every(image => image.complete && image.naturalWidth > 0);
  B.chartsDrawn = () => all(S.chart).every(chart => chart.querySelector('canvas, svg'));
  B.noSkeleton = () => !one(S.skeleton);
  B.visible = selector => all(selector).some(
    element => element.checkVisibility() && area(element) > 0);
  B.slider = () => one(S.slider);
  B.sliderValue = () => {
    const slider = B.slider();
    if (!slider) return null;
    return slider.getAttribute('aria-valuetext') ?? slider.getAttribute('aria-valuenow')
      ?? (slider.value !== undefined ? String(slider.value) : slider.textContent);
  };
  B.sliderCanGoLeft = () => {
    const slider = B.slider();
    if (!slider) return null;
    const value = slider.getAttribute('aria-valuenow') ?? slider.value;
    const low = slider.getAttribute('aria-valuemin') ?? slider.min;
    return value === undefined || low === undefined || low === '' || Number(value) > Number(low);
  };
  const largest = images => images.reduce((a, b) => (area(b) > area(a) ? b : a));
  B.boundary = () => {
    const captioned = B.images().filter(image => new RegExp(S.boundaryText, 'i').test(
      image.closest(S.block)?.innerText ?? ''));
    if (captioned.length) return largest(captioned);
    for (let node = one(S.frame); node && node !== document.body; node = node.parentElement) {
      const images = [...node.querySelectorAll(S.image)];
      if (images.length) return largest(images);
    }
    return one(S.mainImage);
  };
  // What the page shows at a moment, for the raw samples: how many of each, idle or not.
  B.shown = () => ({metrics: all(S.metricValue).length, images: B.images().length,
                    charts: all(S.chart).length, drawnCharts: all(S.chart).filter(
                      chart => chart.querySelector('canvas, svg')).length,
                    skeletons: all(S.skeleton).length, idle: B.idle()});
  B.boundarySrc = () => { const image = B.boundary(); return image ? image.src : null; };

  // Every watcher is checked on each mutation batch, image load/error and every 50 ms.
  let lastActivity = 0;
  const watchers = new Set();
  const poke = () => { for (const watcher of [...watchers]) watcher(); };
  new MutationObserver(() => { lastActivity = now(); poke(); }).observe(document,
    {subtree: true, childList: true, attributes: true, characterData: true});
  for (const type of ['load', 'error']) {
    document.addEventListener(type, () => { lastActivity = now(); poke(); }, true);
  }
  setInterval(poke, S.checkEveryMs);

  // Resolves {t, values} at the first check where every condition [name, test] holds (and,
  // with quietMs, nothing changed for quietMs after it: t is where the quiet began).
  B.until = (label, conditions, quietMs = 0, timeoutMs = S.timeoutMs) => new Promise(
    (resolve, reject) => {
      let candidate = null, timer = null;
      const evaluate = () => conditions.map(([, test]) => { try { return test(); }
                                                           catch (error) { return null; } });
      const finish = settle => {
        watchers.delete(check); clearTimeout(timer); clearTimeout(deadline); settle();
      };
      const check = () => {
        const values = evaluate();
        if (!values.every(Boolean)) { candidate = null; return; }
        if (!quietMs) { finish(() => resolve({t: now(), values})); return; }
        if (candidate === null || lastActivity > candidate) {
          candidate = now();
          clearTimeout(timer);
          timer = setTimeout(quiet, quietMs + 1);
        }
      };
      const quiet = () => {
        const values = evaluate();
        if (values.every(Boolean) && lastActivity <= candidate) {
          finish(() => resolve({t: candidate, values}));
        } else { candidate = null; check(); }
      };
      const deadline = setTimeout(() => finish(() => {
        const values = evaluate();
        const missing = conditions.filter((_, i) => !values[i]).map(([name]) => name);
        reject(new Error(`BENCH: ${label} not within ${timeoutMs / 1000} s; still waiting `
                         + `for: ${missing.join(', ') || 'a quiet DOM'}`));
      }), timeoutMs);
      watchers.add(check);
      check();
    });

  B.ready = B.until('page ready', [
    ['the Train button visible', () => B.visible(S.train)], ['an idle app', B.idle],
    ['every image complete', B.imagesComplete], ['no skeleton', B.noSkeleton]]);
  B.ready.catch(() => {});

  const eventTime = (type, key) => {
    const state = {t: null};
    const listener = event => {
      if (key && event.key !== key) return;
      window.removeEventListener(type, listener, true);
      state.t = event.timeStamp;
    };
    window.addEventListener(type, listener, true);
    return state;
  };
  const snapshot = () => ({metrics: all(S.metricValue).map(element => element.textContent),
                           srcs: new Set(B.images().map(image => image.src)),
                           charts: new Set(all(S.newChart))});
  const changes = (before, kinds) => {
    const found = [];
    if (kinds.includes('metric')
        && all(S.metricValue).some((element, i) => element.textContent !== before.metrics[i])) {
      found.push('metric');
    }
    if (kinds.includes('image')) {
      const boundary = B.boundary();
      const fresh = B.images().filter(image => image.getAttribute('src')
                                               && !before.srcs.has(image.src));
      if (fresh.some(image => image === boundary)) found.push('boundary image');
      else if (fresh.length) found.push('image');
    }
    if (kinds.includes('chart')) {
      const fresh = all(S.newChart).filter(element => !before.charts.has(element));
      if (fresh.some(element => !element.matches('canvas'))) found.push('chart');
      if (fresh.some(element => element.matches('canvas'))) found.push('canvas');
    }
    return found.length ? found.join('+') : null;
  };

  // Call just before the event (`type`, `key`) that starts a run; B.collect() answers.
  B.arm = (type, key, kinds) => {
    const start = eventTime(type, key);
    const before = snapshot();
    let runSeen = false, firstSeen = false;
    const started = () => start.t !== null;
    const runWatch = () => {
      if (started() && one(S.app)?.getAttribute('data-test-script-state') === 'running') {
        runSeen = true;
      }
    };
    watchers.add(runWatch);
    const first = B.until(`a first change (${kinds.join(', ')})`, [
      [`the ${type}`, started], [`a changed ${kinds.join(' or ')}`, () => changes(before, kinds)]])
      .then(({t, values}) => {
        firstSeen = true;
        return {ms: t - start.t, what: values[1], shown: B.shown()};
      });
    const drawn = B.until('everything drawn', [
      [`the ${type}`, started], ['the run to start', () => runSeen || firstSeen],
      ['an idle app', B.idle], ['every image drawn', B.imagesDrawn],
      ['every chart drawn', B.chartsDrawn], ['no skeleton', B.noSkeleton]], S.quietMs)
      .then(({t}) => ({ms: t - start.t})).finally(() => watchers.delete(runWatch));
    B.job = {first, drawn};
  };

  // Call just before the click that turns Play on; for windowMs from that click, records
  // every change of the scrubber's value and of the boundary picture's src.
  B.armPlay = windowMs => {
    const start = eventTime('click');
    let lastValue = B.sliderValue(), lastSrc = B.boundarySrc();
    const values = [], srcs = [], valueTimes = [], srcTimes = [];
    const sample = () => {
      if (start.t === null || now() - start.t > windowMs) return;
      const value = B.sliderValue(), src = B.boundarySrc();
      if (value !== null && value !== lastValue) {
        values.push(value); valueTimes.push(now()); lastValue = value;
      }
      if (src !== null && src !== lastSrc) { srcs.push(src); srcTimes.push(now()); lastSrc = src; }
    };
    watchers.add(sample);
    B.job = {play: B.until('the Play window', [
      ['the click on Play', () => start.t !== null && now() - start.t >= windowMs]])
      .then(() => {
        watchers.delete(sample);
        return {values, srcs, valueTimes, srcTimes, slider: !!B.slider(), src: B.boundarySrc()};
      })};
  };

  B.collect = async () => {
    const answers = {};
    for (const [name, promise] of Object.entries(B.job)) {
      try { answers[name] = await promise; }
      catch (error) { answers[name] = {error: String(error.message || error)}; }
    }
    return answers;
  };
  B.settled = () => B.until('settled', [
    ['an idle app', B.idle], ['every image drawn', B.imagesDrawn],
    ['every chart drawn', B.chartsDrawn], ['no skeleton', B.noSkeleton]], S.quietMs);
}"""


def page_script(timeout_ms):
    selectors = {"train": TRAIN, "notRunning": NOT_RUNNING, "status": STATUS, "image": IMAGE,
                 "metricValue": METRIC_VALUE, "chart": CHART, "newChart": NEW_CHART,
                 "skeleton": SKELETON, "frame": FRAME, "slider": SLIDER,
                 "mainImage": MAIN_IMAGE, "app": '[data-testid="stApp"]',
                 "block": BLOCK, "boundaryText": BOUNDARY_TEXT,
                 "quietMs": QUIET_MS, "checkEveryMs": CHECK_EVERY_MS, "timeoutMs": timeout_ms}
    return f"({PAGE_SCRIPT})({json.dumps(selectors)});"


class MissingError(Exception):
    """An element the measure needs is not on the page (it may be being rebuilt)."""


def reason(error):
    """One line saying why: the page script's own message if there is one."""
    text = str(error)
    found = re.search(r"BENCH: ([^\n]*)", text)
    return found.group(1) if found else text.strip().splitlines()[0][:200]


# --- servers and the reference worktree --------------------------------------------------------

def git(*arguments):
    return subprocess.run(["git", *arguments], cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout.strip()


@contextmanager
def worktree(revision):
    """`revision` checked out (detached) in a temporary folder, removed afterwards."""
    parent = Path(tempfile.mkdtemp(prefix="bench-browser-"))
    folder = parent / "reference"
    try:
        git("worktree", "add", "--detach", str(folder), revision)
        yield folder
    finally:
        with suppress(subprocess.CalledProcessError):
            git("worktree", "remove", "--force", str(folder))
        shutil.rmtree(parent, ignore_errors=True)
        git("worktree", "prune")


# --- one visit ---------------------------------------------------------------------------------

@dataclass
class Visit:
    """What one visit measured: samples (ms or per second) and why the others are missing."""
    samples: dict = field(default_factory=dict)     # measure -> [values]
    failed: dict = field(default_factory=dict)      # measure -> reason
    missing: dict = field(default_factory=dict)     # measure -> reason (element not there)
    first_what: str | None = None
    first_shown: dict | None = None   # what the page showed at the first result
    play: dict | None = None

    def add(self, measure, value):
        self.samples.setdefault(measure, []).append(round(value, 2))

    def fail(self, measures, why, missing=False):
        for measure in measures:
            if measure not in self.samples and measure not in self.failed:
                self.failed[measure] = why
                if missing:
                    self.missing[measure] = why


@dataclass(frozen=True)
class Options:
    viewport: dict
    steps: int
    play_ms: int
    timeout_ms: int
    skip: dict   # measure -> reason, for this page


async def present(page, selector, what, enabled=False):
    """The first element of `selector`, or MissingError (also when `enabled` is asked and
    it is disabled, which would make a click wait for its whole timeout)."""
    locator = page.locator(selector).first
    if await page.locator(selector).count() == 0:
        raise MissingError(f"no {what} ({selector}) on the page")
    if enabled and not await locator.is_enabled():
        raise MissingError(f"the {what} ({selector}) is disabled")
    return locator


async def phase(result, measures, action):
    """Await `action()`; an element it misses or a browser error makes `measures` n/a.
    Returns whether it went through."""
    try:
        await action()
        return True
    except MissingError as missing:
        result.fail(measures, str(missing), missing=True)
    except PlaywrightError as error:
        if INTERRUPTED.is_set():
            raise
        result.fail(measures, reason(error))
    return False


async def visit(browser, url, options):
    result = Visit()
    for measure, why in options.skip.items():
        result.fail([measure], why, missing=True)
    context = await browser.new_context(viewport=options.viewport)
    context.set_default_timeout(options.timeout_ms)
    await context.add_init_script(page_script(options.timeout_ms))
    everything = [measure for measure, _, _ in MEASURES]
    try:
        page = await context.new_page()

        async def ready():
            await page.goto(url, wait_until="commit", timeout=options.timeout_ms)
            try:
                result.add("ready", (await page.evaluate("() => __bench.ready"))["t"])
            except PlaywrightError as error:
                if "Train button" in str(error):   # not a slow page: a page without one
                    raise MissingError(reason(error)) from None
                raise

        if not await phase(result, everything, ready) and "ready" in result.missing:
            result.fail(everything, "needs the Train button: " + result.failed["ready"])
            return result
        if (await phase(result, TRAIN_MEASURES, lambda: _train(page, result, options))
                and "drawn" in result.samples):
            if await phase(result, STEP_MEASURES, lambda: _steps(page, result, options)):
                await phase(result, PLAY_MEASURES, lambda: _play(page, result, options))
            else:
                result.fail(PLAY_MEASURES, "the scrubber steps failed: "
                            + result.failed.get("step_drawn", "?"))
        else:
            why = result.failed.get("drawn", result.failed.get("first", "Train failed"))
            result.fail(STEP_MEASURES + PLAY_MEASURES, f"needs a trained page ({why})")
    finally:
        with suppress(PlaywrightError):
            await context.close()
    return result


async def _train(page, result, options):
    await page.evaluate("() => __bench.settled()")
    train = await present(page, f"{TRAIN} >> visible=true", "Train button", enabled=True)
    await page.evaluate("() => __bench.arm('click', null, ['metric', 'image', 'chart'])")
    await train.click()
    answers = await page.evaluate("() => __bench.collect()")
    for measure in TRAIN_MEASURES:
        answer = answers[measure]
        if "error" in answer:
            result.fail([measure], reason(answer["error"]))
        elif measure not in options.skip:
            result.add(measure, answer["ms"])
    result.first_what = answers["first"].get("what")
    result.first_shown = answers["first"].get("shown")


async def _steps(page, result, options):
    if all(measure in options.skip for measure in STEP_MEASURES):
        return
    slider = await present(page, SLIDER, "epoch scrubber", enabled=True)
    await present(page, IMAGE, "st.image picture")
    for _ in range(options.steps):
        if not await page.evaluate("() => __bench.sliderCanGoLeft()"):
            result.fail(STEP_MEASURES, "the scrubber is already at its first epoch")
            return
        await slider.focus()
        await page.evaluate("() => __bench.arm('keydown', 'ArrowLeft', ['image'])")
        await page.keyboard.press("ArrowLeft")
        answers = await page.evaluate("() => __bench.collect()")
        for name, measure in (("first", "step"), ("drawn", "step_drawn")):
            if "error" in answers[name]:
                result.fail([measure], reason(answers[name]["error"]))
            elif measure not in options.skip:
                result.add(measure, answers[name]["ms"])
        if "error" in answers["drawn"]:
            return   # the next step would start on a page still busy with this one


async def _play(page, result, options):
    if all(measure in options.skip for measure in PLAY_MEASURES):
        return
    await present(page, PLAY, "Play toggle")
    toggle = await present(page, PLAY_CLICK, "Play toggle", enabled=True)
    await page.evaluate("ms => __bench.armPlay(ms)", options.play_ms)
    await toggle.click()
    answer = (await page.evaluate("() => __bench.collect()"))["play"]
    if "error" in answer:
        result.fail(PLAY_MEASURES, reason(answer["error"]))
        return
    result.add("play_values", _rate(answer["valueTimes"]))
    result.add("play_srcs", _rate(answer["srcTimes"]))
    result.play = {"values": answer["values"], "srcs": len(set(answer["srcs"])),
                   "slider": answer["slider"],
                   "animated_png": await _animated(page, answer["src"])}
    switch = page.locator(f"{PLAY} input").first
    if await switch.count() and await switch.is_checked():   # it may have stopped by itself
        await toggle.click()
    with suppress(PlaywrightError):
        await page.evaluate("() => __bench.settled()")


def _rate(times_ms):
    """Changes per second while they happened: from the first change to the last (a replay
    that ends within the window, at the last snapshot, is not counted as slower)."""
    if len(times_ms) < 2:
        return 0.0
    return (len(times_ms) - 1) / ((times_ms[-1] - times_ms[0]) / 1000)


async def _animated(page, src):
    """Whether the picture at `src` is an animated PNG (has an acTL chunk)."""
    if not src or not src.startswith("http"):
        return None
    try:
        body = await (await page.request.get(src)).body()
    except PlaywrightError:
        return None
    return body.startswith(b"\x89PNG") and b"acTL" in body


# --- the runs -------------------------------------------------------------------------------

@dataclass
class PageRecord:
    name: str
    label: str
    url: str
    visits: list = field(default_factory=list)
    skip: dict = field(default_factory=dict)

    def samples(self, measure):
        return [value for v in self.visits for value in v.samples.get(measure, [])]

    def reasons(self, measure):
        return Counter(v.failed[measure] for v in self.visits if measure in v.failed)


async def measure_pages(pages, repeats, options):
    """Visit every page (one warm-up each, then `repeats` rounds); Ctrl-C cancels this task,
    so the browser and the Playwright driver are closed before the loop ends."""
    if _main_thread():
        task, loop = asyncio.current_task(), asyncio.get_running_loop()
        for number in SIGNALS:
            loop.add_signal_handler(number, lambda: (INTERRUPTED.set(), task.cancel()))
    try:
        await _measure_pages(pages, repeats, options)
    except asyncio.CancelledError:
        if INTERRUPTED.is_set():
            raise KeyboardInterrupt from None
        raise


async def _measure_pages(pages, repeats, options):
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium_launch_options())
        try:
            for record in pages:   # warm-up: not recorded; finds what is missing on the page
                print(f"warm-up visit: {record.name}", flush=True)
                warm = await visit(browser, record.url, options)
                record.skip = {m: f"not on this page (warm-up visit: {why})"
                               for m, why in warm.missing.items()}
            for repeat in range(1, repeats + 1):
                for record in pages:   # reference, current, reference, current, ...
                    opts = Options(options.viewport, options.steps, options.play_ms,
                                   options.timeout_ms, record.skip)
                    start = time.perf_counter()
                    record.visits.append(await visit(browser, record.url, opts))
                    print(f"repeat {repeat}/{repeats} {record.name}: "
                          f"{time.perf_counter() - start:.1f} s", flush=True)
        finally:
            with suppress(PlaywrightError):
                await browser.close()


# --- the table -------------------------------------------------------------------------------

def summary(values, unit):
    """'median (min-max)' in the measure's unit."""
    digits = 0 if unit == "ms" else 1
    median = statistics.median(values)
    return (f"{median:,.{digits}f} ({min(values):,.{digits}f}-{max(values):,.{digits}f})",
            median)


def cell(record, measure, unit):
    values = record.samples(measure)
    if not values:
        why = record.reasons(measure).most_common(1)
        return "n/a", None, why[0][0] if why else "no sample"
    text, median = summary(values, unit)
    return text, median, None


def ratio(current, reference):
    if current is None or reference is None:
        return "n/a"
    if reference == 0:
        return "n/a (ref 0)" if current else "1.00 (both 0)"
    return f"{current / reference:.2f}"


def table(reference, current):
    """The printed table (a string) and its notes."""
    rows, notes = [], []
    width = max(len(label) for _, label, _ in MEASURES) + 5
    header = (f"{'measure':{width}} {'reference: median (min-max)':30} "
              f"{'current: median (min-max)':30} current/ref")
    rows.append(header)
    rows.append("-" * len(header))
    for measure, label, unit in MEASURES:
        texts = []
        medians = []
        for record in (reference, current):
            text, median, why = cell(record, measure, unit)
            texts.append(text)
            medians.append(median)
            if why:
                notes.append(f"{label}, {record.name}: n/a: {why}")
            else:
                count = len(record.samples(measure))
                failed = sum(record.reasons(measure).values())
                if failed:
                    notes.append(f"{label}, {record.name}: {failed} visit(s) failed "
                                 f"({record.reasons(measure).most_common(1)[0][0]}); "
                                 f"median of the other {count} samples")
        rows.append(f"{label + ' (' + unit + ')':{width}} {texts[0]:30} {texts[1]:30} "
                    f"{ratio(medians[1], medians[0])}")
    for record in (reference, current):
        caught = Counter(v.first_what for v in record.visits if v.first_what)
        if caught:
            empty = sum(1 for v in record.visits if v.first_shown and v.first_what == "chart"
                        and not v.first_shown["drawnCharts"])
            notes.append(f"first result caught on {record.name}: " + ", ".join(
                f"{what} x{count}" for what, count in caught.most_common())
                + (f" (in {empty} of them a new chart container with nothing drawn in it yet "
                   "came first; --json has what was shown then)" if empty else ""))
        plays = [v.play for v in record.visits if v.play]
        if plays and not any(play["values"] for play in plays):
            shown = "no scrubber while playing" if not any(p["slider"] for p in plays) \
                else "the scrubber never moved while playing"
            animated = sum(bool(p["animated_png"]) for p in plays)
            notes.append(f"Play on {record.name}: {shown}, so 0 scrubber values/s; "
                         f"the boundary picture was an animated PNG in {animated} of "
                         f"{len(plays)} visits")
    return "\n".join(rows), notes


def raw(record):
    return {"label": record.label, "skip": record.skip,
            "samples": {m: record.samples(m) for m, _, _ in MEASURES},
            "failed": {m: dict(record.reasons(m)) for m, _, _ in MEASURES if record.reasons(m)},
            "first_result": [{"what": v.first_what, "shown": v.first_shown}
                             for v in record.visits],
            "play": [v.play for v in record.visits]}


def load_average():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def viewport_size(text):
    width, _, height = text.lower().partition("x")
    return {"width": int(width), "height": int(height)}


SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _main_thread():
    return threading.current_thread() is threading.main_thread()   # not under a test's thread


def _catch_signals():
    if _main_thread():
        for number in SIGNALS:
            signal.signal(number, _interrupt)


@contextmanager
def interruptible():
    """Within: Ctrl-C and SIGTERM raise KeyboardInterrupt, so every clean-up runs; the
    handlers found before come back afterwards."""
    if not _main_thread():
        yield
        return
    before = {number: signal.getsignal(number) for number in SIGNALS}
    try:
        _catch_signals()
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


def run_async(coroutine):
    """asyncio.run(coroutine), our signal handlers back afterwards (the loop takes them)."""
    try:
        return asyncio.run(coroutine)
    finally:
        _catch_signals()


def until_interrupted(body):
    """`body()` with Ctrl-C and SIGTERM stopping it cleanly: None when it ran to the end,
    130 (said on stderr) when stopped; `body`'s `finally` blocks and context managers do the
    clean-up."""
    INTERRUPTED.clear()
    try:
        with interruptible():
            body()
    except KeyboardInterrupt:
        return _interrupted()
    except PlaywrightError:
        if not INTERRUPTED.is_set():
            raise
        return _interrupted()
    return None


def _interrupted():
    print("interrupted: browser closed, servers stopped, reference worktree removed",
          file=sys.stderr)
    return 130


def _interrupt(signum, frame):
    """Ctrl-C (SIGINT) and SIGTERM: stop at once; the `finally` blocks close the browser, stop
    both servers by their PIDs and remove the worktree. A Ctrl-C in a terminal also reaches
    chromium and the servers (one process group); the flag tells the errors that follow from
    their deaths from real ones. A second Ctrl-C is ignored: the clean-up goes on."""
    if INTERRUPTED.is_set():
        return
    INTERRUPTED.set()
    raise KeyboardInterrupt


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7, help="recorded visits per page")
    parser.add_argument("--reference", default="HEAD", help="git revision to compare with")
    parser.add_argument("--viewport", default="1280x720", type=viewport_size)
    parser.add_argument("--steps", type=int, default=5, help="scrubber steps per visit")
    parser.add_argument("--play-seconds", type=float, default=3.0)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per wait")
    parser.add_argument("--json", type=Path, help="save the raw samples here")
    args = parser.parse_args(argv)
    chromium_launch_options()   # fails early, with the reason, without chromium
    revision = git("rev-parse", "--short", args.reference)
    changed = len(git("status", "--porcelain").splitlines())
    start_load = load_average()
    options = Options(args.viewport, args.steps, int(args.play_seconds * 1000),
                      int(args.timeout * 1000), {})
    pages = []

    def body():
        with ExitStack() as stack:
            folder = stack.enter_context(worktree(args.reference))
            reference_server = stack.enter_context(streamlit_server(folder=folder))
            current_server = stack.enter_context(streamlit_server(folder=ROOT))
            pages.append(PageRecord("reference", f"{args.reference} ({revision}), git worktree",
                                    reference_server.url))
            pages.append(PageRecord("current", f"the working tree ({changed} paths changed "
                                    f"from HEAD)" if changed else "the working tree (clean)",
                                    current_server.url))
            run_async(measure_pages(pages, args.repeats, options))

    stopped = until_interrupted(body)
    if stopped is not None:
        return stopped
    reference, current = pages
    end_load = load_average()

    size = f"{args.viewport['width']}x{args.viewport['height']}"
    print(f"\nbrowser: one page at {size}, {args.repeats} visits per page alternating "
          f"reference and current (after one warm-up visit each), {args.steps} scrubber "
          f"steps and {args.play_seconds:g} s of Play per visit; {os.cpu_count()} cores, "
          f"browser and both servers on this machine")
    print(f"reference: {reference.label}; current: {current.label}")
    print(f"load average (1, 5, 15 min): start {start_load}, end {end_load}\n")
    text, notes = table(reference, current)
    print(text)
    if notes:
        print("\nnotes:\n" + "\n".join(f"- {note}" for note in notes))
    if args.json:
        args.json.write_text(json.dumps({
            "viewport": size, "repeats": args.repeats, "steps": args.steps,
            "play_seconds": args.play_seconds, "reference_revision": revision,
            "load_average": {"start": start_load, "end": end_load},
            "reference": raw(reference), "current": raw(current)}, indent=1))
        print(f"\nraw samples: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
