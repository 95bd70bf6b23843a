"""Script-run times of the app's interactions, measured in-process with Streamlit's AppTest.

Each interaction is timed on a fresh session, `--repeats` times; the table shows medians.
Run from the project folder: python -m bench.app
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time

from streamlit.components.v2.component_manager import BidiComponentManager
from streamlit.testing.v1 import AppTest

from inspection.numbers import weights_only

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


ARCH = "2-4-1"   # the app's default


def trained(arch):
    at = fresh()
    at.run()
    at.text_input(key="arch").set_value(arch).run()
    at.button(key="train").click().run()
    return at


def flow(arch):
    """A trained session with the Gradient flow tab open."""
    at = trained(arch)
    at.session_state["tab"] = "Gradient flow"
    at.run()
    return at


def _first_load(arch):
    return timed(fresh())


def _train(arch):
    at = fresh()
    at.run()
    at.text_input(key="arch").set_value(arch).run()
    at.button(key="train").click()
    return timed(at)


def _train_spiral(arch):
    """Train on a 400-point spiral with 2-8-8-1 for 2,000 epochs (`arch` is not used)."""
    at = fresh()
    at.run()
    at.selectbox(key="dataset").set_value("spiral").run()
    at.number_input(key="points").set_value(400)
    at.slider(key="noise").set_value(0.1)
    at.text_input(key="arch").set_value("2-8-8-1")
    at.number_input(key="epochs").set_value(2000)
    at.run()
    at.button(key="train").click()
    return timed(at)


def _scrub(arch):
    at = trained(arch)
    epochs = at.session_state["run"].snapshot_epochs
    at.select_slider(key="frame").set_value(epochs[len(epochs) // 2])
    return timed(at)


def _change_architecture(arch):
    at = trained(arch)
    at.text_input(key="arch").set_value("2-2-1")
    return timed(at)


def _change_learning_rate(arch):
    at = trained(arch)
    at.select_slider(key="lr").set_value(0.5)
    return timed(at)


def _toggle_log_scale(arch):
    at = trained(arch)
    at.toggle(key="log_loss").set_value(True)
    return timed(at)


def _play(arch):
    at = trained(arch)
    at.toggle(key="play").set_value(True)
    return timed(at)


def opened(arch):
    """A trained session, and the seconds of the script run that opens its Gradient flow tab."""
    at = trained(arch)
    at.session_state["tab"] = "Gradient flow"
    return at, timed(at)


def _open_flow(arch):
    return opened(arch)[1]


def _flow_epoch(arch):
    at = flow(arch)
    epochs = at.session_state["run"].snapshot_epochs
    at.select_slider(key="flow_epoch").set_value(epochs[len(epochs) // 2])
    return timed(at)


def _flow_example(arch):
    at = flow(arch)
    at.radio(key="flow_example").set_value(1)   # the example (0, 1)
    return timed(at)


def _flow_weight(arch):
    at = flow(arch)
    weights = weights_only(at.session_state["run"].net.layer_sizes)
    at.selectbox(key="flow_weight").set_value(weights[-1])
    return timed(at)


def editing(arch):
    """A Gradient flow session with "Edit a weight by hand" open."""
    at = flow(arch)
    at.session_state["flow_fold_edit"] = True
    at.run()
    return at


def _flow_layer(arch):
    at = editing(arch)
    at.selectbox(key="flow_layer").set_value(len(at.session_state["run"].net.weights))
    return timed(at)


def walked(at, button):
    """{stage: seconds} of the script runs of clicking `button` until it is disabled: every
    stage, each timed as it is reached."""
    times = {}
    while not at.button(key=button).disabled:
        at.button(key=button).click()
        seconds = timed(at)   # before reading the stage: the click takes effect in this run
        times[at.session_state["flow_stage"]] = seconds
    return times


def _flow_next(arch):
    return max(walked(flow(arch), "flow_next").values())


def _flow_previous(arch):
    at = flow(arch)
    at.session_state["flow_stage"] = "run"   # the last stage
    at.run()
    return max(walked(at, "flow_prev").values())


def stage_table(arch, repeats):
    """The median script run of Next into each stage, and its ratio to opening the tab
    (the reference, measured in the same sessions)."""
    opening, walks = [], []
    for _ in range(repeats):
        at, seconds = opened(arch)
        opening.append(seconds)
        walks.append(walked(at, "flow_next"))
    reference = statistics.median(opening)
    print(f"\nNext into each stage, {arch}: median of {repeats} walks; the reference is opening "
          f"the tab, {reference * 1000:.1f} ms")
    print(f"{'stage':14} {'median ms':>10} {'/ open':>7}")
    for stage in walks[0]:
        median = statistics.median(walk[stage] for walk in walks)
        print(f"{stage:14} {median * 1000:10.1f} {median / reference:7.2f}")


def at_stage(arch, stage):
    at = flow(arch)
    at.session_state["flow_stage"] = stage
    at.run()
    return at


def _apply_step(arch):
    at = at_stage(arch, "update")
    at.button(key="apply_step").click()
    return timed(at)


def _plant_bug(arch):
    at = at_stage(arch, "check")
    at.selectbox(key="plant_bug").set_value("half_mse")
    return timed(at)


def edited(arch):
    """A Gradient flow session with one weight typed into the data editor (not yet run)."""
    at = editing(arch)
    editor = at.data_editor[0]
    column = editor.value.columns[1]
    at.session_state[editor.key] = {"edited_rows": {0: {column: 0.5}}, "added_rows": [],
                                    "deleted_rows": []}
    return at


def _edit_weight(arch):
    return timed(edited(arch))


def _restore(arch):
    at = edited(arch)
    at.run()
    at.button(key="flow_restore").click()
    return timed(at)


INTERACTIONS = [  # (name, measure, target seconds)
    ("first load", _first_load, 0.150),
    ("Train (all drawn)", _train, 0.600),
    ("Train spiral 400 points, 2-8-8-1, 2,000", _train_spiral, 1.200),
    ("epoch scrubber step", _scrub, 0.060),
    ("architecture change", _change_architecture, 0.150),
    ("learning-rate change", _change_learning_rate, 0.150),
    ("log-scale toggle", _toggle_log_scale, 0.150),
    ("Play (first time: builds the animation)", _play, 0.150),
    ("Gradient flow: open the tab", _open_flow, 0.150),
    ("Gradient flow: Next, slowest stage", _flow_next, 0.100),
    ("Gradient flow: Previous, slowest stage", _flow_previous, 0.100),
    ("Gradient flow: pick an epoch", _flow_epoch, 0.150),
    ("Gradient flow: pick an example", _flow_example, 0.150),
    ("Gradient flow: follow a weight", _flow_weight, 0.150),
    ("Gradient flow: pick a layer to edit", _flow_layer, 0.150),
    ("Gradient flow: apply_step", _apply_step, 0.150),
    ("Gradient flow: plant a bug", _plant_bug, 0.150),
    ("Gradient flow: edit a weight", _edit_weight, 0.150),
    ("Gradient flow: restore", _restore, 0.150),
]


BARE_MODE_LOGGERS = ("streamlit.runtime.scriptrunner_utils.script_run_context",
                     "streamlit.runtime.caching.cache_data_api")
SPIRAL_RATIO = ("Train spiral 400 points, 2-8-8-1, 2,000", "Train (all drawn)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", help="measure only interactions whose name contains this")
    parser.add_argument("--arch", default=ARCH, help="the architecture to train")
    parser.add_argument("--stages", action="store_true",
                        help="also time Next into each Gradient flow stage")
    args = parser.parse_args(argv)
    # AppTest runs the script without a server, and Streamlit warns of that ("bare mode") on
    # every run; the warnings say nothing about the app, so they stay out of the table. A
    # filter, as Streamlit resets its loggers' levels whenever it reads its config.
    for name in BARE_MODE_LOGGERS:
        logging.getLogger(name).addFilter(lambda record: record.levelno >= logging.ERROR)

    fresh().run()   # the first run of a process imports everything; keep it out of the figures
    # Every new AppTest scans all installed packages for custom components (~0.5-1 s here);
    # a real server scans once at start-up, and this app uses none, so skip the rescans.
    BidiComponentManager.discover_and_register_components = lambda *args, **kwargs: None
    print(f"architecture {args.arch}, {args.repeats} fresh sessions per interaction")
    medians = {}
    print(f"{'interaction':40} {'median ms':>10} {'min ms':>8} {'target ms':>10}  met")
    for name, measure, target in INTERACTIONS:
        if args.only and args.only not in name:
            continue
        seconds = [measure(args.arch) for _ in range(args.repeats)]
        medians[name] = median = statistics.median(seconds)
        print(f"{name:40} {median * 1000:10.1f} {min(seconds) * 1000:8.1f} "
              f"{target * 1000:10.0f}  {'yes' if median <= target else 'NO'}")
    if args.stages:
        stage_table(args.arch, args.repeats)
    spiral, xor = (medians.get(name) for name in SPIRAL_RATIO)
    if spiral and xor and args.arch == ARCH:
        print(f"\nTrain on the spiral / Train at the defaults: {spiral / xor:.2f}x "
              f"(target <= 2x: {'met' if spiral / xor <= 2 else 'NOT met'})")


if __name__ == "__main__":
    main()
