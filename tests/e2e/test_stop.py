"""Stop in a real server, where a click starts the next script run at once and the stopped
one can no longer write to the session: what was trained is handed over all the same."""

import asyncio
import os
import re
import signal
import time

import pytest

from bench.protocol import Session
from tests.browser import run_in_own_thread

pytestmark = pytest.mark.e2e

LONG = {"arch": "2-8-8-1", "epochs": "50000", "seed": "5"}
TIMEOUT_S = 240


async def stop_after(url, seconds):
    """Train the long run, press Stop `seconds` after Train; the page's texts and Epochs."""
    session = await Session.open(url, LONG, timeout=TIMEOUT_S)
    try:
        training = asyncio.create_task(session.click("train", timeout=TIMEOUT_S))
        deadline = time.monotonic() + 60
        while not any(w.key == "stop" and not w.proto.disabled for w in session.widgets()):
            assert time.monotonic() < deadline, "no Stop button while training"
            await asyncio.sleep(0.01)
        await asyncio.sleep(seconds)
        await session.click("stop", timeout=TIMEOUT_S)
        await training
        return session.texts(), session.metric("Epochs")
    finally:
        await session.close()


@pytest.mark.parametrize("seconds", [0.05, 1.0])   # before the first live frame, and after
def test_stop_keeps_the_run_as_far_as_it_got(server, seconds):
    texts, epochs = run_in_own_thread(stop_after(server.url, seconds))
    stopped = [re.search(r"Stopped at epoch ([\d,]+) of 50,000", text) for text in texts]
    (said,) = [match for match in stopped if match]
    assert epochs is not None and said.group(1) == epochs
    assert 0 < int(epochs.replace(",", "")) < 50_000


def test_live_frames_leave_nothing_behind_under_the_result(server):
    async def trained():
        session = await Session.open(server.url, {**LONG, "epochs": "20000"}, timeout=TIMEOUT_S)
        try:
            await session.click("train", timeout=TIMEOUT_S)
            return session.texts()
        finally:
            await session.close()

    captions = [text for text in run_in_own_thread(trained()) if text.startswith("The network at")]
    assert [caption.split(":")[0] for caption in captions] == ["The network at epoch 20,000"]


def test_a_worker_killed_mid_run_fails_only_that_run_with_a_message(server):
    from tests.browser import cpu_seconds, tree

    async def killed():
        session = await Session.open(server.url, LONG, timeout=TIMEOUT_S)
        try:
            training = asyncio.create_task(session.click("train", timeout=TIMEOUT_S))
            workers = sorted(tree(server.pid) - {server.pid})
            spent = {pid: cpu_seconds(pid) for pid in workers}
            await asyncio.sleep(0.6)   # the long run is under way in one of them
            busy = max(workers, key=lambda pid: cpu_seconds(pid) - spent[pid])
            os.kill(busy, signal.SIGKILL)
            await training
            said = session.texts()
            await session.click("step", timeout=TIMEOUT_S)   # the pool goes on
            return busy, said, session.metric("Epochs")
        finally:
            await session.close()

    busy, said, epochs = run_in_own_thread(killed())
    assert any("The training stopped unexpectedly" in text and f"process {busy}" in text
               and "killed by signal 9" in text and "The previous run is kept" in text
               for text in said), said
    assert epochs == "1"   # the Step after it trained
