"""Excel exports of responses and of the figures (openpyxl, write-only, streamed from the DB)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from supervision.infra.exports import safe_cell as safe  # the one formula-injection rule (= + - @ tab CR)
from supervision.rates import Rate, exact, excel_format, rate

from .models import Answer, Channel, Dimension


def _book():
    import openpyxl

    return openpyxl.Workbook(write_only=True)


def _save(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _percent(sheet, value):
    """A percentage figure (a ``Rate``, or a mean of rates) as the exact fraction in a
    percent-formatted cell: 26,635 of 28,868 is stored as 0.92264…, shown as 92.26%."""
    if value is None:
        return None
    from openpyxl.cell import WriteOnlyCell

    ratio = value.ratio if isinstance(value, Rate) else float(exact(value) / 100)
    cell = WriteOnlyCell(sheet, value=ratio)
    cell.number_format = excel_format()
    return cell


def responses_workbook(responses) -> bytes:
    """Sheet 1: one row per response; sheet 2: one row per answer. ``responses`` is a filtered queryset."""
    book = _book()
    channels = dict(Channel.choices)
    dimensions = dict(Dimension.choices)
    sheet = book.create_sheet(_("Responses"))
    sheet.append(
        [
            _("Number"),
            _("Date"),
            _("Department"),
            _("Channel"),
            _("Questionnaire"),
            _("Campaign"),
            _("Valid"),
            _("Scale items answered"),
            _("Satisfied items"),
            _("Satisfaction %"),
            _("Low scores"),
            _("Finding"),
        ]
    )
    rows = responses.order_by("submitted_on", "id").values_list(
        "id",
        "submitted_on",
        "department__name",
        "channel",
        "questionnaire__title",
        "questionnaire__version",
        "campaign__name",
        "is_valid",
        "scale_answered",
        "scale_satisfied",
        "low_count",
        "finding__number",
    )
    for (
        rid,
        day,
        dept,
        channel,
        title,
        version,
        campaign,
        valid,
        answered,
        satisfied,
        low,
        finding,
    ) in rows.iterator(chunk_size=2000):
        sheet.append(
            [
                rid,
                day,
                safe(dept),
                str(channels.get(channel, channel)),
                safe(f"{title} v{version}"),
                safe(campaign or ""),
                _("Yes") if valid else _("No"),
                answered,
                satisfied,
                _percent(sheet, rate(satisfied, answered)),
                low,
                safe(finding or ""),
            ]
        )
    answers = book.create_sheet(_("Answers"))
    answers.append([_("Number"), _("Question"), _("Dimension"), _("Score (5 best)"), _("Answer")])
    rows = (
        Answer.objects.filter(response__in=responses.values("id"))
        .order_by("response_id", "question__section__order", "question__order", "question_id")
        .values_list(
            "response_id",
            "question__text",
            "dimension",
            "scale_value",
            "bool_value",
            "text_value",
            "choice_values",
        )
    )
    for rid, text, dimension, scale, yes_no, text_value, choices in rows.iterator(chunk_size=5000):
        if yes_no is not None:
            shown = _("Yes") if yes_no else _("No")
        elif choices:
            shown = "、".join(choices)
        else:
            shown = text_value
        answers.append([rid, safe(text), str(dimensions.get(dimension, dimension)), scale, safe(shown)])
    return _save(book)


def figures_workbook(figures: dict, *, start, end) -> bytes:
    book = _book()
    s = figures["summary"]
    sheet = book.create_sheet(pgettext("survey", "Summary"))
    sheet.append([_("Period"), f"{start:%Y-%m-%d} – {end:%Y-%m-%d}"])
    for label, key, percent in (
        (_("Distributed"), "distributed", False),
        (pgettext("survey", "Returned"), "returned", False),
        (_("Valid returned"), "valid_returned", False),
        (_("Response rate %"), "response_rate", True),
        (_("Scale items answered"), "scale_answered", False),
        (_("Satisfied items"), "scale_satisfied", False),
        (_("Overall satisfaction %"), "satisfaction", True),
    ):
        sheet.append([label, _percent(sheet, s[key]) if percent else s[key]])
    change = figures["change"]
    sheet.append([_("Same period last year %"), _percent(sheet, change["previous"])])
    sheet.append([_("Change (percentage points)"), change["change_pp"]])

    sheet = book.create_sheet(_("By dimension"))
    sheet.append([_("Dimension"), _("Scale items answered"), _("Satisfied items"), _("Satisfaction %")])
    for r in figures["by_dimension"]:
        sheet.append([r["label"], r["answered"], r["satisfied"], _percent(sheet, r["satisfaction"])])

    sheet = book.create_sheet(_("By department"))
    sheet.append(
        [
            _("Department"),
            pgettext("survey", "Returned"),
            _("Valid returned"),
            _("Scale items answered"),
            _("Satisfied items"),
            _("Satisfaction %"),
        ]
    )
    for r in figures["by_department"]:
        sheet.append(
            [
                safe(r["name"]),
                r["returned"],
                r["valid_returned"],
                r["scale_answered"],
                r["scale_satisfied"],
                _percent(sheet, r["satisfaction"]),
            ]
        )

    sheet = book.create_sheet(pgettext("survey", "By month"))
    sheet.append([_("Month"), pgettext("survey", "Returned"), _("Valid returned"), _("Satisfaction %")])
    for r in figures["by_month"]:
        sheet.append(
            [f"{r['month']:%Y-%m}", r["returned"], r["valid_returned"], _percent(sheet, r["satisfaction"])]
        )

    sheet = book.create_sheet(_("Praise"))
    sheet.append([_("Staff member"), _("Department"), _("Praises")])
    for r in figures["praise_staff"]:
        sheet.append([safe(r["name"]), safe(r["staff_department"]), r["count"]])
    sheet.append([])
    sheet.append([pgettext("survey", "Ward"), _("Praises"), _("Not yet matched to the roster")])
    for r in figures["praise_ward"]:
        sheet.append([safe(r["name"]), r["count"], r["unmatched"]])

    sheet = book.create_sheet(_("Comments"))
    sheet.append([_("Number"), _("Date"), _("Department"), _("Question"), pgettext("survey", "Comment")])
    for r in figures["comments"]:
        sheet.append(
            [
                r["response_id"],
                r["submitted_on"],
                safe(r["department_name"]),
                safe(r["question_text"]),
                safe(r["text_value"]),
            ]
        )
    return _save(book)
