"""Letter and web-form time points: the letters PDF, the personal link (hashed, expiring, single
use), a completed form counting as a completed follow-up; the pages' roles, scope and queries."""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
import time
from pathlib import Path
from unittest import mock

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from followups import selectors, services
from followups.models import CallAttempt, Outcome, TaskMode, TaskStatus, WebLink
from supervision.errors import ActionNotAllowed
from supervision.infra.public import SALT
from tests.factories import DischargeStayFactory, UserFactory

from .factories import make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_caller(db):
    return UserFactory(username="caller2", full_name="吴回访", roles=["followup"])


@pytest.fixture
def aged_form_token():
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 10):
        return signing.TimestampSigner(salt=SALT).sign("1")


def letter_task(
    department, *, mode=TaskMode.LETTER, name="王秀英", address="北京市东城区和平里街道 12 号 3 单元", **kw
):
    stay = DischargeStayFactory(department=department, patient_name=name, address=address, phone="")
    today = timezone.localdate()
    return make_task(
        stay=stay, mode=mode, due_on=today, expires_on=today + dt.timedelta(days=10), point_day=90, **kw
    )


def pdf_pages(content: bytes) -> list[str]:
    """The PDF's pages as text: pdftoppm renders one image per page, pdftotext reads each page."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "letters.pdf"
        path.write_bytes(content)
        subprocess.run(["pdftoppm", "-r", "20", "-png", str(path), str(Path(tmp) / "page")], check=True)
        count = len(list(Path(tmp).glob("page-*.png")))
        return [
            subprocess.run(
                ["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            for n in range(1, count + 1)
        ]


def inpatient_answers(prefix: str = "") -> dict:
    from surveys.selectors import questionnaire_current

    q = questionnaire_current("inpatient")
    values = {f"{prefix}{x.field_name}": "5" for x in q.questions.filter(kind="scale")}
    for x in q.questions.filter(kind="yes_no"):
        values[f"{prefix}{x.field_name}"] = "yes"
    return values


# --- the letters PDF ------------------------------------------------------------------------------


def test_the_letters_pdf_has_one_page_per_patient_with_the_address_block(client_for, supervisor, neike):
    first = letter_task(neike)
    second = letter_task(neike, name="李建国", address="上海市徐汇区漕溪北路 88 号", mode=TaskMode.WEB)
    response = client_for(supervisor).post(reverse("followups:letter_print"), {"task": [first.pk, second.pk]})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = pdf_pages(response.content)
    assert len(pages) == 2
    flat = ["".join(p.split()) for p in pages]
    assert "北京市东城区和平里街道12号3单元" in flat[0] and "王秀英收" in flat[0]
    assert "寄回" in flat[0] and "/followups/f/" not in flat[0]
    assert "上海市徐汇区漕溪北路88号" in flat[1] and "李建国收" in flat[1]
    # The web time point's letter carries a personal link; only its hash is stored.
    assert "/followups/f/" in flat[1] and "王秀英" not in flat[1]
    link = WebLink.objects.get(task=second)
    token = flat[1].split("/followups/f/")[1].split("/")[0]
    assert link.token_hash == services.web_token_hash(token) and token not in link.token_hash


def test_letters_recorded_as_sent_and_returned(client_for, caller, neike):
    task = letter_task(neike, assigned_to=caller)
    client = client_for(caller)
    assert client.post(reverse("followups:letter_sent"), {"task": [task.pk]}).status_code == 302
    task.refresh_from_db()
    assert task.letter_sent_on == timezone.localdate()
    page = client.get(reverse("followups:letter_list")).content.decode()
    assert task.stay.patient_name not in page  # sent: off the list
    services.task_claim(task=task, actor=caller)
    services.call_record(task=task, actor=caller, data=services.CallInput(outcome=Outcome.LETTER_DONE))
    task.refresh_from_db()
    assert (task.letter_returned_on, task.contacted, task.status) == (
        timezone.localdate(),
        True,
        TaskStatus.DONE,
    )


# --- the personal web link -------------------------------------------------------------------------


def test_a_completed_web_form_is_a_completed_follow_up_and_the_link_works_once(
    client, neike, aged_form_token
):
    task = letter_task(neike, mode=TaskMode.WEB)
    token = services.web_link_issue(task=task, actor=None)
    url = reverse("followups:web_form", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and 'name="website"' in page.content.decode()
    data = inpatient_answers() | {"form_token": aged_form_token, "website": "", "submission_id": "x1"}
    done = client.post(url, data)
    assert done.status_code == 200 and "谢谢" in done.content.decode()
    task.refresh_from_db()
    assert (task.status, task.contacted, task.attempt_count) == (TaskStatus.DONE, True, 1)
    attempt = CallAttempt.objects.get(task=task)
    assert (attempt.outcome, attempt.mode, attempt.contacted) == (Outcome.WEB_DONE, TaskMode.WEB, True)
    from surveys.models import SurveyResponse

    assert SurveyResponse.objects.get(pk=attempt.survey_response_id).channel == "web"
    summary = selectors.followup_summary(start=task.stay.discharged_on, end=task.stay.discharged_on)
    assert summary["reached"] == 1
    # Single use: the page and a second submission are refused, nothing more is written.
    again = client.post(url, data)
    assert again.status_code == 410 and "已经提交" in again.content.decode()
    assert client.get(url).status_code == 410
    assert CallAttempt.objects.filter(task=task).count() == 1


def test_an_expired_replaced_or_unknown_link_is_refused_with_a_clear_message(client, neike):
    task = letter_task(neike, mode=TaskMode.WEB)
    old = services.web_link_issue(task=task, actor=None)
    new = services.web_link_issue(task=task, actor=None)
    replaced = client.get(reverse("followups:web_form", args=[old]))
    assert replaced.status_code == 410 and "最新" in replaced.content.decode()
    assert client.get(reverse("followups:web_form", args=["not-a-token"])).status_code == 404
    later = timezone.now() + dt.timedelta(days=12)  # the window ended on day 10
    with pytest.raises(ActionNotAllowed, match=r"过期|expired"):
        services.web_form_submit(token=new, answers={}, questionnaire=None, now=later)
    with mock.patch("django.utils.timezone.now", return_value=later):
        expired = client.get(reverse("followups:web_form", args=[new]))
    assert expired.status_code == 410 and "过期" in expired.content.decode()
    assert not CallAttempt.objects.exists()


def test_only_a_web_time_point_gets_a_link(neike):
    with pytest.raises(ActionNotAllowed):
        services.web_link_issue(task=letter_task(neike), actor=None)


def test_a_web_link_letter_from_the_queue(supervisor, neike):
    """A plan's web time point becomes a web task whatever the phone."""
    services.plan_save(
        actor=supervisor,
        department=neike,
        name="web",
        points=[services.PointInput(day=3), services.PointInput(day=30, mode=TaskMode.WEB, window_days=14)],
        today=dt.date(2026, 1, 1),
    )
    stay = DischargeStayFactory(department=neike, discharged_on=dt.date(2026, 3, 1))
    services.call_queue_build(day=dt.date(2026, 3, 4), assign=False)
    services.call_queue_build(day=dt.date(2026, 3, 31), assign=False)
    assert list(stay.followup_tasks.order_by("point").values_list("mode", flat=True)) == ["phone", "web"]


# --- how long a link works (issue 19 follow-up item 3) ---------------------------------------------


def _web_plan(supervisor, neike, *, web_day=3, web_window=4, next_day=None, valid=7):
    points = [
        services.PointInput(day=web_day, mode=TaskMode.WEB, window_days=web_window, link_valid_days=valid)
    ]
    if next_day:
        points.append(services.PointInput(day=next_day, window_days=4))
    services.plan_save(
        actor=supervisor, department=neike, name="web", points=points, today=dt.date(2026, 1, 1)
    )


def _web_task(neike, discharged_on, day):
    stay = DischargeStayFactory(department=neike, discharged_on=discharged_on, phone="")
    services.call_queue_build(day=day, assign=False)
    return stay.followup_tasks.get(mode=TaskMode.WEB)


def _at(day: dt.date, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_a_link_sent_on_the_windows_last_day_works_seven_days_and_keeps_its_task_open(supervisor, neike):
    _web_plan(supervisor, neike)  # day 3–7 web form, nothing after it
    discharged = dt.date(2026, 3, 1)
    task = _web_task(neike, discharged, dt.date(2026, 3, 4))
    assert task.expires_on == dt.date(2026, 3, 8)
    token = services.web_link_issue(task=task, actor=None, now=_at(task.expires_on))
    # Seven days after the day it was sent; the task's window follows, so the morning queue leaves it open.
    assert task.expires_on == dt.date(2026, 3, 15)
    services.call_queue_build(day=dt.date(2026, 3, 15), assign=False)
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING and task.expires_on == dt.date(2026, 3, 15)
    link = services.web_link_find(token)
    assert services.web_link_refusal(link, now=_at(dt.date(2026, 3, 15), 23)) == ""
    services.call_queue_build(day=dt.date(2026, 3, 16), assign=False)  # the next morning: over
    link = services.web_link_find(token)
    assert link.task.status == TaskStatus.EXPIRED
    assert "过期" in services.web_link_refusal(link, now=_at(dt.date(2026, 3, 16), 0))
    # A second link, sent on the 15th and never used, is refused from the 23rd on (7 days after).
    task2 = _web_task(neike, dt.date(2026, 3, 8), dt.date(2026, 3, 11))
    late = services.web_link_issue(task=task2, actor=None, now=_at(dt.date(2026, 3, 15)))
    link = services.web_link_find(late)
    assert services.web_link_refusal(link, now=_at(dt.date(2026, 3, 22), 23)) == ""
    assert "过期" in services.web_link_refusal(link, now=_at(dt.date(2026, 3, 23), 0))


def test_a_link_handed_over_at_discharge_works_through_the_window_and_the_days_are_configurable(
    supervisor, neike
):
    _web_plan(supervisor, neike, web_day=30, web_window=14, valid=10)
    task = _web_task(neike, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    # Issued long before the window's end: the window (3 March + 30 … + 44) is longer than 10 days.
    services.web_link_issue(task=task, actor=None, now=_at(dt.date(2026, 3, 31)))
    assert services.web_link_last_day(task, issued_on=dt.date(2026, 3, 31)) == dt.date(2026, 4, 14)
    # Issued on the window's last day: the point's 10 days, not the default 7.
    assert services.web_link_last_day(task, issued_on=dt.date(2026, 4, 14)) == dt.date(2026, 4, 24)


def test_a_link_never_reaches_into_the_next_time_point(supervisor, neike):
    _web_plan(supervisor, neike, web_day=3, web_window=4, next_day=10)  # web days 3–7, a call from day 10
    task = _web_task(neike, dt.date(2026, 3, 1), dt.date(2026, 3, 4))
    services.web_link_issue(task=task, actor=None, now=_at(dt.date(2026, 3, 8)))
    # 7 days would be 15 March; the call opens on the 11th, so the link ends on the 10th.
    assert task.expires_on == dt.date(2026, 3, 10)
    link = WebLink.objects.get(task=task)
    assert timezone.localtime(link.expires_at) == _at(dt.date(2026, 3, 11), 0)


# --- pages: roles, scope, queries ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "allowed", "forbidden"),
    [
        ("followups:plan_list", ("supervisor", "administrator"), ("caller", "head_neike", "volunteer")),
        ("followups:plan_create", ("supervisor",), ("administrator", "caller", "head_neike", "volunteer")),
        ("followups:letter_list", ("supervisor", "caller"), ("administrator", "head_neike", "volunteer")),
    ],
)
def test_new_pages_allow_their_roles_and_refuse_the_others(request, client_for, url, allowed, forbidden):
    for name in allowed:
        assert client_for(request.getfixturevalue(name)).get(reverse(url)).status_code == 200, name
    for name in forbidden:
        assert client_for(request.getfixturevalue(name)).get(reverse(url)).status_code == 403, name


def test_printing_or_sending_a_letter_the_caller_may_not_work_is_a_404(
    client_for, caller, other_caller, neike, waike
):
    mine = letter_task(neike, assigned_to=caller)
    theirs = letter_task(waike, assigned_to=other_caller)
    client = client_for(caller)
    for name in ("followups:letter_print", "followups:letter_sent"):
        assert client.post(reverse(name), {"task": [mine.pk, theirs.pk]}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.letter_sent_on is None and not WebLink.objects.exists()
    assert (
        client_for(other_caller).get(reverse("followups:letter_list")).context["page"].object_list[0]
        == theirs
    )


def test_plan_edit_of_an_unknown_plan_is_a_404(client_for, supervisor):
    assert client_for(supervisor).get(reverse("followups:plan_edit", args=[99999])).status_code == 404


def test_the_plan_form_saves_a_new_version_and_shows_a_refusal(client_for, supervisor, neike):
    client = client_for(supervisor)
    base = {
        "department": neike.pk,
        "icd_prefix": "I21",
        "diagnosis_text": "",
        "name": "心梗随访",
        "restart_on_readmission": "on",
        "active": "on",
        "p-TOTAL_FORMS": "3",
        "p-INITIAL_FORMS": "0",
        "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "12",
        "p-0-day": "3",
        "p-0-window_days": "4",
        "p-0-mode": "phone",
        "p-1-day": "5",
        "p-1-window_days": "4",
        "p-1-mode": "phone",
    }
    refused = client.post(reverse("followups:plan_create"), base)
    assert refused.status_code == 400 and "重叠" in refused.content.decode()
    from followups.models import FollowupPlan

    assert not FollowupPlan.objects.exists()
    saved = client.post(
        reverse("followups:plan_create"), base | {"p-1-day": "30", "p-2-day": "90", "p-2-mode": "letter"}
    )
    assert saved.status_code == 302
    plan = FollowupPlan.objects.get()
    assert (plan.icd_prefix, [p.day for p in plan.points.all()]) == ("I21", [3, 30, 90])
    assert [p.mode for p in plan.points.all()] == ["phone", "phone", "letter"]
    page = client.get(reverse("followups:plan_list")).content.decode()
    assert "心梗随访" in page and "I21" in page


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as q:
        assert client.get(url).status_code == 200
    return len(q)


def test_the_letters_page_and_the_plans_page_use_a_constant_number_of_queries(
    client_for, supervisor, neike, waike, django_assert_num_queries
):
    client = client_for(supervisor)
    letter_task(neike)
    services.plan_save(actor=supervisor, department=neike, name="a", points=[services.PointInput(day=3)])
    letters_first = _queries(client, reverse("followups:letter_list"))
    plans_first = _queries(client, reverse("followups:plan_list"))
    for dept in (neike, waike) * 4:
        letter_task(dept, mode=TaskMode.WEB)
    services.plan_save(
        actor=supervisor,
        department=waike,
        name="b",
        points=[services.PointInput(day=3), services.PointInput(day=30)],
    )
    with django_assert_num_queries(letters_first):
        assert client.get(reverse("followups:letter_list")).status_code == 200
    with django_assert_num_queries(plans_first):
        assert client.get(reverse("followups:plan_list")).status_code == 200
