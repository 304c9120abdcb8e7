"""Spreadsheet formula injection: every Excel/CSV export neutralises text a spreadsheet would run.

``supervision.infra.exports.safe_cell`` is the one rule; this module checks the rule itself (property
test), that every place in the project that writes a workbook or a CSV is known and covered
(a new writer fails ``test_every_spreadsheet_writer_is_known`` until it is listed here with the
test that covers it), and each real export end to end with hostile values.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from supervision.infra.exports import FORMULA_START, safe_cell, safe_row

ROOT = Path(__file__).resolve().parents[2]
APPS = ("supervision", "inspections", "followups", "complaints", "surveys", "reports")
HOSTILE = ['=HYPERLINK("http://evil","点此")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]

# Every module that writes a spreadsheet or CSV, and why it is safe (with the test that shows it).
WRITERS = {
    "surveys/exports.py": "responses and figures workbooks: safe_cell on every text cell "
    "(test_survey_exports_neutralise_hostile_text)",
    "reports/excel.py": "report workbooks: safe_text → safe_cell on every text cell "
    "(test_report_workbook_neutralises_a_hostile_department_name)",
    "supervision/infra/imports/reader.py": "import template workbooks: fixed headers and example rows from code, no user data "
    "(test_import_templates_hold_no_formula)",
    "followups/views.py": "discharge/history import templates via supervision.infra.imports.template_workbook",
    "supervision/views.py": "department/staff import templates via supervision.infra.imports.template_workbook",
    "supervision/people.py": "monthly per-person sheet: safe_cell on every cell "
    "(tests/supervision/test_people.py::test_the_sheet_neutralises_a_hostile_name)",
    "followups/demo.py": "demo HIS extract written by seed_demo from generated data, never served",
}
WRITER_PATTERN = re.compile(r"openpyxl\.Workbook\(|\bWorkbook\(|csv\.writer\(|csv\.DictWriter\(|xlsxwriter")


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_safe_cell_never_leaves_a_formula_start(text):
    out = safe_cell(text)
    assert not out.startswith(FORMULA_START)
    assert out in (text, "'" + text)  # nothing but the apostrophe is ever added


@settings(max_examples=40, deadline=None)
@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.none(), st.booleans(), st.dates()))
def test_safe_cell_leaves_numbers_dates_and_blanks_alone(value):
    assert safe_cell(value) == value


def test_safe_cell_prefixes_each_formula_start():
    assert safe_row(HOSTILE) == ["'" + v for v in HOSTILE]
    assert safe_row(["内科", "a=b", -5, 0.5]) == ["内科", "a=b", -5, 0.5]


def test_every_spreadsheet_writer_is_known():
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            if WRITER_PATTERN.search(text) or "template_workbook(" in text:
                found.add(path.relative_to(ROOT).as_posix())
    unknown = sorted(found - set(WRITERS))
    assert not unknown, (
        f"these modules write a spreadsheet or CSV but are not in tests/fuzz/test_formula_injection.py WRITERS: "
        f"{unknown} — pass every text cell through supervision.infra.exports.safe_cell and list them with a test"
    )


def _texts(book) -> list[str]:
    return [
        c
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for c in row
        if isinstance(c, str)
    ]


def _assert_no_formula(texts: list[str]):
    assert not [t for t in texts if t.startswith(FORMULA_START)], "a cell would run as a formula"


def test_import_templates_hold_no_formula(client_for, administrator):
    from supervision.importing import IMPORTERS

    client = client_for(administrator)
    for kind in IMPORTERS:
        book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("import_template", args=[kind])).content))
        _assert_no_formula(_texts(book))
        assert all(c.data_type != "f" for ws in book.worksheets for row in ws.iter_rows() for c in row)


def test_survey_exports_neutralise_hostile_text(client_for, supervisor):
    from surveys.models import Dimension, QuestionKind
    from tests.factories import DepartmentFactory
    from tests.surveys.factories import make_questionnaire, submit

    hostile_dept = DepartmentFactory(code="EV", name="=1+1科")
    questionnaire = make_questionnaire(
        supervisor,
        code="fx",
        sections=[
            ("态度", Dimension.ATTITUDE, [("a1", QuestionKind.SCALE, True), ("t", QuestionKind.TEXT, False)])
        ],
    )
    today = dt.date.today()
    for text in HOSTILE:
        submit(questionnaire, hostile_dept, today, a1=1, t=text)
    client = client_for(supervisor)
    for name in ("surveys:response_export", "surveys:results_export"):
        response = client.get(reverse(name), {"start": f"{today:%Y-%m-%d}", "end": f"{today:%Y-%m-%d}"})
        assert response.status_code == 200
        texts = _texts(openpyxl.load_workbook(io.BytesIO(response.content)))
        _assert_no_formula(texts)
    assert "'=1+1科" in texts or "'=1+1科" in _texts(
        openpyxl.load_workbook(io.BytesIO(client.get(reverse("surveys:response_export")).content))
    )


def test_report_workbook_neutralises_a_hostile_department_name(neike, supervisor):
    from reports import services
    from tests.factories import make_finding

    neike.name = '=HYPERLINK("http://evil")'
    neike.save()
    make_finding(department=neike, found_by=supervisor, description="@SUM(A1) 态度")
    today = dt.date.today()
    report = services.report_request(
        kind="range", start=today.replace(day=1), end=today, fmt="xlsx", departments=[neike], enqueue=False
    )
    services.report_build(report_id=report.pk)
    report.refresh_from_db()
    with report.file.open("rb") as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()))
    texts = _texts(book)
    _assert_no_formula(texts)
    assert any(t.startswith("'=HYPERLINK") for t in texts)


def test_admin_export_of_departments_and_staff_neutralises_hostile_names(db):
    from supervision.admin import DepartmentExportResource as DepartmentResource
    from supervision.admin import StaffExportResource as StaffResource
    from tests.factories import DepartmentFactory, StaffFactory

    dept = DepartmentFactory(code="EV2", name="=1+1")
    StaffFactory(department=dept, name="@SUM(A1)")
    texts = []
    for resource in (DepartmentResource(), StaffResource()):
        dataset = resource.export()
        texts += [c for row in dataset for c in row if isinstance(c, str)]
    _assert_no_formula(texts)
