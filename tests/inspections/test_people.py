"""Chart audits and people (issue 16 item 5): the responsible doctor is a roster link — matched at
the draw, at the audit when the roster came later, and by migration for audits from before — and
each graded chart counts on the doctor's record through the channel contract."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections import services
from inspections.models import ChartAudit, ChartCriterion
from supervision import people
from supervision.models import Attribution, PersonRecordView, StaffPosition
from tests.factories import DischargeStayFactory, StaffFactory
from tests.migrating import migrate_to, restore

MONTH = dt.date(2026, 10, 1)


def _audit(department, doctor="张医生", admission_no="NK00001"):
    DischargeStayFactory(
        department=department, admission_no=admission_no, discharged_on=MONTH, attending_doctor=doctor
    )
    sample, _ = services.chart_sample_draw(month=MONTH)
    return sample.audits.get(stay__admission_no=admission_no)


def _criterion():
    return ChartCriterion.objects.create(
        section="测试", text="测试项", points=Decimal("3"), max_points=Decimal("6")
    )


def test_a_graded_chart_counts_on_its_doctors_record_and_shows_there(
    client_for, neike, supervisor, head_neike
):
    doctor = StaffFactory(name="张医生", department=neike, position=StaffPosition.DOCTOR)
    audit = services.audit_complete(audit=_audit(neike), actor=supervisor, defects={_criterion().pk: (1, "")})
    today = timezone.localdate()
    record = people.person_record(staff=doctor, start=today.replace(day=1), end=today)
    lines = {line.key: line for line in record.channel_lines}
    assert (lines["chart_a"].count, lines["chart_b"].count, lines["chart_c"].count) == (1, 0, 0)
    assert lines["chart_a"].entries[0].url == audit.get_absolute_url()
    # The problem chart's finding names the doctor: a problem on the record too.
    assert record.problems == 1
    page = client_for(head_neike).get(reverse("person_record", args=[doctor.pk])).content.decode()
    assert 'data-measure="chart_a"' in page and "NK00001" in page
    assert PersonRecordView.objects.filter(user=head_neike, staff=doctor).count() == 1
    # The audit page links the doctor's record instead of showing a name.
    detail = client_for(head_neike).get(audit.get_absolute_url()).content.decode()
    assert reverse("person_record", args=[doctor.pk]) in detail


def test_a_doctor_put_on_the_roster_after_the_draw_is_linked_when_the_chart_is_audited(neike, supervisor):
    audit = _audit(neike)
    assert audit.doctor is None and audit.doctor_name == "张医生"
    doctor = StaffFactory(name="张医生", department=neike, position=StaffPosition.DOCTOR)
    audit = services.audit_complete(audit=audit, actor=supervisor, defects={_criterion().pk: (1, "")})
    assert audit.doctor == doctor
    assert list(audit.finding.staff_involved.all()) == [doctor]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_links_audits_from_before_by_name_in_the_department_and_keeps_unmatched_text(
    neike, waike, supervisor
):
    for no, name in (("NK00001", "张医生"), ("NK00002", "王医生"), ("NK00003", "赵医生")):
        DischargeStayFactory(department=neike, admission_no=no, discharged_on=MONTH, attending_doctor=name)
    sample, _ = services.chart_sample_draw(month=MONTH)
    matched = sample.audits.get(stay__admission_no="NK00001")
    audited = services.audit_complete(audit=matched, actor=supervisor, defects={_criterion().pk: (1, "")})
    doctor = StaffFactory(name="张医生", department=neike, position=StaffPosition.DOCTOR)
    StaffFactory(
        name="张医生", department=waike, position=StaffPosition.DOCTOR
    )  # another department's namesake
    StaffFactory(name="王医生", department=neike, position=StaffPosition.DOCTOR)
    StaffFactory(name="王医生", department=neike, position=StaffPosition.DOCTOR)  # two: never guessed
    assert not Attribution.objects.exists()
    try:
        migrate_to(("inspections", "0012_scheduled_rounds"))
    finally:
        restore()  # forward again: the migration under test runs here
    links = {
        a.stay.admission_no: (a.doctor_id, a.doctor_name) for a in ChartAudit.objects.select_related("stay")
    }
    assert links == {
        "NK00001": (doctor.pk, "张医生"),
        "NK00002": (None, "王医生"),
        "NK00003": (None, "赵医生"),
    }
    assert list(Attribution.objects.values_list("finding_id", "staff_id")) == [
        (audited.finding_id, doctor.pk)
    ]


def _draw(department, month, doctors: dict[str, str]) -> dict[str, ChartAudit]:
    """One month's sample of the charts ``admission number -> doctor's name``."""
    for no, name in doctors.items():
        DischargeStayFactory(
            department=department, admission_no=no, discharged_on=month, attending_doctor=name
        )
    sample, _ = services.chart_sample_draw(month=month)
    return {a.stay.admission_no: a for a in sample.audits.select_related("stay")}


@pytest.mark.django_db
def test_the_audit_list_links_the_doctor_to_the_record_the_reader_may_open(
    client_for, neike, waike, supervisor, head_neike, head_waike, volunteer, django_assert_max_num_queries
):
    doctor = StaffFactory(name="张医生", department=neike, position=StaffPosition.DOCTOR)
    # A doctor of another department on a 内科 chart: the head of 内科 may not open that record.
    outsider = StaffFactory(name="李医生", department=waike, position=StaffPosition.DOCTOR)
    drawn = _draw(neike, MONTH, {"NK00001": "张医生", "NK00002": "李医生"})
    ChartAudit.objects.filter(pk=drawn["NK00002"].pk).update(doctor=outsider)
    mine = services.audit_complete(audit=drawn["NK00001"], actor=supervisor, defects={})
    theirs = services.audit_complete(
        audit=ChartAudit.objects.get(pk=drawn["NK00002"].pk), actor=supervisor, defects={}
    )
    assert (mine.doctor, theirs.doctor) == (doctor, outsider)
    url = reverse("inspections:audit_list")
    link, other = reverse("person_record", args=[doctor.pk]), reverse("person_record", args=[outsider.pk])

    office = client_for(supervisor).get(url).content.decode()
    assert f'href="{link}"' in office and f'href="{other}"' in office
    head = client_for(head_neike).get(url).content.decode()
    assert f'href="{link}"' in head and f'href="{other}"' not in head and "李医生" in head
    assert "NK00001" not in client_for(head_waike).get(url).content.decode()  # another department's chart
    assert client_for(volunteer).get(url).status_code == 403
    # The detail page asks the same.
    detail = client_for(head_neike).get(theirs.get_absolute_url()).content.decode()
    assert other not in detail and "李医生" in detail
    assert link in client_for(head_neike).get(mine.get_absolute_url()).content.decode()

    client = client_for(supervisor)
    with django_assert_max_num_queries(1000) as few:
        client.get(url)
    bound = len(few)  # read now: the next request resets the query log
    names = {f"NK1{i:04}": f"王医生{i}" for i in range(5)}
    for name in names.values():
        StaffFactory(name=name, department=neike, position=StaffPosition.DOCTOR)
    _draw(neike, dt.date(2026, 9, 1), names)
    with django_assert_max_num_queries(bound):
        page = client.get(url).content.decode()
    assert page.count('class="audit-doctor"') == 7


def test_the_record_s_rows_carry_each_grade_s_sheet_count_beyond_the_rows_shown_in_one_query(
    neike, supervisor, django_assert_num_queries
):
    from inspections.models import CriterionLevel
    from inspections.people import RECORD
    from supervision.models import Staff

    doctor = StaffFactory(name="张医生", department=neike, position=StaffPosition.DOCTOR)
    StaffFactory(name="李医生", department=neike, position=StaffPosition.DOCTOR)
    names = {"NK00001": "张医生", "NK00002": "张医生", "NK00003": "张医生", "NK00004": "张医生"}
    drawn = _draw(neike, MONTH, {**names, "NK00005": "李医生"})
    veto = ChartCriterion.objects.create(
        section="测试", text="否决项", points=Decimal("3"), max_points=Decimal("6"), level=CriterionLevel.VETO
    )
    audits = [
        services.audit_complete(
            audit=drawn[no], actor=supervisor, defects={veto.pk: (1, "")} if no == "NK00004" else {}
        )
        for no in (*names, "NK00005")
    ]
    today = timezone.localdate()
    start = today - dt.timedelta(days=10)
    sheet = RECORD.counts(staff=Staff.objects.filter(pk=doctor.pk), start=start, end=today)[doctor.pk]
    with django_assert_num_queries(1):
        rows = RECORD.rows(staff=doctor, start=start, end=today, limit=2)
    assert rows.counts == sheet == {"chart_a": 3, "chart_c": 1}
    # The newest two of each grade, newest first.
    newest = sorted(audits[:4], key=lambda a: (a.audited_at, a.pk), reverse=True)
    expected = [a for a in newest if a.grade == "A"][:2] + [a for a in newest if a.grade == "C"]
    expected.sort(key=lambda a: (a.audited_at, a.pk), reverse=True)
    assert [(e.measure, e.url) for e in rows.entries] == [
        ({"A": "chart_a", "C": "chart_c"}[a.grade], a.get_absolute_url()) for a in expected
    ]


def test_an_audit_made_before_eight_in_the_morning_shows_on_the_record_on_its_beijing_day(neike, supervisor):
    # 07:30 in Beijing is 23:30 UTC the day before: the row gave the UTC day.
    from inspections.people import RECORD

    doctor = StaffFactory(name="张医生", department=neike, position=StaffPosition.DOCTOR)
    audit = services.audit_complete(audit=_audit(neike), actor=supervisor, defects={})
    morning = timezone.make_aware(dt.datetime(2026, 11, 3, 7, 30))
    ChartAudit.objects.filter(pk=audit.pk).update(audited_at=morning)
    rows = RECORD.rows(staff=doctor, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30), limit=20)
    assert [e.on for e in rows.entries] == [dt.date(2026, 11, 3)]
