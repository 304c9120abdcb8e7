"""Pushes go through the file imports' pipeline: the same rows give the same stays and the same
errors as a file, all-or-nothing, idempotent on 住院号 + 出院日期; departments and staff as their
imports; a batch over 5,000 rows is a 413, a body of the wrong shape a 400 naming the field."""

import pytest

from api import pushing
from api.models import ApiCall
from followups.importing import DISCHARGE_HEADERS, DischargeImport, discharges_import
from supervision.models import Department, DischargeStay, ImportRun, Staff
from tests.followups.conftest import discharge_row, make_xlsx

pytestmark = pytest.mark.django_db

URL = "/api/v1/discharges/"
FIELDS = {c.header: c.attr for c in DischargeImport.columns}
STAY = ["admission_no", "discharged_on", "patient_name", "sex", "age", "phone", "alt_phone", "department_id",
        "attending_doctor", "responsible_nurse", "admitted_on", "diagnosis", "discharge_method"]  # fmt: skip


def as_json(row: list) -> dict:
    """A template row (values in header order) as a push row (attribute: value)."""
    return {FIELDS[h]: v for h, v in zip(DISCHARGE_HEADERS, row, strict=True) if v is not None}


def stays() -> list[tuple]:
    return list(DischargeStay.objects.order_by("admission_no", "discharged_on").values_list(*STAY))


GOOD = [
    discharge_row(),
    discharge_row("ZY002", "李娜", "NK", 性别="女", 离院方式="死亡", 联系电话="", 年龄="61岁"),
    discharge_row("ZY003", "王强", "外科", 出院日期="2026/03/09", 备用电话="010-65123456"),
]
BAD = [
    discharge_row(),
    discharge_row("ZY002", dept="儿科"),  # unknown department
    discharge_row("ZY003", 出院日期="2026-02-01"),  # before admission
    discharge_row(),  # the same stay again
    discharge_row("ZY005", 年龄="老年", 联系电话="12345"),
    discharge_row("ZY006", 出院日期="明天"),
]


def test_a_push_gives_the_same_stays_as_the_file_import(api, neike, waike):
    response = api.post(URL, {"rows": [as_json(r) for r in GOOD]}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["ok"], body["created"], body["total_rows"]) == (True, 3, 3)
    pushed = stays()
    DischargeStay.objects.all().delete()
    report = discharges_import(source=make_xlsx(DISCHARGE_HEADERS, GOOD), file_name="d.xlsx", actor=None)
    assert report.ok and report.created == 3
    assert stays() == pushed


def test_a_push_gives_the_same_errors_as_the_file_import_and_writes_nothing(api, neike, waike):
    response = api.post(URL, {"rows": [as_json(r) for r in BAD]}, format="json")
    assert response.status_code == 422
    body = response.json()
    assert body["ok"] is False
    assert DischargeStay.objects.count() == 0
    report = discharges_import(source=make_xlsx(DISCHARGE_HEADERS, BAD), file_name="d.xlsx", actor=None)
    # A file counts its header as row 1; a push counts its rows from 1.
    from_file = [(e.row - 1, e.column, e.message) for e in report.errors]
    pushed = [(e["row"], e["column"], e["message"]) for e in body["errors"]]
    assert len(pushed) == len(from_file) == body["error_count"] >= 6
    for (row, column, message), (frow, fcolumn, fmessage) in zip(pushed, from_file, strict=True):
        assert (row, column) == (frow, fcolumn)
        if "Row" not in fmessage and "第" not in fmessage:  # messages that quote row numbers differ by one
            assert message == fmessage
    assert {e["field"] for e in body["errors"]} >= {
        "department",
        "discharged_on",
        "admission_no",
        "age",
        "phone",
    }
    repeated = next(e for e in body["errors"] if e["field"] == "admission_no")
    assert repeated["row"] == 4 and "1" in repeated["message"]


def test_row_errors_come_in_english_when_asked(api, neike):
    rows = [as_json(discharge_row(dept="儿科"))]
    body = api.post(URL, {"rows": rows}, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["errors"][0]["message"] == "Unknown department “儿科” (neither a department name nor a code)."
    body = api.post(URL, {"rows": rows}, format="json").json()
    assert "儿科" in body["errors"][0]["message"] and "科室" in body["errors"][0]["message"]


def test_pushing_the_same_batch_again_changes_nothing(api, neike, waike):
    rows = [as_json(r) for r in GOOD]
    assert api.post(URL, {"rows": rows}, format="json").json()["created"] == 3
    before = stays()
    again = api.post(URL, {"rows": rows}, format="json").json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert stays() == before
    rows[0]["diagnosis"] = "慢性阻塞性肺病"
    changed = api.post(URL, {"rows": rows}, format="json").json()
    assert (changed["created"], changed["updated"], changed["unchanged"]) == (0, 1, 2)
    assert DischargeStay.objects.count() == 3


def test_each_push_is_an_import_run_and_a_call_with_its_counts(api, neike, waike):
    body = api.post(URL, {"rows": [as_json(r) for r in GOOD]}, format="json").json()
    run = ImportRun.objects.get(pk=body["import_run"])
    assert (run.kind, run.succeeded, run.created) == ("discharges", True, 3)
    assert api.key.prefix in run.file_name
    call = ApiCall.objects.get()
    assert (call.key, call.status, call.rows, call.created, call.errors, call.import_run) == (
        api.key,
        200,
        3,
        3,
        0,
        run,
    )


def test_a_batch_over_the_limit_is_a_413_and_writes_nothing(api, neike, monkeypatch):
    monkeypatch.setattr(pushing, "MAX_BATCH", 2)
    rows = [as_json(discharge_row(f"ZY{i}")) for i in range(3)]
    response = api.post(URL, {"rows": rows}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert "split the batch" in response.json()["detail"]
    assert api.post(URL, {"rows": rows[:2]}, format="json").status_code == 200


def test_a_body_over_the_byte_limit_is_a_413(api, neike, monkeypatch):
    monkeypatch.setattr(pushing, "MAX_BODY_BYTES", 100)
    response = api.post(URL, {"rows": [as_json(discharge_row())]}, format="json")
    assert response.status_code == 413
    assert DischargeStay.objects.count() == 0


def test_5000_rows_is_within_the_limit():
    assert pushing.MAX_BATCH == 5000


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "rows"),
        ({"rows": "ZY001"}, "rows"),
        ({"rows": []}, "rows"),
        ({"rows": [{"admission_no": "ZY001"}], "extra": 1}, "extra"),
        ({"rows": ["ZY001"]}, "rows[0]"),
        ({"rows": [{"admission_no": ["ZY001"]}]}, "rows[0].admission_no"),
        ({"rows": [{"admission_no": "ZY001"}, {"住院号": "ZY002"}]}, "rows[1].住院号"),
        ([1, 2], "non_field_errors"),
    ],
)
def test_a_body_of_the_wrong_shape_is_a_400_naming_the_field(api, body, field):
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert ImportRun.objects.count() == 0


@pytest.mark.parametrize("raw", [b"{", b'{"rows": [}', b"\xff\xfe", b"NaN", b'{"rows": [{"age": NaN}]}'])
def test_malformed_json_is_a_400(api, raw):
    response = api.generic("POST", URL, raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_another_content_type_is_a_415(api):
    assert api.generic("POST", URL, b"a,b", content_type="text/csv").status_code == 415


def test_departments_are_upserted_as_by_their_import(api, neike):
    rows = [
        {"code": "NK", "name": "内科", "kind": "临床", "active": True},
        {"code": "EK", "name": "儿科", "kind": "clinical", "sort_order": 5},
    ]
    body = api.post("/api/v1/departments/", {"rows": rows}, format="json").json()
    assert (body["ok"], body["created"], body["unchanged"]) == (True, 1, 1), body
    assert Department.objects.get(code="EK").sort_order == 5
    clash = api.post(
        "/api/v1/departments/", {"rows": [{"code": "X", "name": "内科", "kind": "临床"}]}, format="json"
    )
    assert clash.status_code == 422
    assert clash.json()["errors"][0]["field"] == "name"


def test_staff_are_upserted_as_by_their_import(api, neike):
    rows = [{"employee_no": "D1", "name": "张伟", "department": "NK", "position": "医生", "active": "在职"}]
    assert api.post("/api/v1/staff/", {"rows": rows}, format="json").json()["created"] == 1
    rows[0]["position"] = "护士"
    assert api.post("/api/v1/staff/", {"rows": rows}, format="json").json()["updated"] == 1
    assert Staff.objects.get(employee_no="D1").position == "nurse"
    unknown = api.post("/api/v1/staff/", {"rows": [{**rows[0], "department": "ZZ"}]}, format="json").json()
    assert unknown["errors"][0]["field"] == "department"
