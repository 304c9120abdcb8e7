"""The content of a report, independent of its format.

The builders (``reports.builders``) fill these dataclasses from the apps' selectors; the PDF and
Excel renderers only lay them out. So every figure in a PDF and in the Excel workbook comes from
one computation (one source of truth).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from supervision import rates

from .figures import ReportFigures

# Column kinds: how a cell is shown in the PDF and stored in Excel.
TEXT = "text"
INT = "int"
PCT = "pct"  # a percentage, 92.26 (Excel: the exact ratio 0.92264… with the format 0.00%)
NUM = "num"  # a number with one decimal (minutes, scores)
DATE = "date"  # a date (Excel: a real date, yyyy-mm-dd)
DELTA = "delta"  # a signed change of a count (+12) or of minutes (+1.5)
PP = "pp"  # a change in percentage points (+1.25), shown with the rates' decimals


@dataclass
class Column:
    label: str
    kind: str = TEXT


@dataclass
class Cell:
    """A value whose kind differs from its column's (the headline table mixes %, counts, minutes)."""

    value: Any
    kind: str


def unwrap(value, kind: str) -> tuple[Any, str]:
    return (value.value, value.kind) if isinstance(value, Cell) else (value, kind)


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    note: str = ""
    # A long list (rows sorted most important first) shows only this many rows in the PDF, with a
    # note; the workbook always has every row.
    pdf_rows: int | None = None
    # The PDF's column widths in % (None: numbers narrow, text shares the rest), one per PDF column.
    pdf_widths: list[float] | None = None
    # A wide table shows only these columns (indices into ``columns``) in the PDF, with a note naming
    # the others; the workbook always has every column.
    pdf_columns: list[int] | None = None

    @property
    def is_empty(self) -> bool:
        return not self.rows


@dataclass
class Series:
    name: str
    values: list[float | None]


@dataclass
class RunLimits:
    """Control limits of a run chart (per point: they vary with n in a p-chart)."""

    method: str  # "p" (p-chart) or "xmr" (individuals chart)
    centre: float
    upper: list[float | None]
    lower: list[float | None]
    outside: list[bool]


@dataclass
class Chart:
    kind: str  # "bar", "line" or "run"
    title: str
    labels: list[str]
    series: list[Series]
    y_label: str = ""
    percent: bool = False
    limits: RunLimits | None = None
    # A small multiple (the per-department run charts of a channel): the PDF draws consecutive ones
    # as one table of sparklines titled ``group``, a row per chart named ``name``.
    compact: bool = False
    name: str = ""
    group: str = ""


@dataclass
class Part:
    """A part of the written summary (一、工作开展情况 …): the generated paragraphs, then the office's
    own paragraphs, then its typical cases (典型事例) and tables."""

    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    office: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    empty: bool = False  # nothing measured in the period: the paragraphs say so
    parts: list[Part] = field(default_factory=list)  # the written summary's four parts


@dataclass
class DataSheet:
    """The rows behind a channel's figures (one per record: a finding, a stay, a complaint …), for
    re-cutting in a spreadsheet; the workbook only (never the PDF). Columns are what the office sees
    on its figure pages — no names, phone numbers or identity numbers."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    note: str = ""


@dataclass
class ReportContent:
    kind: str
    title: str
    hospital: str
    period_label: str
    scope_label: str
    start: dt.date
    end: dt.date
    generated_at: dt.datetime
    sections: list[Section] = field(default_factory=list)
    figures: ReportFigures = field(default_factory=ReportFigures)  # what the sections measured, typed
    data_sheets: list[DataSheet] = field(default_factory=list)  # the workbook's rows behind the figures

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


def fmt_int(value) -> str:
    return "—" if value is None else f"{int(value):,}"


def fmt_pct(value) -> str:
    """A rate as the hospital writes it: 92.26% (``RATE_DECIMALS``, from the exact counts)."""
    return "—" if value is None else f"{rates.format_rate(value)}%"


def fmt_num(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def fmt_pp(value) -> str:
    return rates.format_points(value)


def fmt_delta(value) -> str:
    if value is None:
        return "—"
    return f"{value:+,}" if isinstance(value, int) else f"{float(value):+.1f}"


def fmt_cell(value, kind: str) -> str:
    value, kind = unwrap(value, kind)
    if value is None:
        return "—"
    if kind == DELTA:
        return fmt_delta(value)
    if kind == DATE:
        return f"{value:%Y-%m-%d}"
    if kind == INT:
        return fmt_int(value)
    if kind == PCT:
        return fmt_pct(value)
    if kind == NUM:
        return fmt_num(value)
    if kind == PP:
        return fmt_pp(value)
    return str(value)


def rate(numerator: int | None, denominator: int | None) -> float | None:
    """numerator ÷ denominator in %, exact (``supervision.rates.Rate``, rounded only when shown);
    None (no data) when the denominator is 0."""
    if not denominator or numerator is None:
        return None
    return rates.rate(numerator, denominator)


def no_data(what: str) -> str:
    return _("No %(what)s data in this period.") % {"what": what}
