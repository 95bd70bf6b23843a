"""Live frames while training: counted in the CPU time of the training, not on the clock."""

import time

import runs


def burn(seconds):
    """Spend `seconds` of this thread's CPU time."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def frames_of(chunks, work):
    """A training of `chunks` chunks, each doing `work()` and then telling its progress; the
    CPU times (since the start) at which runs.live_frames drew."""
    start, drawn = time.thread_time(), []
    progress = runs.live_frames(lambda now: drawn.append(time.thread_time() - start))
    for _ in range(chunks):
        work()
        progress(None)
    return drawn


def test_a_training_shorter_than_live_after_draws_no_frame():
    assert frames_of(10, lambda: burn(runs.LIVE_AFTER * 0.8 / 10)) == []


def test_waiting_on_a_busy_machine_draws_no_frames():
    # Two seconds on the clock but almost no CPU: a training thread that waits for the
    # processor gets no more frames than one on an idle machine.
    assert frames_of(20, lambda: time.sleep(0.1)) == []


def test_a_long_training_draws_every_live_every_cpu_seconds_from_live_after_on():
    chunk = 0.02
    drawn = frames_of(40, lambda: burn(chunk))   # 0.8 s of CPU
    assert drawn, "no frame"
    assert runs.LIVE_AFTER <= drawn[0] < runs.LIVE_AFTER + 2 * chunk
    gaps = [b - a for a, b in zip(drawn, drawn[1:])]
    assert gaps and all(runs.LIVE_EVERY - 0.005 <= gap < runs.LIVE_EVERY + 2 * chunk
                        for gap in gaps), gaps
