"""The complaints section reports the complainants' verdicts beside their satisfaction with the
outcome (issue 25 item 2), per handler and department only from the minimum number of verdicts."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from complaints import services
from reports.builders import build_content
from tests.complaints.factories import answered

pytestmark = pytest.mark.django_db


def test_the_section_has_the_verdict_tables_and_hides_small_groups(
    supervisor, administrator, neike, head_neike
):
    complaint = answered(supervisor=supervisor, department=neike, head=head_neike)
    services.verdict_record_by_phone(
        complaint=complaint, actor=administrator, handled="yes", fair="partly", contact="good"
    )
    today = timezone.localdate()
    with translation.override("en"):
        content = build_content(kind="range", start=today, end=today, today=today)
    section = content.section("complaints")
    tables = {t.title: t for t in section.tables}
    by_handler = tables["Complainants' verdict by handler"]
    by_department = tables["Complainants' verdict by department"]
    # One verdict: below the minimum of 5, the rows give the count and no shares.
    assert by_handler.rows == [[supervisor.full_name, 1, None, None, None]]
    assert by_department.rows == [["内科", 1, None, None, None]]
    assert any(
        "1 complainants gave their verdict on the handling: handled 100" in p for p in section.paragraphs
    )
