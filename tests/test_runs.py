"""runs.py and the sidebar's link values: parsing, Config, config(), presets, train/extend."""

import dataclasses
import io
import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import data
import runs
from network import ACTIVATIONS, INITS, LOSSES, MLP
from runs import (
    DEFAULTS,
    KEYS,
    PRESETS,
    Config,
    config,
    history_csv,
    network_json,
    parse_architecture,
)
from runs import extend as runs_extend
from runs import from_link as runs_from_link
from runs import to_link as runs_to_link
from runs import train as train_run
from tabs.sidebar import (
    DEFAULT_VALUES,
    L2_RATES,
    LEARNING_RATES,
    LINKED_KEYS,
    from_link,
    nearest_learning_rate,
)
from verdict import Kind, Setting, judge

XOR = data.make("xor")
XOR_X, XOR_Y = XOR.X, XOR.y



# --- parse_architecture --------------------------------------------------------------------

@pytest.mark.parametrize("text, sizes", [
    ("2-2-1", (2, 2, 1)),
    ("2-8-8-8-8-1", (2, 8, 8, 8, 8, 1)),
    (" 2-4-1 ", (2, 4, 1)),
    ("2-1-1", (2, 1, 1)),
    ("2 - 4 - 1", (2, 4, 1)),
])
def test_parse_architecture_reads_dash_joined_layer_sizes(text, sizes):
    assert parse_architecture(text) == sizes


@pytest.mark.parametrize("text, advice", [
    ("", "e.g. 2-4-1"),
    ("abc", "e.g. 2-4-1"),
    ("2--1", "e.g. 2-4-1"),
    ("2-4.5-1", "e.g. 2-4-1"),
    ("-2-4-1", "e.g. 2-4-1"),
    ("2-4-1-", "e.g. 2-4-1"),
    ("2", "e.g. 2-4-1"),
    ("2-0-1", "1 to 8 neurons"),
    ("2-9-1", "1 to 8 neurons"),
    ("2-4-0-1", "1 to 8 neurons"),
    ("3-4-1", "must start with 2"),
    ("2-4-2", "must end with 1"),
    ("2-1", "0 hidden layers; use 1 to 4"),
    ("2-4-4-4-4-4-1", "5 hidden layers; use 1 to 4"),
])
def test_parse_architecture_rejects_with_what_to_change(text, advice):
    with pytest.raises(ValueError) as error:
        parse_architecture(text)
    assert advice in str(error.value)
    assert f"“{text}”" in str(error.value)


def test_parse_architecture_explains_a_digit_it_cannot_read():
    # "²".isdigit() is True, but int("²") fails with Python's own message.
    with pytest.raises(ValueError) as error:
        parse_architecture("2-²-1")
    assert "e.g. 2-4-1" in str(error.value), str(error.value)


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("0123456789-. ²x٤"), max_size=16) | st.text())
def test_parse_architecture_returns_a_valid_network_or_raises_value_error(text):
    try:
        sizes = parse_architecture(text)
    except ValueError:
        return
    assert sizes[0] == 2 and sizes[-1] == 1
    assert 1 <= len(sizes) - 2 <= 4
    assert all(1 <= size <= 8 for size in sizes[1:-1])
    MLP(sizes)   # the engine accepts it


@settings(max_examples=100, deadline=None)
@given(hidden=st.lists(st.integers(1, 8), min_size=1, max_size=4),
       padding=st.sampled_from(["", " ", "  "]))
def test_parse_architecture_reads_back_every_allowed_network(hidden, padding):
    text = padding + "-".join(str(size) for size in (2, *hidden, 1)) + padding
    assert parse_architecture(text) == (2, *hidden, 1)


# --- nearest_learning_rate -----------------------------------------------------------------

def log_distance(a, b):
    return abs(math.log10(a) - math.log10(b))


def test_nearest_learning_rate_snaps_0_25_up_to_0_3():
    assert log_distance(0.25, 0.3) < log_distance(0.25, 0.2)
    assert nearest_learning_rate(0.25) == 0.3


def test_nearest_learning_rate_snaps_0_04_to_the_closer_on_a_log_scale():
    closer = 0.05 if log_distance(0.04, 0.05) < log_distance(0.04, 0.03) else 0.03
    assert closer == 0.05   # 0.04 / 0.03 = 1.33 is a wider ratio than 0.05 / 0.04 = 1.25
    assert nearest_learning_rate(0.04) == closer


@pytest.mark.parametrize("rate", LEARNING_RATES)
def test_nearest_learning_rate_keeps_the_slider_values(rate):
    assert nearest_learning_rate(rate) == rate


@settings(max_examples=200, deadline=None)
@given(value=st.floats(1e-4, 100.0))
def test_nearest_learning_rate_has_no_slider_value_closer_in_log(value):
    snapped = nearest_learning_rate(value)
    assert snapped in LEARNING_RATES
    assert all(log_distance(value, snapped) <= log_distance(value, other) + 1e-12
               for other in LEARNING_RATES)


# --- _from_link ----------------------------------------------------------------------------

@pytest.mark.parametrize("key, text, value", [
    ("arch", "2-4-1", "2-4-1"),
    ("arch", "2-8-8-1", "2-8-8-1"),
    ("lr", "0.3", 0.3),
    ("lr", "0.25", 0.3),
    ("lr", "10", 10.0),
    ("lr", "1e9", 10.0),
    ("lr", "1e-9", 0.001),
    ("epochs", "1", 1),
    ("epochs", "5000", 5000),
    ("epochs", "50000", 50_000),
    ("seed", "0", 0),
    ("seed", "42", 42),
    ("seed", str(2**31 - 1), 2**31 - 1),
    ("activation", "tanh", "tanh"),
    ("loss", "bce", "bce"),
    ("init", "he", "he"),
    ("dataset", "spiral", "spiral"),
    ("points", "300", 300),
    ("noise", "0.1", 0.1),
    ("noise", "0.12", 0.1),
    ("test_share", "0.3", 0.3),
    ("data_seed", "7", 7),
    ("batch", "full", "full"),
    ("batch", "32", 32),
    ("batch", "30", 32),
    ("l2", "0.01", 0.01),
    ("l2", "0", 0.0),
])
def test_from_link_reads_good_values(key, text, value):
    read = from_link(key, text)
    assert read == value and type(read) is type(value)


@pytest.mark.parametrize("key, text", [
    ("arch", "2-9-1"), ("arch", "banana"),
    ("lr", "abc"), ("lr", "-1"), ("lr", "0"), ("lr", "inf"), ("lr", "nan"), ("lr", ""),
    ("epochs", "0"), ("epochs", "50001"), ("epochs", "-5"), ("epochs", "1.5"), ("epochs", ""),
    ("seed", "-1"), ("seed", "1.5"), ("seed", str(2**31)), ("seed", "abc"),
    ("activation", "swish"), ("activation", "Tanh"),
    ("loss", "hinge"), ("init", "orthogonal"),
    ("dataset", "csv"), ("dataset", "mnist"), ("points", "1001"), ("points", "abc"),
    ("noise", "-0.1"), ("noise", "nan"), ("test_share", "0.51"), ("data_seed", "-2"),
    ("batch", "-4"), ("batch", "1.5"), ("l2", "2"), ("l2", "inf"),
])
def test_from_link_rejects_bad_values(key, text):
    with pytest.raises(ValueError):
        from_link(key, text)


@pytest.mark.parametrize("key, text, phrase", [
    ("epochs", "0", "from 1 to 50,000"),
    ("epochs", "50001", "from 1 to 50,000"),
    ("epochs", "ten", "epochs must be a number"),
    ("seed", "-1", "seed must be a whole number"),
    ("seed", str(2**31), "from 0 to 2,147,483,647"),
    ("lr", "inf", "lr must be a number"),
    ("dataset", "mnist", "xor, and, or"),
    ("points", "3", "from 4 to 1,000"),
    ("noise", "2", "from 0 to 1"),
    ("test_share", "0.6", "from 0 to 0.5"),
    ("batch", "0", "from 1"),
    ("l2", "-1", "from 0 to 1"),
    ("activation", "swish", "sigmoid, tanh, relu, linear"),
    ("loss", "hinge", "mse, bce"),
    ("init", "orthogonal", "xavier, he, uniform"),
])
def test_from_link_says_what_a_good_value_looks_like(key, text, phrase):
    with pytest.raises(ValueError) as error:
        from_link(key, text)
    assert phrase in str(error.value)


def valid_widget_value(key, value):
    if key == "arch":
        return parse_architecture(value) is not None
    if key == "lr":
        return value in LEARNING_RATES
    if key == "l2":
        return value in L2_RATES
    if key == "batch":
        return value == "full" or value in (1, 2, 4, 8, 16, 32, 64, 128)
    if key in ("epochs", "points", "seed", "data_seed"):
        low, high = {"epochs": (1, 50_000), "points": (4, 1000)}.get(key, (0, 2**31 - 1))
        return isinstance(value, int) and low <= value <= high
    if key in ("noise", "test_share"):
        high = {"noise": 1.0, "test_share": 0.5}[key]
        return 0 <= value <= high and abs(value / 0.05 - round(value / 0.05)) < 1e-9
    choices = {"activation": ACTIVATIONS, "loss": LOSSES, "init": INITS,
               "dataset": ("xor", "and", "or", "xor_cloud", "circle", "gaussians", "spiral",
                           "moons")}
    return value in choices[key]


@settings(max_examples=60, deadline=None)
@pytest.mark.parametrize("key", LINKED_KEYS)
@given(text=st.text(max_size=30) | st.from_regex(r"\A-?[0-9]{0,12}(\.[0-9]{0,3})?\Z"))
def test_from_link_on_any_text_returns_a_widget_value_or_raises_value_error(key, text):
    try:
        value = from_link(key, text)
    except ValueError:
        return
    assert valid_widget_value(key, value)


# --- Config ---------------------------------------------------------------------------------

CHANGED = {"arch": "2-2-1", "activation": "tanh", "loss": "bce", "init": "he", "lr": 0.5,
           "seed": 42, "dataset": "spiral", "test_share": 0.2, "data_seed": 3, "batch": 8,
           "l2": 0.01}


def test_config_fields_are_the_link_keys():
    assert [field.name for field in dataclasses.fields(Config)] == list(KEYS)
    assert set(KEYS) == set(LINKED_KEYS)


def test_config_keywords_are_link_keys_with_defaults_for_the_rest():
    made = config(arch="2-2-1", lr=0.3, seed=42)
    assert made == dataclasses.replace(DEFAULTS, arch="2-2-1", seed=42)
    assert made.layer_sizes == (2, 2, 1)
    assert config(arch=(2, 8, 8, 1)).arch == "2-8-8-1"


@pytest.mark.parametrize("settings, phrase", [
    ({"arch": "2-9-1"}, "1 to 8 neurons"), ({"lr": 0}, "lr must be"),
    ({"dataset": "mnist"}, "dataset must be one of"), ({"colour": "red"}, "Unknown setting"),
    ({"points": 2}, "from 4 to 1,000"), ({"epochs": 1.5}, "whole number"),
])
def test_config_rejects_bad_settings_saying_what_to_change(settings, phrase):
    with pytest.raises(ValueError, match=phrase):
        config(**settings)


def test_config_same_run_ignores_the_epoch_count():
    longer = DEFAULTS.replace(epochs=20_000)
    assert DEFAULTS.same_run(longer) and longer.same_run(DEFAULTS)


@pytest.mark.parametrize("field, value", list(CHANGED.items()))
def test_config_same_run_notices_every_other_setting(field, value):
    base = DEFAULTS.replace(dataset="moons")   # generated data: points and noise matter too
    other = base.replace(**{field: value}) if field != "dataset" else base.replace(dataset="xor")
    assert not base.same_run(other) and not other.same_run(base)


def test_config_same_run_ignores_points_and_noise_of_the_fixed_four_points():
    assert DEFAULTS.same_run(DEFAULTS.replace(points=300, noise=0.5, data_seed=9))
    assert not DEFAULTS.same_run(DEFAULTS.replace(test_share=0.25, data_seed=9))
    moons = DEFAULTS.replace(dataset="moons")
    assert not moons.same_run(moons.replace(points=300))


def test_config_differences_name_each_changed_setting():
    assert DEFAULTS.differences(DEFAULTS.replace(seed=42, lr=1.0)) == [
        ("lr", 0.3, 1.0), ("seed", 123, 42)]


# --- train and extend ----------------------------------------------------------------------

def test_train_at_the_defaults_equals_the_engine_on_the_four_points():
    run = train_run(DEFAULTS)
    net = MLP([2, 4, 1], seed=123)
    history = net.train(XOR_X, XOR_Y, 0.3, 5000)
    assert np.array_equal(run.history.loss, history.loss)
    assert run.test is None and run.data.n == 4


def test_train_with_a_test_share_trains_on_the_rest_and_records_the_test_set():
    settings = DEFAULTS.replace(dataset="moons", points=100, noise=0.1, test_share=0.3,
                                epochs=300)
    run = train_run(settings)
    assert run.data.n + run.test.n == 100 and run.test.n == 30
    net = MLP([2, 4, 1], seed=123)
    history = net.train(run.data.X, run.data.y, 0.3, 300, X_test=run.test.X, y_test=run.test.y)
    assert np.array_equal(run.history.test_loss, history.test_loss)
    assert run.history.test_loss[-1] == pytest.approx(run.net.loss(run.test.X, run.test.y))


def test_extend_continues_exactly_like_one_longer_run():
    settings = DEFAULTS.replace(dataset="circle", points=80, batch=16, epochs=200)
    extended = runs_extend(train_run(settings), 200)
    whole = train_run(settings.replace(epochs=400))
    assert np.array_equal(extended.history.loss, whole.history.loss)
    assert extended.epochs == 400


def test_a_run_at_a_snapshot_continues_with_the_batches_of_that_epoch():
    settings = DEFAULTS.replace(dataset="circle", points=80, batch=16, epochs=200)
    run = train_run(settings)
    middle = run.snapshot_epochs[len(run.snapshot_epochs) // 2]
    again = run.network_at(middle)
    rest = again.train(run.data.X, run.data.y, settings.lr, run.epochs - middle, batch_size=16)
    assert rest.loss[-1] == run.history.loss[-1]


# --- presets -------------------------------------------------------------------------------

def test_preset_keys_are_unique():
    keys = [preset.key for preset in PRESETS]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("preset", PRESETS, ids=lambda preset: preset.key)
def test_preset_settings_are_real_widget_keys_with_values_the_widgets_take(preset):
    assert set(preset.settings) <= set(DEFAULT_VALUES)
    for key, value in preset.settings.items():
        assert from_link(key, str(value)) == value


@pytest.mark.parametrize("preset", PRESETS, ids=lambda preset: preset.key)
def test_preset_expects_a_kind_of_verdict(preset):
    assert isinstance(preset.expected, Kind)


def test_default_values_are_values_the_widgets_take():
    for key, value in DEFAULT_VALUES.items():
        assert from_link(key, str(value)) == value
    assert set(DEFAULT_VALUES) == set(LINKED_KEYS)


def test_every_link_key_round_trips_through_the_link_text():
    settings = config(**CHANGED)
    assert config(**{key: runs_from_link(key, text)
                     for key, text in runs_to_link(settings).items()}) == settings


@pytest.mark.parametrize("preset", PRESETS, ids=lambda preset: preset.key)
def test_preset_run_gets_the_verdict_its_text_promises(preset):
    values = {**DEFAULT_VALUES, **preset.settings}
    sizes = parse_architecture(values["arch"])
    net = MLP(sizes, values["activation"], values["loss"], values["init"], values["seed"])
    history = net.train(XOR_X, XOR_Y, values["lr"], values["epochs"])
    forward = net.forward(XOR_X)
    start = MLP(sizes, values["activation"], values["loss"], values["init"], values["seed"])
    verdict = judge(history, XOR_X, XOR_Y, forward.output,
                    Setting(values["lr"], values["activation"], values["init"]),
                    forward.activations[1:-1], start.forward(XOR_X).activations[1:-1])
    outputs = forward.output.ravel()
    assert verdict.kind == preset.expected
    if preset.key == "seed_42":   # "stalls on a plateau with two inputs undecided"
        assert sum(abs(o - 0.5) < 0.05 for o in outputs) == 2
    if preset.key == "lr_high":   # "ends above where it started"
        assert history.loss[-1] > history.loss[0]
    if preset.key == "relu_dead":  # "every unit ... outputs 0 on all four points"
        assert not forward.activations[1].any()
    if preset.key == "lr_low":    # "every output is still near 0.5"
        assert np.all(np.abs(outputs - 0.5) < 0.05)



# --- downloads -------------------------------------------------------------------------------

def test_network_json_loads_back_into_the_same_network_bit_for_bit():
    run = train_run(config(arch="2-3-2-1", activation="tanh", seed=7, epochs=300, dataset="moons",
                       points=40, noise=0.1, test_share=0.25))
    document = json.loads(network_json(run))
    settings = config(**document["settings"])
    assert settings == run.config
    net = MLP(document["layer_sizes"], settings.activation, settings.loss, settings.init,
              settings.seed, settings.l2)
    net.set_parameters([np.array(W) for W in document["weights"]],
                       [np.array(b) for b in document["biases"]])
    assert np.array_equal(net.predict(run.data.X), run.net.predict(run.data.X))
    final = document["final"]
    assert final["epoch"] == 300 and final["loss"] == run.history.final_loss
    assert final["test_accuracy"] == run.history.test_accuracy[-1]
    assert document["data"] == {"name": "moons (train)", "training_points": 30, "test_points": 10}
    assert document["verdict"]["kind"] == run.verdict.kind


def test_network_json_of_a_diverged_run_is_strict_json():
    run = train_run(config(arch="2-4-1", activation="linear", loss="bce", lr=10.0, seed=0,
                       epochs=200))
    assert run.verdict.kind == Kind.DIVERGED

    def refuse(constant):
        raise AssertionError(f"{constant} is not JSON")

    document = json.loads(network_json(run), parse_constant=refuse)
    assert document["final"]["epoch"] == int(run.history.epochs[-1])


def test_history_csv_holds_every_recorded_number_exactly():
    run = train_run(config(arch="2-2-2-1", epochs=120, dataset="circle", points=40,
                       test_share=0.25))
    table = pd.read_csv(io.StringIO(history_csv(run)))
    history = run.history
    assert list(table.columns) == ["epoch", "loss", "accuracy", "grad_norm_layer_1",
                                   "grad_norm_layer_2", "grad_norm_layer_3", "test_loss",
                                   "test_accuracy"]
    assert np.array_equal(table["epoch"], np.arange(121))
    assert np.array_equal(table["loss"], history.loss)
    assert np.array_equal(table[["grad_norm_layer_1", "grad_norm_layer_2",
                                 "grad_norm_layer_3"]].to_numpy(), history.grad_norms)
    assert np.array_equal(table["test_accuracy"], history.test_accuracy)
    plain = pd.read_csv(io.StringIO(history_csv(train_run(config(epochs=10)))))
    assert "test_loss" not in plain.columns and len(plain) == 11


# --- training in chunks, the run so far, the untrained run ---------------------------------

class StopClickedError(Exception):
    """What Streamlit does to a script run when the learner clicks: raise at the next redraw."""


def test_progress_chunks_do_not_change_what_is_trained():
    settings = config(arch="2-2-1", seed=3, epochs=3000, batch=2)
    calls = []
    chunked = train_run(settings, progress=calls.append)
    net = MLP([2, 2, 1], seed=3)
    direct = net.train(XOR_X, XOR_Y, settings.lr, 3000, batch_size=2)
    assert len(calls) >= runs.CHUNKS
    assert [call.fraction for call in calls] == sorted(call.fraction for call in calls)
    assert calls[-1].fraction == 1.0
    np.testing.assert_array_equal(chunked.history.loss, direct.loss)
    np.testing.assert_array_equal(chunked.net.weights[0], net.weights[0])


def test_a_training_cut_short_keeps_the_run_as_far_as_it_got():
    settings = config(arch="2-4-1", epochs=5000)
    kept = {}

    def progress(now):
        if now.fraction >= 0.4:
            kept["run"] = now.run
            raise StopClickedError

    with pytest.raises(StopClickedError):
        train_run(settings, progress=progress)
    stopped = kept["run"]()
    epochs = stopped.epochs
    assert 0 < epochs < 5000
    reference = MLP([2, 4, 1], seed=settings.seed)
    history = reference.train(XOR_X, XOR_Y, settings.lr, epochs)
    np.testing.assert_array_equal(stopped.history.loss, history.loss)
    assert stopped.snapshot_epochs[-1] == epochs
    np.testing.assert_array_equal(stopped.network_at(epochs).weights[1], reference.weights[1])
    assert stopped.verdict is not None and kept["run"](judged=False).verdict is None
    more = runs_extend(stopped, 5000 - epochs)   # and it trains on to what the whole run gives
    whole = train_run(settings)
    np.testing.assert_array_equal(more.history.loss, whole.history.loss)


def test_the_untrained_run_is_epoch_0_of_the_engine():
    settings = config(dataset="moons", points=60, test_share=0.25)
    before = runs.untrained(settings)
    train_set, test_set = runs.datasets(settings)
    net = MLP(settings.layer_sizes, seed=settings.seed)
    assert before.verdict is None and before.epochs == 0 and before.snapshot_epochs == [0]
    assert before.history.final_loss == pytest.approx(net.loss(train_set.X, train_set.y),
                                                      rel=1e-12)
    assert before.history.test_loss[0] == pytest.approx(net.loss(test_set.X, test_set.y),
                                                        rel=1e-12)
    np.testing.assert_array_equal(before.net.weights[0], net.weights[0])
    assert runs.untrained(settings.replace(epochs=17)) is before   # shared: epochs do not matter
