"""The names of a network's neurons, as every picture and table of the app writes them."""

from __future__ import annotations

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def neuron_name(layer, k, last):
    """x₁ for an input, h⁽ˡ⁾ₖ for a hidden neuron, ŷ for the output unit (k is 0-based)."""
    if layer == 0:
        return "x" + str(k + 1).translate(_SUBSCRIPT)
    if layer == last:
        return "ŷ"
    return f"h⁽{str(layer).translate(_SUPERSCRIPT)}⁾{str(k + 1).translate(_SUBSCRIPT)}"
