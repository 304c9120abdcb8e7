#!/usr/bin/env python
"""Time the monthly report and the annual summary, and their peak memory.

    .venv/bin/python benchmarks/bench_reports.py [--month 2026-10] [--year 2026] [--repeats 3]
                                                 [--formats pdf,xlsx] [--department CODE ...]

Reads whatever data is in the configured database (DATABASE_URL; run it against a copy loaded
with a large hospital's year to check the targets: monthly ≤ 5 s, annual ≤ 30 s). Nothing is
written except the one ``ReportConfig`` row if it is missing; files go to a temporary directory.

For each kind it times, ``--repeats`` times: building the content (every selector, SQL
aggregation), rendering the PDF (WeasyPrint) and rendering the workbook (openpyxl), and the
total. Peak memory is measured in one extra run under ``tracemalloc`` (Python allocations; it
slows that run, which is why it is separate) and as the process's maximum resident set size
(``resource.getrusage``). Prints JSON: seconds median/min/max per step, queries, pages/sheets,
file sizes, peak memory in MiB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supervision.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from reports.builders import build_content  # noqa: E402
from reports.excel import render_xlsx  # noqa: E402
from reports.pdf import render_pdf  # noqa: E402
from reports.periods import month_bounds  # noqa: E402
from supervision.models import Department, Finding  # noqa: E402


def stats(values: list[float]) -> dict:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def one_run(kind, start, end, department_ids, formats, workdir) -> dict:
    # Wall-clock seconds, and this process's CPU seconds: on a machine shared with other work the
    # wall clock grows with the load, the CPU time much less (the database's own CPU is not in it).
    times, cpu = {}, {}
    began, began_cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        content = build_content(kind=kind, start=start, end=end, department_ids=department_ids)
    times["content"] = time.perf_counter() - began
    cpu["content"] = time.process_time() - began_cpu
    sizes = {}
    for fmt in formats:
        path = Path(workdir) / f"{kind}.{fmt}"
        t0, c0 = time.perf_counter(), time.process_time()
        (render_pdf if fmt == "pdf" else render_xlsx)(content, path)
        times[fmt] = time.perf_counter() - t0
        cpu[fmt] = time.process_time() - c0
        sizes[fmt] = path.stat().st_size
    times["total"] = time.perf_counter() - began
    cpu["total"] = time.process_time() - began_cpu
    return {
        "times": times,
        "cpu": cpu,
        "queries": len(queries.captured_queries),
        "sizes": sizes,
        "sections": len(content.sections),
    }


def bench(kind, start, end, department_ids, formats, repeats) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        one_run(kind, start, end, department_ids, formats, workdir)  # warm-up: fonts, templates
        runs = [one_run(kind, start, end, department_ids, formats, workdir) for _ in range(repeats)]
        tracemalloc.start()
        one_run(kind, start, end, department_ids, formats, workdir)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    steps = runs[0]["times"].keys()
    return {
        "period": f"{start} ~ {end}",
        "seconds": {step: stats([r["times"][step] for r in runs]) for step in steps},
        "cpu_seconds": {step: stats([r["cpu"][step] for r in runs]) for step in steps},
        "queries": runs[0]["queries"],
        "sections": runs[0]["sections"],
        "file_bytes": runs[0]["sizes"],
        "peak_python_alloc_mib": round(peak / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--month", help="YYYY-MM (default: the month of the latest finding, or last month)")
    parser.add_argument("--year", type=int, help="default: the year of --month")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--formats", default="pdf,xlsx")
    parser.add_argument("--department", action="append", default=[], help="department code (repeatable)")
    args = parser.parse_args()
    translation.activate("zh-hans")
    if args.month:
        year, month = (int(p) for p in args.month.split("-"))
    else:
        latest = Finding.objects.aggregate(m=Max("found_at"))["m"]
        day = (
            timezone.localtime(latest).date()
            if latest
            else timezone.localdate().replace(day=1) - dt.timedelta(days=1)
        )
        year, month = day.year, day.month
    department_ids = (
        list(Department.objects.filter(code__in=args.department).values_list("pk", flat=True)) or None
    )
    formats = [f for f in args.formats.split(",") if f]
    m_start, m_end = month_bounds(year, month)
    y = args.year or year
    load_before = os.getloadavg()
    result = {
        "database": connection.vendor,
        "rows": {"findings": Finding.objects.count(), "departments": Department.objects.count()},
        "monthly": bench("monthly", m_start, m_end, department_ids, formats, args.repeats),
        "annual": bench(
            "annual", dt.date(y, 1, 1), dt.date(y, 12, 31), department_ids, formats, args.repeats
        ),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "targets_seconds": {"monthly": 5, "annual": 30},
        # 1-minute load average of the machine before and after (other work shares the cores)
        "load_average": [round(load_before[0], 1), round(os.getloadavg()[0], 1)],
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
