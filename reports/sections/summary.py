"""年度工作总结 — the annual summary's standard paragraphs (docs/domain.md, "What the office hands in"),
filled with the figures the other sections measured (``ctx.figures``). A channel without data says
so; nothing is invented."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ..content import Section, fmt_pct, no_data
from .base import BuildContext
from .surveys import attitude_sentence, survey_sentence

KEY = "summary"


def build(ctx: BuildContext) -> Section:
    f = ctx.figures
    section = Section(KEY, pgettext("report section", "Annual work summary"))
    p = section.paragraphs
    if f.findings and f.findings.total:
        p.append(
            _(
                "In the year %(total)s service problems of all kinds were found, of which %(attitude)s "
                "service-attitude problems, %(process)s problems of processes not followed and "
                "%(discipline)s work-discipline problems."
            )
            % {
                "total": f.findings.total,
                "attitude": f.findings.attitude,
                "process": f.findings.process,
                "discipline": f.findings.discipline,
            }
        )
        p.append(_("Of these, %(n)s were found on site.") % {"n": f.findings.on_site})
    else:
        p.append(_("No findings were recorded in this period."))
    if f.orders and f.orders.total:
        p.append(
            _(
                "%(total)s rectification orders were issued; the rectification rate reached %(rate)s and the "
                "on-time rate %(on_time)s; %(overdue)s orders are overdue and %(recurrences)s problems recurred."
            )
            % {
                "total": f.orders.total,
                "rate": fmt_pct(f.orders.rectification_rate),
                "on_time": fmt_pct(f.orders.on_time_rate),
                "overdue": f.orders.overdue,
                "recurrences": f.findings.recurrences if f.findings else 0,
            }
        )
    if f.chart_audits:
        p.append(
            _(
                "In the year %(audited)s medical records were audited and %(problem)s problem charts found; "
                "the rectification rate reached %(rate)s."
            )
            % {
                "audited": f.chart_audits.audited,
                "problem": f.chart_audits.problem,
                "rate": fmt_pct(f.chart_audits.rectification_rate),
            }
        )
    else:
        p.append(no_data(pgettext("report channel", "chart audit")))
    if f.surveys and (f.surveys.satisfaction is not None or f.surveys.valid_returned):
        p.append(survey_sentence(f.surveys))
        p.append(attitude_sentence(f.surveys.attitude_change_pp))
    else:
        p.append(no_data(pgettext("report channel", "satisfaction survey")))
    if f.followups:
        text = _(
            "%(discharged)s patients were discharged in the year and %(followed)s of them followed up, "
            "a follow-up rate of %(rate)s."
        ) % {
            "discharged": f.followups.discharged,
            "followed": f.followups.followed_up,
            "rate": fmt_pct(f.followups.rate),
        }
        if f.followups.lowest:
            text += _(" Departments with the lowest rates: %(names)s.") % {"names": f.followups.lowest}
        p.append(text)
    else:
        p.append(no_data(pgettext("report channel", "discharge follow-up")))
    if f.complaints:
        p.append(
            _(
                "%(total)s complaints were received, %(valid)s of them found valid; %(on_time)s were answered "
                "within the time limit. %(zero)s departments had no complaint."
            )
            % {
                "total": f.complaints.total,
                "valid": f.complaints.valid,
                "on_time": fmt_pct(f.complaints.on_time_rate),
                "zero": f.complaints.zero_departments,
            }
        )
    else:
        p.append(no_data(pgettext("report channel", "complaint")))
    p.append(
        _(
            "The sections that follow give the figures behind each paragraph, month by month and by department."
        )
    )
    return section
