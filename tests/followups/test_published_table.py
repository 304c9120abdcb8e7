"""The published half-year follow-up table (domain.md, 2014) comes out of Ducha exactly.

The stays and calls are generated in the table's shape and go through Ducha's own imports (the HIS
discharge import, then the follow-up history import): several calls per stay, some never reached,
some refused, some stays never called, calls made in the month after the discharge. Every rate must
read as the hospital published it, to two decimals, on the figures page, in the report and in the
workbook (which holds the exact ratio, not the rounded one).
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse

from followups import selectors
from followups.importing import DISCHARGE_HEADERS, HISTORY_HEADERS, discharges_import, history_import
from followups.models import CallAttempt, FollowupTask
from reports.builders import build_content
from reports.content import fmt_cell
from reports.excel import render_xlsx
from supervision.models import DischargeStay
from supervision.rates import format_rate
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

# month: (stays discharged, stays followed up, the published rate)
PUBLISHED = {
    1: (4777, 4439, "92.92"),
    2: (3927, 3632, "92.49"),
    3: (5153, 4735, "91.89"),
    4: (4757, 4446, "93.46"),
    5: (5221, 4809, "92.11"),
    6: (5033, 4574, "90.88"),
}
TOTAL = (28868, 26635, "92.26")
# January's departments: the lowest at 68.47 % (139 of 203, as published) and one above 97 %.
LOWEST = ("JSK", "精神科", 203, 139, "68.47")
HIGHEST = ("YK", "眼科", 1000, 975, "97.50")

# Calls of a stay followed up, by stay number mod 10: reached at the first, second or third call.
REACHED_CALLS = {0: ("无人接听", "成功"), 1: ("关机", "无人接听", "成功")}
# Stays not followed up, by stay number mod 4: never called, a wrong number, two calls unanswered,
# a refusal (a refusal reaches the patient but is no follow-up).
UNREACHED_CALLS = {0: (), 1: ("空号",), 2: ("无人接听", "关机"), 3: ("拒访",)}


def _csv(headers, rows) -> io.BytesIO:
    lines = [",".join(headers), *(",".join(str(v) for v in row) for row in rows)]
    return io.BytesIO(("\n".join(lines) + "\n").encode("utf-8"))


def _generate():
    """The HIS discharge file and the follow-up history file in the table's shape."""
    stays, calls = [], []
    number = 0
    for month, (discharged, followed, _rate) in PUBLISHED.items():
        plan = [("NK", discharged, followed)]
        if month == 1:  # the departments at both ends, in January
            rest_d = discharged - LOWEST[2] - HIGHEST[2]
            rest_f = followed - LOWEST[3] - HIGHEST[3]
            plan = [
                (LOWEST[0], LOWEST[2], LOWEST[3]),
                (HIGHEST[0], HIGHEST[2], HIGHEST[3]),
                ("NK", rest_d, rest_f),
            ]
        for code, n, reached in plan:
            for i in range(n):
                number += 1
                day = dt.date(2014, month, 1 + i % 28)
                admission = f"ZY{number:06d}"
                stays.append(
                    [admission, f"患者{number}", "女", 50, f"139{number:08d}", "", code, "", "",
                     day - dt.timedelta(days=3), day, "", "1"]
                )  # fmt: skip
                outcomes = (REACHED_CALLS.get(i % 10, ("成功",))) if i < reached else UNREACHED_CALLS[i % 4]
                for k, outcome in enumerate(outcomes):
                    # a day apart from three days after discharge: late-month stays are called next month
                    called = day + dt.timedelta(days=3 + k)
                    calls.append([admission, day, f"{called} 10:00", outcome, "林回访", "电话", "", ""])
    return stays, calls


def _analyze(*models) -> None:
    """Fresh planner statistics for the rows this test wrote (PostgreSQL; ANALYZE counts the rows of
    its own open transaction). Autovacuum only ever analysed these tables when earlier tests had left
    a handful of committed rows, and with those statistics PostgreSQL joined 28,868 stays to their
    tasks by a nested loop: minutes per figure instead of milliseconds. Production tables are
    analysed by autovacuum after the import commits."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def test_the_published_half_year_table_comes_out_exactly_through_the_imports(client_for, administrator):
    DepartmentFactory(code="NK", name="内科")
    DepartmentFactory(code=LOWEST[0], name=LOWEST[1])
    DepartmentFactory(code=HIGHEST[0], name=HIGHEST[1])
    stays, calls = _generate()
    assert len(stays) == TOTAL[0] and len(calls) > TOTAL[1]  # several calls for some stays
    assert sum(1 for row in stays if row[10].day >= 26) > 0  # some called in the next month
    report = discharges_import(source=_csv(DISCHARGE_HEADERS, stays), file_name="his.csv", actor=None)
    assert report.ok, report.errors[:3]
    report = history_import(source=_csv(HISTORY_HEADERS, calls), file_name="history.csv", actor=None)
    assert report.ok, report.errors[:3]
    _analyze(DischargeStay, FollowupTask, CallAttempt)

    start, end = dt.date(2014, 1, 1), dt.date(2014, 6, 30)
    by_month = selectors.followup_by_month(start=start, end=end)
    assert [(r["discharged"], r["reached"], format_rate(r["rate"])) for r in by_month] == list(
        PUBLISHED.values()
    )
    total = selectors.followup_summary(start=start, end=end)
    assert (total["discharged"], total["reached"], format_rate(total["rate"])) == TOTAL
    by_department = {r["code"]: r for r in selectors.followup_by_department(start=start, end=end)}
    for code, _name, n, reached, published in (LOWEST, HIGHEST):
        row = by_department[code]
        assert (row["discharged"], row["reached"], format_rate(row["rate"])) == (n, reached, published)

    # The report: the month table and the sentence with two decimals, the workbook the exact ratio.
    content = build_content(kind="range", start=start, end=end, today=dt.date(2014, 7, 15))
    section = content.section("followups")
    months = section.tables[0]
    shown = [[fmt_cell(v, c.kind) for v, c in zip(row, months.columns, strict=True)] for row in months.rows]
    assert [row[3] for row in shown] == [f"{p[2]}%" for p in PUBLISHED.values()] + ["92.26%"]
    assert shown[-1][1:3] == ["28,868", "26,635"]
    assert any("92.26%" in p for p in section.paragraphs)
    assert "精神科（68.47%）" in content.figures.followups.lowest
    out = io.BytesIO()
    render_xlsx(content, out)
    out.seek(0)
    book = openpyxl.load_workbook(out)
    total_row = next(
        row
        for ws in book.worksheets
        for row in ws.iter_rows()
        if row[0].value == months.rows[-1][0] and row[1].value == 28868
    )
    assert total_row[3].value == 26635 / 28868  # the exact ratio, to the last bit of the float
    assert total_row[3].number_format == "0.00%"

    # The figures page shows the same figures.
    page = client_for(administrator).get(reverse("followups:figures"), {"start": start, "end": end})
    text = page.content.decode()
    assert "26635/28868" in text and "92.26%" in text and "68.47%" in text
