"""The written summary (工作总结) of a year, half-year or quarter: its four parts.

Each part opens with generated paragraphs carrying the figures the report's sections measured
(``ctx.figures``, and a few selectors read again for names), stored as message keys + parameters
(``reports.texts``) and worded when shown; then the office's own text and the typical cases it
picked (``reports.models.WrittenSummary``). docs/reports.md, "The written summary", gives every
sentence's formula.
"""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from supervision import selectors as core
from supervision.infra.wording import render, render_kept

from . import texts as T
from .content import Part, Section
from .models import SUMMARY_PARTS
from .periods import written_period
from .sections import followups as followup_section
from .sections.base import BuildContext, findings_in_period, selectors_of

KEY = "summary"
NAMES_SHOWN = 10  # departments named in a sentence; the count says how many in all
LOWEST_SHOWN = 3  # the lowest departments named for follow-up and satisfaction


def part_titles() -> dict[str, str]:
    return {
        "work": pgettext("written summary", "I. Work done"),
        "results": pgettext("written summary", "II. Results"),
        "problems": pgettext("written summary", "III. Problems"),
        "measures": pgettext("written summary", "IV. Improvement measures"),
    }


def is_written(start, end) -> bool:
    """A year, a half-year or a quarter has a written summary; a month keeps the figure report."""
    return written_period(start, end) is not None


# --- generating the paragraphs (stored as keys + parameters) ---------------------------------------------


def _lowest_followup(ctx: BuildContext) -> list:
    sel = selectors_of(
        "followups",
        "followup_month_department_table",
        "followup_month_department_cells",
        "whole_months_within",
    )
    if sel is None or ctx.figures.followups is None:
        return []
    # From the counts the follow-up section read for the whole report (a written period is whole months).
    table = followup_section.month_department_table(ctx, sel, ctx.start, ctx.end, lowest=LOWEST_SHOWN)
    lowest = sorted((r for r in table["rows"] if r["lowest"]), key=lambda r: r["total"]["rate"])
    return [T.ITEM_RATE(name=r["department"], rate=T.stored_figure(r["total"]["rate"])) for r in lowest]


def _lowest_satisfaction(ctx: BuildContext) -> list:
    sel = selectors_of("surveys", "satisfaction_by_department")
    if sel is None or ctx.figures.surveys is None:
        return []
    rows = [r for r in sel.satisfaction_by_department(**ctx.selector_kwargs) if r["satisfaction"] is not None]
    if len(rows) < 2:  # one department is not "the lowest" of anything
        return []
    rows.sort(key=lambda r: r["satisfaction"])
    return [T.ITEM_RATE(name=r["name"], rate=T.stored_figure(r["satisfaction"])) for r in rows[:LOWEST_SHOWN]]


def _result_figures(figures) -> dict[str, object]:
    """Every headline figure of a period by the key of its name (``texts.FIGURES``); None: no data."""
    f = figures
    out: dict[str, object] = dict.fromkeys(T.FIGURES)
    if f.findings and f.findings.total:
        out["findings"], out["on_site"] = f.findings.total, f.findings.on_site
    if f.orders and f.orders.total:
        out["rectification"], out["on_time"] = f.orders.rectification_rate, f.orders.on_time_rate
        out["effectiveness"] = f.orders.effectiveness_rate
    if f.inspections:
        out["wait_p90"], out["hand_hygiene"] = f.inspections.wait_p90, f.inspections.hand_hygiene
    if f.chart_audits and f.chart_audits.audited:
        out["charts"], out["chart_rectification"] = f.chart_audits.audited, f.chart_audits.rectification_rate
    if f.surveys:
        out["satisfaction"] = f.surveys.satisfaction
    if f.followups and f.followups.discharged:
        out["followup"] = f.followups.rate
    if f.complaints and f.complaints.total:
        out["complaints"], out["complaints_on_time"] = f.complaints.total, f.complaints.on_time_rate
    return out


def generate(ctx: BuildContext, previous: BuildContext | None) -> dict[str, list[dict]]:
    """The generated paragraphs of each part, as ``{"key", "params"}`` to store."""
    f = ctx.figures
    work, results, problems, measures = [], [], [], []

    # 一、工作开展情况 — channel by channel; problems found on site first, every channel next
    findings = findings_in_period(ctx)
    coverage_rows = None
    if f.inspections and f.inspections.rounds:
        sel = selectors_of("inspections", "coverage")
        coverage_rows = sel.coverage(**ctx.selector_kwargs)
        covered = sum(1 for r in coverage_rows if r["covered"])
        work.append(
            T.WORK_INSPECTIONS(
                rounds=f.inspections.rounds,
                covered=covered,
                departments=len(coverage_rows),
                coverage=T.stored_figure(f.inspections.coverage_rate),
            )
        )
    if f.findings and f.findings.total:
        on_site = core.found_on_site(findings)
        work.append(
            T.WORK_ON_SITE(
                n=on_site["total"],
                inspection=on_site["inspection"],
                round=on_site["round"],
                walk_by=on_site["walk_by"],
            )
        )
        work.append(
            T.WORK_FINDINGS(
                total=f.findings.total,
                attitude=f.findings.attitude,
                process=f.findings.process,
                discipline=f.findings.discipline,
                orders=f.orders.total if f.orders else 0,
            )
        )
    if f.chart_audits and f.chart_audits.audited:
        work.append(T.WORK_CHART_AUDITS(audited=f.chart_audits.audited, problem=f.chart_audits.problem))
    if f.surveys and f.surveys.valid_returned:
        work.append(T.WORK_SURVEYS(distributed=f.surveys.distributed, valid=f.surveys.valid_returned))
    if f.followups and f.followups.discharged:
        work.append(T.WORK_FOLLOWUPS(discharged=f.followups.discharged, followed=f.followups.followed_up))
    if f.complaints and f.complaints.total:
        work.append(T.WORK_COMPLAINTS(total=f.complaints.total, valid=f.complaints.valid))
    if not work:
        work.append(T.WORK_NONE())

    # 二、工作成效 — every headline figure beside the same period last year
    now = _result_figures(f)
    last = _result_figures(previous.figures) if previous is not None else dict.fromkeys(T.FIGURES)
    minutes = {"wait_p90"}
    for key, value in now.items():
        if value is None:
            continue
        shown = T.stored_figure(value, minutes=key in minutes)
        before = T.stored_figure(last[key], minutes=key in minutes)
        if before is None:  # no data last year: said so, never a change from 0
            results.append(T.RESULT_NEW(what=T.FIGURES[key](), now=shown))
        else:
            results.append(
                T.RESULT(what=T.FIGURES[key](), now=shown, last=before, change={"now": shown, "last": before})
            )
    if f.scorecard:
        results.append(T.RESULT_TOP(names=list(f.scorecard)[:3]))
    if not results:
        results.append(T.RESULTS_NONE())

    # 三、存在的问题 and 四、改进措施 — each problem with the measure that answers it
    not_inspected = [r["department"] for r in coverage_rows or () if not r["covered"]]
    if not_inspected:
        problems.append(T.PROBLEM_NOT_INSPECTED(n=len(not_inspected), names=not_inspected[:NAMES_SHOWN]))
        measures.append(T.MEASURE_INSPECT(n=len(not_inspected)))
    if f.findings and f.findings.recurrences:
        by_category = (
            findings.filter(recurrence_of__isnull=False)
            .values("category__name")
            .annotate(n=Count("id"))
            .order_by("-n", "category__name")[:3]
        )
        problems.append(
            T.PROBLEM_RECURRENCES(
                n=f.findings.recurrences,
                categories=[T.ITEM_COUNT(name=r["category__name"], n=r["n"]) for r in by_category],
            )
        )
        measures.append(T.MEASURE_RECURRENCES(n=f.findings.recurrences))
    if f.orders and f.orders.overdue:
        problems.append(T.PROBLEM_OVERDUE(n=f.orders.overdue))
        measures.append(T.MEASURE_OVERDUE(n=f.orders.overdue))
    lowest_followup = _lowest_followup(ctx)
    if lowest_followup:
        problems.append(T.PROBLEM_FOLLOWUP(names=lowest_followup))
        measures.append(T.MEASURE_FOLLOWUP(names=[item.params["name"] for item in lowest_followup]))
    lowest_satisfaction = _lowest_satisfaction(ctx)
    if lowest_satisfaction:
        problems.append(T.PROBLEM_SATISFACTION(names=lowest_satisfaction))
        measures.append(T.MEASURE_SATISFACTION(names=[item.params["name"] for item in lowest_satisfaction]))
    if f.orders and f.orders.awaiting_check:
        problems.append(T.PROBLEM_CHECKS(n=f.orders.awaiting_check))
        measures.append(T.MEASURE_CHECKS(n=f.orders.awaiting_check))
    if not problems:
        problems.append(T.PROBLEMS_NONE())
    if not measures:
        measures.append(T.MEASURES_NONE())

    parts = {"work": work, "results": results, "problems": problems, "measures": measures}
    return {key: [m.as_param() for m in parts[key]] for key in SUMMARY_PARTS}


# --- the section (worded in the active language) -----------------------------------------------------------


def office_paragraphs(text: str) -> list[str]:
    """The office's text as paragraphs: one per line, blank lines dropped; kept as written."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def case_part(case: dict) -> str:
    """Praise is a result; a finding or a complaint illustrates a problem."""
    return "results" if case.get("kind") == T.CaseKind.PRAISE else "problems"


def word_case(case: dict) -> str:
    # Kept per language and snapshot (wording.render_kept): the editor words the ninety cases it
    # offers on every view.
    return render_kept(T.CASE.key, case.get("params"))


def case_key(case: dict) -> str:
    """How the editor names a typical case ("kind:id")."""
    return f"{case['kind']}:{case['id']}"


def parts(generated: dict, summary=None, *, case_texts: dict[str, str] | None = None) -> list[Part]:
    """The four parts worded in the active language: the generated paragraphs, then (with a
    ``summary``) the office's words and its typical cases. ``case_texts``: cases worded already
    (``word_case``, by ``case_key``), as the editor's form words every case it offers."""
    if summary is None:
        return stored_parts(generated)
    office = {key: summary.office_text(key) for key in SUMMARY_PARTS}
    return stored_parts(generated, office=office, cases=summary.cases, case_texts=case_texts)


def stored_parts(
    generated: dict,
    *,
    office: dict[str, str] | None = None,
    cases: list[dict] = (),
    case_texts: dict[str, str] | None = None,
) -> list[Part]:
    """``parts`` from what a summary stores (its figures' messages, the office's text of each part,
    its typical cases' snapshots) alone — a function of these values and the active language, so the
    editor's preview is drawn once per content (``reports.views``)."""
    case_texts = case_texts or {}
    titles = part_titles()
    out = []
    for key in SUMMARY_PARTS:
        part = Part(key, titles[key])
        part.paragraphs = [render(m["key"], m.get("params")) for m in generated.get(key, [])]
        if office is not None:
            part.office = office_paragraphs(office[key])
            part.cases = [case_texts.get(case_key(c)) or word_case(c) for c in cases if case_part(c) == key]
        out.append(part)
    return out


def section(ctx: BuildContext, previous: BuildContext | None, summary=None) -> Section:
    """The written summary as the report's first section: the stored draft or finalised summary of
    this period and scope when there is one (its figures as last generated, the office's words and
    cases), otherwise freshly generated paragraphs without office text."""
    generated = summary.generated if summary is not None and summary.generated else generate(ctx, previous)
    title = (
        pgettext("report section", "Annual work summary")
        if written_period(ctx.start, ctx.end) == "year"
        else pgettext("report section", "Work summary")
    )
    out = Section(KEY, title, parts=parts(generated, summary))
    out.paragraphs.append(
        _(
            "The sections that follow give the figures behind each paragraph, month by month and by department."
        )
    )
    return out
