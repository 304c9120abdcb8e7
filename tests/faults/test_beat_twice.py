"""Fault: beat restarted (or a job fired twice) → nothing is sent or created twice.

Every job of every app's DEFAULT_SCHEDULES runs once on a day with work for each of them, and
then again, as happens when beat restarts and fires the day's jobs anew (or a message is
redelivered). The second round must change no row of any Ducha table and send no e-mail.
The drill with a real beat process restarted is in docs/fault-drills.md.
"""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core import mail
from django.utils import timezone

from supervision.models import Notification, RectificationOrder
from tests.complaints.factories import assigned
from tests.factories import DischargeStayFactory, make_finding

pytestmark = pytest.mark.django_db

APPS = ("supervision", "inspections", "followups", "complaints", "surveys", "reports")


def all_jobs():
    jobs = []
    for label in APPS:
        try:
            module = importlib.import_module(f"{label}.schedules")
        except ModuleNotFoundError:
            continue
        importlib.import_module(f"{label}.tasks")  # registers the tasks, as the worker's autodiscovery does
        jobs.extend(module.DEFAULT_SCHEDULES)
    return jobs


def snapshot() -> dict[str, int]:
    counts = {
        model._meta.label: model._default_manager.count()
        for label in APPS
        for model in apps.get_app_config(label).get_models()
    }
    counts["e-mails sent"] = len(mail.outbox)
    return counts


def run_every_job() -> None:
    from supervision.celery import app

    for job in all_jobs():
        result = app.tasks[job.task].apply()
        assert result.successful(), (job.task, result.traceback)
    # The 5-minute e-mail sweep fires again after the morning jobs and sends what they recorded.
    assert app.tasks["supervision.send_pending_emails"].apply().successful()


def test_every_beat_job_run_twice_sends_and_creates_nothing_more(
    supervisor, head_neike, administrator, neike, waike
):
    today = timezone.localdate()
    due_soon = make_finding(department=neike, found_by=supervisor).order
    overdue = make_finding(department=neike, found_by=supervisor).order
    RectificationOrder.objects.filter(pk=due_soon.pk).update(deadline=today + dt.timedelta(days=1))
    RectificationOrder.objects.filter(pk=overdue.pk).update(deadline=today - dt.timedelta(days=30))
    received = timezone.now() - dt.timedelta(days=30)
    assigned(supervisor=supervisor, departments=[neike], received_at=received)
    for days in (1, 2, 3, 7, 14, 30):
        DischargeStayFactory(department=neike, discharged_on=today - dt.timedelta(days=days))
    mail.outbox = []
    assert len(all_jobs()) >= 10

    run_every_job()
    first = snapshot()
    run_every_job()
    second = snapshot()

    # The first round had work to do: reminders, digests, escalations, e-mails, the call queue.
    assert Notification.objects.filter(recipient=head_neike).count() >= 2
    assert Notification.objects.filter(recipient=administrator).exists()
    assert first["e-mails sent"] > 0
    assert first["followups.FollowupTask"] > 0
    # The second round: not one more row anywhere, not one more e-mail.
    changed = {k: (first[k], second[k]) for k in first if first[k] != second[k]}
    assert changed == {}
    sent = [(tuple(m.to), m.subject, m.body) for m in mail.outbox]
    assert len(sent) == len(set(sent)), "an e-mail went out twice"
