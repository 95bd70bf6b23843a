"""Shared test set-up."""

import pytest
from streamlit.components.v2.component_manager import BidiComponentManager


@pytest.fixture(autouse=True)
def no_component_scan(monkeypatch):
    """Every new AppTest scans all installed packages for custom components (0.5-1 s each).

    The app uses none, so the scan only slows the tests down.
    """
    monkeypatch.setattr(BidiComponentManager, "discover_and_register_components",
                        lambda *args, **kwargs: None)
