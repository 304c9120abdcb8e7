"""Department and staff imports: all-or-nothing, row-level errors in Chinese, idempotent."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from supervision.imports import DepartmentResource, StaffResource, import_with_resource
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


def run(resource, data, name="upload.xlsx"):
    return import_with_resource(resource=resource(), source=data, file_name=name, actor=None, kind="test")


def test_department_import_creates_then_reimport_changes_nothing(db):
    report = run(DepartmentResource, xlsx(DEPTS))
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert Department.objects.get(code="GHC").kind == "window"
    assert Department.objects.get(code="ZWK").kind == "support"
    again = run(DepartmentResource, xlsx(DEPTS))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Department.objects.count() == 3
    assert ImportRun.objects.filter(succeeded=True).count() == 2


def test_department_import_with_one_bad_row_writes_nothing_and_names_the_row(db):
    rows = [*DEPTS, ["EK", "儿科", "病房", "是", 30]]
    report = run(DepartmentResource, xlsx(rows))
    assert not report.ok
    assert Department.objects.count() == 0
    [error] = report.errors
    assert error.row == 5
    assert error.column == "类型"
    assert "病房" in error.message


def test_duplicate_codes_in_one_file_are_refused(db):
    rows = [*DEPTS, ["NK", "内科二", "临床", "是", 40]]
    report = run(DepartmentResource, xlsx(rows))
    assert not report.ok
    assert Department.objects.count() == 0
    [error] = report.errors
    assert "NK" in error.message and "第 5 行" in error.message
    assert not error.message.startswith("[")  # a sentence, not a Python list


def test_a_name_held_by_another_department_says_which(db):
    assert run(DepartmentResource, xlsx(DEPTS)).ok
    report = run(DepartmentResource, xlsx([DEPTS[0], ["NK2", "内科", "临床", "是", 50]]))
    assert not report.ok
    [error] = report.errors
    assert (error.row, error.column) == (2, "名称")
    assert error.message == "名称“内科”已被科室 NK 使用。"
    assert not Department.objects.filter(code="NK2").exists()


@pytest.mark.parametrize("value", ["也许", "√", "在岗"])
def test_a_yes_no_column_refuses_a_word_it_does_not_know_instead_of_reading_no(neike, value):
    rows = [["工号", "姓名", "科室编码", "岗位", "职称", "在职"], ["D1", "张伟", "NK", "医生", "", value]]
    report = run(StaffResource, xlsx(rows))
    assert not report.ok
    [error] = report.errors
    assert (error.row, error.column) == (2, "在职")
    assert f"“{value}”不是“是”或“否”" in error.message
    assert Staff.objects.count() == 0


def test_wrong_columns_are_refused_before_any_row(db):
    report = run(DepartmentResource, xlsx([["code", "name"], ["NK", "内科"]]))
    assert not report.ok
    assert "编码" in report.file_error
    assert Department.objects.count() == 0
    assert ImportRun.objects.get().succeeded is False


def test_empty_file_is_refused(db):
    report = run(DepartmentResource, io.BytesIO(b""))
    assert report.file_error
    report = run(DepartmentResource, xlsx([["编码", "名称", "类型"]]))
    assert report.file_error


def test_a_non_excel_file_renamed_xlsx_is_refused(db):
    fake = io.BytesIO(b"%PDF-1.4 this is not a spreadsheet")
    report = run(DepartmentResource, fake, name="departments.xlsx")
    assert report.file_error
    assert Department.objects.count() == 0


def test_gbk_csv_is_read(db):
    text = "编码,名称,类型\nNK,内科,临床\n"
    report = run(DepartmentResource, io.BytesIO(text.encode("gbk")), name="d.csv")
    assert report.ok, report.errors
    assert Department.objects.get().name == "内科"


def test_staff_import_reports_unknown_department_and_writes_nothing(neike):
    rows = [
        ["工号", "姓名", "科室编码", "岗位", "职称", "在职"],
        ["D1", "张伟", "NK", "医生", "主治医师", "是"],
        ["D2", "李娜", "XX", "护士", "", "是"],
    ]
    report = run(StaffResource, xlsx(rows))
    assert not report.ok
    assert Staff.objects.count() == 0
    [error] = report.errors
    assert (error.row, error.column) == (3, "科室编码")
    assert "XX" in error.message


def test_staff_import_updates_changed_rows_only(neike, waike):
    rows = [["工号", "姓名", "科室编码", "岗位"], ["D1", "张伟", "NK", "医生"], ["D2", "李娜", "WK", "护士"]]
    assert run(StaffResource, xlsx(rows)).ok
    rows[2][2] = "NK"
    report = run(StaffResource, xlsx(rows))
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
