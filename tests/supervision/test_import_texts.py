"""An import's refused rows are kept as message keys + parameters and worded for whoever reads them.

The report an administrator reads today (the import page, right after the upload) is unchanged;
the stored record (``ImportRun.errors``, shown in the admin) and a background job's report read in
the reader's language, not the importer's.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from supervision.importing import DepartmentImport, StaffImport
from supervision.infra.imports import run_import
from supervision.infra.imports.texts import shown, shown_errors
from supervision.models import Department, ImportRun
from tests.supervision.test_imports import DEPTS, xlsx

BAD_DEPTS = [
    *DEPTS,
    ["EK", "儿科", "病房", "是", 30],  # not a department kind
    ["NK", "内科二", "临床", "是", 40],  # NK again
    ["ZK", "中科", "临床", "也许", 50],  # not yes or no
]


def _refused_run(language="zh-hans"):
    with translation.override(language):  # the importer works in this language
        report = run_import(DepartmentImport, source=xlsx(BAD_DEPTS), file_name="d.xlsx", actor=None)
    assert not report.ok
    return report, ImportRun.objects.get(pk=report.run_id)


def test_a_refused_rows_errors_are_stored_as_keys_and_parameters_without_words(db):
    _report, run = _refused_run()
    by_row = {(e["row"], e["column"]): e for e in run.errors}
    assert by_row[(5, "类型")] == {
        "row": 5,
        "column": "类型",
        "key": "import.not_department_kind",
        "params": {"value": "病房", "allowed": ["clinical", "window", "support"]},
    }
    assert by_row[(6, "编码")]["key"] == "import.repeated_key"
    assert by_row[(6, "编码")]["params"] == {"row": 6, "col": "编码", "key": "NK", "first": 2}
    assert by_row[(7, "启用")] == {
        "row": 7,
        "column": "启用",
        "key": "import.not_yes_no",
        "params": {"value": "也许"},
    }
    assert all("message" not in e for e in run.errors)
    assert Department.objects.count() == 0  # all-or-nothing, as before


@pytest.mark.parametrize("importer_language", ["zh-hans", "en"])
def test_the_stored_report_reads_in_chinese_and_in_english_whoever_imported(db, importer_language):
    report, run = _refused_run(importer_language)
    with translation.override("zh-hans"):
        chinese = [e["message"] for e in run.error_rows]
        assert "“病房”不是以下可选值之一：临床科室、窗口服务部门、后勤保障部门。" in chinese
        assert "“也许”不是“是”或“否”：请填写 是 或 否。" in chinese
        # The page right after the upload (the live report) reads the same words.
        assert [e.message for e in report.errors] == chinese
    with translation.override("en"):
        english = [e["message"] for e in run.error_rows]
        assert "“病房” is not one of: Clinical, Window / service unit, Support unit." in english
        assert "Row 6 repeats 编码 “NK” of row 2." in english
        assert "“也许” is not yes or no: write 是 or 否." in english
    assert [(e["row"], e["column"]) for e in run.error_rows] == [(e.row, e.column) for e in report.errors]


def test_a_file_error_is_stored_as_a_key_and_worded_for_the_reader(db):
    report = run_import(
        StaffImport, source=xlsx([["工号", "姓名"], ["D1", "张伟"]]), file_name="s.xlsx", actor=None
    )
    run = ImportRun.objects.get(pk=report.run_id)
    [stored] = run.errors
    assert stored["row"] == 0 and stored["key"] == "import.missing_columns"
    assert stored["params"] == {"missing": ["科室编码", "岗位"]}
    with translation.override("en"):
        assert report.file_error.startswith("Missing columns: 科室编码, 岗位.")
        assert run.error_rows[0]["message"] == report.file_error
    with translation.override("zh-hans"):
        assert "科室编码、岗位" in run.error_rows[0]["message"]


def test_a_stored_error_from_before_keys_is_shown_as_written(db):
    run = ImportRun.objects.create(
        kind="staff", file_name="s.xlsx", errors=[{"row": 3, "column": "工号", "message": "旧的错误说明"}]
    )
    with translation.override("en"):
        assert run.error_rows == [{"row": 3, "column": "工号", "message": "旧的错误说明"}]
    assert shown("words") == "words" and shown_errors(None) == []


def test_the_admin_shows_a_runs_errors_in_the_readers_language(admin_client, admin_user):
    _report, run = _refused_run("zh-hans")
    url = reverse("admin:supervision_importrun_change", args=[run.pk])
    html = admin_client.get(url).content.decode()
    assert "第 5 行，类型：" in html and "不是以下可选值之一：临床科室、窗口服务部门、后勤保障部门" in html
    admin_user.language = "en"
    admin_user.save(update_fields=["language"])
    html = admin_client.get(url).content.decode()
    assert "is not one of: Clinical, Window / service unit, Support unit." in html
    assert "不是以下可选值之一" not in html


def _migration():
    import importlib

    return importlib.import_module("supervision.migrations.0024_import_errors_to_keys")


def test_the_migration_gives_old_chinese_and_english_errors_their_keys_and_keeps_the_rest(db):
    from django.apps import apps

    old = [
        {
            "row": 5,
            "column": "类型",
            "message": "“病房”不是以下可选值之一：临床科室、窗口服务部门、后勤保障部门。",
        },
        {"row": 6, "column": "编码", "message": "Row 6 repeats 编码 “NK” of row 2."},
        {"row": 7, "column": "排序", "message": "“x”不是整数。"},
        {"row": 8, "column": "名称", "message": "一段说不清的旧说明"},
        {"row": 0, "column": "", "message": "缺少列：科室编码、岗位。请下载模板查看所需的列。"},
    ]
    run = ImportRun.objects.create(kind="departments", file_name="d.xlsx", errors=old)
    csv = ImportRun.objects.create(
        kind="staff",
        file_name="s.csv",
        errors=[
            {
                "row": 0,
                "column": "",
                "message": "Line 3 of the CSV file cannot be read (malformed CSV); nothing was imported.",
            }
        ],
    )
    retention = ImportRun.objects.create(
        kind="retention", file_name="x", errors=[{"row": 0, "column": "", "message": "OSError: disk full"}]
    )
    assert _migration().import_errors(apps) == 2
    run.refresh_from_db()
    csv.refresh_from_db()
    retention.refresh_from_db()
    kind, repeated, number, unknown, missing = run.errors
    assert kind["key"] == "import.not_department_kind"
    assert kind["params"] == {"value": "病房", "allowed": ["clinical", "window", "support"]}
    assert kind["message"] == old[0]["message"]  # the words as written stay beside the key
    assert repeated["key"] == "import.repeated_key"
    assert repeated["params"] == {"row": 6, "col": "编码", "key": "NK", "first": 2}
    assert number["key"] == "import.not_a_whole_number" and number["params"] == {"value": "x"}
    assert unknown == old[3]  # kept as written
    assert missing["key"] == "import.missing_columns" and missing["params"] == {
        "missing": ["科室编码", "岗位"]
    }
    assert csv.errors[0]["params"] == {"line": 3, "reason": {"key": "import.csv_malformed", "params": {}}}
    assert retention.errors == [{"row": 0, "column": "", "message": "OSError: disk full"}]

    with translation.override("en"):
        shown_now = [e["message"] for e in run.error_rows]
        assert shown_now[0] == "“病房” is not one of: Clinical, Window / service unit, Support unit."
        assert shown_now[3] == "一段说不清的旧说明"
        assert shown_now[4].startswith("Missing columns: 科室编码, 岗位.")
        assert csv.error_rows[0]["message"].startswith(
            "Line 3 of the CSV file cannot be read (malformed CSV)"
        )
    with translation.override("zh-hans"):
        assert run.error_rows[1]["message"] == "第 6 行的编码“NK”与第 2 行重复。"
    assert _migration().import_errors(apps) == 0  # run again: nothing left to convert


def test_the_migrations_wordings_are_the_messages_wordings_today(db):
    """The frozen wordings read back what the application writes now, in both languages."""
    from supervision.infra.wording import message

    frozen = _migration().MESSAGES
    for key, (chinese, english) in frozen.items():
        for language, wording in (("zh-hans", chinese), ("en", english)):
            with translation.override(language):
                assert str(message(key).template) == wording, key


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", "“病房”不是以下可选值之一：临床科室、窗口服务部门、后勤保障部门。"),
        ("en", "“病房” is not one of: Clinical, Window / service unit, Support unit."),
    ],
)
def test_the_import_page_lists_the_refused_rows_in_the_importers_language(
    client_for, administrator, language, expected
):
    administrator.language = language
    administrator.save(update_fields=["language"])
    upload = xlsx(BAD_DEPTS)
    response = client_for(administrator).post(reverse("import_page", args=["departments"]), {"file": upload})
    html = response.content.decode()
    assert expected in html
    assert Department.objects.count() == 0 and ImportRun.objects.get().succeeded is False


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_an_error_about_a_cell_holding_nan_or_infinity_is_stored_and_shown(db, value):
    """A spreadsheet cell can hold NaN or an infinity; JSON cannot (SQLite's JSON_VALID check and
    PostgreSQL's jsonb refuse them), so the parameter is kept as Python shows it. Found by the fuzzed
    discharge import (tests/fuzz/test_imports.py)."""
    from supervision.infra.imports import texts

    error = {"row": 2, "column": "出院日期", **texts.stored(texts.BAD_PHONE(value=value))}
    run = ImportRun.objects.create(kind="departments", file_name="d.xlsx", errors=[error])
    run.refresh_from_db()
    with translation.override("en"):
        assert shown_errors(run.errors)[0]["message"].startswith(f"“{value}” is not a valid phone number")
