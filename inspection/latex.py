"""The forward and backward pass written as LaTeX with the engine's numbers; no Streamlit.

Notation: layer l = 1..L computes z⁽ˡ⁾ = a⁽ˡ⁻¹⁾W⁽ˡ⁾ + b⁽ˡ⁾ and a⁽ˡ⁾ = f(z⁽ˡ⁾), a⁽⁰⁾ = x.
ℓᵢ is example i's loss term (i = 0 … n − 1, its row in X), L = (1/n) Σ ℓᵢ + (λ/2) ΣW² the
engine's batch loss. A matrix with a row per example writes out MAX_ROWS of them and folds
the rest into ⋮. Every number goes through `num`, which writes it as formats.number does.
"""

from __future__ import annotations

import math

import numpy as np

from formats import number

DIGITS = 4
MAX_ROWS = 4   # examples written out in a batch matrix; the rest are folded into ⋮
# Each activation's f(z) and f'(z), and each loss, in LaTeX (the engine's own tables hold the
# functions: network.ACTIVATIONS and network.LOSSES).
ACTIVATION_FORMULAS = {
    "sigmoid": (r"\sigma(z) = \frac{1}{1 + e^{-z}}", r"\sigma(z)\,(1 - \sigma(z))"),
    "tanh": (r"\tanh(z)", r"1 - \tanh^2(z)"),
    "relu": (r"\max(0, z)", r"[z > 0]"),
    "linear": (r"z", r"1"),
}
LOSS_FORMULAS = {
    "mse": r"L = \frac{1}{n}\sum_i (a_i - y_i)^2",
    "bce": r"L = -\frac{1}{n}\sum_i \left[y_i \ln a_i + (1 - y_i)\ln(1 - a_i)\right]",
}
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
    """x as formats.number writes it (DIGITS significant digits, short scientific form outside
    0.001 … 10,000), as LaTeX: 1.23e-6 is set upright as one word, the minus sign outside."""
    x = float(x)
    if math.isnan(x):
        return r"\text{NaN}"
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    text = number(x, DIGITS)
    if "e" in text:
        return ("-" if x < 0 else "") + rf"\text{{{text.lstrip('-')}}}"
    return text


def factor(x):
    """A number as a factor of a product: negatives in parentheses."""
    return f"({num(x)})" if float(x) < 0 else num(x)


def _seen(text):
    """About how many characters wide `num`'s LaTeX is."""
    return len(text.replace(r"\text{", "").replace("}", ""))


def width(values):
    """The characters a matrix of these values takes across."""
    values = np.atleast_2d(values)
    columns = [max(_seen(num(v)) for v in column) for column in values.T]
    return sum(columns) + 2 * (len(columns) - 1) + 2


def matrix(values, more_rows=False, more_columns=False):
    """A 2-D array as a bmatrix (⋮ / ⋯ for examples left out), smaller when wide; 1×1 bare."""
    values = np.atleast_2d(values)
    if values.size == 1 and not (more_rows or more_columns):
        return num(values[0, 0])
    cells = [[num(v) for v in row] + [r"\cdots"] * more_columns for row in values]
    if more_rows:
        cells.append([r"\vdots"] * values.shape[1])
    body = (r"\begin{bmatrix}" + r" \\ ".join(" & ".join(row) for row in cells)
            + r"\end{bmatrix}")
    wide = width(values) + 3 * more_columns
    for limit, size in SIZES:
        if wide > limit:
            return "{" + size + " " + body + "}"
    return body


def head(values):
    """The examples (rows) of a per-example matrix that are written out."""
    return np.atleast_2d(values)[:MAX_ROWS]


def rows(values):
    """A matrix with a row per example: the first MAX_ROWS, then ⋮ if there are more."""
    values = np.atleast_2d(values)
    return matrix(values[:MAX_ROWS], more_rows=len(values) > MAX_ROWS)


def columns(values):
    """A matrix with a column per example (a transpose): the first MAX_ROWS, then ⋯."""
    values = np.atleast_2d(values)
    return matrix(values[:, :MAX_ROWS], more_columns=values.shape[1] > MAX_ROWS)


def equals(line, values, per_example=False):
    """`line` = the matrix of `values`: on the same line if it fits, else on the next."""
    shown = rows(values) if per_example else matrix(values)
    if width(head(values) if per_example else values) <= INLINE_WIDTH:
        return [f"{line} = {shown}"]
    return [line, f"&= {shown}"]


def operand(values, show=matrix):
    """A matrix (written by `show`), or a single number as a factor (negatives in parentheses)."""
    values = np.atleast_2d(values)
    return factor(values[0, 0]) if values.size == 1 else show(values)


def aligned(lines):
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def _up(layer, transpose=False):
    return f"^{{({layer})\\top}}" if transpose else f"^{{({layer})}}"


def _layer_symbol(layer, last, activation):
    return SYMBOL["sigmoid" if layer == last else activation]


def _mean(n):
    return rf"\frac{{1}}{{{n}}}"


def _over_examples(n):
    """Σ over the n examples, with n written as a symbol."""
    return r"\sum_{i=0}^{n-1}" if n > 1 else ""


def loss_formula(loss_name, l2):
    """L as a formula; with weight decay, its penalty and λ's value."""
    if not l2:
        return LOSS_FORMULAS[loss_name]
    return (LOSS_FORMULAS[loss_name]
            + rf" + \frac{{\lambda}}{{2}}\sum W^2, \quad \lambda = {num(l2)}")


def inputs(p):
    """a⁽⁰⁾ = x and the targets y."""
    return rf"a^{{(0)}} = x = {rows(p.X)}, \qquad y = {rows(p.y)}"


def forward_layer(p, weights, biases, layer, activation):
    """z⁽ˡ⁾ = a⁽ˡ⁻¹⁾W⁽ˡ⁾ + b⁽ˡ⁾ and a⁽ˡ⁾ = f(z⁽ˡ⁾), with the numbers substituted."""
    last = len(weights)
    W, b = weights[layer - 1], biases[layer - 1][None, :]
    a_prev = p.activations[layer - 1]
    f = _layer_symbol(layer, last, activation)
    lines = [rf"z{_up(layer)} &= a{_up(layer - 1)} W{_up(layer)} + b{_up(layer)}"]
    if width(head(a_prev)) + width(W) + width(b) <= SUBSTITUTE_WIDTH:
        lines.append(rf"&= {operand(a_prev, rows)} {operand(W)} + {operand(b)}")
    else:
        lines = [rf"W{_up(layer)} &= {matrix(W)}", rf"b{_up(layer)} &= {matrix(b)}"] + lines
    lines.append(rf"&= {rows(p.zs[layer - 1])}")
    lines += equals(rf"a{_up(layer)} &= {f}\left(z{_up(layer)}\right)", p.activations[layer],
                    per_example=True)
    return aligned(lines)


def _decay(p):
    """The penalty's share of L, written and as a number ('' without weight decay)."""
    return (r" + \frac{\lambda}{2}\sum W^2", f" + {num(p.penalty)}") if p.l2 else ("", "")


def loss_example(p, loss_name, batch):
    """ℓ of one example (p has n = 1), and its share ℓ/n of the batch loss L."""
    last = len(p.zs)
    symbolic, substituted = TERM[loss_name]
    a, y = float(p.output[0, 0]), float(p.y[0, 0])
    n = batch.n
    decay, _ = _decay(batch)
    lines = [
        rf"\ell &= {symbolic.replace('(L)', f'({last})')}"
        rf" = {substituted.format(a=factor(a), y=num(y))} = {num(p.terms[0])}",
        rf"\tfrac{{1}}{{{n}}}\,\ell &= {num(float(p.terms[0]) / n)}"
        rf"\quad\text{{this example's share of }} L = \tfrac{{1}}{{n}}"
        rf"\textstyle\sum_i \ell_i{decay} = {num(batch.loss)}",
    ]
    return aligned(lines)


def loss_batch(p, loss_name):
    """Each example's ℓᵢ, and L, their mean (plus the penalty): what the engine differentiates."""
    last = len(p.zs)
    symbolic = TERM[loss_name][0].replace("(L)", f"({last})")
    n = p.n
    decay, penalty = _decay(p)
    terms = " + ".join(num(t) for t in p.terms[:MAX_ROWS]) + (r" + \cdots" if n > MAX_ROWS else "")
    lines = [
        rf"\ell_i &= {symbolic.replace('a^', 'a_i^').replace('y', 'y_i')}"
        rf" = {rows(p.terms[:, None])}",
        rf"L &= \frac{{1}}{{n}}{_over_examples(n)} \ell_i{decay}"
        rf" = {_mean(n)}\left({terms}\right){penalty}",
    ]
    if n > MAX_ROWS:   # the written terms are a few of n: give the sum of all of them
        lines.append(rf"&= {_mean(n)} \cdot {num(p.terms.sum())}{penalty}")
    lines[-1] += f" = {num(p.loss)}"
    return aligned(lines)


def loss_minibatch(p, learning_rate):
    """L_B, the loss of one mini-batch B (p holds its examples), and the step it takes."""
    decay, penalty = _decay(p)
    return aligned([
        rf"L_B &= \frac{{1}}{{|B|}}\sum_{{i \in B}} \ell_i{decay} = {_mean(p.n)} \cdot "
        rf"{num(p.terms.sum())}{penalty} = {num(p.loss)}",
        rf"\theta &\leftarrow \theta - \eta\,\frac{{\partial L_B}}{{\partial \theta}}, "
        rf"\quad \eta = {num(learning_rate)}",
    ])


def backward_output(p, weights, loss_name, example):
    """∂/∂a⁽ᴸ⁾, σ'(z⁽ᴸ⁾), δ⁽ᴸ⁾ and the output layer's gradients."""
    last = len(p.zs)
    L = r"\ell" if example else "L"
    up = _up(last)
    a, y = p.output, p.y
    scale = "" if example else _mean(p.n)   # the mean's 1/n, batch only
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
        rf"\frac{{\partial {L}}}{{\partial a{up}}} &= {dL_da} = {rows(p.da[-1])}",
        rf"\sigma'\left(z{up}\right) &= {prime} = {rows(p.f_primes[-1])}",
    ]
    delta = (rf"\delta{up} &= \frac{{\partial {L}}}{{\partial a{up}}} \odot "
             rf"\sigma'\left(z{up}\right)")
    if loss_name == "bce":
        lines.append(delta + rf" = {scale}\left(a{up} - y\right)"
                     rf" = {scale}\left({rows(a)} - {rows(y)}\right)"
                     rf" = {rows(p.deltas[-1])}")
        lines.append(r"&\qquad\text{(}\sigma'\text{ cancels against the denominator of }"
                     rf"\partial {L}/\partial a{up}\text{{)}}")
    else:
        substituted = (rf" = {factor(p.da[-1][0, 0])} \cdot {factor(p.f_primes[-1][0, 0])}"
                       if example else rf" = {rows(p.da[-1])} \odot {rows(p.f_primes[-1])}")
        lines.append(delta + substituted + rf" = {rows(p.deltas[-1])}")
    return aligned(lines + _layer_gradients(p, weights, last, example))


def backward_hidden(p, weights, layer, activation, example):
    """δ⁽ˡ⁾ = (∂/∂a⁽ˡ⁾) ⊙ f'(z⁽ˡ⁾) for a hidden layer, and its gradients."""
    up = _up(layer)
    L = r"\ell" if example else "L"
    prime = ACTIVATION_FORMULAS[activation][1]
    f = SYMBOL[activation]
    lines = equals(rf"{f}'\left(z{up}\right) &= {prime}\Big|_{{z = z{up}}}",
                   p.f_primes[layer - 1], per_example=True)
    lines += [
        rf"\delta{up} &= \frac{{\partial {L}}}{{\partial a{up}}} \odot {f}'\left(z{up}\right)"
        rf" = \left(\delta{_up(layer + 1)} W{_up(layer + 1, True)}\right) \odot "
        rf"{f}'\left(z{up}\right)",
    ]
    da, fp = p.da[layer - 1], p.f_primes[layer - 1]
    if width(head(da)) + width(head(fp)) <= SUBSTITUTE_WIDTH:
        lines.append(rf"&= {rows(da)} \odot {rows(fp)}")
    lines.append(rf"&= {rows(p.deltas[layer - 1])}")
    return aligned(lines + _layer_gradients(p, weights, layer, example))


def _layer_gradients(p, weights, layer, example):
    """∂/∂W⁽ˡ⁾ = a⁽ˡ⁻¹⁾ᵀδ⁽ˡ⁾ (+ λW⁽ˡ⁾), ∂/∂b⁽ˡ⁾ = Σᵢ δᵢ⁽ˡ⁾, and ∂/∂a⁽ˡ⁻¹⁾ = δ⁽ˡ⁾W⁽ˡ⁾ᵀ if l > 1."""
    L = r"\ell" if example else "L"
    up, a_top = _up(layer), f"a{_up(layer - 1, True)}"
    W, a_prev, delta = weights[layer - 1], p.activations[layer - 1], p.deltas[layer - 1]
    decay, times_W = (rf" + \lambda W{up}", rf" + {num(p.l2)} \cdot {matrix(W)}") if p.l2 \
        else ("", "")
    line = rf"\frac{{\partial {L}}}{{\partial W{up}}} &= {a_top} \delta{up}{decay}"
    if p.n > 1:
        line += rf" = {_over_examples(p.n)} {a_top}_i \delta{up}_i{decay}"
    lines = [line]
    extra = width(W) if p.l2 else 0
    if width(head(a_prev).T) + width(head(delta)) + extra <= SUBSTITUTE_WIDTH:
        joiner = " " if a_prev.size > 1 and delta.size > 1 else r" \cdot "
        lines.append(rf"&= {operand(a_prev.T, columns)}{joiner}{operand(delta, rows)}{times_W}")
    if p.l2 and 2 * width(W) <= SUBSTITUTE_WIDTH:   # the data's part, then the decay's
        lines.append(rf"&= {matrix(p.dw_data[layer - 1])}{times_W}")
    lines.append(rf"&= {matrix(p.dw[layer - 1])}")
    total = rf"\delta{up}" if example else rf"{_over_examples(p.n)} \delta{up}_i"
    lines += equals(rf"\frac{{\partial {L}}}{{\partial b{up}}} &= {total}",
                    p.db[layer - 1][None, :])
    if layer > 1:
        lines += equals(rf"\frac{{\partial {L}}}{{\partial a{_up(layer - 1)}}} &= "
                        rf"\delta{up} W{_up(layer, True)}", p.da[layer - 2], per_example=True)
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


def chain_average(shown, batch, weights, layer, j, k, loss_name, activation):
    """∂L/∂w as the mean of the ∂ℓᵢ/∂w (+ λw), products written out for `shown` (i, label, Pass)."""
    w = _weight(layer, j, k)
    symbols = [tex for tex, _ in chain_factors(shown[0][2], weights, layer, j, k, loss_name,
                                               activation)]
    lines = [rf"\frac{{\partial \ell_i}}{{\partial {w}}} &= " + r" \cdot ".join(symbols)
             + r" \quad\text{for each example } i"]
    for i, label, p in shown:
        factors = chain_factors(p, weights, layer, j, k, loss_name, activation)
        lines.append(rf"\frac{{\partial \ell_{{{i}}}}}{{\partial {w}}} &= "
                     + r" \cdot ".join(factor(v) for _, v in factors)
                     + rf" = {num(p.dw[layer - 1][j, k])} \quad \text{{{label}}}")
    n, more = batch.n, batch.n > len(shown)
    if more:
        lines.append(rf"&\;\;\vdots \quad \text{{{n - len(shown)} more examples}}")
    values = " + ".join(factor(p.dw[layer - 1][j, k]) for _, _, p in shown) \
        + (r" + \cdots" if more else "")
    decay, times_w = (rf" + \lambda {w}", rf" + {num(batch.l2)} \cdot "
                      rf"{factor(weights[layer - 1][j, k])}") if batch.l2 else ("", "")
    mean = float(batch.dw_data[layer - 1][j, k])
    lines.append(rf"\frac{{\partial L}}{{\partial {w}}} &= \frac{{1}}{{n}}{_over_examples(n)}"
                 rf"\frac{{\partial \ell_i}}{{\partial {w}}}{decay} = "
                 rf"{_mean(n)}\left({values}\right){times_w}")
    if more:   # the written terms are a few of n: give the sum of all of them
        lines.append(rf"&= {_mean(n)} \cdot {factor(n * mean)}{times_w}")
    lines[-1] += rf" = {num(batch.dw[layer - 1][j, k])}"
    return aligned(lines)
