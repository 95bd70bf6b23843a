"""The server's pool of worker processes (`workers.Pool`), one for every session, and the
handover of a job that a click stopped to the script run that the click started.

The pool's size is BACKPROP_WORKERS (one per core if unset; 0 trains in the script's own
thread). A value that is not a number of workers is reported in the server's log and the
server trains in-process: an operator's typo must not stop a class.

A click during a job makes Streamlit start the next script run at once and stop the one
running the job at its next call into Streamlit (the heartbeat below makes one every
`workers.POLL_S`). From then on the stopped run cannot write to the session, so what the
job had done goes through a `Handover` put in the session when the job started: the stopped
run hands it over, and the next run waits for it there.
"""

from __future__ import annotations

import logging
import threading

import streamlit as st

import workers

HANDOVER_TIMEOUT_S = workers.CANCEL_TIMEOUT_S + 5   # the stopped run has this long


@st.cache_resource
def shared():
    """The pool, made on first use (its workers start at once, in the background); None to
    train in-process."""
    try:
        size = workers.size_from_environment()
    except ValueError as error:
        logging.getLogger("backprop_playground").warning("%s Training in-process.", error)
        return None
    return workers.Pool(size) if size else None


class Handover:
    """What a job has done so far, from the script run that runs it to the next one."""

    def __init__(self, asked, adopt=lambda so_far: so_far):
        self.asked = asked          # what the job was asked for (epochs, seeds)
        self._adopt = adopt         # applied to what is kept (a run's uploaded file, say)
        self._latest = None
        self._ended = threading.Event()

    def update(self, so_far):
        """What the job has done so far (from a live frame, say)."""
        if so_far is not None:
            self._latest = self._adopt(so_far)

    def end(self, result):
        """The job is over: `result` is what it finished with (None: keep the latest)."""
        self.update(result)
        self._ended.set()

    def result(self, timeout=HANDOVER_TIMEOUT_S):
        """What the job ended with, once the stopped run has said (None if it had nothing,
        or did not say in time)."""
        self._ended.wait(timeout)
        return self._latest


def run(function, *args, handover=None, on_report=None, kept=lambda report: report):
    """`function(*args, channel)` (a job of `workers`) in a free worker, or in this thread
    without a pool. With a `handover` (already in the session), each report updates it with
    `kept(report)` before `on_report(report)` draws it, and it gets the job's last word
    however the job ends; a click meanwhile stops this script run within `workers.POLL_S`."""
    def report(payload):
        if handover is not None:
            handover.update(kept(payload))
        if on_report is not None:
            on_report(payload)

    def heartbeat():
        "_" in st.session_state   # noqa: B015 -- a call into Streamlit: where a click stops us

    pool = shared()
    call = workers.run_here if pool is None else pool.call
    result = None
    try:
        result = call(function, *args, on_report=report, heartbeat=heartbeat,
                      on_stopped=None if handover is None else handover.update)
    finally:
        if handover is not None:
            handover.end(result)
    return result
