"""The worker pool: the numbers of in-process training bit for bit, live frames, Stop, and a
worker that dies failing only its own job."""

import os
import signal
import threading
import time

import numpy as np
import pytest

import data
import runs
import studies
import workers
from tests import jobs

HEAVY = runs.config(arch="2-8-8-1", epochs=50_000, seed=3)


@pytest.fixture(scope="module")
def pool():
    made = workers.Pool(2)
    yield made
    made.close()


def same_run(a, b):
    assert np.array_equal(a.history.loss, b.history.loss)
    assert np.array_equal(a.history.grad_norms, b.history.grad_norms)
    assert a.history.snapshots.keys() == b.history.snapshots.keys()
    for W, V in zip(a.net.weights + a.net.biases, b.net.weights + b.net.biases):
        assert np.array_equal(W, V)
    assert a.verdict == b.verdict


@pytest.mark.parametrize("settings", [
    {},                                                          # the defaults
    {"arch": "2-3-3-1", "activation": "tanh", "loss": "bce", "lr": 0.5, "epochs": 800},
    {"dataset": "moons", "batch": 16, "test_share": 0.3, "epochs": 200, "l2": 0.001},
])
def test_a_run_trained_by_a_worker_is_the_in_process_run_bit_for_bit(pool, settings):
    config = runs.config(**settings)
    same_run(pool.call(workers.train_run, config, None), runs.train(config))


def test_a_continued_run_is_the_in_process_one_bit_for_bit(pool):
    first = runs.train(runs.config(arch="2-2-1", seed=42, epochs=300))
    same_run(pool.call(workers.extend_run, runs.without_pictures(first), 700),
             runs.extend(first, 700))


def test_a_sweep_in_a_worker_is_the_in_process_sweep(pool):
    config = runs.config(arch="2-2-1", epochs=400)
    seen = []
    swept = pool.call(workers.sweep, config, range(250), None, on_report=seen.append)
    here = studies.sweep(config, range(250))
    assert swept.kinds == here.kinds and np.array_equal(swept.final_loss, here.final_loss)
    assert [len(part.seeds) for part in seen] == [200, 250]   # each chunk, as it is done


def test_a_long_run_sends_live_frames_of_the_run_so_far_in_order(pool):
    frames = []
    run = pool.call(workers.train_run, HEAVY.replace(epochs=20_000), None,
                    on_report=frames.append)
    assert frames, "no live frame from a run of well over LIVE_AFTER seconds"
    fractions = [fraction for fraction, _ in frames]
    assert fractions == sorted(fractions) and fractions[0] > 0 and fractions[-1] < 1
    for fraction, so_far in frames:
        assert so_far.verdict is None   # judged only at the end
        assert so_far.epochs == round(fraction * 20_000)
        assert np.array_equal(so_far.history.loss, run.history.loss[:so_far.epochs + 1])


def test_stop_hands_back_the_run_as_far_as_it_got_and_frees_the_worker(pool):
    class StopError(Exception):
        pass

    kept = []

    def stop_at_first_frame(frame):
        raise StopError   # as Streamlit stops a script at its next redraw

    with pytest.raises(StopError):
        pool.call(workers.train_run, HEAVY, None, on_report=stop_at_first_frame,
                  on_stopped=kept.append)
    (partial,) = kept
    assert 0 < partial.epochs < HEAVY.epochs and partial.verdict is not None
    alone = HEAVY.replace(epochs=partial.epochs).network()
    alone.train(partial.data.X, partial.data.y, HEAVY.lr, partial.epochs)
    for W, V in zip(partial.net.weights, alone.weights):
        assert np.array_equal(W, V)   # exactly that many epochs, trained as always
    assert pool.call(workers.train_run, runs.config(epochs=10), None).epochs == 10


def test_a_killed_worker_fails_only_its_own_job_and_is_replaced(pool):
    before = set(pool.pids())
    results, errors = {}, {}

    def call(name, config):
        try:
            results[name] = pool.call(workers.train_run, config, None)
        except workers.WorkerDiedError as error:
            errors[name] = error

    doomed = threading.Thread(target=call, args=("doomed", HEAVY))
    doomed.start()
    time.sleep(1.0)   # both workers were idle: the heavy job is running in one of them
    spent = {pid: _cpu(pid) for pid in before}
    time.sleep(0.5)
    busy = [pid for pid in before if _cpu(pid) - spent[pid] > 0.3]
    assert len(busy) == 1
    other = threading.Thread(target=call, args=("other", runs.config(arch="2-2-1", seed=9)))
    other.start()
    os.kill(busy[0], signal.SIGKILL)
    doomed.join(60)
    other.join(60)
    assert "killed by signal 9" in str(errors["doomed"]) and "doomed" not in results
    same_run(results["other"], runs.train(runs.config(arch="2-2-1", seed=9)))
    assert pool.size == 2 and busy[0] not in pool.pids() and len(set(pool.pids()) - before) == 1
    assert pool.call(workers.train_run, runs.config(epochs=10), None).epochs == 10


def test_a_jobs_own_error_reaches_the_caller_and_the_worker_stays(pool):
    pids = pool.pids()
    broken = data.Dataset("csv", np.array([[np.nan, 0.0], [0.0, 1.0]]),
                          np.array([[0.0], [1.0]]), (-2.0, 2.0, -2.0, 2.0))
    with pytest.raises(ValueError, match="finite"):
        pool.call(workers.train_run, runs.config(dataset=runs.UPLOAD), broken)
    assert pool.pids() == pids


def test_the_pool_size_comes_from_the_environment_with_a_clear_message_when_bad():
    assert workers.size_from_environment({}) == os.cpu_count()
    assert workers.size_from_environment({workers.WORKERS: "0"}) == 0
    assert workers.size_from_environment({workers.WORKERS: " 3 "}) == 3
    for bad in ("two", "-1", "1.5", "65"):
        with pytest.raises(ValueError, match=r"BACKPROP_WORKERS=2"):
            workers.size_from_environment({workers.WORKERS: bad})


def _cpu(pid):
    from tests.browser import cpu_seconds
    return cpu_seconds(pid)



def test_a_map_row_and_a_race_in_a_worker_are_the_in_process_ones(pool):
    config = runs.config(epochs=300)
    row, here = pool.call(workers.map_row, config, "2-2-1", 20, None), \
        studies.map_row(config, "2-2-1", 20)
    assert np.array_equal(row.final_loss, here.final_loss)
    assert np.array_equal(row.solved_at, here.solved_at)
    race, alone = pool.call(workers.race, config, 0.5, None), studies.race(config, 0.5)
    assert studies.race_sentences(race) == studies.race_sentences(alone)
    for mine, theirs in zip(race.histories, alone.histories):
        assert np.array_equal(mine.loss, theirs.loss)


def test_a_bad_pool_size_is_logged_and_the_server_trains_in_process(monkeypatch, caplog):
    from tabs import pool as shared_pool

    monkeypatch.setenv(workers.WORKERS, "lots")
    shared_pool.shared.clear()
    try:
        assert shared_pool.shared() is None
        assert "BACKPROP_WORKERS='lots'" in caplog.text and "in-process" in caplog.text
        assert shared_pool.run(workers.train_run, runs.config(epochs=5), None).epochs == 5
    finally:
        shared_pool.shared.clear()


def test_an_error_that_cannot_travel_arrives_as_a_runtime_error_naming_it(pool):
    pids = pool.pids()
    with pytest.raises(RuntimeError, match="could not be read"):
        pool.call(jobs.raise_two_part, jobs.Unreadable())   # a job the worker cannot unpickle
    with pytest.raises(RuntimeError, match="_LockedError: holds a lock"):
        pool.call(jobs.raise_locked)
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="_TwoPartError: this and that"):
        pool.call(jobs.raise_two_part)
    assert time.monotonic() - started < 5   # at once, not after a cancel's timeout
    assert pool.pids() == pids              # and no worker was lost over it


def test_a_worker_that_died_while_idle_is_replaced_before_the_next_job():
    alone = workers.Pool(1)
    try:
        (pid,) = alone.pids()
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        assert alone.call(workers.train_run, runs.config(epochs=10), None).epochs == 10
        assert alone.size == 1 and alone.pids() != [pid]
    finally:
        alone.close()


def test_a_queued_job_whose_caller_went_away_never_runs():
    alone = workers.Pool(1)
    try:
        busy = threading.Thread(target=alone.call,
                                args=(workers.train_run, HEAVY.replace(epochs=8000), None))
        busy.start()
        time.sleep(0.5)

        class GoneError(Exception):
            pass

        def gone():
            raise GoneError   # as Streamlit stops a script run that was clicked away

        started = time.monotonic()
        with pytest.raises(GoneError):
            alone.call(workers.train_run, HEAVY, None, heartbeat=gone)
        assert time.monotonic() - started < 1
        busy.join(60)
        (pid,) = alone.pids()
        spent = _cpu(pid)
        time.sleep(1.0)
        assert _cpu(pid) - spent < 0.1   # the abandoned heavy run was never started
    finally:
        alone.close()


def test_in_process_a_stopped_job_hands_over_what_it_had_and_the_stop_goes_on():
    class ClickedError(Exception):
        pass

    seen, kept = [], []

    def frame(report):
        seen.append(report)
        raise ClickedError   # Streamlit stops the script at its first redraw

    with pytest.raises(ClickedError):
        workers.run_here(workers.train_run, HEAVY, None, on_report=frame,
                         on_stopped=kept.append)
    (partial,) = kept
    assert partial.epochs == seen[0][1].epochs and partial.verdict is not None
