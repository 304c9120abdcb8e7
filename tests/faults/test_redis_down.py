"""Fault: Redis (cache and broker) is down. Pages keep working, actions that enqueue work are saved
and redirect (never a 500), and the recorded work runs when Redis is back (the beat sweeps)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from reports.models import Report, ReportStatus
from supervision.models import Finding, Notification
from tests.factories import category, make_finding, moment

pytestmark = pytest.mark.django_db


def test_the_fixture_really_takes_redis_away(redis_down):
    import redis

    from supervision.celery import app
    from supervision.tasks import send_pending_emails

    with pytest.raises(redis.exceptions.ConnectionError):
        redis.Redis.from_url(redis_down, socket_connect_timeout=2).ping()
    assert not app.conf.task_always_eager
    with pytest.raises(Exception):  # noqa: B017 — kombu wraps it as OperationalError
        send_pending_emails.apply_async(retry=False)


def test_settings_with_redis_url_use_django_redis_fail_soft_on_a_database_of_its_own():
    import json
    import os
    import subprocess
    import sys

    env = {
        **{k: v for k, v in os.environ.items() if k != "CACHE_URL"},
        "REDIS_URL": "redis://127.0.0.1:1/3",
        "DJANGO_SETTINGS_MODULE": "supervision.settings",
        "DEBUG": "1",
    }
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps([s.CELERY_BROKER_URL, s.CACHES['default'], s.CACHES['fragments']['LOCATION']]))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    broker, cache_settings, fragments = json.loads(out.stdout)
    assert broker == "redis://127.0.0.1:1/3"
    assert cache_settings["BACKEND"] == "django_redis.cache.RedisCache"
    assert cache_settings["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
    assert cache_settings["LOCATION"] == fragments == "redis://127.0.0.1:1/4"


def test_the_cache_answers_as_an_empty_cache_and_logs_one_line_per_failed_call(redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="ducha.cache"):
        assert cache.get("k", "default") == "default"
        assert not cache.add("k", 1)
        assert not cache.incr("k")  # django-ratelimit reads a missing count as "fail open"
        cache.set("k", 1)
        assert cache.get_many(["a", "b"]) == {}
        assert not cache.has_key("k")
        cache.set_many({"a": 1})
        cache.delete("k")
        assert cache.get_or_set("k", 5) == 5
    outage = [r for r in caplog.records if r.name == "ducha.cache"]
    assert outage and all(r.levelno == logging.WARNING and not r.exc_info for r in outage)
    assert "Redis cache unavailable (ConnectionError" in outage[0].getMessage()


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("supervisor", "/"),
        ("supervisor", "/findings/"),
        ("supervisor", "/findings/new/"),
        ("supervisor", "/notifications/"),
        ("caller", "/followups/"),
        ("head_neike", "/"),
        ("administrator", "/reports/"),
        ("administrator", "/surveys/"),
        ("administrator", "/complaints/"),
        (None, "/accounts/login/"),
        (None, "/healthz"),
    ],
)
def test_pages_keep_working_with_redis_down(redis_down, client_for, request, persona, url):
    user = request.getfixturevalue(persona) if persona else None
    response = client_for(user).get(url)
    assert response.status_code == 200, (url, response.status_code)


def test_list_rows_are_drawn_when_the_row_cache_is_down(redis_down, client_for, supervisor, neike):
    """The rows of a list come from the cache (supervision.infra.fragments); with Redis down they are drawn."""
    finding = make_finding(department=neike, found_by=supervisor)
    html = client_for(supervisor).get("/findings/").content.decode()
    assert finding.number in html


def test_a_finding_is_saved_and_its_e_mails_are_sent_when_redis_returns(
    redis_down, client_for, supervisor, head_neike, neike, django_capture_on_commit_callbacks
):
    client = client_for(supervisor)
    head_neike.email_mode = "immediate"  # each notice at once, not the daily digest
    head_neike.save(update_fields=["email_mode"])
    data = {
        "department": neike.pk,
        "category": category("attitude").pk,
        "severity": "minor",
        **moment("found_at", timezone.localtime()),
        "location": "门诊大厅",
        "description": "导医台无人",
        "needs_rectification": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/findings/new/", data)
    finding = Finding.objects.get()
    assert response.status_code == 302 and response["Location"] == finding.get_absolute_url()
    pending = Notification.objects.filter(recipient=head_neike, emailed_at__isnull=True)
    assert pending.count() == 1 and mail.outbox == []

    # Redis is back: the 5-minute e-mail sweep of beat sends what was recorded.
    from supervision.tasks import send_pending_emails

    redis_down_restore(redis_down)
    send_pending_emails.delay()
    assert not pending.exists()
    assert [m.to for m in mail.outbox] == [[head_neike.email]]


def test_a_report_request_is_saved_and_built_by_the_sweep_when_redis_returns(
    redis_down, client_for, administrator, caplog, django_capture_on_commit_callbacks
):
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    with (
        caplog.at_level(logging.WARNING, logger="supervision.infra.tasking"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client_for(administrator).post(
            reverse("reports:request"), {"kind": "monthly", "month": f"{last_month:%Y-%m}", "format": "xlsx"}
        )
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert report.status == ReportStatus.QUEUED
    assert "could not enqueue reports.build; the periodic sweep will pick the work up" in caplog.text

    # Redis is back: the 10-minute report sweep re-enqueues queued reports older than 2 minutes.
    from reports.tasks import sweep

    redis_down_restore(redis_down)
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - dt.timedelta(minutes=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.delay().get() == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.READY and report.build_count == 1


def test_an_order_action_with_notifications_still_redirects(
    redis_down, client_for, supervisor, head_neike, neike, django_capture_on_commit_callbacks
):
    order = make_finding(department=neike, found_by=supervisor).order
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(head_neike).post(
            f"/orders/{order.pk}/acknowledge/", {"acknowledge-comment": "收到"}
        )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "acknowledged"


def redis_down_restore(_url) -> None:
    """'Redis returns': the broker side is simulated by running Celery eagerly again (the real
    broker round trip is the drill in docs/fault-drills.md), the cache back to local memory."""
    from django.conf import settings

    from supervision.celery import app

    from .conftest import _reset_pools

    app.conf.task_always_eager = True
    _reset_pools(app)
    local = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    settings.CACHES = {"default": local, "fragments": {**local, "LOCATION": "fragments"}}


def aged_form_token() -> str:
    """A honeypot timestamp signed 10 s ago (a person had time to read the form)."""
    import time
    from unittest import mock

    from django.core import signing

    from supervision.infra.public import SALT

    with mock.patch("django.core.signing.time.time", return_value=time.time() - 10):
        return signing.TimestampSigner(salt=SALT).sign("1")


def test_a_patient_can_still_file_a_public_complaint_with_redis_down(redis_down, client):
    from complaints.models import Complaint

    data = {
        "complainant_name": "赵六",
        "complainant_phone": "13700001111",
        "content": "挂号窗口排队一小时",
        "website": "",
        "form_token": aged_form_token(),
    }
    assert client.get(reverse("complaints:public_form")).status_code == 200
    response = client.post(reverse("complaints:public_form"), data)
    assert response.status_code == 302  # the rate limit fails open; the complaint is taken
    assert Complaint.objects.get().content == "挂号窗口排队一小时"


def test_a_patient_can_still_submit_the_public_survey_with_redis_down(redis_down, client, supervisor, neike):
    from surveys import services
    from surveys.models import Channel, SurveyResponse
    from surveys.selectors import questionnaire_current

    q = questionnaire_current("outpatient")
    campaign = services.campaign_save(
        name="x",
        questionnaire=q,
        start=dt.date(2020, 1, 1),
        end=dt.date(2099, 1, 1),
        departments=[neike],
        channels=[Channel.WEB],
        actor=supervisor,
    )
    url = reverse("surveys:public_department", args=[campaign.public_key, neike.code])
    assert client.get(url).status_code == 200
    data = {"form_token": aged_form_token(), "website": "", "submission_id": "k1"}
    for question in q.questions.all():
        if question.kind == "scale":
            data[question.field_name] = "5"
        elif question.kind == "yes_no":
            data[question.field_name] = "yes"
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse("surveys:public_thanks")
    assert SurveyResponse.objects.get().channel == Channel.WEB


def test_a_large_discharge_import_queued_while_redis_is_down_runs_when_it_returns(
    redis_down, client_for, supervisor, neike, monkeypatch, django_capture_on_commit_callbacks
):
    from followups import views as followup_views
    from followups.importing import DISCHARGE_HEADERS
    from followups.models import ImportJob, ImportJobStatus
    from tests.followups.conftest import discharge_row, make_xlsx

    from .test_beat_twice import run_every_job

    monkeypatch.setattr(followup_views, "ASYNC_IMPORT_BYTES", 0)  # every file goes to the worker
    upload = make_xlsx(DISCHARGE_HEADERS, [discharge_row()])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(supervisor).post("/followups/imports/discharges/", {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == ImportJobStatus.QUEUED

    redis_down_restore(redis_down)
    with django_capture_on_commit_callbacks(execute=True):
        run_every_job()
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE


def test_clearing_the_cache_leaves_the_celery_queues_in_redis(settings):
    """Broker and cache have separate Redis databases: clear() (FLUSHDB) empties the cache's only."""
    import redis

    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL (the PostgreSQL + Redis phase of .ci/run)")
    broker = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
    broker.lpush("celery-test-queue", "a waiting task")
    try:
        cache.set("ours", 1)
        assert cache.get("ours") == 1
        cache.clear()
        assert cache.get("ours") is None
        assert broker.llen("celery-test-queue") == 1
    finally:
        broker.delete("celery-test-queue")
