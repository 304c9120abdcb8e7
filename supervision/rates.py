"""Rates computed exactly from counts and rounded only where they are shown (house rule 8).

A rate is a percentage of two counts. ``rate(n, d)`` returns a ``Rate``: a float (so pages, charts,
sorting and JSON use it as the number 100 × n ÷ d, unrounded) that keeps the exact fraction and its
counts, so that

* a page, a PDF and a sentence show it with the hospital's precision (``RATE_DECIMALS``, default
  two decimals: 26,635 of 28,868 is 92.26 %), rounded half up from the exact fraction, never from a
  float that was already rounded (``format_rate``);
* a workbook stores the exact ratio n ÷ d (0.92264791464597…) with a percent format of that
  precision (``Rate.ratio``);
* a change between two rates in percentage points is exact too (``points``).

Nothing rounds before a division: a rate of rates (a mean of department rates) is computed from the
exact values and rounded once, when shown.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.conf import settings


class Exact(float):
    """A float that keeps the exact value it stands for (``exact``, a Fraction) for rounding."""

    __slots__ = ("exact",)

    def __new__(cls, exact: Fraction):
        value = super().__new__(cls, float(exact))
        value.exact = exact
        return value

    def __reduce__(self):  # pickled into the figure cache: keep the exact value
        return (type(self), (self.exact,))


class Rate(Exact):
    """numerator ÷ denominator × 100; ``ratio`` is the exact fraction a workbook cell holds."""

    __slots__ = ("denominator", "numerator")

    def __new__(cls, numerator, denominator):
        if type(numerator) is int and type(denominator) is int:
            # Two counts, the usual case: one Fraction, and the float as Python divides two ints —
            # correctly rounded, so the same float as ``float(exact)``. A figure endpoint makes a
            # rate per row (600 cells of a year's follow-up table): the general path below built
            # four Fractions each, ~27 Python calls a rate against ~5 (docs/performance.md → API
            # figures, stop 20).
            value = float.__new__(cls, 100 * numerator / denominator)
            value.exact = Fraction(100 * numerator, denominator)
        else:
            # a sum of a decimal column (hand washes) stays exact through Fraction
            value = super().__new__(cls, 100 * Fraction(numerator) / Fraction(denominator))
        value.numerator, value.denominator = numerator, denominator
        return value

    def __reduce__(self):
        return (type(self), (self.numerator, self.denominator))

    @property
    def ratio(self) -> float:
        """n ÷ d as the nearest float (a workbook cell with a percent format)."""
        return float(Fraction(self.numerator) / Fraction(self.denominator))


def rate(numerator, denominator) -> Rate | None:
    """numerator ÷ denominator as a percentage, exact; None (no data, never 0 %) when the denominator
    is 0 or either count is missing."""
    if not denominator or numerator is None:
        return None
    return Rate(numerator, denominator)


def exact(value) -> Fraction | None:
    """The exact value of a figure: a Rate's fraction, a float's decimal reading (92.3 is 92.3)."""
    if value is None:
        return None
    if isinstance(value, Exact):
        return value.exact
    if isinstance(value, Fraction | int | Decimal):
        return Fraction(value)
    return Fraction(Decimal(repr(float(value))))


def points(current, previous) -> Exact | None:
    """The change from ``previous`` to ``current`` in percentage points, exact; None when either is
    missing (no data last year is not a change of 0)."""
    if current is None or previous is None:
        return None
    return Exact(exact(current) - exact(previous))


def mean(values) -> Exact | None:
    """The mean of figures, exact (a mean of department rates); None without values."""
    values = [exact(v) for v in values if v is not None]
    if not values:
        return None
    return Exact(sum(values, Fraction(0)) / len(values))


def decimals() -> int:
    """Decimals a rate is shown with (``RATE_DECIMALS``, default 2, as hospital reports write them)."""
    return settings.RATE_DECIMALS


def rounded(value, digits: int | None = None) -> Decimal | None:
    """``value`` rounded half up to ``digits`` (default: ``decimals()``) from its exact value."""
    value = exact(value)
    if value is None:
        return None
    digits = decimals() if digits is None else digits
    magnitude = abs(value) * 10**digits
    whole = magnitude.numerator // magnitude.denominator
    if magnitude - whole >= Fraction(1, 2):  # half up, as the hospital rounds, from the exact value
        whole += 1
    return Decimal(-whole if value < 0 else whole).scaleb(-digits)


def shown(values) -> list[float | None]:
    """Rates as a page's chart shows them (its tooltips): rounded to ``decimals()``, for display only."""
    return [None if v is None else float(rounded(v)) for v in values]


def format_rate(value, digits: int | None = None) -> str:
    """A rate as the hospital writes it, without the % sign: 92.26; '—' for None."""
    value = rounded(value, digits)
    return "—" if value is None else f"{value:f}"


def format_points(value, digits: int | None = None) -> str:
    """A change in percentage points with its sign: +1.25, -0.40, 0.00; '—' for None."""
    value = rounded(value, digits)
    if value is None:
        return "—"
    return f"+{value:f}" if value > 0 else f"{value:f}"


def excel_format(digits: int | None = None) -> str:
    """The percent number format of a workbook cell with ``digits`` decimals: 0.00%."""
    digits = decimals() if digits is None else digits
    return "0%" if digits == 0 else f"0.{'0' * digits}%"
