"""HIS discharge import: validation, all-or-nothing, idempotence, command and pages."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from followups.importing import DISCHARGE_HEADERS, discharges_import
from supervision.infra.cleaning import normalise_phone
from supervision.models import DischargeMethod, DischargeStay, ImportRun, Sex

from .conftest import discharge_row, make_xlsx

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("8613800138000", "13800138000"),
        (13800138000.0, "13800138000"),
        ("010-65123456", "01065123456"),
        ("(0571) 8765-4321", "057187654321"),
        ("", ""),
        (None, ""),
    ],
)
def test_phones_are_normalised(raw, clean):
    assert normalise_phone(raw) == clean


@pytest.mark.parametrize("raw", ["12800138000", "1380013800", "65123456", "abc", "138001380001"])
def test_invalid_phones_are_refused(raw):
    with pytest.raises(ValueError, match="不是有效的电话号码"):
        normalise_phone(raw)


def _import(rows, name="discharges.xlsx", headers=DISCHARGE_HEADERS):
    upload = make_xlsx(headers, rows, name)
    return discharges_import(source=upload, file_name=name, actor=None)


def test_import_creates_stays_with_clean_values(neike):
    report = _import(
        [discharge_row(), discharge_row("ZY002", "李娜", "NK", 性别="女", 离院方式="死亡", 联系电话="")]
    )
    assert report.ok, report.errors
    assert report.created == 2
    first = DischargeStay.objects.get(admission_no="ZY001")
    assert first.phone == "13800138000"
    assert first.department == neike
    assert first.sex == Sex.MALE
    assert first.discharged_on == dt.date(2026, 3, 8)
    second = DischargeStay.objects.get(admission_no="ZY002")
    assert second.department == neike  # by code
    assert second.discharge_method == DischargeMethod.DIED
    assert second.phone == ""
    run = ImportRun.objects.get(kind="discharges")
    assert run.succeeded and run.created == 2


def test_reimporting_overlapping_file_is_idempotent_and_updates_changed_rows(neike):
    _import([discharge_row("ZY001"), discharge_row("ZY002")])
    report = _import(
        [discharge_row("ZY001"), discharge_row("ZY002", 出院诊断="心衰"), discharge_row("ZY003")]
    )
    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    assert DischargeStay.objects.get(admission_no="ZY002").diagnosis == "心衰"
    again = _import([discharge_row("ZY001"), discharge_row("ZY002", 出院诊断="心衰"), discharge_row("ZY003")])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert DischargeStay.objects.count() == 3


def test_same_admission_number_with_another_discharge_date_is_another_stay(neike):
    report = _import(
        [discharge_row("ZY001"), discharge_row("ZY001", admitted="2026-04-01", discharged="2026-04-05")]
    )
    assert report.ok and report.created == 2


def test_bad_rows_are_reported_in_chinese_and_nothing_is_written(neike):
    rows = [
        discharge_row("ZY001"),
        discharge_row("ZY002", admitted="2026-03-10", discharged="2026-03-08"),
        discharge_row("ZY003", dept="火星科"),
        discharge_row("ZY004", 联系电话="12345"),
        discharge_row("ZY001"),
        discharge_row("", name=""),
        discharge_row("ZY006", discharged="2026-13-45"),
    ]
    report = _import(rows)
    assert not report.ok
    assert DischargeStay.objects.count() == 0
    by_row = {(e.row, e.column): e.message for e in report.errors}
    assert "出院日期早于入院日期" in by_row[(3, "出院日期")]
    assert "火星科" in by_row[(4, "科室")]
    assert "不是有效的电话号码" in by_row[(5, "联系电话")]
    assert "第 2 行" in by_row[(6, "住院号")]
    assert (7, "住院号") in by_row and (7, "姓名") in by_row
    assert (8, "出院日期") in by_row
    run = ImportRun.objects.get(kind="discharges")
    assert not run.succeeded and run.error_count == len(report.errors)


def test_unknown_department_is_not_invented(neike):
    from supervision.models import Department

    count = Department.objects.count()
    _import([discharge_row(dept="新科室")])
    assert Department.objects.count() == count


def test_broken_and_wrong_files_are_refused_clearly(neike):
    report = discharges_import(source=io.BytesIO(b"PK\x03\x04garbage"), file_name="x.xlsx", actor=None)
    assert "无法读取" in report.file_error
    missing = _import([["ZY1", "张三"]], headers=["住院号", "姓名"])
    assert "科室" in missing.file_error and "入院日期" in missing.file_error
    assert DischargeStay.objects.count() == 0


def test_csv_in_gbk_is_accepted(neike):
    text = ",".join(DISCHARGE_HEADERS) + "\n" + ",".join(str(v) for v in discharge_row()) + "\n"
    report = discharges_import(source=io.BytesIO(text.encode("gb18030")), file_name="his.csv", actor=None)
    assert report.ok, report.errors
    assert DischargeStay.objects.get().patient_name == "张伟"


def test_import_command(neike, tmp_path):
    path = tmp_path / "his.xlsx"
    path.write_bytes(make_xlsx(DISCHARGE_HEADERS, [discharge_row()]).read())
    out = io.StringIO()
    call_command("import_discharges", str(path), stdout=out)
    assert "新增 1 条" in out.getvalue()  # worded in the site's language, zh-hans
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(make_xlsx(DISCHARGE_HEADERS, [discharge_row(dept="无")]).read())
    with pytest.raises(CommandError):
        call_command("import_discharges", str(bad), stdout=io.StringIO(), stderr=io.StringIO())


def test_template_has_chinese_headers(client_for, administrator):
    response = client_for(administrator).get("/followups/imports/discharges/template.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == DISCHARGE_HEADERS


def test_import_page_roles(client_for, administrator, supervisor, head_neike, volunteer, caller, neike):
    assert client_for(administrator).get("/followups/imports/discharges/").status_code == 200
    assert client_for(supervisor).get("/followups/imports/history/").status_code == 200
    for user in (head_neike, volunteer, caller):
        assert client_for(user).get("/followups/imports/discharges/").status_code == 403


def test_import_page_small_file_inline_and_errors_shown(client_for, administrator, neike):
    client = client_for(administrator)
    response = client.post(
        "/followups/imports/discharges/", {"file": make_xlsx(DISCHARGE_HEADERS, [discharge_row()])}
    )
    assert response.status_code == 302
    assert DischargeStay.objects.count() == 1
    response = client.post(
        "/followups/imports/discharges/",
        {"file": make_xlsx(DISCHARGE_HEADERS, [discharge_row("ZY9", dept="无此科")])},
    )
    assert response.status_code == 400
    assert "未导入任何数据" in response.content.decode()
    assert "无此科" in response.content.decode()


def test_large_file_goes_to_a_background_job_with_progress(
    client_for, administrator, neike, settings, django_capture_on_commit_callbacks, monkeypatch
):
    import followups.views

    monkeypatch.setattr(followups.views, "ASYNC_IMPORT_BYTES", 100)
    client = client_for(administrator)
    rows = [discharge_row(f"ZY{i:04d}") for i in range(30)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/followups/imports/discharges/", {"file": make_xlsx(DISCHARGE_HEADERS, rows)})
    assert response.status_code == 302
    from followups.models import ImportJob

    job = ImportJob.objects.get()
    assert response["Location"].endswith(f"/followups/imports/jobs/{job.pk}/")
    assert job.status == "done" and job.report["created"] == 30
    assert DischargeStay.objects.count() == 30
    page = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert page.status_code == 200 and "hx-trigger" not in page.content.decode()


def test_refused_rows_quote_phone_numbers_masked_in_the_report_and_the_stored_run(neike):
    """Issue 15 item 8: ImportRun.errors is kept for good and shown in the admin."""
    rows = [
        discharge_row("ZY001", 联系电话="138001380001"),  # one digit too many
        discharge_row("ZY002", 性别="13800138000"),  # a phone in the wrong column
        discharge_row("ZY003", 出院诊断="x" * 300, 备用电话="010-651234"),
    ]
    report = _import(rows)
    assert not report.ok
    run = ImportRun.objects.get(kind="discharges")
    stored = str(run.errors)  # the message keys' parameters as kept
    shown = " ".join(e.message for e in report.errors) + " ".join(e["message"] for e in run.error_rows)
    for text in (stored, shown):
        assert "138001380001" not in text and "13800138000" not in text and "651234" not in text
        assert "138*****0001" in text and "138****8000" in text
    assert "“2026-13-45”" in _import([discharge_row(discharged="2026-13-45")]).errors[0].message  # dates stay


def test_history_import_gives_tasks_their_counts_and_is_idempotent(neike, today):
    from django.utils import timezone

    from followups.importing import HISTORY_HEADERS, history_import
    from followups.models import CallAttempt, Disposition, FollowupTask, TaskStatus

    assert _import([discharge_row("ZY001"), discharge_row("ZY002")]).ok
    rows = [
        ["ZY001", "2026-03-08", "2026-03-10 09:00", "无人接听", "林", "电话", "", ""],
        ["ZY001", "2026-03-08", "2026-03-11 10:00", "成功", "林", "电话", "满意", "多行\n备注"],
        ["ZY002", "2026-03-08", "2026-03-12", "拒访", "林", "", "", ""],
    ]
    upload = make_xlsx(HISTORY_HEADERS, rows, "history.xlsx")
    report = history_import(source=upload, file_name="history.xlsx", actor=None)
    assert report.ok, report.errors
    first = FollowupTask.objects.get(stay__admission_no="ZY001")
    assert (first.attempt_count, first.contacted, first.disposition) == (2, True, Disposition.COMPLETE)
    assert first.status == TaskStatus.DONE and timezone.localtime(first.finished_at).hour == 10
    second = FollowupTask.objects.get(stay__admission_no="ZY002")
    assert (second.attempt_count, second.contacted, second.disposition) == (1, False, Disposition.REFUSAL)
    assert CallAttempt.objects.get(outcome="reached").notes == "多行\n备注"
    again = history_import(source=make_xlsx(HISTORY_HEADERS, rows, "h.xlsx"), file_name="h.xlsx", actor=None)
    assert (again.created, again.unchanged) == (0, 3)
    assert CallAttempt.objects.count() == 3


@pytest.mark.parametrize(
    ("site_language", "row_line", "refusal"),
    [
        ("zh-hans", "第 2 行，科室： 未知科室“无”（既不是科室名称也不是科室编码）。", "未导入任何数据。"),
        (
            "en",
            "Row 2, 科室: Unknown department “无” (neither a department name nor a code).",
            "Nothing was imported.",
        ),
    ],
)
def test_import_command_words_refused_rows_in_the_sites_language(
    neike, tmp_path, settings, site_language, row_line, refusal
):
    # The command runs in the site's LANGUAGE_CODE, whatever language its caller left active (it
    # used to print "第 2 行" before English messages and an English refusal whatever the site).
    settings.LANGUAGE_CODE = site_language
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(make_xlsx(DISCHARGE_HEADERS, [discharge_row(dept="无")]).read())
    err = io.StringIO()
    other = "en" if site_language == "zh-hans" else "zh-hans"
    with translation.override(other), pytest.raises(CommandError) as refused:
        call_command("import_discharges", str(bad), stdout=io.StringIO(), stderr=err)
    assert row_line in err.getvalue().splitlines()
    assert str(refused.value) == refusal
    assert ImportRun.objects.get().succeeded is False
