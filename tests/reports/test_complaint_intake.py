"""The complaints section reports the intake (received, accepted, not accepted by reason, awaiting)
from the same selector as the figures page and the API (issue 25 item 5)."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from complaints import selectors
from reports.builders import build_content
from tests.complaints.factories import accepted, make_complaint, not_accept

pytestmark = pytest.mark.django_db


def test_the_section_has_the_intake_paragraph_and_the_reasons_table(supervisor, neike):
    accepted(supervisor=supervisor, department=neike)
    not_accept(make_complaint(received_by=supervisor, department=neike), actor=supervisor)
    not_accept(make_complaint(received_by=supervisor, department=neike), actor=supervisor)
    make_complaint(received_by=supervisor, department=neike)  # awaiting the decision
    today = timezone.localdate()
    intake = selectors.intake(start=today, end=today)
    assert (intake["received"], intake["accepted"], intake["not_accepted"], intake["waiting"]) == (4, 1, 2, 1)

    with translation.override("en"):
        section = build_content(kind="range", start=today, end=today, today=today).section("complaints")
    assert any(
        p.startswith("Intake: 4 received, 1 accepted, 2 not accepted (2 of them told the reason")
        and p.endswith("1 awaiting the decision.")
        for p in section.paragraphs
    )
    table = {t.title: t for t in section.tables}["Complaints not accepted, by reason"]
    assert (
        table.rows
        == [[r["reason"], r["count"]] for r in intake["by_reason"]]
        == [[intake["by_reason"][0]["reason"], 2]]
    )

    with translation.override("zh-hans"):
        section = build_content(kind="range", start=today, end=today, today=today).section("complaints")
    assert any(p.startswith("受理情况：收到 4 件，受理 1 件，不予受理 2 件") for p in section.paragraphs)
    assert "不予受理投诉（按理由）" in {t.title for t in section.tables}
