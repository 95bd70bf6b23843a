"""The server's pool of worker processes (`workers.Pool`), one for every session.

Its size is BACKPROP_WORKERS (one per core if unset; 0 trains in the script's own thread). A
value that is not a number of workers is reported in the server's log and the server trains
in-process: an operator's typo must not stop a class.
"""

from __future__ import annotations

import logging

import streamlit as st

import workers


@st.cache_resource
def shared():
    """The pool, made on first use; None to train in-process."""
    try:
        size = workers.size_from_environment()
    except ValueError as error:
        logging.getLogger("backprop_playground").warning("%s Training in-process.", error)
        return None
    return workers.Pool(size) if size else None


def run(function, *args, on_report=None, on_stopped=None):
    """`function(*args, channel)` (a job of `workers`) in a free worker, or here without a
    pool; see `workers.Pool.call` for `on_report` and `on_stopped`."""
    pool = shared()
    if pool is None:
        return function(*args, workers.InProcess(on_report or (lambda payload: None)))
    return pool.call(function, *args, on_report=on_report, on_stopped=on_stopped)
