"""Telling the patient (issue 16 item 6): a finding raised from a survey response or a follow-up call
records whether and how the patient was told (method, when, by whom), shown on the finding and
counted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from supervision import selectors, services
from supervision.errors import ActionNotAllowed
from supervision.models import Finding, FindingSource, PatientToldMethod
from tests.factories import make_finding, moment


def _from_a_call(neike, caller):
    found_at = timezone.now() - dt.timedelta(hours=2)
    return make_finding(department=neike, found_by=caller, source=FindingSource.FOLLOWUP, found_at=found_at)


def test_the_caller_records_how_the_patient_was_told_and_the_finding_shows_it(client_for, neike, caller):
    finding = _from_a_call(neike, caller)
    told_at = timezone.localtime().replace(second=0, microsecond=0)
    response = client_for(caller).post(
        reverse("finding_patient_told", args=[finding.pk]),
        {
            "told-method": "phone",
            **moment("told-told_at", told_at),
            "told-note": "已说明整改结果",
        },
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.patient_told_method, finding.patient_told_by, finding.patient_told_at) == (
        PatientToldMethod.PHONE,
        caller,
        told_at,
    )
    page = client_for(caller).get(finding.get_absolute_url()).content.decode()
    assert 'id="patient-told"' in page and "电话告知" in page and "已说明整改结果" in page


def test_bad_input_is_refused_with_a_message_and_changes_nothing(client_for, neike, supervisor, caller):
    finding = _from_a_call(neike, caller)
    url = reverse("finding_patient_told", args=[finding.pk])
    future = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    bad = client_for(supervisor).post(url, {"told-method": "", **moment("told-told_at", future)})
    assert bad.status_code == 400
    refused = client_for(supervisor).post(
        url, {"told-method": "sms", **moment("told-told_at", future)}, follow=True
    )
    assert "告知时间不能晚于现在" in refused.content.decode()
    with pytest.raises(ActionNotAllowed):
        services.finding_record_patient_told(
            finding=finding, actor=supervisor, method="sms", told_at=finding.found_at - dt.timedelta(hours=1)
        )
    inspection = make_finding(department=neike, found_by=supervisor)
    with pytest.raises(ActionNotAllowed):
        services.finding_record_patient_told(finding=inspection, actor=supervisor, method="sms")
    assert not Finding.objects.exclude(patient_told_method="").exists()


def test_who_may_record_it(client_for, neike, supervisor, caller, head_neike, administrator, volunteer):
    finding = _from_a_call(neike, caller)
    url = reverse("finding_patient_told", args=[finding.pk])
    data = {"told-method": "not_told", **moment("told-told_at", timezone.localtime())}
    for user in (head_neike, administrator, volunteer):
        assert client_for(user).post(url, data).status_code == 403
    other_caller = type(caller).objects.create(username="caller2")
    other_caller.groups.set(caller.groups.all())
    assert client_for(other_caller).post(url, data).status_code == 404  # another caller's finding
    assert client_for(caller).get(url).status_code == 405
    assert client_for(supervisor).post(url, data).status_code == 302


def test_patients_told_are_counted(neike, supervisor, caller):
    told = _from_a_call(neike, caller)
    services.finding_record_patient_told(finding=told, actor=caller, method="in_person")
    unreachable = make_finding(department=neike, found_by=supervisor, source=FindingSource.SURVEY)
    services.finding_record_patient_told(finding=unreachable, actor=supervisor, method="not_told")
    _from_a_call(neike, caller)  # not recorded yet
    make_finding(department=neike, found_by=supervisor)  # an inspection's: not raised by a patient
    counts = selectors.patient_told_counts(Finding.objects.all())
    assert (counts.raised, counts.told, counts.not_told, counts.not_recorded) == (3, 1, 1, 1)
    assert counts.by_method["in_person"] == 1 and counts.told_rate.numerator == 1


def test_the_office_dashboard_counts_patients_told(client_for, neike, supervisor, caller, head_neike):
    _from_a_call(neike, caller)
    page = client_for(supervisor).get(reverse("dashboard")).content.decode()
    assert "本年来自患者的问题（满意度调查、出院回访）：<strong>1</strong>" in page
    assert "本年来自患者的问题" not in client_for(head_neike).get(reverse("dashboard")).content.decode()
