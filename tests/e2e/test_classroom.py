"""A classroom on one server: concurrent sessions never see each other's numbers."""

import asyncio
import statistics
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.classroom import lesson_in_own_browser, mismatches, percentile, seeds_for

pytestmark = pytest.mark.e2e

SESSIONS = 6               # a few, to keep the suite short; bench/classroom.py runs 30
RESULT_TIMEOUT_S = 240     # per step, on a shared 2-core machine
HEALTH_P95_LIMIT_S = 5.0   # the server still answers while every session trains


def test_sessions_training_at_once_each_show_their_own_seeds_result(server, launch_options):
    seeds = seeds_for(SESSIONS)
    # The async browser gets a thread of its own: the sync `chromium` fixture may own this
    # thread's event loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        lesson = pool.submit(asyncio.run, lesson_in_own_browser(
            server.url, seeds, "2-2-1", timeout_ms=RESULT_TIMEOUT_S * 1000)).result()

    times = [student.seconds for student in lesson.students]
    print(f"\n{SESSIONS} sessions: time-to-result p50 {percentile(times, 50):.2f} s, "
          f"p95 {percentile(times, 95):.2f} s; late page ready in "
          f"{lesson.latecomer_seconds:.2f} s; health median "
          f"{statistics.median(lesson.health_seconds) * 1000:.0f} ms")
    assert [student.seed for student in lesson.students] == seeds
    assert mismatches(lesson.students) == []
    assert all(student.settings["arch"] == "2-2-1" for student in lesson.students)
    assert len({student.shown_loss for student in lesson.students}) > 1, "seeds made no difference"
    assert percentile(lesson.health_seconds, 95) < HEALTH_P95_LIMIT_S, lesson.health_seconds
