"""The app driven through Streamlit's AppTest: every control by key, no exception, true text."""

import re

import pytest
from streamlit.testing.v1 import AppTest

import data
import runs
from formats import number
from network import MLP
from runs import DEFAULTS, PRESETS
from tabs import drawing, live, pool
from verdict import Kind

XOR = data.make("xor")
XOR_X, XOR_Y = XOR.X, XOR.y

APP = "../backprop_playground.py"


@pytest.fixture
def app():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def metrics(at):
    return {metric.label: metric.value for metric in at.metric}


def shown(markdown):
    """What a reader sees of Markdown that escapes punctuation with backslashes."""
    return re.sub(r"\\(.)", r"\1", str(markdown))


def page_text(at):
    """Everything the page says in markdown, alerts and captions."""
    parts = [element.value for element in (*at.markdown, *at.caption)]
    parts += [alert.value for alert in (*at.success, *at.info, *at.warning, *at.error)]
    return "\n".join(shown(part) for part in parts)


def verdict_headline(at):
    for alert in (*at.success, *at.info, *at.warning, *at.error):
        if str(alert.value).startswith("**"):
            return str(alert.value).split("**")[1]
    raise AssertionError("no verdict on the page")


def assert_healthy(at):
    assert not at.exception
    assert "Something went wrong" not in page_text(at)


def train(at):
    at.button(key="train").click().run()
    assert_healthy(at)
    return at


def test_first_load_shows_the_playground_and_the_train_button(app):
    assert app.title[0].value == "Backprop Playground"
    assert app.button(key="train").label == "Train"
    assert app.text_input(key="arch").value == DEFAULTS.arch
    assert "Press **Train**" in page_text(app)
    assert not app.metric


def test_train_at_defaults_reports_the_engines_numbers(app):
    train(app)
    net = MLP([2, 4, 1], seed=123)
    history = net.train(XOR_X, XOR_Y, 0.3, 5000)
    shown = metrics(app)
    assert shown["Final loss"] == number(history.final_loss)
    assert shown["Accuracy"] == "100%"
    assert shown["Epochs"] == "5,000"
    assert verdict_headline(app) == "Converged: 100% accuracy at epoch 5,000."


def test_predictions_table_matches_the_network(app):
    train(app)
    table = app.dataframe[0].value
    net = MLP([2, 4, 1], seed=123)
    net.train(XOR_X, XOR_Y, 0.3, 5000)
    assert list(table["input"]) == ["(0, 0)", "(0, 1)", "(1, 0)", "(1, 1)"]
    assert list(table["target"]) == [0, 1, 1, 0]
    assert table["output"].to_numpy() == pytest.approx(net.predict(XOR_X).ravel(), abs=1e-12)
    assert list(table["verdict"]) == ["right"] * 4


def test_an_output_of_one_half_is_undecided_in_the_predictions_never_right(app):
    # Every ReLU dies at learning rate 10: each of the four outputs is 0.500, so none is on a
    # side of 0.5, whatever the target.
    app.button(key="preset_relu_dead").click().run()
    table = app.dataframe[0].value
    assert table["output"].to_numpy() == pytest.approx(0.5, abs=0.05)
    assert list(table["verdict"]) == ["undecided"] * 4


@pytest.mark.parametrize("preset", PRESETS, ids=[preset.key for preset in PRESETS])
def test_each_try_this_preset_shows_what_its_text_says(app, preset):
    app.button(key=f"preset_{preset.key}").click().run()
    assert_healthy(app)
    headline = verdict_headline(app).lower()
    expected_words = {Kind.CONVERGED: "converged", Kind.STUCK: "stuck",
                      Kind.OSCILLATING: "oscillating", Kind.CRAWLING: "crawling",
                      Kind.IMPROVING: "still improving", Kind.PLATEAU: "on a plateau"}
    assert headline.startswith(expected_words[preset.expected]), headline
    for key, value in preset.settings.items():
        assert app.session_state[key] == value


def test_seed_42_preset_names_the_undecided_inputs(app):
    app.button(key="preset_seed_42").click().run()
    text = page_text(app)
    assert "Undecided" in text and "(0, 1)" in text and "(1, 1)" in text
    assert "Hamey (1998)" in text
    assert metrics(app)["Accuracy"] in ("50%", "75%")


@pytest.mark.parametrize("arch, phrase", [
    ("2-0-1", "1 to 8 neurons"),
    ("abc", "is not an architecture"),
    ("2-" + "4-" * 40 + "1", "40 hidden layers"),
    ("3-4-1", "must start with 2"),
    ("2-4-2", "must end with 1"),
    ("2-9-1", "1 to 8 neurons"),
])
def test_a_bad_architecture_says_what_to_change_and_keeps_the_run(app, arch, phrase):
    train(app)
    before = metrics(app)
    app.text_input(key="arch").set_value(arch).run()
    assert_healthy(app)
    assert any(phrase in error.value for error in app.error)
    # Train stays enabled, so that the first click after the text is fixed trains; a click
    # while the text is wrong says what to fix and keeps the run.
    assert not app.button(key="train").disabled
    app.button(key="train").click().run()
    assert_healthy(app)
    assert any("Fix the settings" in error.value and phrase in error.value
               for error in app.error)
    assert metrics(app) == before


def test_moving_a_widget_keeps_the_result_and_marks_it_out_of_date(app):
    train(app)
    before = metrics(app)
    app.number_input(key="seed").set_value(7).run()
    assert_healthy(app)
    assert metrics(app) == before
    assert any("Out of date" in warning.value and "seed 123 → 7" in warning.value
               for warning in app.warning)
    assert app.button(key="continue").disabled


def test_continue_trains_more_epochs_from_the_current_weights(app):
    app.number_input(key="epochs").set_value(1000).run()
    train(app)
    assert metrics(app)["Epochs"] == "1,000"
    app.button(key="continue").click().run()
    assert_healthy(app)
    net = MLP([2, 4, 1], seed=123)
    history = net.train(XOR_X, XOR_Y, 0.3, 2000)
    assert metrics(app)["Epochs"] == "2,000"
    assert metrics(app)["Final loss"] == number(history.final_loss)


def test_reset_forgets_the_run(app):
    train(app)
    app.button(key="reset").click().run()
    assert_healthy(app)
    assert not app.metric
    assert "Press **Train**" in page_text(app)


def test_random_seed_button_picks_and_shows_a_seed(app):
    app.button(key="random_seed").click().run()
    assert_healthy(app)
    seed = app.number_input(key="seed").value
    assert f"Random seed picked: {seed}" in page_text(app)


def test_architecture_preset_pills_set_the_text(app):
    app.button_group(key="arch_preset").set_value("2-8-1").run()
    assert app.text_input(key="arch").value == "2-8-1"


def test_every_setting_trains_without_error(app):
    app.text_input(key="arch").set_value("2-3-3-1")
    app.selectbox(key="activation").set_value("relu")
    app.selectbox(key="loss").set_value("bce")
    app.selectbox(key="init").set_value("he")
    app.select_slider(key="lr").set_value(0.1)
    app.number_input(key="epochs").set_value(800)
    app.run()
    train(app)
    assert metrics(app)["Epochs"] == "800"
    net = MLP([2, 3, 3, 1], "relu", "bce", "he", seed=123)
    history = net.train(XOR_X, XOR_Y, 0.1, 800)
    assert metrics(app)["Final loss"] == number(history.final_loss)


def test_scrubbing_and_playing_the_boundary(app):
    train(app)
    slider = app.select_slider(key="frame")
    assert slider.value == 5000
    slider.set_value(0).run()
    assert_healthy(app)
    assert any(caption.value.startswith("Output at epoch 0") for caption in app.caption)
    assert any("Inside the network at epoch 0" in header.value for header in app.subheader)
    app.toggle(key="play").set_value(True).run()
    assert_healthy(app)
    # Play steps through every snapshot in one script run, then turns itself off, leaving
    # the scrubber, the boundary and the heading at the last snapshot.
    last = sorted(app.session_state["run"].history.snapshots)[-1]
    assert app.toggle(key="play").value is False
    assert app.select_slider(key="frame").value == last
    assert any(caption.value.startswith(f"Output at epoch {last:,}") for caption in app.caption)
    assert any(f"Inside the network at epoch {last:,}" in header.value
               for header in app.subheader)
    app.toggle(key="log_loss").set_value(True).run()
    assert_healthy(app)


def test_a_diverging_run_reports_where_it_diverged(app):
    app.text_input(key="arch").set_value("2-4-1")
    app.selectbox(key="activation").set_value("linear")
    app.selectbox(key="loss").set_value("bce")
    app.select_slider(key="lr").set_value(10.0)
    app.number_input(key="seed").set_value(0)
    app.run()
    train(app)
    net = MLP([2, 4, 1], "linear", "bce", seed=0)
    history = net.train(XOR_X, XOR_Y, 10.0, 5000)
    assert history.diverged_at is not None
    assert verdict_headline(app) == f"Diverged at epoch {history.diverged_at:,}."
    assert metrics(app)["Epochs"] == f"{history.diverged_at - 1:,}"
    # The pictures can show where it stopped, not only the snapshots planned before it.
    assert app.select_slider(key="frame").value == history.diverged_at - 1


@pytest.mark.parametrize("query, phrase", [
    ({"lr": "abc"}, "lr=abc” in the link was ignored"),
    ({"epochs": "999999999"}, "50,000"),
    ({"seed": "-3"}, "seed must be a whole number"),
    ({"activation": "swish"}, "activation must be one of"),
    ({"dataset": "csv"}, "upload the CSV file again"),
    ({"noise": "lots"}, "noise must be a number"),
    ({"test_share": "0.9"}, "test_share must be a number from 0 to 0.5"),
])
def test_a_bad_link_is_explained_and_ignored(query, phrase):
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert_healthy(at)
    assert any(phrase in shown(warning.value) for warning in at.warning)


def test_link_problems_are_said_once_plainly_and_cleared_by_training():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["arch"] = "2-0-1"
    at.run()
    problems = [shown(warning.value) for warning in at.warning
                if "in the link was ignored" in shown(warning.value)]
    assert len(problems) == 1 and not problems[0].endswith("..")
    train(at)
    at.run()
    assert not any("in the link was ignored" in shown(warning.value) for warning in at.warning)


def test_a_good_link_sets_the_sidebar():
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in {"arch": "2-2-1", "lr": "0.5", "seed": "42", "epochs": "300",
                       "activation": "tanh", "loss": "bce", "init": "uniform"}.items():
        at.query_params[key] = value
    at.run()
    assert_healthy(at)
    assert at.text_input(key="arch").value == "2-2-1"
    assert at.select_slider(key="lr").value == 0.5
    assert at.number_input(key="seed").value == 42
    assert at.number_input(key="epochs").value == 300
    assert at.selectbox(key="activation").value == "tanh"


def test_the_companion_documents_are_readable_from_both_tabs(app):
    train(app)
    labels = [expander.label for expander in app.expander]
    assert any("docs/hyperparameters.md" in label for label in labels)
    assert any(markdown.value.startswith("# Hyperparameters on XOR")
               for markdown in app.markdown)
    app.session_state["tab"] = "Gradient flow"
    app.run()
    assert_healthy(app)
    assert any("docs/backprop_calculus.md" in expander.label for expander in app.expander)
    assert any(markdown.value.startswith("# Backpropagation by hand")
               for markdown in app.markdown)


def test_a_trained_run_offers_its_network_history_and_animation_as_downloads(app):
    assert not [b for b in app.get("download_button") if b.proto.label == "Network (JSON)"]
    train(app)
    labels = [button.proto.label for button in app.get("download_button")]
    assert {"Network (JSON)", "History (CSV)", "Animation"} <= set(labels)
    assert_healthy(app)


def test_the_boundary_caption_gives_the_range_of_the_outputs_it_draws(app):
    train(app)
    caption = next(c.value for c in app.caption if c.value.startswith("Output at epoch 5,000"))
    low, high = (float(v) for v in re.search(r"from (\S+) to (\S+) in this view", caption).groups())
    net = MLP([2, 4, 1], seed=123)
    net.train(XOR_X, XOR_Y, 0.3, 5000)
    grid = drawing.renderer(XOR.extent).grid_points()
    outputs = net.predict(grid)
    assert low == pytest.approx(outputs.min(), abs=5e-4)
    assert high == pytest.approx(outputs.max(), abs=5e-4)
    assert "undecided everywhere" not in caption


def test_a_constant_output_is_said_undecided_everywhere_with_no_boundary():
    from runs import config
    from runs import train as train_run
    from tabs.training import boundary_caption

    run = train_run(config(epochs=10))
    run.pictures[("range", 10)] = (0.49999998, 0.50000003)   # what the view measured
    caption = boundary_caption(run, 10)
    assert "0.5000 everywhere" in caption and "undecided everywhere" in caption
    assert "dark line" not in caption


def test_a_frames_output_range_is_measured_with_it_and_kept_when_the_run_goes_on():
    from runs import config, extend
    from runs import train as train_run

    run = train_run(config(epochs=10))
    drawing.frame(run, 10)
    low, high = run.pictures[("range", 10)]
    outputs = run.network_at(10).predict(drawing.renderer(run.data.extent).grid_points())
    assert (low, high) == (outputs.min(), outputs.max())
    longer = extend(run, 10)
    assert longer.pictures[("frame", 10)] is run.pictures[("frame", 10)]
    assert drawing.output_range(longer, 10) == (low, high)


# --- the toolbar: Step, a stopped training, the untrained network ---------------------------

def test_before_training_the_page_shows_the_untrained_network_at_epoch_0(app):
    loss = MLP([2, 4, 1], seed=123).loss(XOR_X, XOR_Y)
    (untrained,) = [info.value for info in app.info if "Untrained" in info.value]
    assert f"loss {number(loss)}" in untrained and "epoch 0" in untrained
    assert any(caption.value.startswith("Output at epoch 0,") for caption in app.caption)
    assert not metrics(app)
    assert app.button(key="reset").disabled and app.button(key="continue").disabled


def test_step_trains_one_epoch_from_the_current_run_or_from_epoch_0(app):
    app.button(key="step").click().run()
    assert_healthy(app)
    one = MLP([2, 4, 1], seed=123).train(XOR_X, XOR_Y, 0.3, 1)
    assert metrics(app)["Epochs"] == "1"
    assert metrics(app)["Final loss"] == number(one.final_loss)
    train(app)
    app.button(key="step").click().run()
    assert_healthy(app)
    more = MLP([2, 4, 1], seed=123).train(XOR_X, XOR_Y, 0.3, 5001)
    assert metrics(app)["Epochs"] == "5,001"
    assert metrics(app)["Final loss"] == number(more.final_loss)


class StopClickedError(Exception):
    """What Streamlit does to a training script run when the learner clicks Stop."""


def test_a_stopped_training_is_kept_as_far_as_it_got(app):
    kept = {}

    def progress(now):
        if now.fraction >= 0.5:
            kept["run"] = now.run
            raise StopClickedError

    with pytest.raises(StopClickedError):
        runs.train(DEFAULTS, progress=progress)
    handover = pool.Handover(5000)   # as the stopped script run left it for the next one
    handover.end(kept["run"](judged=False))
    app.session_state[live.UNFINISHED] = handover
    app.run()
    assert_healthy(app)
    epochs = int(metrics(app)["Epochs"].replace(",", ""))
    assert 0 < epochs < 5000
    engine = MLP([2, 4, 1], seed=123).train(XOR_X, XOR_Y, 0.3, epochs)
    assert metrics(app)["Final loss"] == number(engine.final_loss)
    assert any(f"Stopped at epoch {epochs:,} of 5,000" in str(alert.value)
               for alert in (*app.success, *app.info, *app.warning, *app.error))
    assert app.select_slider(key="frame").value == epochs
    assert not app.button(key="continue").disabled


def test_a_view_all_on_one_side_of_0_5_says_so_and_draws_no_line():
    from runs import config, untrained
    from tabs.training import boundary_caption

    run = untrained(config())
    low, high = drawing.output_range(run, 0)
    assert low > 0.5   # seed 123's untrained 2-4-1 says "class 1" over the whole view
    caption = boundary_caption(run, 0)
    assert f"from {low:.3f} to {high:.3f}" in caption and "class 1" in caption
    assert "dark line" not in caption
