"""A classroom on one server: many sessions train at once, and each sees only its own numbers.

The students are clients that speak Streamlit's own websocket protocol (bench/protocol.py:
a few ms of CPU per Train, against about 0.25 s for the server), so they do not take the
server's two cores as chromium pages would. It starts `streamlit run` (with its worker pool,
as deployed: BACKPROP_WORKERS sets the size) and measures:

1. `--sessions` (30) sessions, each with its own seed in its link, pressing Train at once:
   time to result (Train sent -> the run finished) p50 and p95, the server's CPU, and that
   every session shows exactly the Final loss the engine gives for its seed alone.
2. Four heavy sessions (2-8-8-1, 20,000 epochs, seeds 0-3) at once against each alone: the
   last one's time as a multiple of one alone, and each shows exactly its solo numbers.
3. `--arrivals` (100) sessions opened one by one over `--over` (60) seconds, each training
   its own seed: none lost, none showing another's numbers; the memory (RSS) of the server's
   whole process tree sampled every 0.5 s, and again after the closed sessions expire
   (the server runs with server.disconnectedSessionTTL = `--ttl`, 20 s).

Takes about 3 minutes. `lesson()` below is the same check with real browser pages, for the
browser test (tests/e2e/test_classroom.py): few pages, since chromium takes the cores.
Run from the project folder: python -m bench.classroom [--sessions 30] [--arrivals 100]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from playwright.async_api import async_playwright

import data
import workers
from bench.browser import worktree
from bench.protocol import Session
from network import MLP
from runs import parse_architecture
from tests.browser import (
    ROOT,
    chromium_launch_options,
    healthy,
    mib,
    open_app,
    streamlit_server,
    train_and_read,
    tree_cpu_seconds,
    tree_memory_kib,
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


# --- the lesson at the protocol level (bench/protocol.py: no browser eats the server's cores) --

@dataclass(frozen=True)
class Pupil:
    seed: int
    settings: dict       # the link's settings as the app wrote them back
    shown_loss: str      # its "Final loss" metric
    seconds: float       # Train sent -> the run finished


async def _train_pupil(url, settings, timeout_s):
    session = await Session.open(url, settings, timeout=timeout_s)
    try:
        seconds = await session.click("train", timeout=timeout_s)
        return Pupil(int(settings["seed"]), dict(session.query), session.metric("Final loss"),
                     seconds)
    finally:
        await session.close()


async def at_once(url, settings_list, timeout_s):
    """Every session opens, then all press Train at the same moment; (pupils, wall seconds
    of the Train phase)."""
    sessions = await asyncio.gather(*(Session.open(url, settings, timeout=timeout_s)
                                      for settings in settings_list))
    try:
        start = time.perf_counter()
        seconds = await asyncio.gather(*(session.click("train", timeout=timeout_s)
                                         for session in sessions))
        wall = time.perf_counter() - start
        pupils = [Pupil(int(settings["seed"]), dict(session.query), session.metric("Final loss"),
                        took) for settings, session, took in zip(settings_list, sessions, seconds)]
        return pupils, wall
    finally:
        await asyncio.gather(*(session.close() for session in sessions))


async def arriving(url, count, over_s, arch, timeout_s, memory, pid):
    """`count` sessions opened one after another over `over_s` seconds, each training its own
    seed; the server tree's memory sampled every 0.5 s meanwhile into `memory`."""
    stop = asyncio.Event()

    async def sample():
        while not stop.is_set():
            memory.append(tree_memory_kib(pid))
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample())
    pupils = []
    begun = time.perf_counter()
    try:
        for i, seed in enumerate(seeds_for(count)):
            await asyncio.sleep(max(0.0, begun + i * over_s / count - time.perf_counter()))
            pupils.append(asyncio.create_task(
                _train_pupil(url, {"seed": str(seed), "arch": arch}, timeout_s)))
        done = await asyncio.gather(*pupils, return_exceptions=True)
    finally:
        stop.set()
        await sampler
    return done


def wrong_pupils(pupils, expected):
    """Pupils whose page is not exactly its own seed's result (`expected[seed]`)."""
    return [f"seed {pupil.seed}: page shows Final loss {pupil.shown_loss} with {pupil.settings}; "
            f"alone it gives {expected[pupil.seed]}" for pupil in pupils
            if pupil.settings.get("seed") != str(pupil.seed)
            or pupil.shown_loss != expected[pupil.seed]]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=30, help="pressing Train at once")
    parser.add_argument("--arch", default="2-2-1")
    parser.add_argument("--arrivals", type=int, default=100, help="sessions opened one by one")
    parser.add_argument("--over", type=float, default=60.0, help="seconds they arrive over")
    parser.add_argument("--ttl", type=float, default=20.0,
                        help="server.disconnectedSessionTTL of the server, seconds")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per wait")
    parser.add_argument("--revision", help="serve this git revision (in a temporary worktree) "
                                           "instead of the working tree, for a 'before' figure")
    args = parser.parse_args(argv)
    failed = []
    with ExitStack() as stack:
        folder = ROOT if args.revision is None else stack.enter_context(worktree(args.revision))
        server = stack.enter_context(streamlit_server(
            f"--server.disconnectedSessionTTL={args.ttl:g}", folder=folder))
        url, pid = server.url, server.pid
        cold = tree_memory_kib(pid)
        asyncio.run(at_once(url, [{"seed": "1", "arch": args.arch}], args.timeout))   # warm-up
        alone = asyncio.run(at_once(url, [{"seed": "2", "arch": args.arch}], args.timeout))[0][0]
        print(f"classroom: one server ({os.cpu_count()} cores), clients speaking Streamlit's "
              f"protocol (bench/protocol.py, a few ms of CPU each), "
              + (f"revision {args.revision}" if args.revision else
                 f"the working tree, {workers_said()}")
              + "; memory is the server's whole process tree")
        print(f"one session alone: Train -> result {alone.seconds:.2f} s")

        # 1. A class presses Train at once.
        seeds = seeds_for(args.sessions)
        cpu = tree_cpu_seconds(pid)
        pupils, wall = asyncio.run(at_once(url, [{"seed": str(seed), "arch": args.arch}
                                                 for seed in seeds], args.timeout))
        cpu = tree_cpu_seconds(pid) - cpu
        times = [pupil.seconds for pupil in pupils]
        expected = {seed: engine_final_loss({"arch": args.arch, "seed": seed, **ENGINE_DEFAULTS})
                    for seed in seeds}
        wrong = wrong_pupils(pupils, expected)
        failed += wrong
        print(f"\n1. {args.sessions} sessions press Train at once (arch {args.arch}): "
              f"time to result p50 {percentile(times, 50):.2f} s, p95 "
              f"{percentile(times, 95):.2f} s, max {max(times):.2f} s (target p95 <= 6 s); "
              f"server CPU {cpu:.1f} s to open the {args.sessions} sessions and train, the trains "
              f"done in {wall:.1f} s; "
              f"{len(pupils) - len(wrong)} of {len(pupils)} show exactly their own seed's result")

        # 2. Four heavy trainings at once against one alone.
        heavy = [{"seed": str(seed), "arch": "2-8-8-1", "epochs": "20000"} for seed in range(4)]
        solo = [asyncio.run(at_once(url, [settings], args.timeout))[0][0] for settings in heavy]
        four, _ = asyncio.run(at_once(url, heavy, args.timeout))
        solo_s = statistics.median(p.seconds for p in solo)
        same = [a.shown_loss == b.shown_loss for a, b in zip(solo, four)]
        failed += [f"heavy seed {a.seed}: {a.shown_loss} alone, {b.shown_loss} with three others"
                   for a, b in zip(solo, four) if a.shown_loss != b.shown_loss]
        slowest = max(p.seconds for p in four)
        print(f"\n2. four heavy sessions (2-8-8-1, 20,000 epochs) at once: the last done in "
              f"{slowest:.2f} s, {slowest / solo_s:.2f}x one alone ({solo_s:.2f} s, median of "
              f"4; target <= 2.3x); {sum(same)} of 4 show exactly their solo numbers")

        # 3. Sessions arriving over a minute; memory throughout and after the sessions expire.
        memory = []
        start_memory = tree_memory_kib(pid)
        done = asyncio.run(arriving(url, args.arrivals, args.over, args.arch, args.timeout,
                                    memory, pid))
        lost = [result for result in done if isinstance(result, BaseException)]
        arrived = [result for result in done if isinstance(result, Pupil)]
        expected = {seed: engine_final_loss({"arch": args.arch, "seed": seed, **ENGINE_DEFAULTS})
                    for seed in seeds_for(args.arrivals)}
        wrong = wrong_pupils(arrived, expected)
        failed += wrong + [f"lost: {error!r}" for error in lost]
        times = [pupil.seconds for pupil in arrived]
        time.sleep(args.ttl + 10)   # closed sessions are dropped after the TTL
        end_memory = tree_memory_kib(pid)
        print(f"\n3. {args.arrivals} sessions opened over {args.over:g} s, each training its "
              f"own seed: {len(lost)} lost, {len(wrong)} showing other numbers; time to "
              f"result p50 {percentile(times, 50):.2f} s, p95 {percentile(times, 95):.2f} s" if
              times else f"\n3. all {args.arrivals} sessions lost")
        print(f"server memory (RSS, process tree): cold {mib(cold)}, before the arrivals "
              f"{mib(start_memory)}, peak {mib(max(memory))} (target <= 500 MiB), "
              f"{args.ttl + 10:g} s after the last session closed {mib(end_memory)} "
              f"(session TTL {args.ttl:g} s)")
    if failed:
        print("FAILED:\n  " + "\n  ".join(failed))
        return 1
    return 0


ENGINE_DEFAULTS = {"activation": "sigmoid", "loss": "mse", "init": "xavier", "lr": "0.3",
                   "epochs": "5000"}


def workers_said():
    size = workers.size_from_environment()
    return f"{size} worker processes" if size else "training in the server process"


if __name__ == "__main__":
    sys.exit(main())
