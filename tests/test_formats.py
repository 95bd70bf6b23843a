"""formats.number: the one way the app writes a number."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from formats import number, percent


@pytest.mark.parametrize("value, text", [
    (0.004269, "0.004269"), (0.25, "0.25"), (1200, "1200"), (0, "0"), (-0.5, "-0.5"),
    (0.001, "0.001"), (9999, "9999"), (12345, "1.234e+4"), (9999.9, "1e+4"),
    (1.234e-6, "1.234e-6"), (-4.5e7, "-4.5e+7"), (2e-5, "2e-5"), (1e99, "1e+99"),
    (math.inf, "inf"), (-math.inf, "-inf"), (math.nan, "nan"),
])
def test_number_is_plain_between_a_thousandth_and_ten_thousand_and_short_outside(value, text):
    assert number(value) == text


@given(st.floats(-1e300, 1e300))   # rounding 1.7975e308 up would overflow a float
def test_number_reads_back_within_four_significant_digits(value):
    text = number(value)
    assert len(text.replace("-", "").replace(".", "").split("e")[0].lstrip("0")) <= 4
    assert float(text) == pytest.approx(value, rel=5e-4, abs=0.0)
    assert "e-0" not in text and "e+0" not in text and "0.0000" not in text


@pytest.mark.parametrize("share, written", [
    (0.72, "72%"), (0.0, "0%"), (1.0, "100%"), (199 / 200, "99.5%"), (1 / 200, "0.5%"),
    (0.0009, "0.1%"), (0.99991, "99.99%"), (0.00004, "0.004%"), (0.5, "50%"), (0.004, "0.4%"),
    (0.996, "99.6%"),
])
def test_percent_never_says_none_or_all_of_a_share_that_is_neither(share, written):
    assert percent(share) == written
