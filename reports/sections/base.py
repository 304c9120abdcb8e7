"""What every report section shares: the build context and the helpers sections use.

A section is a module of ``reports.sections`` with a ``build(ctx) -> Section`` function. It reads
figures through selectors (the core's ``supervision.selectors``, a channel's declared selectors
module), writes its ``Section`` (paragraphs, tables, charts) and leaves the figures other parts of
the report read — the headline table, the department scorecard, the annual summary's paragraphs —
on the context as typed objects (``ctx.figures``, ``ctx.dept(...)``, ``ctx.headline``), never under
string keys.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _

from supervision import rates
from supervision.channels import channel
from supervision.models import Department, Finding, RectificationOrder

from ..content import Column, DataSheet
from ..figures import ReportFigures
from ..models import ReportConfig, ReportKind


@dataclass
class DepartmentInputs:
    """One department's inputs to the scorecard, filled by the sections that measure them."""

    rectification: float | None = None
    on_time: float | None = None
    recurrences: int = 0
    satisfaction: float | None = None
    followup: float | None = None
    valid_complaints: int | None = None  # None: the complaints channel had none in the period


@dataclass(frozen=True)
class Indicator:
    """A row of the headline table: target against actual (``kind`` as a table column's)."""

    label: str
    target: float | None
    actual: float | None
    kind: str


@dataclass
class BuildContext:
    kind: str
    start: dt.date
    end: dt.date
    department_ids: list[int] | None
    departments: list[Department]
    as_of: dt.date
    config: ReportConfig
    figures: ReportFigures = field(default_factory=ReportFigures)
    per_department: dict[int, DepartmentInputs] = field(default_factory=dict)
    headline: list[Indicator] = field(default_factory=list)
    # The comparison pass (the same period last year): only its figures, headline and per-department
    # inputs are read, so the sections skip the tables and charts that read further periods (trends,
    # the year before) — they would be thrown away, and they are what grew with years of history.
    figures_only: bool = False
    # Figures read once per report: the comparison pass shares this with the main one (the main
    # pass's "same months last year" is the comparison pass's own period).
    shared: dict = field(default_factory=dict)
    # The workbook's data sheets (the rows behind each channel's figures): built for Excel only.
    with_data: bool = False
    data_sheets: list[DataSheet] = field(default_factory=list)

    def once(self, key: tuple, compute):
        """``compute()``'s result, read once per report for ``key`` (a selector and its arguments)."""
        if key not in self.shared:
            self.shared[key] = compute()
        return self.shared[key]

    def add_data(self, key: str, title: str, columns: list[Column], rows, note: str = "") -> None:
        """A data sheet of the rows ``rows()`` gives — read only when the report is a workbook (the
        PDF never shows them)."""
        if self.with_data:
            self.data_sheets.append(DataSheet(key, title, columns, [list(r) for r in rows()], note))

    def dept(self, department_id: int) -> DepartmentInputs:
        return self.per_department.setdefault(department_id, DepartmentInputs())

    @property
    def aware_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        first = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return first, after

    @property
    def selector_kwargs(self) -> dict:
        """The period and scope every channel selector takes."""
        return {"start": self.start, "end": self.end, "departments": self.department_ids}


def findings_in_period(ctx: BuildContext, start: dt.date | None = None, end: dt.date | None = None):
    tz = timezone.get_current_timezone()
    start, end = start or ctx.start, end or ctx.end
    qs = Finding.objects.filter(
        found_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        found_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )
    if ctx.department_ids:
        qs = qs.filter(department_id__in=ctx.department_ids)
    return qs


def orders_in_period(ctx: BuildContext):
    """Orders issued for the findings of the period (their state as of the build)."""
    first, after = ctx.aware_bounds
    qs = RectificationOrder.objects.filter(finding__found_at__gte=first, finding__found_at__lt=after)
    if ctx.department_ids:
        qs = qs.filter(department_id__in=ctx.department_ids)
    return qs


def selectors_of(app: str, *names: str):
    """The selectors module the channel ``app`` declares in its contract
    (``supervision.channels.Channel.selectors``), or None when no such channel is registered.

    A module that lacks one of the functions the report reads is a contract break between the
    apps, not "no data": it raises, so the report fails with a visible reason instead of
    printing a false "no data" sentence.
    """
    declared = channel(app)
    if declared is None or not declared.selectors:
        return None
    module = importlib.import_module(declared.selectors)
    missing = [n for n in names if not callable(getattr(module, n, None))]
    if missing:
        raise ImproperlyConfigured(f"{declared.selectors} lacks {', '.join(missing)} (needed by the reports)")
    return module


def run_chart_limit() -> int:
    return settings.REPORTS_RUN_CHART_DEPARTMENTS


def pdf_list_rows() -> int:
    """Rows of a long list (e.g. recurring problems) shown in the PDF; the workbook has them all."""
    return settings.REPORTS_PDF_LIST_ROWS


def department_pdf_rows(ctx: BuildContext) -> int | None:
    """PDF rows of a per-department table: every department in the annual summary; in a monthly or
    range report the ``pdf_list_rows()`` departments that most need attention (the table is sorted
    that way), as the office's monthly reports name the lowest departments. The workbook and the
    ranking table always list every department."""
    return None if ctx.kind == ReportKind.ANNUAL else pdf_list_rows()


def department_pdf_columns(ctx: BuildContext, columns: list[int]) -> list[int] | None:
    """PDF columns of a wide per-department table: every column in the annual summary; in a monthly
    or range report only ``columns`` (the PDF notes the others, the workbook has them all)."""
    return None if ctx.kind == ReportKind.ANNUAL else list(columns)


def attention_first(rows, key, *, worst="low"):
    """``rows`` with the most worrying first: lowest (``worst="low"``) or highest value of
    ``key``; rows without a value last. Stable, so ties keep the department order."""

    def sort_key(row):
        value = key(row)
        if value is None:
            return (1, 0)
        return (0, value if worst == "low" else -value)

    return sorted(rows, key=sort_key)


def month_key(value):
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def choice_labels(app: str, model_attr: str) -> dict:
    try:
        choices = getattr(importlib.import_module(f"{app}.models"), model_attr)
    except (ModuleNotFoundError, AttributeError):
        return {}
    return {value: str(label) for value, label in choices.choices}


def yes_no(flag: bool) -> str:
    return _("yes") if flag else _("no")


def change_sentence(what: str, change: float | None) -> str:
    if change is None:
        return _("%(what)s cannot be compared with the same period last year (no data then).") % {
            "what": what
        }
    change = rates.rounded(change)  # "unchanged" means unchanged as shown, not to the last bit
    if change > 0:
        return _("%(what)s rose by %(n)s percentage points against the same period last year.") % {
            "what": what,
            "n": rates.format_rate(change),
        }
    if change < 0:
        return _("%(what)s fell by %(n)s percentage points against the same period last year.") % {
            "what": what,
            "n": rates.format_rate(-change),
        }
    return _("%(what)s is unchanged against the same period last year.") % {"what": what}
