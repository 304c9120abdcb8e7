"""Rates are exact (counts kept) and rounded once, half up, with the hospital's precision, when shown."""

from __future__ import annotations

import json
import pickle
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supervision.rates import Exact as rates_exact
from supervision.rates import Rate, excel_format, format_points, format_rate, mean, points, rate, shown
from supervision.templatetags.ducha import pct, pp


def test_a_rate_keeps_its_counts_and_is_not_rounded():
    r = rate(26635, 28868)
    assert isinstance(r, Rate)
    assert float(r) == 100 * 26635 / 28868  # not 92.3, not 92.26
    assert r.ratio == 26635 / 28868
    assert r.exact == Fraction(2663500, 28868)


def test_no_denominator_is_no_data_never_zero():
    assert rate(0, 0) is None
    assert rate(None, 5) is None
    assert rate(0, 5) == 0.0


@pytest.mark.parametrize(
    ("n", "d", "shown_as"),
    [
        (4439, 4777, "92.92"),
        (3632, 3927, "92.49"),
        (26635, 28868, "92.26"),
        (139, 203, "68.47"),
        (4112, 4280, "96.07"),
        (896, 933, "96.03"),
        (1, 8, "12.50"),
        (1, 3, "33.33"),
        (2, 3, "66.67"),
    ],
)
def test_shown_with_two_decimals_by_default(n, d, shown_as):
    assert format_rate(rate(n, d)) == shown_as


def test_halves_round_up_from_the_exact_value_not_the_float():
    # 1 ÷ 800 = 0.125 % exactly: half up gives 0.13 (the float 0.125 rounds to even: 0.12)
    assert format_rate(rate(1, 800)) == "0.13"
    # 0.285 is below 0.285 as a float; from its decimal reading it is a half and rounds up
    assert format_rate(0.285) == "0.29"
    assert format_points(points(rate(1, 800), 0)) == "+0.13"


def test_precision_follows_the_setting(settings):
    settings.RATE_DECIMALS = 1
    assert format_rate(rate(26635, 28868)) == "92.3"
    assert excel_format() == "0.0%"
    assert pct(rate(139, 203)) == "68.5%"
    settings.RATE_DECIMALS = 0
    assert format_rate(rate(26635, 28868)) == "92"
    assert excel_format() == "0%"
    settings.RATE_DECIMALS = 3
    assert format_rate(rate(26635, 28868)) == "92.265"


def test_changes_in_points_are_exact_and_signed():
    assert format_points(points(rate(2, 3), rate(1, 3))) == "+33.33"
    assert format_points(points(rate(1, 3), rate(2, 3))) == "-33.33"
    assert format_points(points(rate(1, 2), rate(2, 4))) == "0.00"
    assert points(rate(1, 2), None) is None  # no data last year is no change of 0
    assert format_points(None) == "—"


def test_mean_of_rates_is_exact():
    assert mean([rate(1, 3), rate(2, 3), None]).exact == Fraction(50)
    assert mean([None]) is None


def test_template_filters_show_the_precision_and_a_dash_for_no_data():
    assert pct(rate(26635, 28868)) == "92.26%"
    assert pct(None) == "—"
    assert pct(rate(26635, 28868), 1) == "92.3%"
    assert pp(points(rate(2, 3), rate(1, 3))) == "+33.33"


def test_a_rate_survives_the_figure_cache_and_json():
    r = rate(26635, 28868)
    again = pickle.loads(pickle.dumps(r))  # noqa: S301 # nosec B301 # our own bytes, as the figure cache
    assert (again.numerator, again.denominator, float(again)) == (26635, 28868, float(r))
    assert json.loads(json.dumps([r])) == [float(r)]
    assert shown([r, None]) == [92.26, None]


@given(
    n=st.integers(min_value=0, max_value=10**12),
    d=st.integers(min_value=1, max_value=10**12),
)
def test_a_rate_of_two_counts_is_the_float_and_fraction_of_the_exact_quotient(n, d):
    # Two ints take a short path (one Fraction, the float of Python's int division): the same float,
    # to the last bit, as the exact fraction's, and the same fraction.
    exact = 100 * Fraction(n) / Fraction(d)
    r = rate(n, d)
    assert r.exact == exact
    assert float(r).hex() == float(exact).hex()
    assert format_rate(r) == format_rate(rates_exact(exact))


def test_a_rate_of_a_decimal_sum_stays_exact():
    r = rate(Decimal("2.5"), 3)
    assert r.exact == Fraction(250, 3)
    assert float(r) == float(Fraction(250, 3))
    assert rate(True, 2).exact == Fraction(50)  # not an int by type: the general path, same value
