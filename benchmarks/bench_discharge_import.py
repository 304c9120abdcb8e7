#!/usr/bin/env python
"""Time the HIS discharge import against a naive django-import-export import and the floor.

    .venv/bin/python benchmarks/bench_discharge_import.py [N=100000] [--repeats 3] [--skip-naive]

Generates an N-row .xlsx with the template's Chinese headers (10 departments, valid phones,
admission/discharge dates over a year), then times, in the same run and on the same file:

(a) ``followups.importing.discharges_import`` — the app's import (validate in Python, bulk insert
    in batches inside one transaction, ImportRun audit);
(b) a naive row-by-row django-import-export import: a ``ModelResource`` of DischargeStay with
    default settings, ``import_id_fields`` = 住院号 + 出院日期, ``use_transactions=True``;
(c) the floor: openpyxl read-only parse + one ``bulk_create`` without any validation;
(d) ``followups.importing.history_import`` of the follow-up register of those stays (1–3 calls a
    stay, ~1.6 rows per stay, .xlsx of the same generator), right after each repeat of (a): its
    rows/s against (a)'s in the same run is the ratio the history import is held to (≥ 1).

Each repeat starts from an empty stay table. Prints JSON with rows/s median/min/max for each and
the ratios (a)/(b) and (a)/(c) of the median rates. Runs in a throw-away test database created
by Django on the configured backend (DATABASE_URL, SQLite by default); real data is not touched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supervision.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

import openpyxl  # noqa: E402
import tablib  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from import_export import fields, resources, widgets  # noqa: E402

from followups.importing import DISCHARGE_HEADERS, HISTORY_HEADERS, discharges_import, history_import  # noqa: E402
from followups.models import CallAttempt, FollowupTask  # noqa: E402
from supervision.models import Department, DepartmentKind, DischargeStay  # noqa: E402

DEPARTMENTS = [("NK", "内科"), ("WK", "外科"), ("EK", "儿科"), ("FCK", "妇产科"), ("GK", "骨科"),
               ("YK", "眼科"), ("EBHK", "耳鼻喉科"), ("CRK", "传染科"), ("PFK", "皮肤科"), ("JSK", "精神科")]  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


def generate(path: Path, n: int, seed: int = 1) -> list[tuple[str, dt.date]]:
    """Write the discharge file; return the stays (admission number, discharge date)."""
    rng = random.Random(seed)
    stays = []
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(DISCHARGE_HEADERS)
    start = dt.date.today() - dt.timedelta(days=400)
    for i in range(n):
        admitted = start + dt.timedelta(days=rng.randrange(380))
        discharged = admitted + dt.timedelta(days=rng.randrange(1, 15))
        stays.append((f"ZY{i:09d}", discharged))
        sheet.append(
            [
                f"ZY{i:09d}",
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                rng.choice("男女"),
                rng.randrange(1, 95),
                f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
                "" if rng.random() < 0.7 else f"0{rng.randrange(10, 99)}{rng.randrange(10**7, 10**8)}",
                rng.choice(DEPARTMENTS)[1],
                rng.choice(SURNAMES) + rng.choice(GIVEN),
                rng.choice(SURNAMES) + rng.choice(GIVEN),
                admitted.isoformat(),
                discharged.isoformat(),
                "社区获得性肺炎",
                "1",
            ]
        )
    book.save(path)
    return stays


OUTCOMES = (
    ["成功"] * 80 + ["空号"] * 3 + ["关机"] * 3 + ["无人接听"] * 8 + ["拒访"] * 3 + ["转院"] + ["再入院"] * 2
)


def generate_history(path: Path, stays: list[tuple[str, dt.date]], seed: int = 2) -> int:
    """The follow-up register of ``stays``: 1–3 calls each, as benchmarks/data.py writes it."""
    rng = random.Random(seed)
    today = dt.date.today()
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HISTORY_HEADERS)
    rows = 0
    for admission_no, discharged in stays:
        n = rng.choice((1, 1, 2, 2, 3))
        day = discharged + dt.timedelta(days=rng.randint(1, 3))
        for k in range(n):
            result = rng.choice(OUTCOMES) if k == n - 1 else "无人接听"
            satisfied = ("满意" if rng.random() < 0.95 else "不满意") if result == "成功" else ""
            when = min(day, today)
            sheet.append(
                [admission_no, discharged.isoformat(), f"{when.isoformat()} {9 + k}:{rng.randrange(60):02d}",
                 result, rng.choice(SURNAMES) + rng.choice(GIVEN), "电话", satisfied, ""]
            )  # fmt: skip
            rows += 1
            day += dt.timedelta(days=1)
    book.save(path)
    return rows


def run_history(path: Path) -> int:
    return run_ours(path, history_import)


class NaiveStayResource(resources.ModelResource):
    admission_no = fields.Field(attribute="admission_no", column_name="住院号")
    patient_name = fields.Field(attribute="patient_name", column_name="姓名")
    sex = fields.Field(attribute="sex", column_name="性别")
    age = fields.Field(attribute="age", column_name="年龄", widget=widgets.IntegerWidget())
    phone = fields.Field(attribute="phone", column_name="联系电话")
    alt_phone = fields.Field(attribute="alt_phone", column_name="备用电话")
    department = fields.Field(
        attribute="department", column_name="科室", widget=widgets.ForeignKeyWidget(Department, field="name")
    )
    attending_doctor = fields.Field(attribute="attending_doctor", column_name="主治医生")
    responsible_nurse = fields.Field(attribute="responsible_nurse", column_name="责任护士")
    admitted_on = fields.Field(
        attribute="admitted_on", column_name="入院日期", widget=widgets.DateWidget("%Y-%m-%d")
    )
    discharged_on = fields.Field(
        attribute="discharged_on", column_name="出院日期", widget=widgets.DateWidget("%Y-%m-%d")
    )
    diagnosis = fields.Field(attribute="diagnosis", column_name="出院诊断")
    discharge_method = fields.Field(attribute="discharge_method", column_name="离院方式")

    class Meta:
        model = DischargeStay
        import_id_fields = ["admission_no", "discharged_on"]
        fields = [
            "admission_no", "patient_name", "sex", "age", "phone", "alt_phone", "department",
            "attending_doctor", "responsible_nurse", "admitted_on", "discharged_on", "diagnosis",
            "discharge_method",
        ]  # fmt: skip


def run_ours(path: Path, importer=discharges_import) -> int:
    with path.open("rb") as handle:
        report = importer(source=handle, file_name=path.name, actor=None)
    if not report.ok:
        raise SystemExit(f"import refused: {report.file_error or report.errors[:5]}")
    return report.created


def run_naive(path: Path) -> int:
    dataset = tablib.Dataset().load(path.read_bytes(), format="xlsx")
    for column in ("备用电话",):  # blanks come back as None; the model wants ""
        index = dataset.headers.index(column)
        dataset = tablib.Dataset(
            *[tuple("" if (i == index and v is None) else v for i, v in enumerate(row)) for row in dataset],
            headers=dataset.headers,
        )
    result = NaiveStayResource().import_data(dataset, dry_run=False, use_transactions=True, raise_errors=True)
    return result.totals.get("new", 0)


def run_floor(path: Path) -> int:
    departments = dict(Department.objects.values_list("name", "id"))
    book = openpyxl.load_workbook(path, read_only=True)
    rows = book.worksheets[0].iter_rows(values_only=True)
    next(rows)
    objs = [
        DischargeStay(
            admission_no=r[0],
            patient_name=r[1],
            sex="M" if r[2] == "男" else "F",
            age=r[3],
            phone=r[4] or "",
            alt_phone=r[5] or "",
            department_id=departments[r[6]],
            attending_doctor=r[7] or "",
            responsible_nurse=r[8] or "",
            admitted_on=dt.date.fromisoformat(r[9]),
            discharged_on=dt.date.fromisoformat(r[10]),
            diagnosis=r[11] or "",
            discharge_method=str(r[12]),
        )
        for r in rows
    ]
    DischargeStay.objects.bulk_create(objs, batch_size=2000)
    return len(objs)


def stats(rates: list[float]) -> dict:
    return {
        "rows_per_s_median": round(statistics.median(rates), 1),
        "rows_per_s_min": round(min(rates), 1),
        "rows_per_s_max": round(max(rates), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-naive", action="store_true", help="omit (b), e.g. for a quick look")
    parser.add_argument("--skip-history", action="store_true", help="omit (d)")
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        for order, (code, name) in enumerate(DEPARTMENTS):
            Department.objects.get_or_create(
                code=code, defaults={"name": name, "kind": DepartmentKind.CLINICAL, "sort_order": order}
            )
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"bench-{args.rows}.xlsx"
            t0 = time.perf_counter()
            stays = generate(path, args.rows)
            history_path = Path(tmp) / f"bench-history-{args.rows}.xlsx"
            history_rows = 0 if args.skip_history else generate_history(history_path, stays)
            generate_s = time.perf_counter() - t0
            runners = {"ducha_import": run_ours, "floor_openpyxl_bulk_create": run_floor}
            if not args.skip_naive:
                runners["naive_import_export"] = run_naive
            rates: dict[str, list[float]] = {k: [] for k in runners}
            if history_rows:
                rates["history_import"] = []
            for _repeat in range(args.repeats):
                for key, runner in runners.items():
                    CallAttempt.objects.all().delete()
                    FollowupTask.objects.all().delete()
                    DischargeStay.objects.all().delete()
                    start = time.perf_counter()
                    created = runner(path)
                    seconds = time.perf_counter() - start
                    if created != args.rows:
                        raise SystemExit(f"{key}: created {created} of {args.rows}")
                    rates[key].append(args.rows / seconds)
                    if key == "ducha_import" and history_rows:
                        # (d) on the stays (a) just wrote: the same run, the same database state.
                        start = time.perf_counter()
                        created = run_history(history_path)
                        seconds = time.perf_counter() - start
                        if created != history_rows:
                            raise SystemExit(f"history_import: created {created} of {history_rows}")
                        rates["history_import"].append(history_rows / seconds)
            out = {
                "rows": args.rows,
                "repeats": args.repeats,
                "database": connection.vendor,
                "file_bytes": path.stat().st_size,
                "generate_seconds": round(generate_s, 2),
                **{key: stats(values) for key, values in rates.items()},
            }
            ours = statistics.median(rates["ducha_import"])
            if "naive_import_export" in rates:
                out["ratio_ducha_vs_naive"] = round(ours / statistics.median(rates["naive_import_export"]), 2)
            if history_rows:
                out["history_rows"] = history_rows
                out["ratio_history_vs_discharge"] = round(
                    statistics.median(rates["history_import"]) / ours, 2
                )
            out["ratio_ducha_vs_floor"] = round(
                ours / statistics.median(rates["floor_openpyxl_bulk_create"]), 2
            )
            print(json.dumps(out, ensure_ascii=False, indent=2))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
