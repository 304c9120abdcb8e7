"""The annual summary's standard paragraphs (domain.md, "What the office hands in"), filled with
figures measured by the section builders. A channel without data says so; nothing is invented."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .channels import change_sentence, survey_sentence
from .content import Section, fmt_pct, no_data

if TYPE_CHECKING:
    from .builders import BuildContext


def section_summary(ctx: BuildContext, sections: list[Section]) -> Section:
    f = ctx.figures
    section = Section("summary", pgettext("report section", "Annual work summary"))
    p = section.paragraphs
    if f.get("findings.total"):
        p.append(
            _(
                "In the year %(total)s service problems of all kinds were found, of which %(attitude)s "
                "service-attitude problems, %(process)s problems of processes not followed and "
                "%(discipline)s work-discipline problems."
            )
            % {
                "total": f["findings.total"],
                "attitude": f.get("findings.category.attitude", 0),
                "process": f.get("findings.category.process", 0),
                "discipline": f.get("findings.category.discipline", 0),
            }
        )
    else:
        p.append(_("No findings were recorded in this period."))
    if f.get("orders.total"):
        p.append(
            _(
                "%(total)s rectification orders were issued; the rectification rate reached %(rate)s and the "
                "on-time rate %(on_time)s; %(overdue)s orders are overdue and %(recurrences)s problems recurred."
            )
            % {
                "total": f["orders.total"],
                "rate": fmt_pct(f["orders.rectification_rate"]),
                "on_time": fmt_pct(f["orders.on_time_rate"]),
                "overdue": f["orders.overdue"],
                "recurrences": f.get("findings.recurrences", 0),
            }
        )
    if f.get("charts.audited"):
        p.append(
            _(
                "In the year %(audited)s medical records were audited and %(problem)s problem charts found; "
                "the rectification rate reached %(rate)s."
            )
            % {
                "audited": f["charts.audited"],
                "problem": f.get("charts.problem", 0),
                "rate": fmt_pct(f.get("charts.rectification_rate")),
            }
        )
    else:
        p.append(no_data(pgettext("report channel", "chart audit")))
    if f.get("surveys.satisfaction") is not None or f.get("surveys.valid_returned"):
        p.append(survey_sentence(f))
        p.append(
            change_sentence(
                _("Patients' satisfaction with the service attitude of doctors and nurses"),
                f.get("surveys.attitude_change_pp"),
            )
        )
    else:
        p.append(no_data(pgettext("report channel", "satisfaction survey")))
    if f.get("followups.discharged"):
        text = _(
            "%(discharged)s patients were discharged in the year and %(followed)s of them followed up, "
            "a follow-up rate of %(rate)s."
        ) % {
            "discharged": f["followups.discharged"],
            "followed": f["followups.followed_up"],
            "rate": fmt_pct(f["followups.rate"]),
        }
        if f.get("followups.lowest"):
            text += _(" Departments with the lowest rates: %(names)s.") % {"names": f["followups.lowest"]}
        p.append(text)
    else:
        p.append(no_data(pgettext("report channel", "discharge follow-up")))
    if f.get("complaints.total"):
        p.append(
            _(
                "%(total)s complaints were received, %(valid)s of them found valid; %(on_time)s were answered "
                "within the time limit. %(zero)s departments had no complaint."
            )
            % {
                "total": f["complaints.total"],
                "valid": f.get("complaints.valid", 0),
                "on_time": fmt_pct(f.get("complaints.on_time_rate")),
                "zero": f.get("complaints.zero_departments", 0),
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
