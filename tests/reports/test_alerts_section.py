"""The report's section on unhappy patients (issue 17): the same figures as the core's selector,
counted by hand, in the content and in the workbook; a period without alerts says so."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from reports.builders import build_content
from reports.excel import render_xlsx
from supervision import selectors, services
from supervision.models import AlertKind, AlertOutcome
from tests.factories import DischargeStayFactory

from .conftest import OCT, at

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def alerts(neike, waike, head_neike, supervisor):
    """October 2026 by hand: 3 alerts (2 survey, 1 call); 内科's first contacted after 26 h, on
    time, closed resolved; 内科's second contacted after its day; 外科's open and past its day. One in
    September is outside the period."""

    def make(dept, day, kind=AlertKind.SURVEY_LOW_SCORE, due_days=2):
        stay = DischargeStayFactory(department=dept)
        alert, _ = services.alert_raise(
            kind=kind,
            source=stay,
            department=dept,
            stay=stay,
            due_on=day + dt.timedelta(days=due_days),
            now=at(day, 9),
        )
        return alert

    first = make(neike, D(2026, 10, 5))
    services.alert_contact(alert=first, actor=head_neike, contact_note="已致歉", now=at(D(2026, 10, 6), 11))
    services.alert_close(alert=first, actor=head_neike, action_taken="整改", outcome=AlertOutcome.RESOLVED)
    late = make(neike, D(2026, 10, 12), kind=AlertKind.CALL_NOT_SATISFIED)
    services.alert_contact(alert=late, actor=supervisor, contact_note="已回电", now=at(D(2026, 10, 20), 9))
    make(waike, D(2026, 10, 20))
    make(neike, D(2026, 9, 20))


def test_the_alert_section_reads_the_core_figures_counted_by_hand(alerts):
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=D(2026, 11, 23))
    section = content.section("alerts")
    fig = selectors.alert_figures(start=OCT[0], end=OCT[1], today=D(2026, 11, 23))
    assert (fig["raised"], fig["survey"], fig["call"], fig["contacted"], fig["on_time"]) == (3, 2, 1, 2, 1)
    assert (fig["open"], fig["overdue"], fig["contactable"]) == (2, 1, 3)
    # (26 h + 8 days = 192 h) / 2 contacted = 109 h, exactly
    assert float(fig["recovery_hours"]) == 109.0
    text = " ".join(section.paragraphs)
    assert "3" in text and "33.33%" in text and "109.0" in text
    counts = {row[0]: row[1] for row in section.tables[0].rows}
    assert list(counts.values()) == [3, 2, 1, 2, 1]
    outcomes = {row[0]: row[1] for row in section.tables[2].rows}
    assert sum(outcomes.values()) == 1
    buffer = io.BytesIO()
    render_xlsx(content, buffer)
    wb = load_workbook(io.BytesIO(buffer.getvalue()))
    rate = next(
        c
        for ws in wb.worksheets
        for r in ws.iter_rows()
        for c in r
        if c.number_format == "0.00%" and c.value == pytest.approx(1 / 3)
    )
    assert rate is not None


def test_a_period_without_alerts_says_so(neike):
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=D(2026, 11, 23))
    section = content.section("alerts")
    assert section.empty and section.paragraphs


def test_the_sentences_name_what_each_figure_counts_in_both_languages(alerts):
    from django.utils.translation import override

    with override("en"):
        content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=D(2026, 11, 23))
        en = content.section("alerts").paragraphs
    assert en[0] == (
        "3 alerts on unhappy patients were raised (2 from low survey scores, 1 from follow-up calls "
        "recorded not satisfied)."
    )
    # ``due`` counts the patients whose contact was due by now, not "who could be contacted".
    assert en[1] == (
        "1 of the 3 patients whose contact was due by now were contacted in time (33.33%); the mean "
        "time from the alert to the contact was 109.0 hours."
    )
    assert en[2] == "2 alerts are not yet closed (1 of them past their day without a contact)."
    with override("zh-hans"):
        content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=D(2026, 11, 23))
        zh = content.section("alerts").paragraphs
    assert zh == [
        "本期共发出不满意患者预警3条（满意度调查低分2条，回访记录不满意1条）。",
        "截至统计日应已联系的3名患者中，1名按时联系（33.33%），从预警到联系平均用时109.0小时。",
        "尚有2条预警未办结，其中1条已过联系期限仍未联系。",
    ]


def test_one_alert_reads_in_the_singular_and_counts_carry_the_thousands_separator():
    from reports.sections.alerts import _sentences

    fig = {
        "raised": 1, "survey": 1, "call": 0, "due": 1, "contacted": 0, "on_time": 0, "open": 1,
        "overdue": 1, "on_time_rate": None, "recovery_hours": None,
    }  # fmt: skip
    from django.utils.translation import override

    with override("en"):
        assert _sentences(fig) == [
            "1 alert on an unhappy patient was raised (1 from low survey scores, 0 from follow-up calls "
            "recorded not satisfied).",
            "The 1 patient whose contact was due by now was not contacted.",
            "1 alert is not yet closed (1 past its day without a contact).",
        ]
        big = _sentences({**fig, "raised": 1234, "survey": 1234, "open": 0, "due": 0})
    assert big[0].startswith("1,234 alerts") and big[1:] == [
        "No patient's contact was due yet.",
        "Every alert raised in the period is closed.",
    ]
