"""Shared test set-up."""

import sys

import numpy as np
import pytest
from streamlit.components.v2.component_manager import BidiComponentManager


@pytest.fixture(autouse=True)
def no_component_scan(monkeypatch):
    """Every new AppTest scans all installed packages for custom components (0.5-1 s each).

    The app uses none, so the scan only slows the tests down.
    """
    monkeypatch.setattr(BidiComponentManager, "discover_and_register_components",
                        lambda *args, **kwargs: None)


@pytest.fixture(autouse=True)
def main_module_kept():
    """An AppTest run makes its script the process's __main__ module (Streamlit's script
    runner does), and a process pool started later with "spawn" re-runs __main__ in every
    worker: a script from AppTest.from_function fails there. Put the real one back."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@pytest.fixture
def global_random_state():
    """NumPy's global random state seeded with 0, and a check that it is still untouched;
    the state the test found is put back afterwards."""
    saved = np.random.get_state()
    np.random.seed(0)
    seeded = np.random.get_state()

    def untouched():
        now = np.random.get_state()
        assert now[0] == seeded[0] and np.array_equal(now[1], seeded[1])
        assert now[2:] == seeded[2:]

    yield untouched
    np.random.set_state(saved)
