"""Does the server's memory settle? Many reruns in one session, then many sessions come and go.

Phase 1, one browser page, 200 reruns: odd steps type a new seed (a rerun that marks the
result out of date), even steps press Train (a new run with new pictures replaces the old).
Phase 2, 50 sessions, a few at a time: each opens the app with its own seed, trains, closes.
Then: right after, after the server's disconnected-session TTL, and after one more visit
(closed sessions are kept for reconnection until the TTL passes, and an expired one is
dropped only when the session store is next written to, i.e. at the next disconnect).

Prints the streamlit process's VmRSS (/proc/<pid>/status) throughout, and whether each phase
settles: the growth over its last quarter compared with the whole phase.
Run from the project folder: python -m bench.memory
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from playwright.async_api import async_playwright

from tests.browser import (
    FINAL_LOSS,
    TRAIN,
    chromium_launch_options,
    memory_kib,
    open_app,
    rerun,
    streamlit_server,
    train_and_read,
)

SETTLED_SHARE = 0.10   # last-quarter growth below this share of the phase's growth: settled
SETTLED_MIB = 5.0      # ... or below this many MiB (noise of the allocator)
TIMEOUT_MS = 300_000
RETRY_MS = 30_000      # a click that started no script run by then is made again (and counted)


class Recorder:
    """VmRSS samples of one process, printed as they are taken."""

    def __init__(self, pid):
        self.pid = pid
        self.samples = []   # (phase, step, KiB)

    def sample(self, phase, step, note=""):
        kib = memory_kib(self.pid)
        self.samples.append((phase, step, kib))
        print(f"{phase:9} {step:>5}  RSS {kib / 1024:7.1f} MiB  {note}", flush=True)
        return kib

    def verdict(self, phase):
        """Whether the phase's last quarter still grew; returns a sentence."""
        points = [(step, kib) for name, step, kib in self.samples if name == phase]
        first, last = points[0], points[-1]
        quarter_step = last[0] - (last[0] - first[0]) / 4
        quarter = next(kib for step, kib in points if step >= quarter_step)
        growth = (last[1] - first[1]) / 1024
        tail = (last[1] - quarter) / 1024
        settled = tail <= max(SETTLED_MIB, SETTLED_SHARE * growth)
        return (f"{phase}: {first[1] / 1024:.1f} -> {last[1] / 1024:.1f} MiB "
                f"({growth:+.1f} MiB); last quarter {tail:+.1f} MiB: "
                + ("settles" if settled else "STILL GROWING"))


async def reruns(browser, url, recorder, steps, every):
    context, page = await open_app(browser, url, {}, TIMEOUT_MS)
    recorder.sample("reruns", 0, "one page open, nothing trained")
    seed_box = page.locator(".st-key-seed input")
    train = page.locator(TRAIN)
    repeated = 0
    for step in range(1, steps + 1):
        if step % 2:
            seed = str(124 + step // 2)

            async def type_seed(seed=seed):
                await seed_box.fill(seed)
                await seed_box.press("Enter")

            repeated += await rerun(page, type_seed, TIMEOUT_MS, RETRY_MS)
        else:
            repeated += await rerun(page, train.click, TIMEOUT_MS, RETRY_MS)
            await page.locator(FINAL_LOSS).wait_for(timeout=TIMEOUT_MS)
        if step % every == 0:
            recorder.sample("reruns", step, f"seed {await seed_box.input_value()}")
    await context.close()
    return repeated


async def visit(browser, url, seed):
    """One student: open the app with a seed, train, close the page."""
    context, page = await open_app(browser, url, {"seed": seed, "arch": "2-2-1"}, TIMEOUT_MS)
    await train_and_read(page, TIMEOUT_MS)
    await context.close()


async def sessions(browser, url, recorder, count, at_once, every):
    recorder.sample("sessions", 0, "before the first visit")
    for start in range(0, count, at_once):
        batch = range(start, min(start + at_once, count))
        await asyncio.gather(*(visit(browser, url, 1000 + i) for i in batch))
        if batch[-1] + 1 == count or (batch[-1] + 1) % every == 0:
            recorder.sample("sessions", batch[-1] + 1, "opened, trained and closed")


async def measure(url, pid, args):
    recorder = Recorder(pid)
    recorder.sample("start", 0, "server healthy, no session yet")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium_launch_options())
        try:
            repeated = await reruns(browser, url, recorder, args.reruns, args.every)
            await sessions(browser, url, recorder, args.sessions, args.at_once,
                           args.sessions_every)
            recorder.sample("end", 0, "all pages closed")
            await asyncio.sleep(args.ttl + 10)
            recorder.sample("end", 1, f"{args.ttl + 10} s later (past the session TTL)")
            await visit(browser, url, 7)
            await asyncio.sleep(5)
            recorder.sample("end", 2, "after one more visit (expired sessions dropped)")
        finally:
            await browser.close()
    return recorder, repeated


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reruns", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--at-once", type=int, default=5, help="sessions open at the same time")
    parser.add_argument("--every", type=int, default=25, help="print RSS every this many reruns")
    parser.add_argument("--sessions-every", type=int, default=10,
                        help="print RSS every this many sessions")
    parser.add_argument("--ttl", type=int, default=120,
                        help="server.disconnectedSessionTTL in seconds (Streamlit's default: 120)")
    args = parser.parse_args(argv)
    chromium_launch_options()
    start = time.perf_counter()
    with streamlit_server(f"--server.disconnectedSessionTTL={args.ttl}") as server:
        recorder, repeated = asyncio.run(measure(server.url, server.pid, args))
        log = server.log_text()
    print(f"\n{recorder.verdict('reruns')}")
    print(recorder.verdict("sessions"))
    end = [kib for phase, _, kib in recorder.samples if phase == "end"]
    print("after the sessions: " + ", ".join(f"{kib / 1024:.1f} MiB" for kib in end)
          + " (closed; past the TTL; after one more visit)")
    print(f"actions in phase 1 that started no script run within {RETRY_MS // 1000} s and were "
          f"made again: {repeated}")
    print(f"wall time {time.perf_counter() - start:.0f} s")
    if "Traceback" in log:
        print("the server logged a traceback:\n" + log[-3000:])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
