"""Live redraws while training: counted in the CPU time of the training, not on the clock."""

import time

import pytest

from tabs import live


def burn(seconds):
    """Spend `seconds` of this thread's CPU time."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


class Progress:
    run = None


def train_with(chunks, work):
    """Run `_train_live` over a training of `chunks` chunks, each doing `work()`; return the
    CPU times (since the start) at which the page was redrawn."""
    start, drawn = time.thread_time(), []

    def make(progress):
        for _ in range(chunks):
            work()
            progress(Progress())
        return "trained"

    assert live._train_live(make, lambda now, last: drawn.append(time.thread_time() - start),
                            100) == "trained"
    return drawn


@pytest.fixture(autouse=True)
def session(monkeypatch):
    monkeypatch.setattr(live.st, "session_state", {})


def test_a_training_shorter_than_live_after_is_never_redrawn():
    assert train_with(10, lambda: burn(live.LIVE_AFTER * 0.8 / 10)) == []


def test_waiting_on_a_busy_server_draws_no_frames():
    # Two seconds on the clock but almost no CPU: a page whose training thread waits for the
    # processor gets no more frames than one on an idle server.
    assert train_with(20, lambda: time.sleep(0.1)) == []


def test_a_long_training_is_redrawn_every_live_every_cpu_seconds_from_live_after_on():
    chunk = 0.02
    drawn = train_with(40, lambda: burn(chunk))   # 0.8 s of CPU
    assert drawn, "never redrawn"
    assert live.LIVE_AFTER <= drawn[0] < live.LIVE_AFTER + 2 * chunk
    gaps = [b - a for a, b in zip(drawn, drawn[1:])]
    assert gaps and all(live.LIVE_EVERY - 0.005 <= gap < live.LIVE_EVERY + 2 * chunk
                        for gap in gaps), gaps
