"""主要指标 — each indicator the sections measured, target against actual."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from supervision import rates

from ..content import DELTA, INT, NUM, PCT, PP, TEXT, Cell, Column, Section, Table
from .base import BuildContext

KEY = "headline"


def change(actual, last, kind: str) -> Cell:
    """actual against the same period last year: percentage points for a rate, the difference for
    a count or minutes; "no data last year" when there was none then (never a change from 0)."""
    if actual is None:
        return Cell(None, PP)
    if last is None:
        return Cell(_("no data last year"), TEXT)
    if kind == PCT:
        return Cell(rates.points(actual, last), PP)
    if kind == INT:
        return Cell(int(actual) - int(last), DELTA)
    return Cell(float(actual) - float(last), DELTA)


def build(ctx: BuildContext, previous: BuildContext | None = None) -> Section:
    """The headline table; with ``previous`` (the same sections built for the same period last
    year) each indicator beside last year's and the change."""
    section = Section(KEY, pgettext("report section", "Headline figures"))
    units = {PCT: "%", INT: _("count"), NUM: _("minutes")}
    last_year = {i.label: i.actual for i in previous.headline} if previous else {}
    rows = []
    for indicator in ctx.headline:
        actual, target, kind = indicator.actual, indicator.target, indicator.kind
        if actual is None:
            verdict = _("no data")
        elif target is None:
            verdict = "—"
        elif kind == NUM:  # lower is better (waiting minutes)
            verdict = _("met") if actual <= target else _("not met")
        else:
            verdict = _("met") if actual >= target else _("not met")
        row = [indicator.label, units[kind], Cell(target, kind), Cell(actual, kind), verdict]
        if previous is not None:
            last = last_year.get(indicator.label)
            row += [Cell(last, kind), change(actual, last, kind)]
        rows.append(row)
    columns = [
        Column(_("Indicator")),
        Column(_("Unit")),
        Column(_("Target"), NUM),
        Column(_("Actual"), NUM),
        Column(_("Result")),
    ]
    note = _("— means no data in the period.")
    if previous is not None:
        columns += [Column(_("Same period last year"), NUM), Column(pgettext("year on year", "Change"), PP)]
        note += " " + _(
            "Change: against the same period last year (%(start)s ~ %(end)s), in percentage points for rates."
        ) % {"start": f"{previous.start:%Y-%m-%d}", "end": f"{previous.end:%Y-%m-%d}"}
    section.tables.append(Table(_("Target and actual"), columns, rows, note=note))
    return section
