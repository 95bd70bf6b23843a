"""The forward and backward pass written as LaTeX with the engine's numbers; no Streamlit.

Notation: layer l = 1..L computes z⁽ˡ⁾ = a⁽ˡ⁻¹⁾W⁽ˡ⁾ + b⁽ˡ⁾ and a⁽ˡ⁾ = f(z⁽ˡ⁾), a⁽⁰⁾ = x.
ℓ is one example's loss term, L = (1/n) Σ ℓᵢ the engine's batch loss. Every number goes
through `num`, which rounds to DIGITS significant digits.
"""

from __future__ import annotations

import math

import numpy as np

from network import ACTIVATIONS

DIGITS = 4
# Widths in characters as the reader sees them (10^{-5} counts as four). KaTeX clips what
# does not fit the page, so wide matrices move to a line of their own, and are set smaller.
INLINE_WIDTH = 40    # a matrix wider than this starts a new line
SUBSTITUTE_WIDTH = 60   # the operands of one substituted product must fit in this
SIZES = ((88, r"\scriptsize"), (72, r"\footnotesize"), (56, r"\small"))   # wider than: size
TERMS_PER_LINE = 4   # terms of a written-out sum per line
SYMBOL = {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\operatorname{relu}",
          "linear": r"\operatorname{id}"}
TERM = {"mse": (r"(a^{(L)} - y)^2", r"\left({a} - {y}\right)^2"),
        "bce": (r"-\left[y \ln a^{(L)} + (1 - y)\ln\left(1 - a^{(L)}\right)\right]",
                r"-\left[{y} \ln {a} + (1 - {y})\ln(1 - {a})\right]")}


def num(x):
    """x rounded to DIGITS significant digits, as LaTeX (powers of ten written out)."""
    x = float(x)
    if math.isnan(x):
        return r"\text{NaN}"
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    if x == 0:
        return "0"
    text = f"{x:.{DIGITS}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def factor(x):
    """A number as a factor of a product: negatives in parentheses."""
    return f"({num(x)})" if float(x) < 0 else num(x)


def _seen(text):
    """About how many characters wide `num`'s LaTeX is (× 10 counts 4, an exponent 1.5)."""
    mantissa, _, exponent = text.partition(r" \times 10^")
    return len(mantissa) + (5.5 if exponent else 0)


def width(values):
    """The characters a matrix of these values takes across."""
    values = np.atleast_2d(values)
    columns = [max(_seen(num(v)) for v in column) for column in values.T]
    return sum(columns) + 2 * (len(columns) - 1) + 2


def matrix(values):
    """A 2-D array as a bmatrix, set smaller when wide; a single number stays bare."""
    values = np.atleast_2d(values)
    if values.size == 1:
        return num(values[0, 0])
    rows = [" & ".join(num(v) for v in row) for row in values]
    body = r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"
    wide = width(values)
    for limit, size in SIZES:
        if wide > limit:
            return "{" + size + " " + body + "}"
    return body


def equals(line, values):
    """`line` = the matrix of `values`: on the same line if it fits, else on the next."""
    if width(values) <= INLINE_WIDTH:
        return [f"{line} = {matrix(values)}"]
    return [line, f"&= {matrix(values)}"]


def operand(values):
    """A matrix, or a single number as a factor (negatives in parentheses)."""
    values = np.atleast_2d(values)
    return factor(values[0, 0]) if values.size == 1 else matrix(values)


def product(left, right):
    """Two operands multiplied: side by side for matrices, with a dot when one is a number."""
    joiner = " " if np.size(left) > 1 and np.size(right) > 1 else r" \cdot "
    return operand(left) + joiner + operand(right)


def aligned(lines):
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def _up(layer, transpose=False):
    return f"^{{({layer})\\top}}" if transpose else f"^{{({layer})}}"


def _layer_symbol(layer, last, activation):
    return SYMBOL["sigmoid" if layer == last else activation]


def inputs(p):
    """a⁽⁰⁾ = x and the targets y."""
    return rf"a^{{(0)}} = x = {matrix(p.X)}, \qquad y = {matrix(p.y)}"


def forward_layer(p, weights, biases, layer, activation):
    """z⁽ˡ⁾ = a⁽ˡ⁻¹⁾W⁽ˡ⁾ + b⁽ˡ⁾ and a⁽ˡ⁾ = f(z⁽ˡ⁾), with the numbers substituted."""
    last = len(weights)
    W, b = weights[layer - 1], biases[layer - 1][None, :]
    a_prev = p.activations[layer - 1]
    f = _layer_symbol(layer, last, activation)
    lines = [rf"z{_up(layer)} &= a{_up(layer - 1)} W{_up(layer)} + b{_up(layer)}"]
    if width(a_prev) + width(W) + width(b) <= SUBSTITUTE_WIDTH:
        lines.append(rf"&= {operand(a_prev)} {operand(W)} + {operand(b)}")
    else:
        lines = [rf"W{_up(layer)} &= {matrix(W)}", rf"b{_up(layer)} &= {matrix(b)}"] + lines
    lines.append(rf"&= {matrix(p.zs[layer - 1])}")
    lines += equals(rf"a{_up(layer)} &= {f}\left(z{_up(layer)}\right)", p.activations[layer])
    return aligned(lines)


def loss_example(p, loss_name, n_total, batch_loss):
    """ℓ of one example (p has n = 1), and its share ℓ/n of the batch loss L."""
    last = len(p.zs)
    symbolic, substituted = TERM[loss_name]
    a, y = float(p.output[0, 0]), float(p.y[0, 0])
    share = float(p.terms[0]) / n_total
    lines = [
        rf"\ell &= {symbolic.replace('(L)', f'({last})')}"
        rf" = {substituted.format(a=factor(a), y=num(y))} = {num(p.terms[0])}",
        rf"\tfrac{{1}}{{{n_total}}}\,\ell &= {num(share)}"
        rf"\quad\text{{this example's share of }} L = \tfrac{{1}}{{{n_total}}}"
        rf"\textstyle\sum_i \ell_i = {num(batch_loss)}",
    ]
    return aligned(lines)


def loss_batch(p, loss_name):
    """Each example's ℓᵢ, and L, their mean: the loss the engine differentiates."""
    last = len(p.zs)
    symbolic = TERM[loss_name][0].replace("(L)", f"({last})")
    n = p.n
    terms = " + ".join(num(t) for t in p.terms)
    return aligned([
        rf"\ell_i &= {symbolic.replace('a^', 'a_i^').replace('y', 'y_i')}"
        rf" = {matrix(p.terms[:, None])}",
        rf"L &= \frac{{1}}{{{n}}}\sum_{{i=1}}^{{{n}}} \ell_i = \frac{{1}}{{{n}}}({terms})"
        rf" = {num(p.loss)}",
    ])


def backward_output(p, loss_name, example):
    """∂/∂a⁽ᴸ⁾, σ'(z⁽ᴸ⁾), δ⁽ᴸ⁾ and the output layer's gradients."""
    last = len(p.zs)
    L = r"\ell" if example else "L"
    up = _up(last)
    a, y = p.output, p.y
    scale = "" if example else rf"\frac{{1}}{{{p.n}}}"   # the mean's 1/n, batch only
    if loss_name == "mse":
        dL_da = ("2" if example else rf"\frac{{2}}{{{p.n}}}") + rf"\left(a{up} - y\right)"
    else:
        dL_da = rf"{scale}\frac{{a{up} - y}}{{a{up}\left(1 - a{up}\right)}}"
    if example:   # one example: the scalars substituted into each formula
        a0, y0 = factor(a[0, 0]), num(y[0, 0])
        dL_da += " = " + (rf"2\left({a0} - {y0}\right)" if loss_name == "mse" else
                          rf"\frac{{{a0} - {y0}}}{{{a0}\left(1 - {a0}\right)}}")
    prime = rf"a{up}\left(1 - a{up}\right)"
    if example:
        prime += rf" = {factor(a[0, 0])}\left(1 - {factor(a[0, 0])}\right)"
    lines = [
        rf"\frac{{\partial {L}}}{{\partial a{up}}} &= {dL_da} = {matrix(p.da[-1])}",
        rf"\sigma'\left(z{up}\right) &= {prime} = {matrix(p.f_primes[-1])}",
    ]
    delta = (rf"\delta{up} &= \frac{{\partial {L}}}{{\partial a{up}}} \odot "
             rf"\sigma'\left(z{up}\right)")
    if loss_name == "bce":
        lines.append(delta + rf" = {scale}\left(a{up} - y\right)"
                     rf" = {scale}\left({matrix(a)} - {matrix(y)}\right)"
                     rf" = {matrix(p.deltas[-1])}")
        lines.append(r"&\qquad\text{(}\sigma'\text{ cancels against the denominator of }"
                     rf"\partial {L}/\partial a{up}\text{{)}}")
    else:
        substituted = (rf" = {factor(p.da[-1][0, 0])} \cdot {factor(p.f_primes[-1][0, 0])}"
                       if example else rf" = {matrix(p.da[-1])} \odot {matrix(p.f_primes[-1])}")
        lines.append(delta + substituted + rf" = {matrix(p.deltas[-1])}")
    return aligned(lines + _layer_gradients(p, last, example))


def backward_hidden(p, weights, layer, activation, example):
    """δ⁽ˡ⁾ = (∂/∂a⁽ˡ⁾) ⊙ f'(z⁽ˡ⁾) for a hidden layer, and its gradients."""
    up = _up(layer)
    L = r"\ell" if example else "L"
    prime = ACTIVATIONS[activation].prime_formula
    f = SYMBOL[activation]
    lines = equals(rf"{f}'\left(z{up}\right) &= {prime}\Big|_{{z = z{up}}}",
                   p.f_primes[layer - 1])
    lines += [
        rf"\delta{up} &= \frac{{\partial {L}}}{{\partial a{up}}} \odot {f}'\left(z{up}\right)"
        rf" = \left(\delta{_up(layer + 1)} W{_up(layer + 1, True)}\right) \odot "
        rf"{f}'\left(z{up}\right)",
    ]
    da, fp = p.da[layer - 1], p.f_primes[layer - 1]
    if width(da) + width(fp) <= SUBSTITUTE_WIDTH:
        lines.append(rf"&= {matrix(da)} \odot {matrix(fp)}")
    lines.append(rf"&= {matrix(p.deltas[layer - 1])}")
    return aligned(lines + _layer_gradients(p, layer, example))


def _layer_gradients(p, layer, example):
    """∂/∂W⁽ˡ⁾ = a⁽ˡ⁻¹⁾ᵀδ⁽ˡ⁾, ∂/∂b⁽ˡ⁾ = Σᵢ δᵢ⁽ˡ⁾, and ∂/∂a⁽ˡ⁻¹⁾ = δ⁽ˡ⁾W⁽ˡ⁾ᵀ if l > 1."""
    L = r"\ell" if example else "L"
    up = _up(layer)
    a_prev, delta = p.activations[layer - 1], p.deltas[layer - 1]
    line = rf"\frac{{\partial {L}}}{{\partial W{up}}} &= a{_up(layer - 1, True)} \delta{up}"
    if width(a_prev.T) + width(delta) <= SUBSTITUTE_WIDTH:
        line += rf" = {product(a_prev.T, delta)}"
    lines = [line, rf"&= {matrix(p.dw[layer - 1])}"]
    total = r"\delta" + up if example else r"\sum_i \delta_i" + up
    lines += equals(rf"\frac{{\partial {L}}}{{\partial b{up}}} &= {total}",
                    p.db[layer - 1][None, :])
    if layer > 1:
        lines += equals(rf"\frac{{\partial {L}}}{{\partial a{_up(layer - 1)}}} &= "
                        rf"\delta{up} W{_up(layer, True)}", p.da[layer - 2])
    return lines


def _weight(layer, j, k):
    return rf"w^{{({layer})}}_{{{j + 1}{k + 1}}}"


def chain_factors(p, weights, layer, j, k, loss_name, activation):
    """The chain-rule factors of ∂ℓ/∂w⁽ˡ⁾ⱼₖ for one example (p has n = 1): [(LaTeX, value)].

    From the weight up: a⁽ˡ⁻¹⁾ⱼ, f'(z⁽ˡ⁾ₖ), then for l = L − 1 the output weight and the
    output's factors, for l < L − 1 the sum ∂ℓ/∂a⁽ˡ⁾ₖ that gathers every path to the output.
    """
    last = len(weights)
    up = _up(layer)
    factors = [(rf"a{_up(layer - 1)}_{{{j + 1}}}", p.activations[layer - 1][0, j])]
    if layer < last:
        factors.append((rf"{SYMBOL[activation]}'\left(z{up}_{{{k + 1}}}\right)",
                        p.f_primes[layer - 1][0, k]))
    if layer == last - 1:
        factors.append((_weight(last, k, 0), weights[last - 1][k, 0]))
    if layer < last - 1:
        factors.append((rf"\frac{{\partial \ell}}{{\partial a{up}_{{{k + 1}}}}}",
                        p.da[layer - 1][0, k]))
    elif loss_name == "bce":
        factors.append((rf"\delta{_up(last)}", p.deltas[-1][0, 0]))
    else:
        factors += [(rf"\sigma'\left(z{_up(last)}\right)", p.f_primes[-1][0, 0]),
                    (rf"\frac{{\partial \ell}}{{\partial a{_up(last)}}}", p.da[-1][0, 0])]
    return factors


def chain_rule(p, weights, layer, j, k, loss_name, activation):
    """∂ℓ/∂w⁽ˡ⁾ⱼₖ for one example as a product of local derivatives, each with its value."""
    last = len(weights)
    factors = chain_factors(p, weights, layer, j, k, loss_name, activation)
    lhs = rf"\frac{{\partial \ell}}{{\partial {_weight(layer, j, k)}}}"
    lines = [
        lhs + " &= " + r" \cdot ".join(rf"\underbrace{{{tex}}}_{{{num(v)}}}" for tex, v in factors),
        "&= " + r" \cdot ".join(factor(v) for _, v in factors)
        + rf" = {num(p.dw[layer - 1][j, k])}",
    ]
    if layer < last - 1:
        nxt = layer + 1
        terms = [rf"{factor(weights[layer][k, m])} \cdot {factor(p.deltas[layer][0, m])}"
                 for m in range(weights[layer].shape[1])]
        lines.append(rf"\text{{where }} \frac{{\partial \ell}}"
                     rf"{{\partial a{_up(layer)}_{{{k + 1}}}}}"
                     rf" &= \sum_m w{_up(nxt)}_{{{k + 1}m}} \delta{_up(nxt)}_m")
        for start in range(0, len(terms), TERMS_PER_LINE):   # a long sum, a few terms a line
            lead = "&= " if start == 0 else r"&\quad + "
            lines.append(lead + " + ".join(terms[start:start + TERMS_PER_LINE]))
        lines.append(rf"&= {num(p.da[layer - 1][0, k])}")
    if layer == last and loss_name == "bce":
        lines.append(r"\text{(bce: } \delta^{(L)} = a^{(L)} - y\text{, the factor }"
                     r"\sigma'\text{ cancels)}".replace("(L)", f"({last})"))
    return aligned(lines)


def chain_average(examples, batch, weights, layer, j, k, loss_name, activation, labels):
    """∂L/∂w as the mean of the examples' ∂ℓᵢ/∂w, each a chain-rule product with values."""
    symbols = [tex for tex, _ in chain_factors(examples[0], weights, layer, j, k, loss_name,
                                               activation)]
    lines = [rf"\frac{{\partial \ell_i}}{{\partial {_weight(layer, j, k)}}} &= "
             + r" \cdot ".join(symbols) + r" \quad\text{for each example } i"]
    for i, (p, label) in enumerate(zip(examples, labels), 1):
        factors = chain_factors(p, weights, layer, j, k, loss_name, activation)
        lines.append(rf"\frac{{\partial \ell_{i}}}{{\partial {_weight(layer, j, k)}}} &= "
                     + r" \cdot ".join(factor(v) for _, v in factors)
                     + rf" = {num(p.dw[layer - 1][j, k])} \quad \text{{{label}}}")
    n = len(examples)
    values = " + ".join(factor(p.dw[layer - 1][j, k]) for p in examples)
    lines.append(rf"\frac{{\partial L}}{{\partial {_weight(layer, j, k)}}} &= \frac{{1}}{{{n}}}"
                 rf"\sum_i \frac{{\partial \ell_i}}{{\partial {_weight(layer, j, k)}}} = "
                 rf"\frac{{1}}{{{n}}}\left({values}\right) = {num(batch.dw[layer - 1][j, k])}")
    return aligned(lines)
