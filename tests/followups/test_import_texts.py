"""A follow-up import's refused rows (a background job's report, the stored run) read in the
reader's language: the worker that checked them has no reader, so it keeps message keys."""

from __future__ import annotations

from django.utils import translation

from followups.importing import DISCHARGE_HEADERS, discharges_import
from followups.models import ImportJob
from supervision.models import DischargeStay, ImportRun

from .conftest import discharge_row, make_xlsx

ROWS = [
    discharge_row("ZY001", 性别="雄"),
    discharge_row("ZY002", dept="无此科"),
    discharge_row("ZY003", discharged="2026-03-08"),
    discharge_row("ZY003", discharged="2026-03-08"),
]


def _job(client, monkeypatch, django_capture_on_commit_callbacks):
    import followups.views

    monkeypatch.setattr(followups.views, "ASYNC_IMPORT_BYTES", 100)
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        response = client.post("/followups/imports/discharges/", {"file": make_xlsx(DISCHARGE_HEADERS, ROWS)})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == "failed" and DischargeStay.objects.count() == 0
    return job, response["Location"]


def test_a_background_jobs_refused_rows_read_in_chinese_and_in_english(
    client_for, administrator, neike, monkeypatch, django_capture_on_commit_callbacks
):
    client = client_for(administrator)
    job, url = _job(client, monkeypatch, django_capture_on_commit_callbacks)
    assert {e["key"] for e in job.report["errors"]} == {
        "import.not_sex",
        "import.unknown_department",
        "import.repeated_stay",
    }
    html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "“雄”不是有效的性别" in html and "未知科室“无此科”" in html
    assert "第 5 行与第 4 行重复：住院号 ZY003、出院日期 2026-03-08 为同一次住院。" in html

    administrator.language = "en"
    administrator.save(update_fields=["language"])
    html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "“雄” is not a sex (男 / 女 / 未知)." in html
    assert "Unknown department “无此科” (neither a department name nor a code)." in html
    assert "Row 5 repeats the stay ZY003 discharged on 2026-03-08 of row 4." in html
    assert "不是有效的性别" not in html


def test_the_stored_run_of_a_refused_discharge_import_reads_in_either_language(neike):
    with translation.override("en"):  # imported by someone working in English
        report = discharges_import(
            source=make_xlsx(DISCHARGE_HEADERS, ROWS[:2]), file_name="d.xlsx", actor=None
        )
    run = ImportRun.objects.get(pk=report.run_id)
    with translation.override("zh-hans"):
        messages = [e["message"] for e in run.error_rows]
    assert any("不是有效的性别" in m for m in messages) and any("未知科室“无此科”" in m for m in messages)
    with translation.override("en"):
        assert [e.message for e in report.errors] == [e["message"] for e in run.error_rows]


def test_the_migration_gives_an_old_jobs_report_its_keys_and_keeps_the_rest(administrator):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("followups.migrations.0012_import_job_reports_to_keys")
    refused = ImportJob.objects.create(
        kind="discharges",
        file_name="a.xlsx",
        actor=administrator,
        status="failed",
        report={
            "ok": False,
            "file_error": "",
            "errors": [
                {"row": 2, "column": "性别", "message": "“雄”不是有效的性别（男 / 女 / 未知）。"},
                {"row": 3, "column": "备注", "message": "旧的说明"},
            ],
        },
    )
    crashed = ImportJob.objects.create(
        kind="discharges",
        file_name="b.xlsx",
        actor=administrator,
        status="failed",
        report={"ok": False, "file_error": "导入意外中断，未写入任何数据。", "errors": []},
    )
    done = ImportJob.objects.create(
        kind="discharges",
        file_name="c.xlsx",
        actor=administrator,
        status="done",
        report={"ok": True, "created": 3},
    )
    assert migration.job_reports(apps) == 2
    for job in (refused, crashed, done):
        job.refresh_from_db()
    sex, kept = refused.report["errors"]
    assert sex["key"] == "import.not_sex" and sex["params"] == {"value": "雄"}
    assert kept == {"row": 3, "column": "备注", "message": "旧的说明"}
    assert crashed.report["file_error"]["key"] == "import.failed"
    assert done.report == {"ok": True, "created": 3}
    with translation.override("en"):
        assert [e["message"] for e in refused.error_rows] == [
            "“雄” is not a sex (男 / 女 / 未知).",
            "旧的说明",
        ]
        assert crashed.file_error_text == "The import failed unexpectedly; nothing was written."
