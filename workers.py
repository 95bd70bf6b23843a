"""Worker processes that train for every session of one server (no Streamlit).

Streamlit runs each session's script as a thread of one process, and training a small network
holds Python's interpreter lock almost all the time: however many cores the server has, the
sessions of a class train one after another on one of them. A `Pool` keeps `size` worker
processes (one per core by default) and runs each job in one of them, so that trainings run
side by side while the server's own process draws the pages.

A job is a module-level function called in a worker as `function(*args, channel)`: it may
`channel.send(payload)` (a live frame, say) to the caller, who gets it at once, and calls
`channel.check()` often, which raises `CancelledError` once the caller has asked it to stop (the
job may catch it and return what it has so far). A worker that dies (killed, out of memory)
fails only its own job, with `WorkerDiedError`, and is replaced; the other workers go on. The
numbers are the ones in-process training gives, bit for bit: the same code on the same
arrays, which travel between processes by pickling, exactly.

The jobs of this app are below: `train_run`, `extend_run` (live frames on the cadence of
`runs.live_frames`), `sweep` (each chunk of seeds), `map_row` and `race`.
"""

from __future__ import annotations

import os
import pickle
import queue
import socket
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path

import runs
import studies

WORKERS = "BACKPROP_WORKERS"   # environment variable: how many workers; 0 trains in-process
POLL_S = 0.05                  # how often a waiting caller looks for a free or dead worker
CANCEL_TIMEOUT_S = 10.0        # a job asked to stop has this long to say what it has
HERE = Path(__file__).resolve().parent
START = "import sys, workers; workers.serve(int(sys.argv[1]))"   # a worker's program


class CancelledError(Exception):
    """Raised in a job by `channel.check()` once its caller asked it to stop."""


class WorkerDiedError(RuntimeError):
    """The worker process running a job ended before the job did."""


def size_from_environment(environ=os.environ):
    """The pool size that BACKPROP_WORKERS asks for (one per core if unset), 0 for none;
    ValueError with what to write if it is not a whole number from 0 to 64."""
    text = environ.get(WORKERS, "").strip()
    if not text:
        return os.cpu_count() or 1
    if not (text.isascii() and text.isdigit()) or int(text) > 64:
        raise ValueError(f"{WORKERS}={text!r}: write a whole number of worker processes from "
                         f"0 to 64, e.g. {WORKERS}=2 (0 trains in the server's own process).")
    return int(text)


# --- inside a worker ---------------------------------------------------------------------------

class Channel:
    """A job's line to its caller."""

    def __init__(self, connection):
        self._connection = connection

    def send(self, payload):
        self.check()
        self._connection.send(("report", payload))

    def check(self):
        if self._connection.poll():   # the caller only ever sends "cancel" during a job
            self._connection.recv()
            raise CancelledError


class InProcess:
    """The channel of a job called in the caller's own thread. A payload goes straight to
    `on_report`, and `check()` calls `heartbeat()`; anything either raises (Streamlit stopping
    the script) ends the job as a cancel would, with what it has, and is kept in
    `interruption` for the caller to raise again."""

    def __init__(self, on_report=None, heartbeat=None):
        self._on_report, self._heartbeat = on_report, heartbeat
        self.interruption = None

    def send(self, payload):
        if self._on_report is not None:
            self._interrupted_by(self._on_report, payload)

    def check(self):
        if self._heartbeat is not None:
            self._interrupted_by(self._heartbeat)

    def _interrupted_by(self, callback, *args):
        try:
            callback(*args)
        except BaseException as error:
            self.interruption = error
            raise CancelledError from error


def run_here(function, *args, on_report=None, on_stopped=None, heartbeat=None):
    """`Pool.call` without a pool: the job in this thread, with the same callbacks."""
    channel = InProcess(on_report, heartbeat)
    try:
        result = function(*args, channel)
    except CancelledError:   # a job that keeps nothing
        result = None
    if channel.interruption is not None:
        if on_stopped is not None:
            on_stopped(result)
        raise channel.interruption
    return result


def serve(handle):
    """A worker's life (in its own process, started by a Pool): run each job it is sent over
    the socket `handle` until the pool's end closes."""
    _serve(Connection(handle))


def _serve(connection):
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        except Exception as error:   # a job that does not unpickle here
            connection.send(("error", RuntimeError(f"the job could not be read: "
                                                   f"{type(error).__name__}: {error}")))
            continue
        if message == "cancel":   # for a job that had ended before the request came
            continue
        function, args = message
        channel = Channel(connection)
        try:
            answer = ("done", function(*args, channel))
        except CancelledError:
            answer = ("cancelled", None)
        except Exception as error:   # the job's own error goes back to its caller
            answer = ("error", _portable(error))
        try:
            connection.send(answer)
        except OSError:   # the pool closed its end: nobody is waiting for the answer
            return
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            connection.send(("error", RuntimeError(f"the job's answer could not be sent back: "
                                                   f"{type(error).__name__}: {error}")))


def _portable(error):
    """`error` if it survives the trip back to the caller, else a RuntimeError saying it."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")


# --- the pool ----------------------------------------------------------------------------------

class _Worker:
    """A fresh Python process (not a fork of the server and its threads) joined to the pool
    by a socket pair."""

    def __init__(self):
        ours, theirs = socket.socketpair()
        with theirs:
            self.process = subprocess.Popen(
                [sys.executable, "-c", START, str(theirs.fileno())], cwd=HERE,
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
        self.connection = Connection(ours.detach())

    @property
    def pid(self):
        return self.process.pid

    def ended(self):
        """The exit code if the process has ended, else None."""
        return self.process.poll()

    def stop(self):
        self.connection.close()   # the worker's next read ends it
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Pool:
    """`size` worker processes shared by every session; `call` runs one job in one of them."""

    def __init__(self, size):
        if size < 1:
            raise ValueError(f"a pool needs at least one worker; got {size}")
        self._idle = queue.Queue()
        self._lock = threading.Lock()
        self._workers = []
        for _ in range(size):
            self._add()

    @property
    def size(self):
        return len(self._workers)

    def pids(self):
        with self._lock:
            return [worker.pid for worker in self._workers]

    def _add(self):
        worker = _Worker()
        with self._lock:
            self._workers.append(worker)
        self._idle.put(worker)

    def _replace(self, dead):
        with self._lock:
            closed = dead not in self._workers
            if not closed:
                self._workers.remove(dead)
        dead.stop()
        if not closed:
            self._add()

    def call(self, function, *args, on_report=None, on_stopped=None, heartbeat=None):
        """`function(*args, channel)` in a free worker; its result.

        Each payload the job sends goes to `on_report(payload)`, and `heartbeat()` is called
        every POLL_S while the job waits for a worker or runs. If anything raised there (as
        Streamlit stops a script that was clicked away) interrupts the wait, a queued job is
        dropped and a running one is asked to stop: `on_stopped(result)` gets what it
        returned then (None if it had nothing), before the interruption goes on. A job's own
        exception is raised here; a worker that dies raises WorkerDiedError and is replaced.
        """
        worker = self._start(function, args, heartbeat)
        try:
            answer, payload = self._wait(worker, on_report, heartbeat)
        except WorkerDiedError:
            self._replace(worker)
            raise
        except BaseException:
            self._stop(worker, on_stopped)
            raise
        self._idle.put(worker)
        if answer == "error":
            raise payload
        return payload

    def _start(self, function, args, heartbeat):
        """A free worker, running the job; one found dead while idle is replaced first."""
        while True:
            try:
                worker = self._idle.get(timeout=POLL_S)
            except queue.Empty:
                if heartbeat is not None:
                    heartbeat()
                continue
            try:
                if worker.ended() is None:
                    worker.connection.send((function, args))
                    return worker
            except OSError:   # it died since it last answered
                pass
            self._replace(worker)

    def _wait(self, worker, on_report, heartbeat):
        while True:
            if not worker.connection.poll(POLL_S):
                if worker.ended() is not None:
                    raise WorkerDiedError(_died(worker))
                if heartbeat is not None:
                    heartbeat()
                continue
            try:
                answer, payload = worker.connection.recv()
            except (EOFError, OSError):
                raise WorkerDiedError(_died(worker)) from None
            if answer != "report":
                return answer, payload
            if on_report is not None:
                on_report(payload)

    def _stop(self, worker, on_stopped):
        """Ask the job to stop, hand what it has to `on_stopped`, and free the worker (or
        replace it, if it does not answer in CANCEL_TIMEOUT_S)."""
        try:
            worker.connection.send("cancel")
            while True:
                if not worker.connection.poll(CANCEL_TIMEOUT_S):
                    raise WorkerDiedError("no answer to cancel")
                answer, payload = worker.connection.recv()
                if answer != "report":
                    break
        except (WorkerDiedError, EOFError, OSError):
            self._replace(worker)
            return
        self._idle.put(worker)
        if on_stopped is not None and answer in ("done", "cancelled"):
            on_stopped(payload)

    def close(self):
        """Stop every worker: a job still running is cut off (its caller gets
        WorkerDiedError). The app's pool lives as long as the server."""
        with self._lock:
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.stop()


def _died(worker):
    try:
        code = worker.process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        code = None
    how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
    return f"its worker process {worker.pid} ended, {how}"


# --- the jobs ----------------------------------------------------------------------------------

def _run_job(make, channel):
    """`make(progress)` with live frames (runs.live_frames) sent as (fraction, run so far);
    stopped, it returns the run as far as it got, judged."""
    latest = None

    def progress(now):
        nonlocal latest
        latest = now
        channel.check()
        frames(now)

    frames = runs.live_frames(lambda now: channel.send((now.fraction, now.run(judged=False))))
    try:
        return make(progress)
    except CancelledError:
        return None if latest is None else latest.run()


def train_run(config, dataset, channel):
    """runs.train in a worker."""
    return _run_job(lambda progress: runs.train(config, progress, dataset), channel)


def extend_run(run, epochs, channel):
    """runs.extend in a worker (`run` without its pictures: they stay with the caller)."""
    return _run_job(lambda progress: runs.extend(run, epochs, progress), channel)


def sweep(config, seeds, dataset, channel):
    """studies.sweep in a worker: each chunk of seeds is sent as the sweep so far; stopped, it
    returns the seeds finished."""
    done = None

    def progress(so_far):
        nonlocal done
        done = so_far
        channel.send(so_far)

    try:
        return studies.sweep(config, seeds, dataset, progress)
    except CancelledError:
        return done


def map_row(config, arch, count, dataset, channel):
    """studies.map_row in a worker."""
    return studies.map_row(config, arch, count, dataset=dataset)


def race(config, learning_rate, dataset, channel):
    """studies.race in a worker."""
    return studies.race(config, learning_rate, dataset)
