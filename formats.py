"""The app's one way of writing a number, for sentences, tables, tooltips and chart ticks.

Four significant digits, as they are between 0.001 and 10,000 (0.004269, 0.25, 1200);
outside that range in short scientific form (1.23e-6, 4.5e+7), never 0.000001234. The
charts' tick labels follow the same rule in Vega's expression language (pictures/charts.py).
"""

from __future__ import annotations

import math

DIGITS = 4
PLAIN = (1e-3, 1e4)   # |x| in this range is written as it is


def number(x, digits=DIGITS):
    """x in at most `digits` significant digits; scientific outside PLAIN; inf and nan named."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    rounded = float(f"{x:.{digits}g}")   # 9999.9 rounds to 1e+04: written as 1e+4
    if x == 0 or PLAIN[0] <= abs(rounded) < PLAIN[1]:
        return f"{x:.{digits}g}"
    mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    power = int(exponent)
    return f"{mantissa}e{'+' if power > 0 else '-'}{abs(power)}"


def percent(share):
    """A share as a whole percentage (72%), with as many more digits as it takes never to
    write 0% or 100% of a share that is neither (99.5%, 0.09%)."""
    share = float(share)
    for places in range(6):
        text = f"{share:.{places}%}"
        if not 0 < share < 1 or text not in (f"{0:.{places}%}", f"{1:.{places}%}"):
            return text
    return text
