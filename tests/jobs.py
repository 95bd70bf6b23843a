"""Jobs for tests/test_workers.py that fail in ways a worker must survive. A module of the
`tests` package, so that a worker process (run from the project folder) can import them."""

import threading


class _LockedError(Exception):
    """An error that cannot be pickled: it holds a lock."""

    def __init__(self):
        super().__init__("holds a lock")
        self.lock = threading.Lock()


class _TwoPartError(Exception):
    """An error that pickles but cannot be rebuilt: its __init__ wants two arguments."""

    def __init__(self, first, second):
        super().__init__(f"{first} and {second}")


class Unreadable:
    """Pickles, but cannot be unpickled."""

    def __reduce__(self):
        return (_refuse, ())


def _refuse():
    raise ValueError("refused")


def raise_locked(channel):
    raise _LockedError


def raise_two_part(*args):
    raise _TwoPartError("this", "that")
