"""docs/backprop_calculus.md: one step of gradient descent on a 2-2-1 network, by hand."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from data import make as make_dataset
from docs.formatting import (
    DIGITS,
    HEADER,
    arch,
    data,
    display,
    listing,
    matrix,
    num,
    par,
    paragraphs,
    rate,
    row,
    table,
    tex,
)
from inspection.latex import ACTIVATION_FORMULAS, LOSS_FORMULAS
from network import ACTIVATIONS, LOSSES, MLP, numerical_gradients
from runs import DEFAULTS

EXAMPLE = 2   # the row of XOR_X followed through the network: x = (1, 0), y = 1
CALCULUS_SIZES = (2, 2, 1)
SIGMOID = ACTIVATIONS["sigmoid"]
MSE, BCE = LOSSES["mse"], LOSSES["bce"]


def close(a, b):
    return np.allclose(a, b, rtol=1e-9, atol=1e-15)


def calculus_network(loss="mse"):
    """The 2-2-1 sigmoid network of the calculus document, at its initial weights."""
    return MLP(CALCULUS_SIZES, "sigmoid", loss, DEFAULTS.init, DEFAULTS.seed)


def parameter_names(net):
    """LaTeX names of every weight and bias, in the order of `flatten`."""
    names = []
    for layer, (W, b) in enumerate(zip(net.weights, net.biases), start=1):
        names += [f"w^{{({layer})}}_{{{i + 1}{j + 1}}}"
                  for i in range(W.shape[0]) for j in range(W.shape[1])]
        names += [f"b^{{({layer})}}_{{{j + 1}}}" for j in range(b.shape[0])]
    return names


def flatten(weights, biases):
    """Every weight and bias in one vector: W1, b1, W2, b2, ..."""
    return np.concatenate([part.ravel() for W, b in zip(weights, biases) for part in (W, b)])


def _defaults_sentence():
    """Which settings of the calculus network are the app's defaults, and which are not."""
    choices = [("network", arch(CALCULUS_SIZES), arch(DEFAULTS.layer_sizes)),
               ("hidden activation", "sigmoid", DEFAULTS.activation),
               ("loss", "mse", DEFAULTS.loss)]
    same = [f"the {name}" for name, mine, default in choices if mine == default]
    other = [f"the app's default {name} is {default}" for name, mine, default in choices
             if mine != default]
    text = listing(same + ["the initialization", "the seed", "the learning rate"])
    text = text[0].upper() + text[1:] + " are the app's defaults"
    return text + ("; " + listing(other) if other else "") + "."


def _calculus_intro(lr):
    defaults = " " + _defaults_sentence()
    layers = (r"z^{(1)} = x\,W^{(1)} + b^{(1)}, \qquad a^{(1)} = \sigma(z^{(1)}), \qquad "
              r"z^{(2)} = a^{(1)} W^{(2)} + b^{(2)}, \qquad a^{(2)} = \sigma(z^{(2)})")
    f, f_prime = ACTIVATION_FORMULAS["sigmoid"]
    sigmoid = f + r", \qquad \sigma'(z) = " + f_prime
    return paragraphs(
        HEADER,
        "# Backpropagation by hand: one forward pass, one backward pass, one update",
        f"""This page follows one network through one step of gradient descent, with every
number written out. The network has 2 inputs, 2 sigmoid hidden units and 1 sigmoid output
(2-2-1). It learns XOR with the loss `mse`, starts from `{DEFAULTS.init}` initial weights
drawn with seed {DEFAULTS.seed}, and takes steps with learning rate η = {rate(lr)}.{defaults}""",
        f"""The numbers are computed by `network.py` when this page is generated, and shown
with {DIGITS} significant digits. The engine keeps full precision, so the last digit of a
result can differ from what the rounded numbers beside it give.""",
        "## The network",
        """Examples are rows. Each layer multiplies the row vector of its inputs by a weight
matrix, adds a bias, and applies its activation function:""",
        display(layers),
        "with the sigmoid and its derivative",
        display(sigmoid),
        """The weight $w^{(1)}_{ij}$ connects input $i$ to hidden unit $j$, so $W^{(1)}$ is
2×2 and $W^{(2)}$ is 2×1. The loss over the $n$ examples is""",
        display(LOSS_FORMULAS["mse"]),
    )


def _initial_section(net):
    W1, b1, W2, b2 = net.weights[0], net.biases[0], net.weights[1], net.biases[1]
    return paragraphs(
        "## The initial weights and biases",
        display(f"W^{{(1)}} = {matrix(W1)}, \\qquad b^{{(1)}} = {row(b1)}, \\qquad "
                f"W^{{(2)}} = {matrix(W2)}, \\qquad b^{{(2)}} = {row(b2)}"),
    )


def _sigmoid_of(z):
    """1 / (1 + e^{-z}) with z substituted."""
    exponent = tex(-z) if z <= 0 else "-" + tex(z)
    return f"\\frac{{1}}{{1 + e^{{{exponent}}}}}"


def _bracket(cells):
    return r"\begin{bmatrix} " + " & ".join(cells) + r" \end{bmatrix}"


def _forward_section(net, x, y):
    forward = net.forward(x)
    z1, a1 = forward.pre_activations[0][0], forward.activations[1][0]
    z2, a2 = forward.pre_activations[1][0, 0], forward.output[0, 0]
    W1, b1, W2, b2 = net.weights[0], net.biases[0], net.weights[1], net.biases[1]
    x1, x2, target = x[0, 0], x[0, 1], y[0, 0]
    loss = net.loss(x, y)
    assert close(loss, (a2 - target) ** 2)
    z1_sums = [f"{data(x1)} \\cdot {par(W1[0, j])} + {data(x2)} \\cdot {par(W1[1, j])} "
               f"+ {par(b1[j])}" for j in range(2)]
    return paragraphs(
        f"## Forward pass for one example: x = ({data(x1)}, {data(x2)}), y = {data(target)}",
        "The hidden layer:",
        display(r"z^{(1)} &= x\,W^{(1)} + b^{(1)}",
                f"&= {row([x1, x2], data)} {matrix(W1)} + {row(b1)}",
                "&= " + _bracket(z1_sums),
                f"&= {row(z1)}"),
        display(r"a^{(1)} &= \sigma(z^{(1)})",
                "&= " + _bracket(_sigmoid_of(z) for z in z1),
                f"&= {row(a1)}"),
        "The output unit:",
        display(r"z^{(2)} &= a^{(1)} W^{(2)} + b^{(2)}",
                f"&= {par(a1[0])} \\cdot {par(W2[0, 0])} + {par(a1[1])} \\cdot "
                f"{par(W2[1, 0])} + {par(b2[0])}",
                f"&= {tex(z2)}"),
        display(r"a^{(2)} &= \sigma(z^{(2)})",
                f"&= {_sigmoid_of(z2)}",
                f"&= {tex(a2)}"),
        "The loss of this one example is its squared error (the engine's `mse` on a batch "
        "of one):",
        display(r"\ell &= (a^{(2)} - y)^2",
                f"&= ({tex(a2)} - {data(target)})^2",
                f"&= {tex(loss)}"),
    )


@dataclass(frozen=True)
class OneExample:
    """The backward pass of one example, from the engine, with its factors."""

    x: np.ndarray
    y: np.ndarray
    a1: np.ndarray
    a2: float
    dl_da2: float
    s2: float          # sigma'(z2)
    delta2: float
    s1: np.ndarray     # sigma'(z1)
    delta1: np.ndarray
    dw1: np.ndarray
    db1: np.ndarray
    dw2: np.ndarray
    db2: np.ndarray


def one_example(net, x, y):
    """The backward pass of one example, checked factor by factor against the engine."""
    forward = net.forward(x)
    z1, a1 = forward.pre_activations[0][0], forward.activations[1][0]
    z2, a2 = forward.pre_activations[1][0, 0], forward.output[0, 0]
    gradients = net.gradients(x, y)
    result = OneExample(
        x=x[0], y=y[0], a1=a1, a2=a2,
        dl_da2=float(MSE.dterm_da(a2, y[0, 0])),
        s2=float(SIGMOID.f_prime(z2, a2)),
        delta2=gradients.deltas[1][0, 0],
        s1=SIGMOID.f_prime(z1, a1),
        delta1=gradients.deltas[0][0],
        dw1=gradients.weights[0], db1=gradients.biases[0],
        dw2=gradients.weights[1], db2=gradients.biases[1],
    )
    W2 = net.weights[1][:, 0]
    assert close(result.delta2, result.dl_da2 * result.s2)
    assert close(result.dw2[:, 0], a1 * result.delta2)
    assert close(result.delta1, result.delta2 * W2 * result.s1)
    assert close(result.dw1, np.outer(x[0], result.delta1))
    return result


def _backward_section(net, ex):
    W2 = net.weights[1][:, 0]
    x1, x2 = ex.x
    d1 = ex.delta1
    return paragraphs(
        "## Backward pass for the same example",
        r"""The chain rule, applied from the loss back to the first layer. Here we
differentiate the example's own loss $\ell$; the gradient of the batch loss $L$ is the mean
of these over the four examples (next section).""",
        "How the loss changes with the output, and the output with its input $z^{(2)}$:",
        display(r"\frac{\partial \ell}{\partial a^{(2)}} &= 2\,(a^{(2)} - y)",
                f"&= 2\\,({tex(ex.a2)} - {data(ex.y[0])})",
                f"&= {tex(ex.dl_da2)}"),
        display(r"\sigma'(z^{(2)}) &= a^{(2)}\,(1 - a^{(2)})",
                f"&= {tex(ex.a2)} \\cdot (1 - {tex(ex.a2)})",
                f"&= {tex(ex.s2)}"),
        "Their product is the output delta, the derivative of the loss with respect to "
        "$z^{(2)}$:",
        display(r"\delta^{(2)} &= \frac{\partial \ell}{\partial a^{(2)}} \cdot \sigma'(z^{(2)})",
                f"&= {par(ex.dl_da2)} \\cdot {par(ex.s2)}",
                f"&= {tex(ex.delta2)}"),
        "Each output weight receives the delta times the activation it multiplies; the bias "
        "multiplies 1:",
        display(r"\frac{\partial \ell}{\partial W^{(2)}} &= a^{(1)\top} \delta^{(2)}",
                f"&= {matrix([[ex.a1[0]], [ex.a1[1]]])} \\cdot {par(ex.delta2)}",
                "&= " + matrix([[f"{par(a)} \\cdot {par(ex.delta2)}"] for a in ex.a1], str),
                f"&= {matrix(ex.dw2)}"),
        display(r"\frac{\partial \ell}{\partial b^{(2)}} &= \delta^{(2)}",
                f"&= {row(ex.db2)}"),
        "The delta travels back through $W^{(2)}$ and through the derivative of each hidden "
        r"sigmoid ($\odot$ multiplies element by element):",
        display(r"\sigma'(z^{(1)}) &= a^{(1)} \odot (1 - a^{(1)})",
                "&= " + _bracket(f"{tex(a)} \\cdot (1 - {tex(a)})" for a in ex.a1),
                f"&= {row(ex.s1)}"),
        display(r"\delta^{(1)} &= (\delta^{(2)}\, W^{(2)\top}) \odot \sigma'(z^{(1)})",
                f"&= \\left({par(ex.delta2)} \\cdot {row(W2)}\\right) \\odot {row(ex.s1)}",
                "&= " + _bracket(f"{par(ex.delta2)} \\cdot {par(W2[j])} \\cdot {par(ex.s1[j])}"
                                 for j in range(2)),
                f"&= {row(d1)}"),
        "Each first-layer weight receives its input times the delta of the unit it feeds:",
        display(r"\frac{\partial \ell}{\partial W^{(1)}} &= x^{\top} \delta^{(1)}",
                f"&= {matrix([[x1], [x2]], data)} {row(d1)}",
                "&= " + matrix([[f"{data(xi)} \\cdot {par(dj)}" for dj in d1] for xi in (x1, x2)],
                               str),
                f"&= {matrix(ex.dw1)}"),
        display(r"\frac{\partial \ell}{\partial b^{(1)}} &= \delta^{(1)}",
                f"&= {row(ex.db1)}"),
    )


def _chain_section(net, ex):
    factors = [
        (r"\partial \ell / \partial a^{(2)}", r"2\,(a^{(2)} - y)", ex.dl_da2),
        (r"\partial a^{(2)} / \partial z^{(2)}", r"\sigma'(z^{(2)})", ex.s2),
        (r"\partial z^{(2)} / \partial a^{(1)}_1", r"w^{(2)}_{11}", net.weights[1][0, 0]),
        (r"\partial a^{(1)}_1 / \partial z^{(1)}_1", r"\sigma'(z^{(1)}_1)", ex.s1[0]),
        (r"\partial z^{(1)}_1 / \partial w^{(1)}_{11}", r"x_1", ex.x[0]),
    ]
    product = math.prod(value for _, _, value in factors)
    assert close(product, ex.dw1[0, 0])
    rows = [[f"${name}$", f"${meaning}$", num(value)] for name, meaning, value in factors[:-1]]
    rows.append([f"${factors[-1][0]}$", f"${factors[-1][1]}$", data(ex.x[0])])
    return paragraphs(
        "### One weight, the whole chain",
        r"""The weight $w^{(1)}_{11}$ (input 1 to hidden unit 1) affects the loss only through
$z^{(1)}_1 \to a^{(1)}_1 \to z^{(2)} \to a^{(2)} \to \ell$. Its derivative is the product of
one local derivative per arrow:""",
        table(["factor", "equals", "value"], rows),
        display(r"\frac{\partial \ell}{\partial w^{(1)}_{11}} &= 2\,(a^{(2)} - y) \cdot "
                r"\sigma'(z^{(2)}) \cdot w^{(2)}_{11} \cdot \sigma'(z^{(1)}_1) \cdot x_1",
                "&= " + r" \cdot ".join([*(par(value) for _, _, value in factors[:-1]),
                                          data(ex.x[0])]),
                f"&= {tex(ex.dw1[0, 0])}"),
        r"""This is the top-left entry of $\partial \ell / \partial W^{(1)}$ above. Every other
weight's derivative is a product of the same kind; backpropagation computes all of them at
once by reusing the shared factors, the deltas.""",
    )


def _ordinal(n):
    return {2: "half", 3: "third", 4: "quarter"}.get(n, f"1/{n}")


def _batch_section(net):
    n = len(XOR_Y)
    forward = net.forward(XOR_X)
    outputs = forward.output[:, 0]
    terms = MSE.term(forward.pre_activations[-1], forward.output, XOR_Y)[:, 0]
    loss = net.loss(XOR_X, XOR_Y)
    assert close(loss, terms.mean())
    names = parameter_names(net)
    per_example = np.array([
        flatten(g.weights, g.biases)
        for g in (net.gradients(XOR_X[i:i + 1], XOR_Y[i:i + 1]) for i in range(n))])
    batch = net.gradients(XOR_X, XOR_Y)
    mean = per_example.mean(axis=0)
    assert close(mean, flatten(batch.weights, batch.biases))
    single = net.gradients(XOR_X[EXAMPLE:EXAMPLE + 1], XOR_Y[EXAMPLE:EXAMPLE + 1])
    single_delta = single.deltas[1][0, 0]
    batch_delta = batch.deltas[1][EXAMPLE, 0]
    assert close(batch_delta, single_delta / n)

    loss_rows = [[f"({data(X[0])}, {data(X[1])})", data(Y[0]), num(a), num(t)]
                 for X, Y, a, t in zip(XOR_X, XOR_Y, outputs, terms)]
    columns = [f"x = ({data(X[0])}, {data(X[1])})" for X in XOR_X]
    grad_rows = [[f"${name}$", *(num(g) for g in per_example[:, k]), num(mean[k])]
                 for k, name in enumerate(names)]
    k = names.index(r"w^{(2)}_{11}")
    return paragraphs(
        "## The whole batch",
        f"Gradient descent here is full-batch: one update uses all {n} XOR examples.",
        "### The loss",
        table(["x", "y", "output a", "squared error ℓ"], loss_rows),
        display(r"L &= \frac{1}{n} \sum_i \ell_i = \frac{1}{" + str(n) + r"}\left("
                + " + ".join(f"\\ell_{i + 1}" for i in range(n)) + r"\right)",
                f"&= \\frac{{1}}{{{n}}}\\left(" + " + ".join(tex(t) for t in terms) + r"\right)",
                f"&= {tex(loss)}"),
        "### Per-example gradients and their mean",
        r"""Because $L$ is the mean of the $\ell_i$, its gradient is the mean of their
gradients. Each column below is one example's gradient, computed exactly as in the backward
pass above; the last column is their mean, the gradient the update uses.""",
        table(["parameter", *columns, "mean: ∂L/∂θ"], grad_rows),
        "For one parameter, written out:",
        display(f"\\frac{{\\partial L}}{{\\partial {names[k]}}} &= \\frac{{1}}{{{n}}} "
                f"\\sum_i \\frac{{\\partial \\ell_i}}{{\\partial {names[k]}}}",
                f"&= \\frac{{1}}{{{n}}}\\left("
                + " + ".join(par(g) for g in per_example[:, k]) + r"\right)",
                f"&= {tex(mean[k])}"),
        f"""The engine does not loop over examples. It puts the $1/n$ into the output delta of
every row at once, $\\delta^{{(2)}}_i = 2\\,(a_i - y_i)\\,\\sigma'(z^{{(2)}}_i) / n$, and the
product $a^{{(1)\\top}} \\delta^{{(2)}}$ then sums over the rows. For x = (1, 0) that row of
the batch delta is ${tex(batch_delta)}$, one {_ordinal(n)} of the single-example
$\\delta^{{(2)}} = {tex(single_delta)}$. `MLP.gradients` on the whole batch returns the same
{len(names)} numbers as the last column of the table.""",
    )


def _update_section(net, lr):
    names = parameter_names(net)
    outputs_before = net.predict(XOR_X)[:, 0]
    step = net.copy().step(XOR_X, XOR_Y, lr)
    after = net.copy()
    after.set_parameters(step.weights_after, step.biases_after)
    outputs_after = after.predict(XOR_X)[:, 0]
    before = flatten(step.weights_before, step.biases_before)
    gradient = flatten(step.gradients.weights, step.gradients.biases)
    new = flatten(step.weights_after, step.biases_after)
    assert close(new, before - lr * gradient)
    assert close(step.loss_after, after.loss(XOR_X, XOR_Y))
    rows = [[f"${name}$", num(b), num(g), num(-lr * g), num(a)]
            for name, b, g, a in zip(names, before, gradient, new)]
    change = step.loss_after - step.loss_before
    direction = "fell" if change < 0 else "rose" if change > 0 else "did not change"
    output_rows = [[f"({data(X[0])}, {data(X[1])})", data(Y[0]), num(b), num(a)]
                   for X, Y, b, a in zip(XOR_X, XOR_Y, outputs_before, outputs_after)]
    return paragraphs(
        "### The update",
        f"Every parameter moves against its gradient, scaled by the learning rate η = {rate(lr)}:",
        display(r"\theta \leftarrow \theta - \eta\,\frac{\partial L}{\partial \theta}"),
        table(["parameter θ", "before", "∂L/∂θ", "−η · ∂L/∂θ", "after"], rows),
        "For the first weight:",
        display(r"w^{(1)}_{11} &\leftarrow w^{(1)}_{11} - \eta\,\frac{\partial L}{\partial "
                r"w^{(1)}_{11}}",
                f"&= {tex(before[0])} - {rate(lr)} \\cdot {par(gradient[0])}",
                f"&= {tex(new[0])}"),
        "The loss of the whole batch before and after this one update (`MLP.step` reports "
        "both, as `loss_before` and `loss_after`):",
        display(r"L_{\text{before}} = " + tex(step.loss_before) + r" \quad\longrightarrow\quad "
                r"L_{\text{after}} = " + tex(step.loss_after)),
        f"""The loss {direction} by {num(abs(change))}, that is by
{num(abs(change) / step.loss_before * 100, 3)}% of its value. The outputs moved as
follows:""",
        table(["x", "y", "output before", "output after"], output_rows),
    )


def _convention_section(net):
    names = parameter_names(net)
    numeric = numerical_gradients(net, XOR_X, XOR_Y)
    analytic = net.gradients(XOR_X, XOR_Y)
    c = flatten(numeric.weights, numeric.biases)
    g = flatten(analytic.weights, analytic.biases)
    half = g / 2

    def worst(estimate):
        scale = np.maximum(np.maximum(np.abs(estimate), np.abs(c)), np.finfo(float).tiny)
        return float(np.max(np.abs(estimate - c) / scale))

    exact_error, half_error = worst(g), worst(half)
    exact_text = (f"is below $10^{{{math.ceil(math.log10(exact_error))}}}$" if exact_error > 0
                  else "is 0")
    rows = [[f"${name}$", num(ci), num(gi), num(hi)] for name, ci, gi, hi in zip(names, c, g, half)]
    return paragraphs(
        "## The loss convention",
        "The engine's `mse` is the plain mean of the squared errors, with no factor 1/2:",
        display(LOSS_FORMULAS["mse"] + r", \qquad \frac{\partial L}{\partial a_i} = "
                r"\frac{2\,(a_i - y_i)}{n}"),
        r"""Many texts use $\frac{1}{2n}\sum_i (a_i - y_i)^2$ instead, whose derivative is
$(a_i - y_i)/n$. Either is fine on its own. Mixed, they are wrong: a program that shows the
loss above but back-propagates $(a_i - y_i)/n$ computes exactly half the gradient of the
loss it shows. It still trains, as if the learning rate were halved, which is why the
mistake is easy to miss. A finite-difference check catches it.""",
        r"""For the network above at its initial weights, on all four examples: the central
differences $(L(\theta + \varepsilon) - L(\theta - \varepsilon)) / 2\varepsilon$ from
`numerical_gradients`, the backpropagated gradient from `MLP.gradients`, and what the
half-gradient mistake would give:""",
        table(["parameter", "central difference", "backpropagation", "half of it"], rows),
        f"""The largest relative error of backpropagation against the central differences
{exact_text}; the largest relative error of the half gradient is {num(half_error, 3)}.""",
    )


def _bce_section(net):
    bce_net = calculus_network("bce")
    assert all(np.array_equal(a, b) for a, b in zip(bce_net.weights, net.weights))
    n = len(XOR_Y)
    a = bce_net.predict(XOR_X)[EXAMPLE, 0]
    y = XOR_Y[EXAMPLE, 0]
    delta_bce = bce_net.gradients(XOR_X, XOR_Y).deltas[-1][EXAMPLE, 0]
    delta_mse = net.gradients(XOR_X, XOR_Y).deltas[-1][EXAMPLE, 0]
    dterm_da = BCE.dterm_da(a, y)
    s = SIGMOID.f_prime(None, a)
    assert close(delta_bce, dterm_da * s / n) and close(delta_bce, (a - y) / n)
    wrong, target = np.array([0.01]), np.array([1.0])   # a confidently wrong output
    wrong_mse, wrong_bce = MSE.dterm_dz(wrong, target)[0], BCE.dterm_dz(wrong, target)[0]
    ratio, wrong_ratio = abs(delta_bce / delta_mse), abs(wrong_bce / wrong_mse)
    wrong_gap = (": the factor $a(1 - a)$ that `mse` keeps makes a saturated wrong output "
                 "learn slowly" if wrong_ratio > ratio else "")
    return paragraphs(
        "## Binary cross-entropy: the sigmoid's derivative cancels",
        "With the loss `bce`,",
        display(LOSS_FORMULAS["bce"]),
        r"""the derivative with respect to an output is
$\frac{1}{n}\frac{a_i - y_i}{a_i(1 - a_i)}$, and the output sigmoid multiplies it by
$\sigma'(z) = a_i(1 - a_i)$. The two cancel, so the output delta is simply""",
        display(r"\delta^{(2)}_i = \frac{a_i - y_i}{n}"),
        f"""The same network with the loss `bce` (the initial weights do not depend on the
loss), for x = (1, 0) in the batch of {n}:""",
        display(r"\delta^{(2)} &= \frac{1}{n}\,\frac{a - y}{a\,(1 - a)} \cdot a\,(1 - a)",
                f"&= \\frac{{1}}{{{n}}} \\cdot {par(dterm_da)} \\cdot {par(s)}",
                f"&= \\frac{{{tex(a)} - {data(y)}}}{{{n}}} = {tex(delta_bce)}"),
        f"""With `mse` the same row of the output delta is
$2\\,(a - y)\\,a\\,(1 - a)/n = {tex(delta_mse)}$: in size, the `bce` delta is
{num(ratio, 3)} times the `mse` delta. For an output of {data(wrong[0])} with target 1, a
confidently wrong output, the derivative of the example's loss with respect to $z$ is
{tex(wrong_mse)} with `mse` but {tex(wrong_bce)} with `bce`, {num(wrong_ratio, 3)} times
as large in size{wrong_gap}.""",
    )


CALCULUS_REFERENCES = """## References

- D. E. Rumelhart, G. E. Hinton, R. J. Williams, "Learning representations by
  back-propagating errors", Nature 323 (1986) 533–536.
- X. Glorot, Y. Bengio, "Understanding the difficulty of training deep feedforward neural
  networks", AISTATS 2010 (the `xavier` initialization: variance 2 / (n_in + n_out)).
"""


def calculus_text():
    """The text of docs/backprop_calculus.md."""
    lr = DEFAULTS.lr
    net = calculus_network()
    x, y = XOR_X[EXAMPLE:EXAMPLE + 1], XOR_Y[EXAMPLE:EXAMPLE + 1]
    example = one_example(net, x, y)
    return "\n".join([
        _calculus_intro(lr),
        _initial_section(net),
        _forward_section(net, x, y),
        _backward_section(net, example),
        _chain_section(net, example),
        _batch_section(net),
        _update_section(net, lr),
        _convention_section(net),
        _bce_section(net),
        CALCULUS_REFERENCES,
    ])

XOR = make_dataset("xor")
XOR_X, XOR_Y = XOR.X, XOR.y
