"""Gradients shrinking towards the input: measured per parameter, said only as measured."""

import numpy as np

import data
from formats import number, percent
from inspection import vanishing
from network import MLP, History

XOR = data.make("xor")


def trained(sizes=(2, 4, 1), activation="sigmoid", epochs=2000, seed=123):
    net = MLP(list(sizes), activation, seed=seed)
    return net.train(XOR.X, XOR.y, 0.3, epochs)


def test_layers_are_compared_per_parameter_and_counted_epoch_by_epoch():
    history = trained()
    found = vanishing.shrinking(history, [2, 4, 1])
    raw = history.grad_norms
    # 12 parameters in layer 1 (8 weights, 4 biases), 5 in layer 2
    np.testing.assert_allclose(found.per_parameter[:, 0], raw[:, 0] / np.sqrt(12))
    np.testing.assert_allclose(found.per_parameter[:, 1], raw[:, 1] / np.sqrt(5))
    expected = (raw[:, 0] / np.sqrt(12) < raw[:, 1] / np.sqrt(5)).mean()
    assert found.share[0] == expected
    assert found.ratio_at(0)[0] == (raw[0, 1] / np.sqrt(5)) / (raw[0, 0] / np.sqrt(12))


def test_the_sentences_carry_the_measured_share_and_the_first_epochs_ratio():
    history = trained()
    found = vanishing.shrinking(history, [2, 4, 1])
    said = vanishing.sentences(history, [2, 4, 1], "sigmoid", 0.3)
    assert percent(found.share[0]) in said[0] and f"{len(history.epochs):,} epochs" in said[0]
    assert number(found.ratio_at(0)[0]) in said[0]
    assert not any("σ′ ≤ ¼" in sentence for sentence in said)   # one sigmoid hidden layer
    assert "η = 0.3" in said[-1]


def test_the_sigmoid_argument_appears_only_with_two_or_more_sigmoid_hidden_layers():
    deep = trained((2, 4, 4, 1), epochs=300)
    assert any("2 sigmoid hidden layers" in s
               for s in vanishing.sentences(deep, [2, 4, 4, 1], "sigmoid", 0.3))
    assert not any("σ′" in s for s in vanishing.sentences(deep, [2, 4, 4, 1], "tanh", 0.3))


def test_a_run_that_never_shrinks_is_said_to_show_none():
    epochs = np.arange(3)
    norms = np.array([[3.0, 1.0], [2.0, 1.0], [4.0, 1.0]])   # layer 1's is larger throughout
    history = History(epochs, np.ones(3), np.ones(3), norms)
    said = vanishing.sentences(history, [2, 2, 1], "sigmoid", 0.5)
    assert f"in {percent(0.0)} of the 3 epochs" in said[0] and "it is not smaller" in said[0]
    assert any("no shrinking" in s for s in said)


def test_the_gradients_size_is_set_against_the_later_epochs():
    history = trained()
    total = np.sqrt((history.grad_norms ** 2).sum(axis=1))
    sentence = vanishing.size_sentence(history, 0)
    assert number(total[0]) in sentence
    assert percent((total[1:] < total[0]).mean()) in sentence
    assert number(float(np.median(total[1:]))) in sentence
    assert vanishing.size_sentence(history, len(total) - 1).endswith(f"{number(total[-1])}.")
