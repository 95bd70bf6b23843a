"""Unit tests for the pure parts of tabs/controls.py: parsing, link values, Config, presets."""

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from network import ACTIVATIONS, INITS, LOSSES, MLP, XOR_X, XOR_Y
from tabs.controls import (
    DEFAULT_VALUES,
    LEARNING_RATES,
    LINKED_KEYS,
    PRESETS,
    Config,
    _from_link,
    nearest_learning_rate,
    parse_architecture,
)
from verdict import judge

# The kinds verdict.judge returns (see the Verdict dataclass and test_verdict.py).
VERDICT_KINDS = {"converged", "improving", "plateau", "crawling", "stuck", "oscillating",
                 "diverged"}


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
])
def test_from_link_reads_good_values(key, text, value):
    read = _from_link(key, text)
    assert read == value and type(read) is type(value)


@pytest.mark.parametrize("key, text", [
    ("arch", "2-9-1"), ("arch", "banana"),
    ("lr", "abc"), ("lr", "-1"), ("lr", "0"), ("lr", "inf"), ("lr", "nan"), ("lr", ""),
    ("epochs", "0"), ("epochs", "50001"), ("epochs", "-5"), ("epochs", "1.5"), ("epochs", ""),
    ("seed", "-1"), ("seed", "1.5"), ("seed", str(2**31)), ("seed", "abc"),
    ("activation", "swish"), ("activation", "Tanh"),
    ("loss", "hinge"), ("init", "orthogonal"),
])
def test_from_link_rejects_bad_values(key, text):
    with pytest.raises(ValueError):
        _from_link(key, text)


@pytest.mark.parametrize("key, text, phrase", [
    ("epochs", "0", "between 1 and 50,000"),
    ("epochs", "50001", "between 1 and 50,000"),
    ("epochs", "ten", "epochs must be a whole number"),
    ("seed", "-1", "seed must be a whole number"),
    ("seed", str(2**31), "between 0 and 2,147,483,647"),
    ("lr", "inf", "learning rate must be a number > 0"),
    ("activation", "swish", "sigmoid, tanh, relu, linear"),
    ("loss", "hinge", "mse, bce"),
    ("init", "orthogonal", "xavier, he, uniform"),
])
def test_from_link_says_what_a_good_value_looks_like(key, text, phrase):
    with pytest.raises(ValueError) as error:
        _from_link(key, text)
    assert phrase in str(error.value)


def valid_widget_value(key, value):
    if key == "arch":
        return parse_architecture(value) is not None
    if key == "lr":
        return value in LEARNING_RATES
    if key == "epochs":
        return isinstance(value, int) and 1 <= value <= 50_000
    if key == "seed":
        return isinstance(value, int) and 0 <= value <= 2**31 - 1
    return value in {"activation": ACTIVATIONS, "loss": LOSSES, "init": INITS}[key]


@settings(max_examples=60, deadline=None)
@pytest.mark.parametrize("key", LINKED_KEYS)
@given(text=st.text(max_size=30) | st.from_regex(r"\A-?[0-9]{0,12}(\.[0-9]{0,3})?\Z"))
def test_from_link_on_any_text_returns_a_widget_value_or_raises_value_error(key, text):
    try:
        value = _from_link(key, text)
    except ValueError:
        return
    assert valid_widget_value(key, value)


# --- Config --------------------------------------------------------------------------------

BASE = Config((2, 4, 1), "sigmoid", "mse", "xavier", 0.3, 5000, 123)
CHANGED = {"layer_sizes": (2, 2, 1), "activation": "tanh", "loss": "bce", "init": "he",
           "learning_rate": 0.5, "seed": 42}


def test_config_same_network_ignores_the_epoch_count():
    longer = dataclasses.replace(BASE, epochs=20_000)
    assert BASE.same_network(longer) and longer.same_network(BASE)
    assert BASE.same_network(BASE)


@pytest.mark.parametrize("field, value", list(CHANGED.items()))
def test_config_same_network_notices_every_other_setting(field, value):
    other = dataclasses.replace(BASE, **{field: value})
    assert not BASE.same_network(other) and not other.same_network(BASE)


def test_config_fields_are_exactly_the_checked_ones_plus_epochs():
    fields = {field.name for field in dataclasses.fields(Config)}
    assert fields == set(CHANGED) | {"epochs"}


def test_config_arch_joins_the_layer_sizes_with_dashes():
    assert BASE.arch == "2-4-1"
    assert dataclasses.replace(BASE, layer_sizes=(2, 8, 8, 1)).arch == "2-8-8-1"


# --- presets -------------------------------------------------------------------------------

def test_preset_keys_are_unique():
    keys = [preset.key for preset in PRESETS]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("preset", PRESETS, ids=lambda preset: preset.key)
def test_preset_settings_are_real_widget_keys_with_values_the_widgets_take(preset):
    assert set(preset.settings) <= set(DEFAULT_VALUES)
    for key, value in preset.settings.items():
        assert _from_link(key, str(value)) == value


@pytest.mark.parametrize("preset", PRESETS, ids=lambda preset: preset.key)
def test_preset_expects_a_kind_of_verdict_that_judge_returns(preset):
    assert preset.expected in VERDICT_KINDS


def test_default_values_are_values_the_widgets_take():
    for key, value in DEFAULT_VALUES.items():
        assert _from_link(key, str(value)) == value
    assert set(DEFAULT_VALUES) == set(LINKED_KEYS)


@pytest.mark.parametrize("preset", PRESETS, ids=lambda preset: preset.key)
def test_preset_run_gets_the_verdict_its_text_promises(preset):
    values = {**DEFAULT_VALUES, **preset.settings}
    sizes = parse_architecture(values["arch"])
    net = MLP(sizes, values["activation"], values["loss"], values["init"], values["seed"])
    history = net.train(XOR_X, XOR_Y, values["lr"], values["epochs"])
    forward = net.forward(XOR_X)
    verdict = judge(history, XOR_X, XOR_Y, forward.output, values["lr"],
                    forward.activations[1:-1], values["activation"])
    outputs = forward.output.ravel()
    assert verdict.kind == preset.expected
    if preset.key == "seed_42":   # "stalls on a plateau with two inputs undecided"
        assert sum(abs(o - 0.5) < 0.05 for o in outputs) == 2
    if preset.key == "lr_high":   # "ends above where it started"
        assert history.loss[-1] > history.loss[0]
    if preset.key == "lr_low":    # "every output is still near 0.5"
        assert np.all(np.abs(outputs - 0.5) < 0.05)
