"""Script-run times of the app's interactions, measured in-process with Streamlit's AppTest.

Each interaction is timed on a fresh session, `--repeats` times; the table shows medians.
Run from the project folder: python -m bench.app
"""

from __future__ import annotations

import argparse
import statistics
import time

from streamlit.components.v2.component_manager import BidiComponentManager
from streamlit.testing.v1 import AppTest

APP = "../backprop_playground.py"   # relative to this file, as AppTest resolves it


def timed(at):
    """Seconds for one script run of `at` (the interaction is already set up)."""
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"the app raised: {at.exception[0].value}")
    return seconds


def fresh():
    return AppTest.from_file(APP, default_timeout=120)


def trained():
    at = fresh()
    at.run()
    at.button(key="train").click().run()
    return at


def _first_load():
    return timed(fresh())


def _train_defaults():
    at = fresh()
    at.run()
    at.button(key="train").click()
    return timed(at)


def _scrub():
    at = trained()
    epochs = at.select_slider(key="frame").options
    at.select_slider(key="frame").set_value(int(epochs[len(epochs) // 2]))
    return timed(at)


def _change_architecture():
    at = trained()
    at.text_input(key="arch").set_value("2-2-1")
    return timed(at)


def _change_learning_rate():
    at = trained()
    at.select_slider(key="lr").set_value(0.5)
    return timed(at)


def _toggle_log_scale():
    at = trained()
    at.toggle(key="log_loss").set_value(True)
    return timed(at)


def _play():
    at = trained()
    at.toggle(key="play").set_value(True)
    return timed(at)


INTERACTIONS = [  # (name, measure, target seconds)
    ("first load", _first_load, 0.150),
    ("Train at defaults (all drawn)", _train_defaults, 0.600),
    ("epoch scrubber step", _scrub, 0.060),
    ("architecture change", _change_architecture, 0.150),
    ("learning-rate change", _change_learning_rate, 0.150),
    ("log-scale toggle", _toggle_log_scale, 0.150),
    ("Play (first time: makes the GIF)", _play, 0.150),
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", help="measure only interactions whose name contains this")
    args = parser.parse_args(argv)
    fresh().run()   # the first run of a process imports everything; keep it out of the figures
    # Every new AppTest scans all installed packages for custom components (~0.5-1 s here);
    # a real server scans once at start-up, and this app uses none, so skip the rescans.
    BidiComponentManager.discover_and_register_components = lambda *args, **kwargs: None
    print(f"{'interaction':36} {'median ms':>10} {'min ms':>8} {'target ms':>10}  met")
    for name, measure, target in INTERACTIONS:
        if args.only and args.only not in name:
            continue
        seconds = [measure() for _ in range(args.repeats)]
        median = statistics.median(seconds)
        print(f"{name:36} {median * 1000:10.1f} {min(seconds) * 1000:8.1f} "
              f"{target * 1000:10.0f}  {'yes' if median <= target else 'NO'}")


if __name__ == "__main__":
    main()
