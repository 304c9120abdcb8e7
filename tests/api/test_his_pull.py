"""The HIS pull: a query on a view of the HIS database, imported through the discharge import
(same checks, all-or-nothing, idempotent, one ImportRun per run); an unreachable database, a
failing query or the wrong columns are a clear message and write nothing. Run on SQLite always and
on a real PostgreSQL server when one answers (CI's second stage)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import uuid

import pytest
from django.core.management import CommandError, call_command

from api.his import discharges_pull
from api.models import HisPull
from api.tasks import his_pull
from supervision.models import DischargeStay, ImportRun

pytestmark = pytest.mark.django_db

COLUMNS = ["住院号", "姓名", "性别", "联系电话", "科室", "入院日期", "出院日期", "离院方式"]
TABLE = "CREATE TABLE his_stays ({})".format(", ".join(f'"{c}" TEXT' for c in COLUMNS))
VIEW = "CREATE VIEW v_ducha_discharges AS SELECT * FROM his_stays"


def his_rows(n=3, department="内科"):
    return [
        (f"ZY{i:06d}", f"患者{i}", "男", "13800138000", department, "2026-03-01", "2026-03-08", "1")
        for i in range(n)
    ]


@pytest.fixture
def sqlite_his(tmp_path, settings):
    path = tmp_path / "his.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(TABLE)
        db.execute(VIEW)
    settings.HIS_DATABASE_URL = f"sqlite:///{path}"
    config = HisPull.get()
    config.query, config.enabled = "SELECT * FROM v_ducha_discharges", True
    config.save()

    def fill(rows):
        with sqlite3.connect(path) as db:
            db.execute("DELETE FROM his_stays")
            db.executemany("INSERT INTO his_stays VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

    return fill


def test_the_pull_imports_the_views_rows_and_records_the_run(sqlite_his, neike):
    sqlite_his(his_rows(3))
    report = discharges_pull()
    assert report.ok, report.errors or report.file_error
    assert report.created == 3
    assert DischargeStay.objects.get(admission_no="ZY000001").discharged_on == dt.date(2026, 3, 8)
    run = ImportRun.objects.get(pk=report.run_id)
    assert (run.kind, run.file_name, run.succeeded) == ("discharges", "HIS", True)


def test_pulling_again_changes_nothing(sqlite_his, neike):
    sqlite_his(his_rows(3))
    discharges_pull()
    again = discharges_pull()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_a_bad_row_refuses_the_whole_pull_with_the_file_imports_message(sqlite_his, neike):
    sqlite_his([*his_rows(2), ("ZY9", "患者9", "男", "", "儿科", "2026-03-01", "2026-03-08", "1")])
    report = discharges_pull()
    assert not report.ok and DischargeStay.objects.count() == 0
    assert [(e.row, e.column) for e in report.errors] == [(3, "科室")]
    assert "儿科" in report.errors[0].message


def test_columns_that_are_not_the_templates_are_named(sqlite_his, neike):
    HisPull.objects.update(query='SELECT "住院号", "姓名" FROM v_ducha_discharges')
    sqlite_his(his_rows(1))
    report = discharges_pull()
    assert "出院日期" in report.file_error and "科室" in report.file_error
    assert ImportRun.objects.get(pk=report.run_id).succeeded is False
    assert DischargeStay.objects.count() == 0


def test_a_failing_query_is_a_clear_error(sqlite_his):
    HisPull.objects.update(query="SELECT * FROM no_such_view")
    report = discharges_pull()
    assert "no_such_view" in report.file_error and "HIS" in report.file_error


def test_an_unreachable_his_is_a_clear_error_recorded_as_a_run(settings, tmp_path):
    HisPull.objects.update_or_create(pk=1, defaults={"query": "SELECT 1", "enabled": True})
    settings.HIS_DATABASE_URL = "postgresql://his:wrong@127.0.0.1:9/his"
    report = discharges_pull()
    assert report.file_error.startswith("无法连接HIS数据库")
    assert "wrong" not in report.file_error  # never the password
    assert ImportRun.objects.filter(file_name="HIS", succeeded=False).count() == 1


def test_no_url_or_no_query_says_what_to_configure(settings):
    settings.HIS_DATABASE_URL = ""
    assert "HIS_DATABASE_URL" in discharges_pull().file_error
    settings.HIS_DATABASE_URL = "sqlite:///nowhere"
    assert "HIS" in discharges_pull().file_error


def test_the_nightly_job_runs_only_when_switched_on(sqlite_his, neike):
    sqlite_his(his_rows(2))
    HisPull.objects.update(enabled=False)
    assert his_pull() == {"skipped": True}
    HisPull.objects.update(enabled=True)
    assert his_pull()["created"] == 2


def test_the_command_pulls_on_demand_and_fails_loudly(sqlite_his, neike, settings):
    sqlite_his(his_rows(2))
    call_command("his_pull")
    assert DischargeStay.objects.count() == 2
    settings.HIS_DATABASE_URL = ""
    with pytest.raises(CommandError):
        call_command("his_pull")


POSTGRES = os.environ.get("HIS_TEST_POSTGRES_URL", "postgresql://ducha:ducha@127.0.0.1:5432/postgres")


@pytest.fixture
def postgres_his(settings):
    """A database of its own on a real PostgreSQL server, standing in for the HIS."""
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(POSTGRES, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL server answers at HIS_TEST_POSTGRES_URL")
    name = f"his_{uuid.uuid4().hex[:10]}"
    admin.execute(f"CREATE DATABASE {name}")
    url = POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    try:
        with psycopg.connect(url, autocommit=True) as db:
            # English field names as the view's columns: the HIS vendor's choice, also accepted.
            db.execute(
                "CREATE TABLE his_stays (admission_no text, patient_name text, department text,"
                " admitted_on date, discharged_on date, phone text)"
            )
            db.execute("CREATE VIEW v_ducha_discharges AS SELECT * FROM his_stays")
            with db.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO his_stays VALUES (%s, %s, %s, %s, %s, %s)",
                    [
                        (
                            f"ZY{i:06d}",
                            f"患者{i}",
                            "NK",
                            dt.date(2026, 3, 1),
                            dt.date(2026, 3, 8),
                            "13800138000",
                        )
                        for i in range(300)
                    ],
                )
        settings.HIS_DATABASE_URL = url
        HisPull.objects.update_or_create(pk=1, defaults={"query": "SELECT * FROM v_ducha_discharges"})
        yield url
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def test_the_pull_reads_a_real_postgresql_view_read_only(postgres_his, neike):
    report = discharges_pull()
    assert report.ok, report.errors[:3] or report.file_error
    assert report.created == 300
    assert DischargeStay.objects.filter(department=neike).count() == 300
    HisPull.objects.update(query="DELETE FROM his_stays")
    refused = discharges_pull()
    assert "read-only" in refused.file_error or "只读" in refused.file_error


MARIADB = os.environ.get("HIS_TEST_MARIADB_URL", "mysql://ducha:ducha@127.0.0.1:3306/")


@pytest.fixture
def mariadb_his(settings):
    """A database of its own on a real MariaDB server (Debian's, as .ci/services starts it),
    standing in for a MySQL-compatible HIS."""
    pymysql = pytest.importorskip("pymysql")
    from urllib.parse import urlparse

    parts = urlparse(MARIADB)
    login = {
        "host": parts.hostname,
        "port": parts.port or 3306,
        "user": parts.username,
        "password": parts.password,
    }
    try:
        admin = pymysql.connect(**login, connect_timeout=3, autocommit=True, charset="utf8mb4")
    except pymysql.err.OperationalError:
        pytest.skip("no MariaDB server answers at HIS_TEST_MARIADB_URL")
    name = f"his_{uuid.uuid4().hex[:10]}"
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
            cursor.execute(f"USE {name}")
            # Chinese headers as the view's columns, quoted as MySQL quotes names.
            cursor.execute(
                "CREATE TABLE his_stays (`住院号` varchar(32), `姓名` varchar(64), `科室` varchar(64),"
                " `入院日期` date, `出院日期` date, `联系电话` varchar(32)) CHARACTER SET utf8mb4"
            )
            cursor.execute("CREATE VIEW v_ducha_discharges AS SELECT * FROM his_stays")
            cursor.executemany(
                "INSERT INTO his_stays VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    (
                        f"ZY{i:06d}",
                        f"患者{i}",
                        "内科",
                        dt.date(2026, 3, 1),
                        dt.date(2026, 3, 8),
                        "13800138000",
                    )
                    for i in range(300)
                ],
            )
        settings.HIS_DATABASE_URL = (
            f"mysql://{parts.username}:{parts.password}@{parts.hostname}:{login['port']}/{name}"
        )
        HisPull.objects.update_or_create(pk=1, defaults={"query": "SELECT * FROM v_ducha_discharges"})
        yield
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.close()


def test_the_pull_reads_a_real_mariadb_view_read_only(mariadb_his, neike):
    report = discharges_pull()
    assert report.ok, report.errors[:3] or report.file_error
    assert report.created == 300
    assert DischargeStay.objects.get(admission_no="ZY000007").patient_name == "患者7"
    assert discharges_pull().unchanged == 300
    HisPull.objects.update(query="DELETE FROM his_stays")
    refused = discharges_pull()
    assert "READ ONLY" in refused.file_error.upper()
