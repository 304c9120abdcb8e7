"""The report's root causes (rectification section) and problems found on site (findings section and
the annual summary's figures) count what the core selectors count; PDF and Excel draw this content."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from reports.builders import build_content
from supervision.models import Finding, FindingSource
from tests.supervision.test_root_cause_figures import analysed  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("analysed")
def test_the_report_counts_root_causes_and_on_site_problems_as_the_selectors_do(neike):
    today = timezone.localdate()
    Finding.objects.update(source=FindingSource.OTHER, origin="round")
    with translation.override("en"):
        content = build_content(kind="range", start=today - dt.timedelta(days=1), end=today, today=today)
    rectification = next(s for s in content.sections if s.key == "rectification")
    table = next(t for t in rectification.tables if t.title == "Root causes by department")
    assert [c.label for c in table.columns][-2:] == ["No category", "Orders analysed"]
    assert table.rows[0] == ["内科", 2, 0, 1, 0, 0, 0, 0, 1, 3]
    assert "Root causes of the 4 orders analysed so far: 人员 2, 流程 1, 设备设施 1, No category 1." in (
        rectification.paragraphs
    )
    findings = next(s for s in content.sections if s.key == "findings")
    assert any(
        p.startswith("Problems found on site: 5 (0 on inspection rounds, 5") for p in findings.paragraphs
    )
    assert content.figures.findings.on_site == 5


@pytest.mark.usefixtures("analysed")
def test_the_findings_section_counts_problems_found_on_site_first_and_every_channel_next(neike):
    today = timezone.localdate()
    with translation.override("en"):
        content = build_content(kind="range", start=today - dt.timedelta(days=1), end=today, today=today)
    paragraphs = next(s for s in content.sections if s.key == "findings").paragraphs
    assert paragraphs[0].startswith("Problems found on site:")
    assert paragraphs[1].startswith("In this period 5 service problems of all kinds were found")


@pytest.mark.usefixtures("analysed")
def test_a_month_s_pdf_shows_the_three_commonest_causes_and_the_workbook_every_one(neike):
    from reports.pdf import pdf_column_indices, tables_and_charts

    today = timezone.localdate()
    with translation.override("en"):
        content = build_content(kind="range", start=today - dt.timedelta(days=1), end=today, today=today)
        rectification = next(s for s in content.sections if s.key == "rectification")
        table = next(t for t in rectification.tables if t.title == "Root causes by department")
        # 人员 2, then of the three at 1 the first two in the categories' order, then the total
        assert [table.columns[i].label for i in pdf_column_indices(table)] == [
            "Department", "人员", "流程", "设备设施", "Orders analysed",
        ]  # fmt: skip
        assert len(table.rows[0]) == 10  # every category stays in the content, so in the workbook
        (shown,) = [t for t in tables_and_charts(rectification)[0] if t["title"] == table.title]
        assert len(shown["columns"]) == 5 and "No category" in shown["note"]
