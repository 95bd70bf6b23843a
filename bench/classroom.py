"""A classroom on one server: many browser sessions train different seeds at the same time.

Starts `streamlit run` on a free port, opens one headless chromium with one browser context
per student, gives each page its own seed through the link (?seed=...&arch=2-2-1), clicks
Train on every page at once, and checks that each page shows exactly the "Final loss" that
the engine gives for that seed alone. Prints p50/p95 time-to-result (click -> result drawn
and the script run finished), the latency of /_stcore/health and of a late student's first
page during the load, and the server's memory (VmRSS) before, at peak and after.

The server and browser helpers it uses (streamlit_server, open_app, train_and_read, ...)
live in tests/browser.py, shared with bench/memory.py and tests/e2e.
Run from the project folder: python -m bench.classroom [--sessions 30]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from playwright.async_api import async_playwright

import data
from network import MLP
from runs import parse_architecture
from tests.browser import (
    chromium_launch_options,
    cpu_seconds,
    healthy,
    memory_kib,
    mib,
    open_app,
    streamlit_server,
    train_and_read,
)

XOR = data.make("xor")
XOR_X, XOR_Y = XOR.X, XOR.y


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
