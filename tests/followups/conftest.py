import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from followups.importing import DISCHARGE_HEADERS


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()


def make_xlsx(headers, rows, name="discharges.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/vnd.ms-excel")


def discharge_row(
    admission_no="ZY001", name="张伟", dept="内科", admitted="2026-03-01", discharged="2026-03-08", **kw
):
    values = {
        "住院号": admission_no,
        "姓名": name,
        "性别": "男",
        "年龄": 56,
        "联系电话": "138-0013-8000",
        "备用电话": "",
        "科室": dept,
        "主治医生": "李明",
        "责任护士": "王芳",
        "入院日期": admitted,
        "出院日期": discharged,
        "出院诊断": "肺炎",
        "离院方式": "1",
    }
    values.update(kw)
    return [values.get(h, "") for h in DISCHARGE_HEADERS]


@pytest.fixture
def xlsx():
    return make_xlsx


@pytest.fixture
def row():
    return discharge_row


@pytest.fixture
def d():
    return dt.date


@pytest.fixture(autouse=True)
def _stays_flags_agree_with_their_tasks(request):
    """Every follow-up test that wrote to the database ends with each stay's follow-up flags equal to
    its tasks (``followups.outcomes``): whatever the services did, through whichever path — the
    queue, calls, letters, web forms, imports, plans, restarts, expiry, the admin."""
    uses = [name for name in ("transactional_db", "db") if name in request.fixturenames]
    if not uses and not request.node.get_closest_marker("django_db"):
        yield
        return
    for name in uses:  # set up before this fixture, so torn down (rolled back) after its check
        request.getfixturevalue(name)
    yield
    from followups.outcomes import stays_out_of_step

    assert list(stays_out_of_step().values_list("pk", flat=True)) == []
