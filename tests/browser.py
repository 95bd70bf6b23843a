"""A real `streamlit run` and Debian's chromium (never `playwright install`), shared helpers.

Used by tests/e2e (the browser tests) and by the benchmarks that drive a browser,
bench/classroom.py and bench/memory.py. Import it as `tests.browser` from the project folder
(pytest's `pythonpath = ["."]`; `python -m bench.<name>` puts the folder on the path too).

- The server: `streamlit_server()` runs the app on a free port and yields a `Server`
  (url, pid, log); `healthy()` asks /_stcore/health; `memory_kib()`, `cpu_seconds()`,
  `tree_cpu_seconds()`, `tree_memory_kib()` and `mib()` read and show what the server
  process (and its workers) use.
- The browser: `chromium_launch_options()` and the selectors and scripts every page needs
  (TRAIN, FINAL_LOSS, STATUS, NOT_RUNNING, COUNT_RUNS, RUNS_SEEN, RUNS_SINCE,
  PICTURES_LOADED).
- Async pages (for the benchmarks): `open_app()`, `rerun()`, `idle()`, `train_and_read()`;
  `run_in_own_thread()` runs a coroutine from a test.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from runs import KEYS as LINKED_KEYS

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
# Every picture drawn with st.image has loaded and decoded.
PICTURES_LOADED = """() => [...document.querySelectorAll('[data-testid="stImage"] img')]
    .every(image => image.complete && image.naturalWidth > 0)"""
LINK_WRITTEN = "keys => keys.every(key => new URLSearchParams(location.search).has(key))"


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
def streamlit_server(*flags, startup_timeout=90.0, folder=ROOT):
    """`streamlit run` the app from `folder`, the project root unless another checkout is
    given (its .streamlit/config.toml is read); stopped by its own PID."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkstemp(prefix="streamlit-", suffix=".log")[1])
    command = [sys.executable, "-m", "streamlit", "run", APP, "--server.headless=true",
               f"--server.port={port}", "--server.address=127.0.0.1",
               "--browser.gatherUsageStats=false", "--server.fileWatcherType=none", *flags]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=folder, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + startup_timeout
        while not healthy(url, timeout=2.0):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit in {folder} did not become healthy at {url} "
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


def _stat(pid):
    """The fields of /proc/<pid>/stat after the command name (field 3, the state, first)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pid):
    """User + system CPU time a process has used so far (/proc/<pid>/stat)."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree(pid):
    """A process and all its living descendants (a server and its worker processes)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(_stat(entry.name)[1])
            except (OSError, IndexError):   # ended while we looked
                continue
    members, grew = {pid}, True
    while grew:
        grown = members | {child for child, parent in parents.items() if parent in members}
        grew, members = grown != members, grown
    return members


def tree_cpu_seconds(pid):
    """User + system CPU time of a process and all its descendants so far: the living ones,
    and those that ended and were waited for (counted in their parent's cutime and cstime)."""
    ticks = 0
    for member in tree(pid):
        try:
            fields = _stat(member)
        except OSError:
            continue
        ticks += sum(int(fields[i]) for i in (11, 12, 13, 14))
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_memory_kib(pid):
    """Resident memory (VmRSS) of a process and its living descendants, summed."""
    total = 0
    for member in tree(pid):
        try:
            total += memory_kib(member)
        except (OSError, KeyError):   # ended, or a zombie without memory
            continue
    return total


def mib(kib):
    return f"{kib / 1024:.0f} MiB"


# --- a real browser ----------------------------------------------------------------------------

def chromium_launch_options():
    """Keyword arguments for `playwright.chromium.launch`; RuntimeError if chromium is missing."""
    if not CHROMIUM.exists():
        raise RuntimeError(NO_CHROMIUM)
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


# --- async pages (the benchmarks drive many at once) --------------------------------------------

def run_in_own_thread(coroutine):
    """asyncio.run(coroutine) in a thread of its own: in a test, a sync Playwright fixture may
    own this thread's event loop, and asyncio.run refuses to start inside it."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


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


# A Train click that started no script run within this long is made again. Seen once in three
# CI runs of the ten-session test (ten pages and the server on two cores), cause not found;
# Train at the same settings trains the same run, so a second click changes only the wait,
# which is counted in the seconds returned.
CLICK_RETRY_MS = 30_000


async def train_and_read(page, timeout_ms):
    """Click Train; return (the shown Final loss, seconds from the first click to the
    finished run)."""
    start = time.perf_counter()
    await rerun(page, page.locator(TRAIN).click, timeout_ms, retry_ms=CLICK_RETRY_MS)
    value = page.locator(FINAL_LOSS)
    await value.wait_for(timeout=timeout_ms)
    seconds = time.perf_counter() - start
    return (await value.inner_text()).strip(), seconds
