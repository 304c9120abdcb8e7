"""The figures a report measured, typed: one frozen object per section that measures some.

Sections fill them as they run (``reports.sections``); the headline table, the scorecard, the
annual summary's paragraphs and the tests read their attributes. ``None``: the section had no data
in the period (or its channel is not installed) — never a 0 standing for "no data".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .sections.chart_audits import ChartAuditFigures
    from .sections.complaints import ComplaintFigures
    from .sections.findings import FindingFigures
    from .sections.followups import FollowupFigures
    from .sections.inspections import InspectionFigures
    from .sections.rectification import OrderFigures
    from .sections.surveys import SurveyFigures


@dataclass
class ReportFigures:
    findings: FindingFigures | None = None
    orders: OrderFigures | None = None
    inspections: InspectionFigures | None = None
    chart_audits: ChartAuditFigures | None = None
    surveys: SurveyFigures | None = None
    followups: FollowupFigures | None = None
    complaints: ComplaintFigures | None = None
    # department name → total score, ranked departments only
    scorecard: dict[str, float] = field(default_factory=dict)
