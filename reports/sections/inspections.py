"""现场督察 — rounds and coverage, window waiting time, hand hygiene (``inspections.selectors``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from supervision.infra.wording import join_list

from ..content import DATE, INT, NUM, PCT, Chart, Column, Section, Series, Table, fmt_num, fmt_pct, no_data
from .base import (
    BuildContext,
    Indicator,
    attention_first,
    choice_labels,
    department_pdf_rows,
    selectors_of,
    yes_no,
)

KEY = "inspections"
APP = "inspections"


@dataclass(frozen=True)
class InspectionFigures:
    rounds: int  # submitted rounds in the period
    coverage_rate: float | None  # departments with a round ÷ active departments, %; None without rounds
    wait_p90: float | None  # window waiting time, 90th percentile, minutes
    hand_hygiene: float | None  # Σ washes ÷ Σ opportunities, %


def build(ctx: BuildContext) -> Section:
    section = Section(KEY, pgettext("report section", "On-site inspection"))
    sel = selectors_of(
        APP, "coverage", "coverage_summary", "rounds_by_type", "window_waiting", "hand_hygiene"
    )
    if sel is None:
        section.empty = True
        section.paragraphs.append(no_data(pgettext("report channel", "on-site inspection")))
        return section
    kw = ctx.selector_kwargs
    rows = sel.coverage(**kw)
    cov = sel.coverage_summary(rows)
    by_type = sel.rounds_by_type(**kw)
    waiting = sel.window_waiting(**kw)
    hygiene = sel.hand_hygiene(**kw)
    ctx.figures.inspections = InspectionFigures(
        rounds=cov["done"],
        coverage_rate=cov["coverage_rate"] if cov["done"] else None,
        wait_p90=waiting["p90"] if waiting["n"] else None,
        hand_hygiene=hygiene["compliance_pct"] if hygiene["observations"] else None,
    )
    target = waiting.get("target") or ctx.config.target_window_wait_minutes
    ctx.headline.append(Indicator(_("Window waiting time, 90th percentile"), target, waiting["p90"], NUM))
    ctx.headline.append(
        Indicator(_("Hand-hygiene compliance"), hygiene.get("target_pct"), hygiene["compliance_pct"], PCT)
    )
    if not (cov["done"] or waiting["n"] or hygiene["observations"]):
        section.empty = True
        section.paragraphs.append(no_data(pgettext("report channel", "on-site inspection")))
        return section
    type_labels = choice_labels(APP, "RoundType")
    section.paragraphs.append(
        ngettext(
            "%(done)s inspection round was carried out (%(types)s); planned: %(planned)s. Departments "
            "inspected: %(covered)s of %(departments)s, a coverage of %(rate)s.",
            "%(done)s inspection rounds were carried out (%(types)s); planned: %(planned)s. Departments "
            "inspected: %(covered)s of %(departments)s, a coverage of %(rate)s.",
            cov["done"],
        )
        % {
            "done": cov["done"],
            "types": join_list(
                ngettext("%(type)s %(n)s round", "%(type)s %(n)s rounds", n)
                % {"type": type_labels.get(t, t), "n": n}
                for t, n in by_type.items()
                if n
            )
            or "—",
            "planned": cov["planned"],
            "covered": cov["covered"],
            "departments": cov["departments"],
            "rate": fmt_pct(cov["coverage_rate"]),
        }
    )
    missed = [r["department"] for r in rows if r["highlight"] and not r["covered"]]
    if missed:
        section.paragraphs.append(
            _("Window and support units not inspected in this period: %(names)s.")
            % {"names": join_list(missed)}
        )
    section.tables.append(
        Table(
            _("Inspection coverage by department"),
            [
                Column(_("Department")),
                Column(_("Planned rounds"), INT),
                Column(_("Rounds done"), INT),
                Column(_("Inspected")),
            ],
            [
                [r["department"], r["planned"], r["done"], yes_no(r["covered"])]
                for r in attention_first(rows, lambda r: (r["covered"], r["done"]))
            ],
            pdf_rows=department_pdf_rows(ctx),
        )
    )
    if waiting["n"]:
        section.paragraphs.append(
            ngettext(
                "Window waiting time was measured %(n)s time: mean %(avg)s minutes, 90th percentile %(p90)s "
                "minutes, longest %(max)s minutes; within the target of %(target)s minutes: %(within)s.",
                "Window waiting time was measured %(n)s times: mean %(avg)s minutes, 90th percentile %(p90)s "
                "minutes, longest %(max)s minutes; within the target of %(target)s minutes: %(within)s.",
                waiting["n"],
            )
            % {
                "n": waiting["n"],
                "avg": fmt_num(waiting["avg"]),
                "p90": fmt_num(waiting["p90"]),
                "max": fmt_num(waiting["max"]),
                "within": fmt_pct(waiting["within_target_pct"]),
                "target": target,
            }
        )
        wrows = waiting["by_department"]
        section.tables.append(
            Table(
                _("Window waiting time (minutes)"),
                [
                    Column(_("Service window")),
                    Column(_("Measurements"), INT),
                    Column(_("Mean"), NUM),
                    Column(_("90th percentile"), NUM),
                    Column(_("Longest"), NUM),
                    Column(_("Within target"), PCT),
                ],
                [
                    [r["department"], r["n"], r["avg"], r["p90"], r["max"], r["within_target_pct"]]
                    for r in wrows
                ],
                note=_("Target: at most %(target)s minutes.") % {"target": target},
            )
        )
        section.charts.append(
            Chart(
                "bar",
                _("Window waiting time (minutes)"),
                [r["department"] for r in wrows],
                [
                    Series(_("Mean"), [r["avg"] for r in wrows]),
                    Series(_("90th percentile"), [r["p90"] for r in wrows]),
                ],
                y_label=_("minutes"),
            )
        )
    else:
        section.paragraphs.append(no_data(pgettext("report channel", "window waiting time")))
    if hygiene["observations"]:
        section.paragraphs.append(
            _(
                "Hand hygiene: %(washes)s hand washes in %(opportunities)s opportunities observed, a compliance "
                "of %(rate)s (target %(target)s%%)."
            )
            % {
                "washes": hygiene["washes"],
                "opportunities": hygiene["opportunities"],
                "rate": fmt_pct(hygiene["compliance_pct"]),
                "target": hygiene.get("target_pct"),
            }
        )
        section.tables.append(
            Table(
                _("Hand-hygiene compliance by department"),
                [
                    Column(_("Department")),
                    Column(_("Observations"), INT),
                    Column(_("Opportunities"), INT),
                    Column(_("Hand washes"), INT),
                    Column(_("Compliance"), PCT),
                ],
                [
                    [r["department"], r["observations"], r["opportunities"], r["washes"], r["compliance_pct"]]
                    for r in attention_first(hygiene["by_department"], lambda r: r["compliance_pct"])
                ],
                pdf_rows=department_pdf_rows(ctx),
            )
        )
    else:
        section.paragraphs.append(no_data(pgettext("report channel", "hand-hygiene")))
    return section


def data_sheet(ctx: BuildContext) -> None:
    """The rounds submitted in the period, one row each, for re-cutting."""
    sel = selectors_of(APP, "round_rows")
    if sel is None:
        return
    areas, types = choice_labels(APP, "Area"), choice_labels(APP, "RoundType")

    def rows():
        for r in sel.round_rows(**ctx.selector_kwargs):
            yield [
                timezone.localdate(r["started_at"]),
                r["department__name"],
                areas.get(r["area"], r["area"]),
                types.get(r["round_type"], r["round_type"]),
                r["passed"],
                r["failed"],
                r["score"],
            ]

    ctx.add_data(
        KEY,
        pgettext("report section", "On-site inspection"),
        [
            Column(_("Date"), DATE),
            Column(_("Department")),
            Column(_("Area")),
            Column(_("Round type")),
            Column(_("Items passed"), INT),
            Column(_("Items failed"), INT),
            Column(_("Score"), NUM),
        ],
        rows,
    )
