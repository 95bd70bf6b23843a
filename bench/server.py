"""The server's CPU for one learner: a page load and a Train, the working tree against a reference.

Two `streamlit run` servers side by side, as bench/browser.py runs them: the CURRENT working
tree and a REFERENCE revision (`--reference REV`, default HEAD) in a temporary git worktree.
One headless Debian chromium visits each in turn, reference then current, `--repeats` times,
each visit in a fresh browser context (an empty cache, as a student's first visit), after one
warm-up visit per server that is not recorded. One visit measures three steps, each as the CPU
time (user + system) that the server's whole process tree spent on it, worker processes
included, read from /proc before the step and again once the page is idle, every picture is
loaded and the server has spent nothing for QUIET_S:

1. cold page load: the link opened in the fresh context, until Train is there and idle;
   this includes serving Streamlit's own frontend (about 5.6 MB in 160 files) to an empty cache.
2. warm page load: the same page reloaded, its frontend now in the browser's cache.
3. Train: a click on Train at the app's defaults, until the result is drawn.

Printed: the median of each step per server, current / reference, and the targets (a page
load at most 0.15 s, Train at most 0.25 s). Takes about 2 minutes at the default 7 repeats.
Ctrl-C stops it cleanly: browser closed, both servers stopped, worktree removed.
Run from the project folder: python -m bench.server [--repeats 7] [--reference HEAD]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field

from playwright.async_api import async_playwright

from bench.browser import git, run_async, until_interrupted, worktree
from tests.browser import (
    COUNT_RUNS,
    PICTURES_LOADED,
    ROOT,
    STUDENT_VIEWPORT,
    TRAIN,
    chromium_launch_options,
    idle,
    streamlit_server,
    train_and_read,
    tree_cpu_seconds,
)

STEPS = ("cold page load", "warm page load", "Train")
TARGETS = {"cold page load": 0.15, "warm page load": 0.15, "Train": 0.25}
QUIET_S = 0.3        # the server spent no CPU for this long: the step is over


@dataclass
class Server:
    label: str
    url: str
    pid: int
    seconds: dict = field(default_factory=lambda: {step: [] for step in STEPS})


async def settled(page, pid, timeout_ms):
    """Wait until the page is idle with every picture loaded and the server is quiet; return
    the server tree's CPU seconds then."""
    await idle(page, timeout_ms)
    await page.wait_for_function(PICTURES_LOADED, timeout=timeout_ms)
    before = tree_cpu_seconds(pid)
    while True:
        await asyncio.sleep(QUIET_S)
        now = tree_cpu_seconds(pid)
        if now == before:
            return now
        before = now


async def visit(browser, server, timeout_ms, record=True):
    context = await browser.new_context(viewport=STUDENT_VIEWPORT)
    context.set_default_timeout(timeout_ms)
    try:
        page = await context.new_page()
        start = tree_cpu_seconds(server.pid)
        await page.goto(server.url, timeout=timeout_ms)
        await page.locator(TRAIN).wait_for()
        cold = await settled(page, server.pid, timeout_ms)
        await page.reload(timeout=timeout_ms)
        await page.locator(TRAIN).wait_for()
        warm = await settled(page, server.pid, timeout_ms)
        await page.evaluate(COUNT_RUNS)
        await train_and_read(page, timeout_ms)
        trained = await settled(page, server.pid, timeout_ms)
    finally:
        await context.close()
    if record:
        for step, seconds in zip(STEPS, (cold - start, warm - cold, trained - warm)):
            server.seconds[step].append(seconds)


async def measure(servers, repeats, timeout_ms):
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium_launch_options())
        try:
            for server in servers:
                await visit(browser, server, timeout_ms, record=False)
            for _ in range(repeats):
                for server in servers:
                    await visit(browser, server, timeout_ms)
        finally:
            await browser.close()


def table(reference, current):
    rows = [f"{'step':<16}{'reference s':>12}{'current s':>11}{'current/ref':>12}"
            f"{'target s':>10}  met"]
    for step in STEPS:
        ref, now = (statistics.median(s.seconds[step]) for s in (reference, current))
        ratio = f"{now / ref:.2f}x" if ref else "n/a"
        rows.append(f"{step:<16}{ref:>12.3f}{now:>11.3f}{ratio:>12}{TARGETS[step]:>10.2f}  "
                    f"{'yes' if now <= TARGETS[step] else 'NO'}")
    return "\n".join(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7, help="recorded visits per server")
    parser.add_argument("--reference", default="HEAD", help="git revision to compare with")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per wait")
    args = parser.parse_args(argv)
    chromium_launch_options()   # fails early, with the reason, without chromium
    revision = git("rev-parse", "--short", args.reference)
    changed = len(git("status", "--porcelain").splitlines())
    started = time.perf_counter()
    servers = []

    def body():
        with ExitStack() as stack:
            folder = stack.enter_context(worktree(args.reference))
            for label, tree_folder in ((f"{args.reference} ({revision})", folder),
                                       ("the working tree" + (f" ({changed} paths changed)"
                                                              if changed else " (clean)"), ROOT)):
                server = stack.enter_context(streamlit_server(folder=tree_folder))
                servers.append(Server(label, server.url, server.pid))
            run_async(measure(servers, args.repeats, int(args.timeout * 1000)))

    stopped = until_interrupted(body)
    if stopped is not None:
        return stopped
    reference, current = servers
    print(f"\nserver CPU (user + system, the server's whole process tree) per step, medians "
          f"of {args.repeats} visits alternating reference and current; {os.cpu_count()} "
          f"cores, browser and both servers on this machine; "
          f"{time.perf_counter() - started:.0f} s in all")
    print(f"reference: {reference.label}; current: {current.label}\n")
    print(table(reference, current))
    return 0


if __name__ == "__main__":
    sys.exit(main())
