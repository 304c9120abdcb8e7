"""Department and staff imports: all-or-nothing, row-level errors in Chinese, idempotent."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from supervision.importing import DepartmentImport, StaffImport
from supervision.infra.imports import run_import
from supervision.models import Department, ImportRun, Staff


def xlsx(rows) -> io.BytesIO:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "upload.xlsx"
    return out


DEPTS = [
    ["编码", "名称", "类型", "启用", "排序"],
    ["NK", "内科", "临床", "是", 10],
    ["GHC", "挂号处", "窗口", "是", 20],
    ["ZWK", "总务科", "后勤", "", ""],
]


def run(spec, data, name="upload.xlsx"):
    return run_import(spec, source=data, file_name=name, actor=None)


def test_department_import_creates_then_reimport_changes_nothing(db):
    report = run(DepartmentImport, xlsx(DEPTS))
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert Department.objects.get(code="GHC").kind == "window"
    assert Department.objects.get(code="ZWK").kind == "support"
    again = run(DepartmentImport, xlsx(DEPTS))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Department.objects.count() == 3
    assert ImportRun.objects.filter(succeeded=True).count() == 2


def test_department_import_with_one_bad_row_writes_nothing_and_names_the_row(db):
    rows = [*DEPTS, ["EK", "儿科", "病房", "是", 30]]
    report = run(DepartmentImport, xlsx(rows))
    assert not report.ok
    assert Department.objects.count() == 0
    [error] = report.errors
    assert error.row == 5
    assert error.column == "类型"
    assert "病房" in error.message


def test_duplicate_codes_in_one_file_are_refused(db):
    rows = [*DEPTS, ["NK", "内科二", "临床", "是", 40]]
    report = run(DepartmentImport, xlsx(rows))
    assert not report.ok
    assert Department.objects.count() == 0
    [error] = report.errors
    assert "NK" in error.message and "第 5 行" in error.message
    assert not error.message.startswith("[")  # a sentence, not a Python list


def test_a_name_held_by_another_department_says_which(db):
    assert run(DepartmentImport, xlsx(DEPTS)).ok
    report = run(DepartmentImport, xlsx([DEPTS[0], ["NK2", "内科", "临床", "是", 50]]))
    assert not report.ok
    [error] = report.errors
    assert (error.row, error.column) == (2, "名称")
    assert error.message == "名称“内科”已被科室 NK 使用。"
    assert not Department.objects.filter(code="NK2").exists()


@pytest.mark.parametrize("value", ["也许", "√", "在岗"])
def test_a_yes_no_column_refuses_a_word_it_does_not_know_instead_of_reading_no(neike, value):
    rows = [["工号", "姓名", "科室编码", "岗位", "职称", "在职"], ["D1", "张伟", "NK", "医生", "", value]]
    report = run(StaffImport, xlsx(rows))
    assert not report.ok
    [error] = report.errors
    assert (error.row, error.column) == (2, "在职")
    assert f"“{value}”不是“是”或“否”" in error.message
    assert Staff.objects.count() == 0


def test_wrong_columns_are_refused_before_any_row(db):
    report = run(DepartmentImport, xlsx([["code", "name"], ["NK", "内科"]]))
    assert not report.ok
    assert "编码" in report.file_error
    assert Department.objects.count() == 0
    assert ImportRun.objects.get().succeeded is False


def test_empty_file_is_refused(db):
    report = run(DepartmentImport, io.BytesIO(b""))
    assert report.file_error
    report = run(DepartmentImport, xlsx([["编码", "名称", "类型"]]))
    assert report.file_error


def test_a_non_excel_file_renamed_xlsx_is_refused(db):
    fake = io.BytesIO(b"%PDF-1.4 this is not a spreadsheet")
    report = run(DepartmentImport, fake, name="departments.xlsx")
    assert report.file_error
    assert Department.objects.count() == 0


def test_gbk_csv_is_read(db):
    text = "编码,名称,类型\nNK,内科,临床\n"
    report = run(DepartmentImport, io.BytesIO(text.encode("gbk")), name="d.csv")
    assert report.ok, report.errors
    assert Department.objects.get().name == "内科"


def test_staff_import_reports_unknown_department_and_writes_nothing(neike):
    rows = [
        ["工号", "姓名", "科室编码", "岗位", "职称", "在职"],
        ["D1", "张伟", "NK", "医生", "主治医师", "是"],
        ["D2", "李娜", "XX", "护士", "", "是"],
    ]
    report = run(StaffImport, xlsx(rows))
    assert not report.ok
    assert Staff.objects.count() == 0
    [error] = report.errors
    assert (error.row, error.column) == (3, "科室编码")
    assert "XX" in error.message


def test_staff_import_updates_changed_rows_only(neike, waike):
    rows = [["工号", "姓名", "科室编码", "岗位"], ["D1", "张伟", "NK", "医生"], ["D2", "李娜", "WK", "护士"]]
    assert run(StaffImport, xlsx(rows)).ok
    rows[2][2] = "NK"
    report = run(StaffImport, xlsx(rows))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert Staff.objects.get(employee_no="D2").department == neike


def test_import_command_fails_loudly_and_writes_nothing(db, tmp_path):
    path = tmp_path / "d.xlsx"
    path.write_bytes(xlsx([*DEPTS, ["EK", "", "临床"]]).getvalue())
    with pytest.raises(CommandError):
        call_command("import_departments", str(path))
    assert Department.objects.count() == 0
    path.write_bytes(xlsx(DEPTS).getvalue())
    call_command("import_departments", str(path))
    assert Department.objects.count() == 3


def test_import_page_admin_only_and_template_downloads(client_for, administrator, supervisor):
    assert client_for(supervisor).get(reverse("import_page", args=["departments"])).status_code == 403
    client = client_for(administrator)
    assert client.get(reverse("import_page", args=["departments"])).status_code == 200
    response = client.get(reverse("import_template", args=["staff"]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.active[1]] == ["工号", "姓名", "科室编码", "岗位", "职称", "在职"]
    # The example is on a sheet of its own: the imported sheet holds the headers only.
    assert book.active.max_row == 1
    assert book.sheetnames[1] == "示例（不导入）"
    assert book.worksheets[1]["B2"].value == "张伟"


def test_the_template_uploaded_as_downloaded_creates_nobody(client_for, administrator, neike):
    client = client_for(administrator)
    template = io.BytesIO(client.get(reverse("import_template", args=["staff"])).content)
    template.name = "staff.xlsx"
    client.post(reverse("import_page", args=["staff"]), {"file": template})
    assert Staff.objects.count() == 0


def test_import_page_shows_row_errors(client_for, administrator):
    data = xlsx([*DEPTS, ["EK", "儿科", "病房"]])
    response = client_for(administrator).post(reverse("import_page", args=["departments"]), {"file": data})
    assert response.status_code == 200
    assert "病房" in response.content.decode()
    assert Department.objects.count() == 0


def test_line_breaks_typed_in_names_are_taken_out(neike):
    """Alt+Enter in an Excel cell put a newline into a department name, then into e-mail subjects
    (BadHeaderError on every send): names are one line."""
    departments = [DEPTS[0], ["EK", "儿科\n一病区", "临床", "是", 30], ["GK", "骨科\r\n", "临床", "是", 40]]
    assert run(DepartmentImport, xlsx(departments)).ok
    assert Department.objects.get(code="EK").name == "儿科 一病区"
    assert Department.objects.get(code="GK").name == "骨科"
    staff = [["工号", "姓名", "科室编码", "岗位", "职称"], ["D1", "张\n伟", "NK", "医生", "主治\u2028医师"]]
    assert run(StaffImport, xlsx(staff)).ok
    member = Staff.objects.get(employee_no="D1")
    assert (member.name, member.title) == ("张 伟", "主治 医师")


def test_a_blank_title_keeps_the_stored_one_and_a_changed_name_updates(neike):
    rows = [["工号", "姓名", "科室编码", "岗位", "职称"], ["D1", "张伟", "NK", "医生", "主治医师"]]
    assert run(StaffImport, xlsx(rows)).ok
    report = run(StaffImport, xlsx([rows[0], ["D1", "张伟伟", "NK", "医生", None]]))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    member = Staff.objects.get(employee_no="D1")
    assert (member.name, member.title) == ("张伟伟", "主治医师")


def test_two_rows_giving_one_name_to_two_departments_are_refused(db):
    report = run(DepartmentImport, xlsx([DEPTS[0], ["A1", "内科", "临床"], ["A2", "内科", "临床"]]))
    assert not report.ok and Department.objects.count() == 0
    [error] = report.errors
    assert (error.row, error.column) == (3, "名称") and "A1" in error.message


def test_admin_offers_export_only_the_pipeline_is_the_one_import(admin_client):
    """django-import-export serves the admin's export; imports go through the import pages."""
    page = admin_client.get(reverse("admin:supervision_department_changelist")).content.decode()
    assert "export/" in page and "import/" not in page


def test_stored_error_reports_get_their_phones_masked_by_the_data_migration(db):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("supervision.migrations.0007_mask_phones_in_import_errors")
    errors = [{"row": 2, "column": "联系电话", "message": "“13800138000”不是有效的电话号码"}]
    run = ImportRun.objects.create(kind="discharges", file_name="his.xlsx", errors=errors)
    kept = ImportRun.objects.create(
        kind="staff", file_name="s.xlsx", errors=[{"row": 3, "message": "“2026-13-45”"}]
    )
    migration.mask_stored_errors(apps, None)
    run.refresh_from_db()
    kept.refresh_from_db()
    assert run.errors[0]["message"] == "“138****8000”不是有效的电话号码"
    assert kept.errors[0]["message"] == "“2026-13-45”"
