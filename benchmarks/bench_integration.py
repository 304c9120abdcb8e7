#!/usr/bin/env python
"""Time the integration paths and the knowledge-base search against their targets.

    .venv/bin/python benchmarks/bench_integration.py [--rows 100000] [--his-rows 6000]
                                                     [--entries 5000] [--repeats 3]

In a throw-away test database on the configured backend (DATABASE_URL, SQLite by default):

(a) **API push vs file import** (issue 22): the same ``--rows`` discharges (the generator of
    ``bench_discharge_import``) imported from the .xlsx by ``discharges_import`` and pushed to
    ``POST /api/v1/discharges/`` in batches of 5,000 (the API's maximum) through Django's test client
    with a real key; rows per second of each, each repeat from an empty stay table. The JSON bodies
    are encoded before the clock starts (the caller's work, not the server's); the server's JSON
    parse, key check, rate count, validation, insert and call log are inside. Target: push ≥ 50 % of
    the file import's rate.
(b) **HIS pull** (issue 22): ``--his-rows`` stays in a SQLite file with the vendor's view (the
    template's columns), pulled by ``api.his.discharges_pull`` as the nightly job does. Target ≤ 10 s.
    The HIS side is a SQLite file on both backends: what is timed is Ducha reading a view and
    importing it; a vendor's database over a network adds its own transfer time.
(c) **Knowledge-base search** (issue 21): ``--entries`` active entries (departments, experts,
    services, FAQs, other hospitals) saved through ``servicedesk.services.knowledge_keys`` (the
    pinyin keys a save computes), then each query of ``QUERIES`` (characters, pinyin initials, a
    homophone, one wrong character, a miss) answered by the search page as the desk sees it
    (``GET /servicedesk/knowledge/?q=…``, logged in); median and p95 over all queries and repeats.
    Target ≤ 100 ms.

Prints one JSON document.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sqlite3
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
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from api.his import discharges_pull  # noqa: E402
from api.models import ApiKey, ApiScope, HisPull  # noqa: E402
from api.pushing import MAX_BATCH  # noqa: E402
from api.services import api_key_issue  # noqa: E402
from benchmarks.bench_discharge_import import DEPARTMENTS, generate  # noqa: E402
from followups.importing import DISCHARGE_HEADERS, DischargeImport, discharges_import  # noqa: E402
from followups.models import CallAttempt, FollowupTask  # noqa: E402
from servicedesk.models import KnowledgeEntry, KnowledgeKind  # noqa: E402
from servicedesk.services import knowledge_keys  # noqa: E402
from supervision.models import Department, DepartmentKind, DischargeStay, Role, User  # noqa: E402

# What a desk types: characters, pinyin initials, a homophone typed by mistake, one wrong
# character, a Latin word, and a query that finds nothing (the slowest: every row is looked at).
QUERIES = ["妇产科", "fck", "父产科", "妇产料", "胃镜", "复印病历", "ct", "wjg", "专家门诊", "不存在的词语"]
TARGETS = {"push_vs_file": 0.5, "his_seconds": 10.0, "search_ms": 100.0}


def stats(values: list[float], digits: int = 1) -> dict:
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
    }


def _clear_stays() -> None:
    CallAttempt.objects.all().delete()
    FollowupTask.objects.all().delete()
    DischargeStay.objects.all().delete()


def push_bodies(path: Path) -> list[bytes]:
    """The file's rows as the API's JSON bodies (attribute: value), MAX_BATCH rows each."""
    attrs = {c.header: c.attr for c in DischargeImport.columns}
    book = openpyxl.load_workbook(path, read_only=True)
    rows = book.active.iter_rows(values_only=True)
    headers = next(rows)
    # Rows may be shorter than the header (optional trailing columns left empty): zip stops there.
    data = [{attrs[h]: v for h, v in zip(headers, row, strict=False) if v not in (None, "")} for row in rows]
    book.close()
    return [
        json.dumps({"rows": data[i : i + MAX_BATCH]}, ensure_ascii=False).encode()
        for i in range(0, len(data), MAX_BATCH)
    ]


def bench_push(rows: int, repeats: int, tmp: Path) -> dict:
    path = tmp / f"push-{rows}.xlsx"
    generate(path, rows)
    bodies = push_bodies(path)
    key = ApiKey(name="bench", scopes=list(ApiScope.values), rate_limit=100_000)
    raw = api_key_issue(key=key)
    client = Client(HTTP_HOST="localhost")
    headers = {"Authorization": f"Bearer {raw}"}
    file_rates, push_rates = [], []
    for _ in range(repeats):
        _clear_stays()
        start = time.perf_counter()
        with path.open("rb") as source:
            report = discharges_import(source=source, file_name=path.name, actor=None)
        seconds = time.perf_counter() - start
        if not report.ok or report.created != rows:
            raise SystemExit(f"file import: {report.created} of {rows} ({report.errors[:3]})")
        file_rates.append(rows / seconds)
        _clear_stays()
        cache.clear()  # the per-key rate count
        created = 0
        start = time.perf_counter()
        for body in bodies:
            response = client.post(
                "/api/v1/discharges/", body, content_type="application/json", headers=headers
            )
            if response.status_code != 200:
                raise SystemExit(f"push: HTTP {response.status_code}: {response.content[:500]!r}")
            created += response.json()["created"]
        seconds = time.perf_counter() - start
        if created != rows:
            raise SystemExit(f"push: created {created} of {rows}")
        push_rates.append(rows / seconds)
    return {
        "rows": rows,
        "batch": MAX_BATCH,
        "calls": len(bodies),
        "file_rows_per_s": stats(file_rates, 0),
        "push_rows_per_s": stats(push_rates, 0),
        "ratio_push_vs_file": round(statistics.median(push_rates) / statistics.median(file_rates), 2),
    }


HIS_COLUMNS = [(c.attr, c.header) for c in DischargeImport.columns]


def bench_his(rows: int, repeats: int, tmp: Path) -> dict:
    path = tmp / f"his-{rows}.xlsx"
    generate(path, rows, seed=7)
    book = openpyxl.load_workbook(path, read_only=True)
    sheet = book.active.iter_rows(values_only=True)
    headers = list(next(sheet))
    if headers != list(DISCHARGE_HEADERS):
        raise SystemExit(f"unexpected headers {headers}")
    data = [(*row, *(None,) * (len(headers) - len(row))) for row in sheet]  # trailing empty columns
    book.close()
    his = tmp / "his.sqlite3"
    by_header = {h: a for a, h in HIS_COLUMNS}
    attrs = [by_header[h] for h in headers]
    with sqlite3.connect(his) as db:
        db.execute(f"CREATE TABLE his_stays ({', '.join(f'{a} TEXT' for a in attrs)})")
        # The vendor's view: the template's columns by attribute name, as docs/api.md asks of it.
        db.execute("CREATE VIEW v_ducha_discharges AS SELECT * FROM his_stays")
        db.executemany(
            f"INSERT INTO his_stays VALUES ({', '.join('?' * len(attrs))})",  # noqa: S608 # placeholders only
            [[None if v is None else str(v) for v in row] for row in data],
        )
    config = HisPull.get()
    config.query, config.enabled = "SELECT * FROM v_ducha_discharges", True
    config.save()
    seconds = []
    with override_settings(HIS_DATABASE_URL=f"sqlite:///{his}"):
        for _ in range(repeats):
            _clear_stays()
            start = time.perf_counter()
            report = discharges_pull()
            seconds.append(time.perf_counter() - start)
            if not report.ok or report.created != rows:
                raise SystemExit(f"HIS pull: {report.created} of {rows} ({report.errors[:3]})")
    return {"rows": rows, "seconds": stats(seconds, 2)}


def knowledge_entries(n: int, owner: User) -> None:
    """``n`` entries shaped like the demo's knowledge base, keys computed as a save computes them."""
    rng = random.Random(11)
    departments = list(Department.objects.all())
    kinds = list(KnowledgeKind.values)
    words = ["门诊", "病房", "检查", "预约", "复印", "病历", "胃镜", "肠镜", "专家", "挂号", "缴费", "报告",
             "打印", "停车", "轮椅", "充电", "失物", "医保", "发票", "核酸", "体检", "住院", "出院", "探视"]  # fmt: skip
    surnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平建国华"
    entries, seen = [], set()
    for i in range(n):
        kind = kinds[i % len(kinds)]
        department = rng.choice(departments)
        if kind == KnowledgeKind.EXPERT:
            title = ""
            while not title or (kind, title) in seen:  # a real roster has no two same-named experts
                title = (
                    rng.choice(surnames) + rng.choice(given) + rng.choice(given) + f"（{department.name}）"
                )
        else:
            title = f"{department.name}{''.join(rng.sample(words, 2))}{i}"
        entry = KnowledgeEntry(
            kind=kind,
            title=title,
            department=department,
            body="；".join(rng.sample(words, 6)) + "。" * 20,
            location=f"门诊楼{rng.randrange(1, 6)}层",
            hours="周一至周五 8:00-17:00",
            specialties="、".join(rng.sample(words, 3)),
            keywords=" ".join(rng.sample(words, 2)),
            owner=owner,
            review_due=dt.date.today() + dt.timedelta(days=rng.randrange(-30, 365)),
        )
        seen.add((kind, title))
        knowledge_keys(entry, department.name)
        entries.append(entry)
    KnowledgeEntry.objects.bulk_create(entries, batch_size=1000)


def bench_search(entries: int, repeats: int) -> dict:
    from django.contrib.auth.models import Group

    desk = User.objects.create_user(username="bench-desk", full_name="客服")
    desk.groups.add(Group.objects.get_or_create(name=Role.DESK)[0])
    knowledge_entries(entries, desk)
    client = Client(HTTP_HOST="localhost")
    client.force_login(desk)
    for query in QUERIES:  # warm: template loading, first-use imports
        status = client.get("/servicedesk/knowledge/", {"q": query}).status_code
        if status != 200:
            raise SystemExit(f"search page answered {status}")
    times, found = [], {}
    for _ in range(repeats):
        for query in QUERIES:
            start = time.perf_counter()
            response = client.get("/servicedesk/knowledge/", {"q": query})
            times.append((time.perf_counter() - start) * 1000)
            found[query] = len(response.context["results"])
    times.sort()
    return {
        "entries": KnowledgeEntry.objects.count(),
        "queries": len(QUERIES),
        "requests": len(times),
        "ms_median": round(statistics.median(times), 1),
        "ms_p95": round(times[int(0.95 * (len(times) - 1))], 1),
        "ms_max": round(times[-1], 1),
        "found": found,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--his-rows", type=int, default=6_000)
    parser.add_argument("--entries", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip", default="", help="comma list of push,his,search")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    out: dict = {"database": connection.vendor, "targets": TARGETS}
    try:
        for order, (code, name) in enumerate(DEPARTMENTS):
            Department.objects.get_or_create(
                code=code, defaults={"name": name, "kind": DepartmentKind.CLINICAL, "sort_order": order}
            )
        with tempfile.TemporaryDirectory() as tmp:
            if "push" not in skip:
                out["push"] = bench_push(args.rows, args.repeats, Path(tmp))
            if "his" not in skip:
                out["his"] = bench_his(args.his_rows, args.repeats, Path(tmp))
        if "search" not in skip:
            out["search"] = bench_search(args.entries, args.repeats)
        print(json.dumps(out, ensure_ascii=False, indent=2))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
