"""Personal data retention: contact data of cases over for more than N months is anonymised."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from complaints.models import Complaint, ComplaintStatus
from followups.models import TaskStatus
from supervision import retention
from supervision.models import DischargeStay, ImportRun, SiteConfig
from tests.complaints.factories import make_complaint
from tests.factories import DischargeStayFactory
from tests.followups.factories import make_task

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)


def _closed(supervisor, *, closed_on: dt.date, **kw) -> Complaint:
    c = make_complaint(received_by=supervisor, complainant_email="zs@example.cn", **kw)
    moment = timezone.make_aware(dt.datetime.combine(closed_on, dt.time(10)))
    Complaint.objects.filter(pk=c.pk).update(status=ComplaintStatus.CLOSED, closed_at=moment)
    return Complaint.objects.get(pk=c.pk)


def test_months_before_keeps_the_day_or_the_month_end():
    assert retention.months_before(dt.date(2026, 11, 23), 36) == dt.date(2023, 11, 23)
    assert retention.months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert retention.months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)


def test_the_setting_defaults_to_36_months_and_sets_the_cutoff():
    assert SiteConfig.get().retention_months == 36
    assert retention.retention_cutoff(today=TODAY) == dt.date(2023, 11, 23)
    config = SiteConfig.get()
    config.retention_months = 12
    config.save()
    assert retention.retention_cutoff(today=TODAY) == dt.date(2025, 11, 23)


def test_old_closed_complaints_lose_contact_data_and_keep_the_case(supervisor, neike):
    old = _closed(supervisor, closed_on=dt.date(2023, 11, 22), department=neike)
    recent = _closed(supervisor, closed_on=dt.date(2023, 11, 24), department=neike)
    open_old = make_complaint(received_by=supervisor, received_at=timezone.now() - dt.timedelta(days=2000))

    result = retention.personal_data_anonymise(today=TODAY)

    assert result.counts["complaints"] == 1
    old.refresh_from_db()
    assert (old.complainant_name, old.complainant_phone, old.complainant_email, old.complainant_key) == (
        "张*",
        "",
        "",
        "",
    )
    assert old.content == "护士态度生硬" and old.status == ComplaintStatus.CLOSED and old.department == neike
    for kept in (recent, open_old):
        kept.refresh_from_db()
        assert kept.complainant_phone == "13800138000" and kept.complainant_name == "张三"


def test_not_accepted_complaints_count_from_receipt(supervisor):
    c = make_complaint(received_by=supervisor, received_at=timezone.now() - dt.timedelta(days=4 * 365))
    Complaint.objects.filter(pk=c.pk).update(status=ComplaintStatus.NOT_ACCEPTED)
    assert retention.personal_data_anonymise().counts["complaints"] == 1
    c.refresh_from_db()
    assert c.complainant_phone == "" and c.complainant_name == "张*"


def test_old_stays_with_finished_follow_up_are_anonymised(neike):
    old_done = DischargeStayFactory(
        department=neike, patient_name="王小明", alt_phone="13900000000", discharged_on=dt.date(2023, 1, 5)
    )
    done_task = make_task(stay=old_done, status=TaskStatus.DONE)
    old_never_drawn = DischargeStayFactory(
        department=neike, patient_name="赵六", discharged_on=dt.date(2022, 5, 1)
    )
    old_open = DischargeStayFactory(department=neike, patient_name="钱七", discharged_on=dt.date(2023, 1, 6))
    make_task(stay=old_open, status=TaskStatus.CALLBACK)
    recent = DischargeStayFactory(department=neike, patient_name="孙八", discharged_on=dt.date(2024, 1, 1))

    result = retention.personal_data_anonymise(today=TODAY)

    assert result.counts["discharge stays"] == 2
    old_done.refresh_from_db()
    assert (old_done.patient_name, old_done.phone, old_done.alt_phone) == ("王**", "", "")
    assert old_done.admission_no and old_done.discharged_on == dt.date(2023, 1, 5)  # the stay itself stays
    done_task.refresh_from_db()
    assert done_task.patient_key == ""  # the name + phone key of the patient goes too
    old_never_drawn.refresh_from_db()
    assert old_never_drawn.patient_name == "赵*" and old_never_drawn.phone == ""
    for kept in (old_open, recent):
        kept.refresh_from_db()
        assert kept.phone and "*" not in kept.patient_name


def test_a_second_run_changes_nothing_and_writes_no_row(supervisor, neike):
    _closed(supervisor, closed_on=dt.date(2020, 1, 1))
    DischargeStayFactory(department=neike, discharged_on=dt.date(2020, 1, 1))
    first = retention.personal_data_anonymise(today=TODAY)
    assert first.counts == {
        "complaints": 1,
        "discharge stays": 1,
        "alerts without a patient": 0,
        "suggestion slips": 0,
    }
    runs = list(ImportRun.objects.filter(kind="retention").values_list("file_name", "updated", "succeeded"))
    assert sorted(runs) == [("complaints < 2023-11-23", 1, True), ("discharge stays < 2023-11-23", 1, True)]
    before = (
        list(Complaint.objects.values_list("complainant_name", "complainant_phone")),
        list(DischargeStay.objects.values_list("patient_name", "phone")),
    )
    second = retention.personal_data_anonymise(today=TODAY)
    assert second.total == 0
    assert ImportRun.objects.filter(kind="retention").count() == 2
    assert before == (
        list(Complaint.objects.values_list("complainant_name", "complainant_phone")),
        list(DischargeStay.objects.values_list("patient_name", "phone")),
    )


def test_work_is_done_in_batches(neike, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 3)
    for i in range(7):
        DischargeStayFactory(department=neike, discharged_on=dt.date(2020, 1, 1 + i))
    calls = []
    original = retention._anonymise
    monkeypatch.setattr(
        retention, "_anonymise", lambda rule, links, ids: calls.append(len(ids)) or original(rule, links, ids)
    )
    assert retention.personal_data_anonymise(today=TODAY).counts["discharge stays"] == 7
    assert calls == [3, 3, 1]


def test_a_failing_batch_keeps_the_batches_done_and_is_recorded(neike, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 2)
    for i in range(5):
        DischargeStayFactory(department=neike, discharged_on=dt.date(2020, 1, 1 + i))
    original = retention._anonymise
    calls = []

    def flaky(rule, links, ids):
        calls.append(ids)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(rule, links, ids)

    monkeypatch.setattr(retention, "_anonymise", flaky)
    with pytest.raises(RuntimeError):
        retention.personal_data_anonymise(today=TODAY)
    assert (
        DischargeStay.objects.filter(phone="").count() == 2
    )  # the first batch stays done, the second rolled back
    run = ImportRun.objects.get(kind="retention", succeeded=False)
    assert run.updated == 2 and "disk full" in run.errors[0]["message"]
    monkeypatch.setattr(retention, "_anonymise", original)
    assert (
        retention.personal_data_anonymise(today=TODAY).counts["discharge stays"] == 3
    )  # the next run finishes the rest


def test_the_beat_job_runs_the_service_and_is_scheduled(supervisor):
    from supervision.schedules import DEFAULT_SCHEDULES
    from supervision.tasks import retention as task

    _closed(supervisor, closed_on=dt.date(2020, 1, 1))
    assert task.apply(kwargs={"today": "2026-11-23"}).get() == 1
    assert task.apply(kwargs={"today": "2026-11-23"}).get() == 0
    assert any(job.task == "supervision.retention" for job in DEFAULT_SCHEDULES)


def _opening(supervisor, neike, opened_on: dt.date, slips: list[dict]):
    from servicedesk.models import SuggestionBox
    from servicedesk.services import opening_record

    box, _ = SuggestionBox.objects.get_or_create(name="门诊大厅意见箱", defaults={"location": "门诊大厅"})
    with freeze(opened_on):
        return opening_record(box=box, actor=supervisor, opened_on=opened_on, slips=slips)


def freeze(day: dt.date):
    import time_machine

    return time_machine.travel(dt.datetime.combine(day, dt.time(10)), tick=False)


def test_old_suggestion_slips_lose_the_writers_contact_data_and_keep_the_slip(supervisor, neike):
    """A slip is as old as the box opening it was found in; one turned into a complaint keeps its
    writer's contact data until that complaint is over, as the complaint's own rule counts it."""
    writer = {"writer": "李先生", "writer_phone": "13800138000"}
    old = _opening(
        supervisor, neike, dt.date(2023, 11, 1), [{"kind": "suggestion", "content": "多放椅子", **writer}]
    )
    recent = _opening(
        supervisor, neike, dt.date(2024, 1, 5), [{"kind": "suggestion", "content": "多放椅子", **writer}]
    )
    complained = _opening(
        supervisor,
        neike,
        dt.date(2023, 10, 1),
        [{"kind": "complaint", "content": "态度差", "department": neike, **writer}],
    )

    result = retention.personal_data_anonymise(today=TODAY)

    assert result.counts["suggestion slips"] == 1
    old_slip, recent_slip, complaint_slip = (o.slips.get() for o in (old, recent, complained))
    assert (old_slip.writer, old_slip.writer_phone, old_slip.content) == ("李**", "", "多放椅子")
    assert (recent_slip.writer, recent_slip.writer_phone) == ("李先生", "13800138000")
    assert complaint_slip.writer_phone == "13800138000"  # its complaint is still open

    _closed_moment = timezone.make_aware(dt.datetime(2023, 11, 2, 10))
    Complaint.objects.filter(pk=complaint_slip.complaint_id).update(
        status=ComplaintStatus.CLOSED, closed_at=_closed_moment
    )
    assert retention.personal_data_anonymise(today=TODAY).counts["suggestion slips"] == 1
    complaint_slip.refresh_from_db()
    assert (complaint_slip.writer, complaint_slip.writer_phone) == ("李**", "")


# --- alerts on unhappy patients (issue 17 item 6) --------------------------------------------------


def _alert(department, *, stay, head, close: bool, on: dt.date):
    from supervision import services
    from supervision.models import AlertKind, AlertOutcome

    moment = timezone.make_aware(dt.datetime.combine(on, dt.time(10)))
    alert, _created = services.alert_raise(
        kind=AlertKind.CALL_NOT_SATISFIED,
        source=stay or DischargeStayFactory(department=department),
        department=department,
        due_on=on,
        stay=stay,
        note="李阿姨说护士把药发错了",
        now=moment,
    )
    if stay is not None:
        alert = services.alert_contact(alert=alert, actor=head, contact_note="打电话给李阿姨道歉", now=moment)
    if close:
        outcome = AlertOutcome.RESOLVED if stay is not None else AlertOutcome.NOT_CONTACTED
        alert = services.alert_close(
            alert=alert, actor=head, action_taken="与李阿姨面谈并补发药品", outcome=outcome, now=moment
        )
    return alert


def _texts(alert):
    alert.refresh_from_db()
    return [
        alert.note,
        alert.contact_note,
        alert.action_taken,
        *alert.transitions.values_list("comment", flat=True),
    ]


def test_an_alerts_free_text_goes_with_its_stays_contact_data_and_the_alert_stays(neike, head_neike):
    old = DischargeStayFactory(department=neike, patient_name="李梅", discharged_on=dt.date(2023, 1, 5))
    closed = _alert(neike, stay=old, head=head_neike, close=True, on=dt.date(2023, 1, 9))
    recent = DischargeStayFactory(department=neike, patient_name="周丽", discharged_on=dt.date(2024, 6, 1))
    kept = _alert(neike, stay=recent, head=head_neike, close=True, on=dt.date(2024, 6, 5))

    result = retention.personal_data_anonymise(today=TODAY)

    assert result.counts["discharge stays"] == 1
    assert not any(_texts(closed))  # note, contact, what was done and their history comments
    assert (closed.status, closed.outcome, closed.contacted_at is not None) == ("closed", "resolved", True)
    assert [t.action for t in closed.transitions.all()] == ["raise", "contact", "close"]  # the figures stay
    assert all(t for t in _texts(kept)[:3])
    assert retention.personal_data_anonymise(today=TODAY).total == 0  # a second run changes nothing


def test_an_alert_still_being_handled_keeps_its_patients_number_and_text(neike, head_neike):
    old = DischargeStayFactory(department=neike, patient_name="李梅", discharged_on=dt.date(2023, 1, 5))
    open_alert = _alert(neike, stay=old, head=head_neike, close=False, on=dt.date(2023, 1, 9))

    assert retention.personal_data_anonymise(today=TODAY).counts["discharge stays"] == 0
    old.refresh_from_db()
    assert old.phone and old.patient_name == "李梅"
    assert all(_texts(open_alert)[:2])  # someone still has to call: nothing is taken away


def test_an_alert_without_a_patient_loses_its_text_once_closed_before_the_cutoff(neike, head_neike):
    old = _alert(neike, stay=None, head=head_neike, close=True, on=dt.date(2023, 1, 9))
    recent = _alert(neike, stay=None, head=head_neike, close=True, on=dt.date(2024, 6, 5))

    assert retention.personal_data_anonymise(today=TODAY).counts["alerts without a patient"] == 1
    assert not any(_texts(old))
    assert _texts(recent)[2] == "与李阿姨面谈并补发药品"
