"""What the words of docs/hyperparameters.md claim, so that seeds it never saw can check them.

A sentence that compares ("more", "fewer", "faster") or speaks of every run is written from a
judgement of the measurements: `share_order`, `median_order`, `mean_order`, or a bound. The
function that writes the sentence asks `Claims` for that judgement, and `Claims` keeps it as
a `Claim`: a short name and a test that other Measurements (other seeds) give the same
judgement. The text and its claims come from one computation, so they cannot drift apart;
tests/test_docs.py puts every claim to the seeds 1000 to 1199.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Z = 1.96   # every interval on the page is a 95% one

# Two medians of epochs to 100% are called different only if one is at least MEDIAN_FACTOR
# times the other and both rest on at least MIN_SOLVED solved runs. A median of few runs
# moves a lot from one set of seeds to another (2-4-1 at lr 0.03: 4,888 epochs on seeds 0-199,
# 1,870 on seeds 1000-1199, one run each). Where both sets have 20 solved runs or more, the
# two medians of a setting on the page are within a factor of 1.11 of each other (measured
# when this rule was written), so two settings whose medians are 1.25 times apart would keep
# their order on other seeds.
MEDIAN_FACTOR = 1.25
MIN_SOLVED = 20


def share_order(first, second):
    """1 if Share `first` is clearly larger than `second` (their 95% Wilson intervals do not
    overlap), -1 if clearly smaller, 0 if the seeds do not tell them apart."""
    (low_1, high_1), (low_2, high_2) = first.interval, second.interval
    return 1 if low_1 > high_2 else -1 if high_1 < low_2 else 0


def median_order(first, second):
    """1 if the median of the epochs `first` is clearly larger than that of `second`, -1 if
    clearly smaller, 0 if within MEDIAN_FACTOR of each other; None if either rests on fewer
    than MIN_SOLVED runs."""
    if min(len(first), len(second)) < MIN_SOLVED:
        return None
    ratio = float(np.median(first)) / float(np.median(second))
    return 1 if ratio >= MEDIAN_FACTOR else -1 if ratio <= 1 / MEDIAN_FACTOR else 0


def mean_interval(values):
    """The mean of `values` ± Z standard errors: (low, high)."""
    values = np.asarray(values, dtype=float)
    half = Z * values.std(ddof=1) / math.sqrt(len(values)) if len(values) > 1 else math.inf
    return float(values.mean()) - half, float(values.mean()) + half


def mean_order(first, second):
    """1 if the mean of `first` is clearly larger than that of `second` (their intervals of
    ± Z standard errors do not overlap), -1 if clearly smaller, 0 otherwise."""
    (low_1, high_1), (low_2, high_2) = mean_interval(first), mean_interval(second)
    return 1 if low_1 > high_2 else -1 if high_1 < low_2 else 0


def power_of_ten_above(value):
    """The smallest power of ten larger than `value` > 0: 0.0052 -> 0.01."""
    return 10.0 ** (math.floor(math.log10(value)) + 1)


@dataclass(frozen=True)
class Claim:
    """One comparison or bound in the document's words: `holds(other)` is True if it is
    still true of `other`, the Measurements of other seeds."""

    name: str
    holds: Callable[[object], bool]


class Claims:
    """The claims of one document, made while writing it from the Measurements `measured`."""

    def __init__(self, measured):
        self.measured = measured
        self._claims = {}
        self._verdicts = {}

    def __iter__(self):
        return iter(self._claims.values())

    def __len__(self):
        return len(self._claims)

    @property
    def names(self):
        return list(self._claims)

    def judge(self, name, judgement):
        """judgement(measured), the verdict a sentence is written from; the claim `name` is
        that judgement(other) gives the same verdict. Judging a name again (two sentences
        from one comparison) returns the first verdict."""
        verdict = judgement(self.measured)
        if name in self._claims:
            assert self._verdicts[name] == verdict, f"two different judgements named {name!r}"
            return verdict
        self._claims[name] = Claim(name, lambda other: judgement(other) == verdict)
        self._verdicts[name] = verdict
        return verdict

    def shares(self, name, first, second):
        """share_order of the Shares first(m) and second(m), judged as a claim."""
        return self.judge(name, lambda m: share_order(first(m), second(m)))

    def medians(self, name, first, second):
        """median_order of the epochs first(m) and second(m), judged as a claim."""
        return self.judge(name, lambda m: median_order(first(m), second(m)))

    def below(self, name, value):
        """value(measured), and the claim that value(other) stays below the power of ten
        above it; returns (value, that bound), for a sentence "less than ..." to state."""
        measured = value(self.measured)
        bound = power_of_ten_above(measured)
        if name not in self._claims:
            self._claims[name] = Claim(name, lambda other: value(other) < bound)
            self._verdicts[name] = bound
        return measured, bound

    def failing(self, other):
        """The names of the claims that do not hold on `other`."""
        return [claim.name for claim in self if not claim.holds(other)]
