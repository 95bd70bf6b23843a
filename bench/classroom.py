"""A classroom on one server: many browser sessions train different seeds at the same time.

Starts `streamlit run` on a free port, opens one headless chromium with one browser context
per student, gives each page its own seed through the link (?seed=...&arch=2-2-1), clicks
Train on every page at once, and checks that each page shows exactly the "Final loss" that
the engine gives for that seed alone. Prints p50/p95 time-to-result (click -> result drawn
and the script run finished), the latency of /_stcore/health and of a late student's first
page during the load, and the server's memory (VmRSS) before, at peak and after.

The server and browser helpers here are shared by bench/memory.py and tests/e2e.
Run from the project folder: python -m bench.classroom [--sessions 30]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from playwright.async_api import async_playwright

from network import MLP, XOR_X, XOR_Y
from tabs.controls import LINKED_KEYS, parse_architecture

ROOT = Path(__file__).resolve().parent.parent
APP = "backprop_playground.py"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking"]
NO_CHROMIUM = (f"{CHROMIUM} is missing: the browser tests and benchmarks drive Debian's "
               "chromium. Install it with `apt-get install chromium` "
               "(never `playwright install`).")
STATUS = '[data-testid="stStatusWidget"]'   # shown while a script run is in progress
NOT_RUNNING = '[data-testid="stApp"][data-test-script-state="notRunning"]'
TRAIN = ".st-key-train button"
FINAL_LOSS = '[data-testid="stMetric"]:has-text("Final loss") [data-testid="stMetricValue"]'
STUDENT_VIEWPORT = {"width": 1280, "height": 900}
# Counts script runs as the page sees them start, so a wait cannot end before a rerun began.
COUNT_RUNS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    window.scriptRuns = 0;
    new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') === 'running') window.scriptRuns += 1;
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
RUNS_SEEN = "() => window.scriptRuns"
RUNS_SINCE = "before => window.scriptRuns > before"


# --- a real server ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Server:
    url: str
    pid: int
    log: Path

    def log_text(self):
        return self.log.read_text(errors="replace")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthy(url, timeout=5.0):
    """True if the server answers /_stcore/health with ok within `timeout` seconds."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as answer:
            return answer.read().strip() == b"ok"
    except OSError:
        return False


@contextmanager
def streamlit_server(*flags, startup_timeout=90.0):
    """`streamlit run` the app from the project root (so .streamlit/config.toml is read)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkstemp(prefix="streamlit-", suffix=".log")[1])
    command = [sys.executable, "-m", "streamlit", "run", APP, "--server.headless=true",
               f"--server.port={port}", "--server.address=127.0.0.1",
               "--browser.gatherUsageStats=false", "--server.fileWatcherType=none", *flags]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + startup_timeout
        while not healthy(url, timeout=2.0):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not become healthy at {url} "
                                   f"(exit code {process.poll()}); its log:\n"
                                   + log.read_text(errors="replace")[-3000:])
            time.sleep(0.2)
        yield Server(url, process.pid, log)
    finally:
        process.terminate()   # SIGTERM to this server's own PID
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)
        log.unlink(missing_ok=True)


def memory_kib(pid, field="VmRSS"):
    """A memory figure of a process from /proc/<pid>/status, in KiB (VmRSS now, VmHWM peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(f"{field} not in /proc/{pid}/status")


def cpu_seconds(pid):
    """User + system CPU time a process has used so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def mib(kib):
    return f"{kib / 1024:.0f} MiB"


# --- a real browser ----------------------------------------------------------------------------

def chromium_launch_options():
    """Keyword arguments for `playwright.chromium.launch`; RuntimeError if chromium is missing."""
    if not CHROMIUM.exists():
        raise RuntimeError(NO_CHROMIUM)
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


def shown_settings(page_url):
    """The linked settings as the page's link shows them (the app mirrors its widgets there)."""
    return dict(parse_qsl(urlsplit(page_url).query))


def engine_final_loss(settings):
    """The "Final loss" text that the engine alone gives for these linked settings."""
    net = MLP(parse_architecture(settings["arch"]), settings["activation"], settings["loss"],
              settings["init"], int(settings["seed"]))
    history = net.train(XOR_X, XOR_Y, float(settings["lr"]), int(settings["epochs"]))
    return f"{history.final_loss:.4g}"


def percentile(values, share):
    """Nearest-rank percentile (`share` in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share / 100 * len(ordered)) - 1)]


LINK_WRITTEN = "keys => keys.every(key => new URLSearchParams(location.search).has(key))"


async def open_app(browser, url, query, timeout_ms):
    """A new context and page on the app, loaded and idle; returns (context, page)."""
    context = await browser.new_context(viewport=STUDENT_VIEWPORT)
    context.set_default_timeout(timeout_ms)
    page = await context.new_page()
    await page.goto(f"{url}/?{urlencode(query)}", timeout=timeout_ms)
    await page.locator(TRAIN).wait_for(timeout=timeout_ms)
    await page.wait_for_function(LINK_WRITTEN, arg=list(LINKED_KEYS), timeout=timeout_ms)
    await idle(page, timeout_ms)
    await page.evaluate(COUNT_RUNS)
    return context, page


async def rerun(page, action, timeout_ms, retry_ms=None):
    """Await `action()` (a click) and the end of the script run it starts.

    With `retry_ms`, an action that started no run within that time is done again (for
    actions that may be repeated); returns how many times that was needed.
    """
    before = await page.evaluate(RUNS_SEEN)
    retries = 0
    await action()
    while True:
        try:
            await page.wait_for_function(RUNS_SINCE, arg=before, polling=100,
                                         timeout=retry_ms or timeout_ms)
            break
        except PlaywrightTimeoutError:
            if retry_ms is None or (retries + 1) * retry_ms >= timeout_ms:
                raise
            retries += 1
            await action()
    await idle(page, timeout_ms)
    return retries


async def idle(page, timeout_ms):
    """Wait until no script run is in progress (the status widget shows only after a delay)."""
    await page.locator(NOT_RUNNING).wait_for(timeout=timeout_ms)
    await page.locator(STATUS).wait_for(state="detached", timeout=timeout_ms)


async def train_and_read(page, timeout_ms):
    """Click Train; return (the shown Final loss, seconds from click to the finished run)."""
    start = time.perf_counter()
    await rerun(page, page.locator(TRAIN).click, timeout_ms)
    value = page.locator(FINAL_LOSS)
    await value.wait_for(timeout=timeout_ms)
    seconds = time.perf_counter() - start
    return (await value.inner_text()).strip(), seconds


# --- the classroom -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Student:
    seed: int
    settings: dict       # the linked settings the page showed when Train was clicked
    shown_loss: str      # its "Final loss" metric
    seconds: float       # click on Train -> result drawn and run finished


@dataclass(frozen=True)
class Lesson:
    students: list[Student]
    latecomer_seconds: float      # a page opened during the load: goto -> ready
    health_seconds: list[float]   # /_stcore/health round trips during the load


def seeds_for(count):
    return [7 + 11 * i for i in range(count)]


async def _probe_health(url, stop, latencies):
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.to_thread(healthy, url, 60.0)
        latencies.append(time.perf_counter() - start)
        await asyncio.sleep(0.2)


async def _latecomer(browser, url, timeout_ms):
    start = time.perf_counter()
    context, _ = await open_app(browser, url, {}, timeout_ms)
    seconds = time.perf_counter() - start
    await context.close()
    return seconds


async def lesson(browser, url, seeds, arch="2-2-1", timeout_ms=300_000):
    """Every student opens the app with its seed, then all press Train at once."""
    opened = await asyncio.gather(*(open_app(browser, url, {"seed": seed, "arch": arch},
                                             timeout_ms) for seed in seeds))
    pages = [page for _, page in opened]
    settings = [shown_settings(page.url) for page in pages]
    stop, latencies = asyncio.Event(), []
    probe = asyncio.create_task(_probe_health(url, stop, latencies))
    try:
        results = asyncio.gather(*(train_and_read(page, timeout_ms) for page in pages))
        await asyncio.sleep(0.5)   # the trains are under way when the late student arrives
        latecomer_seconds = await _latecomer(browser, url, timeout_ms)
        results = await results
    finally:
        stop.set()
        await probe
        await asyncio.gather(*(context.close() for context, _ in opened))
    students = [Student(seed, shown, loss, seconds)
                for seed, shown, (loss, seconds) in zip(seeds, settings, results)]
    return Lesson(students, latecomer_seconds, latencies)


async def lesson_in_own_browser(url, seeds, arch="2-2-1", timeout_ms=300_000):
    """`lesson` in a chromium of its own (for callers without an async browser)."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium_launch_options())
        try:
            return await lesson(browser, url, seeds, arch, timeout_ms)
        finally:
            await browser.close()


def mismatches(students):
    """Students whose page differs from the engine run alone for their seed."""
    wrong = []
    for student in students:
        expected = engine_final_loss(student.settings)
        if student.settings.get("seed") != str(student.seed) or student.shown_loss != expected:
            wrong.append(f"seed {student.seed}: page shows Final loss {student.shown_loss} "
                         f"with {student.settings}; the engine alone gives {expected}")
    return wrong


def _warm_up(url):
    """One visit that trains alone; keeps first-import costs out of the 'before' figure."""
    return asyncio.run(lesson_in_own_browser(url, [123])).students[0].seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--arch", default="2-2-1")
    args = parser.parse_args(argv)
    chromium_launch_options()
    with streamlit_server() as server:
        cold = memory_kib(server.pid)
        _warm_up(server.url)
        alone = _warm_up(server.url)
        time.sleep(2)
        before = memory_kib(server.pid)
        seeds = seeds_for(args.sessions)
        start, cpu_start = time.perf_counter(), cpu_seconds(server.pid)
        result = asyncio.run(lesson_in_own_browser(server.url, seeds, args.arch))
        wall, cpu = time.perf_counter() - start, cpu_seconds(server.pid) - cpu_start
        peak = memory_kib(server.pid, "VmHWM")
        time.sleep(5)
        after = memory_kib(server.pid)
        wrong = mismatches(result.students)

    times = [student.seconds for student in result.students]
    health = result.health_seconds
    print(f"classroom: {args.sessions} sessions on one server ({os.cpu_count()} cores, the "
          f"browser on the same machine), arch {args.arch}, seeds {seeds[0]}..{seeds[-1]}")
    print(f"time-to-result (click Train -> result drawn): p50 {percentile(times, 50):.2f} s, "
          f"p95 {percentile(times, 95):.2f} s, min {min(times):.2f} s, max {max(times):.2f} s; "
          f"one session alone, just before: {alone:.2f} s")
    print(f"during the load: a late student's page ready in {result.latecomer_seconds:.2f} s; "
          f"/_stcore/health median {statistics.median(health) * 1000:.0f} ms, "
          f"max {max(health) * 1000:.0f} ms over {len(health)} probes")
    print(f"server CPU during the lesson: {cpu:.1f} s in {wall:.1f} s wall "
          f"({cpu / args.sessions:.2f} s per session: open the page, train, draw)")
    print(f"server RSS: cold {mib(cold)}, before (after two warm-up visits) {mib(before)}, "
          f"peak (VmHWM) {mib(peak)}, after (pages closed + 5 s) {mib(after)}")
    print("(closed sessions are kept for server.disconnectedSessionTTL, 120 s by default)")
    if wrong:
        print("MISMATCH: " + "\n  ".join(wrong))
        return 1
    print(f"every page showed exactly its own seed's Final loss ({len(times)} of {len(times)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
