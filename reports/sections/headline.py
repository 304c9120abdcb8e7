"""主要指标 — each indicator the sections measured, target against actual."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ..content import INT, NUM, PCT, Cell, Column, Section, Table
from .base import BuildContext

KEY = "headline"


def build(ctx: BuildContext) -> Section:
    section = Section(KEY, pgettext("report section", "Headline figures"))
    units = {PCT: "%", INT: _("count"), NUM: _("minutes")}
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
        rows.append([indicator.label, units[kind], Cell(target, kind), Cell(actual, kind), verdict])
    section.tables.append(
        Table(
            _("Target and actual"),
            [
                Column(_("Indicator")),
                Column(_("Unit")),
                Column(_("Target"), NUM),
                Column(_("Actual"), NUM),
                Column(_("Result")),
            ],
            rows,
            note=_("— means no data in the period."),
        )
    )
    return section
