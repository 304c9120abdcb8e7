"""科室综合评分排名 — the department scorecard from the inputs the other sections measured."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ..content import INT, NUM, PCT, Chart, Column, Section, Series, Table, rate
from ..models import ReportKind
from .base import BuildContext

KEY = "scorecard"


def build(ctx: BuildContext) -> Section:
    section = Section(KEY, pgettext("report section", "Department scorecard"))
    config = ctx.config
    weights = config.weights()
    all_weights = sum(weights.values())
    min_share = config.min_weight_share
    names = {d.pk: d.name for d in ctx.departments}
    rows = []
    for dept_id, inputs in ctx.per_department.items():
        if dept_id not in names:
            continue
        scores = {
            "rectification": inputs.rectification,
            "on_time": inputs.on_time,
            "recurrence": (
                max(0, 100 - config.recurrence_penalty * inputs.recurrences)
                if inputs.rectification is not None or inputs.recurrences
                else None
            ),
            "satisfaction": inputs.satisfaction,
            "followup": inputs.followup,
            "complaints": (
                max(0, 100 - config.complaint_penalty * inputs.valid_complaints)
                if inputs.valid_complaints is not None
                else None
            ),
        }
        used = {k: v for k, v in scores.items() if v is not None and weights[k]}
        weight_sum = sum(weights[k] for k in used)
        total = round(sum(weights[k] * used[k] for k in used) / weight_sum, 1) if weight_sum else None
        coverage = rate(weight_sum, all_weights)
        rows.append([names[dept_id], *(scores[k] for k in weights), coverage, total])
    ranked_rows = [r for r in rows if r[-1] is not None and (r[-2] or 0) >= min_share]
    unranked_rows = [r for r in rows if r not in ranked_rows]
    ranked_rows.sort(key=lambda r: (-r[-1], r[0]))
    unranked_rows.sort(key=lambda r: (r[-1] is None, -(r[-1] or 0), r[0]))
    ranked = [[i + 1, *r] for i, r in enumerate(ranked_rows)] + [[None, *r] for r in unranked_rows]
    ctx.figures.scorecard = {r[1]: r[-1] for r in ranked if r[0] is not None}
    if not ranked:
        section.empty = True
        section.paragraphs.append(_("No department has figures in this period."))
        return section
    section.paragraphs.append(
        _(
            "Each component is a score from 0 to 100; a department's total is the weighted mean of the "
            "components it has figures for. Weights: %(weights)s."
        )
        % {
            "weights": "，".join(
                f"{label} {weights[key]}"
                for key, label in (
                    ("rectification", _("rectification rate")),
                    ("on_time", _("on-time rate")),
                    ("recurrence", _("no recurrences")),
                    ("satisfaction", _("satisfaction")),
                    ("followup", _("follow-up rate")),
                    ("complaints", _("valid complaints")),
                )
            )
        }
    )
    section.tables.append(
        Table(
            _("Department ranking"),
            [
                Column(_("Rank"), INT),
                Column(_("Department")),
                Column(_("Rectification rate"), NUM),
                Column(_("On-time rate"), NUM),
                Column(_("Recurrence score"), NUM),
                Column(_("Satisfaction"), NUM),
                Column(_("Follow-up rate"), NUM),
                Column(_("Complaint score"), NUM),
                Column(_("Weight with figures"), PCT),
                Column(_("Total score"), NUM),
            ],
            ranked,
            note=_(
                "Departments with figures for less than %(share)s%% of the weights are listed without a rank."
            )
            % {"share": min_share},
            # Every department, always; in a month's or range's PDF only rank, department and total
            # (the six component scores are in the sections before, the weight with figures says why
            # a department has no rank, as the note does; all in the workbook): 600 cells at 60
            # departments were the PDF's largest table (docs/performance.md).
            pdf_columns=None if ctx.kind == ReportKind.ANNUAL else [0, 1, 9],
        )
    )
    top = [r for r in ranked if r[0] is not None][:15]
    section.charts.append(
        Chart(
            "bar",
            _("Total score by department"),
            [r[1] for r in top],
            [Series(_("Total score"), [r[-1] for r in top])],
            y_label=_("Score"),
        )
    )
    return section
