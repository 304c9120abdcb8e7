"""The sections of a report, one module each.

Every module has a ``KEY`` and ``build(ctx: BuildContext) -> Section``; a section that measures
figures other parts of the report read leaves them on ``ctx.figures`` as its own frozen dataclass
(``reports.figures``). The order of a report: the written summary (a year, half-year or quarter;
``reports.written``) and the headline figures — both built last, from what the others measured — then findings, rectification, the
channel sections, and the department scorecard.

A channel declares the sections it feeds, and the selectors module they read, in its contract
(``supervision.channels.Channel.report_sections`` / ``.selectors``, in its ``apps.py``); the code
that words and lays out their figures lives here, in the reports app, so a channel never imports
``reports``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

from supervision.channels import channels

from ..content import Section
from . import (
    alerts,
    chart_audits,
    complaints,
    findings,
    followups,
    headline,
    inspections,
    rectification,
    scorecard,
    servicedesk,
    surveys,
    weekly_meeting,
)
from .base import BuildContext

SectionBuilder = Callable[[BuildContext], Section]

# The sections the reports know how to draw, by the key a channel declares in its contract
# (``supervision.channels.ReportSection``).
CHANNEL_SECTIONS: dict[str, SectionBuilder] = {
    module.KEY: module.build
    for module in (inspections, chart_audits, surveys, alerts, followups, complaints, servicedesk)
}


# The workbook's data sheet of each section that has one (the rows behind its figures), by the same keys.
CHANNEL_DATA: dict[str, Callable[[BuildContext], None]] = {
    module.KEY: module.data_sheet
    for module in (inspections, chart_audits, surveys, followups, complaints, servicedesk)
    if hasattr(module, "data_sheet")
}


def _declared_keys() -> list[str]:
    declared = sorted((s for ch in channels() for s in ch.report_sections), key=lambda s: s.order)
    unknown = [s.key for s in declared if s.key not in CHANNEL_SECTIONS]
    if unknown:
        raise ImproperlyConfigured(f"report sections without a builder: {', '.join(unknown)}")
    return [s.key for s in declared]


def channel_section_builders() -> list[SectionBuilder]:
    """The builders of the sections the registered channels declare, in their declared order."""
    return [CHANNEL_SECTIONS[key] for key in _declared_keys()]


def data_sheet_builders() -> list[Callable[[BuildContext], None]]:
    """The data sheets of the workbook, in report order: findings, then each declared channel's."""
    return [findings.data_sheet, *(CHANNEL_DATA[key] for key in _declared_keys() if key in CHANNEL_DATA)]


def body_builders() -> list[SectionBuilder]:
    """The sections that measure, in report order (the summary and headline are built after them)."""
    return [findings.build, rectification.build, *channel_section_builders(), scorecard.build]


__all__ = [
    "CHANNEL_SECTIONS",
    "BuildContext",
    "body_builders",
    "data_sheet_builders",
    "headline",
    "weekly_meeting",
]
