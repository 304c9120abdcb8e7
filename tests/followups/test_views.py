"""Pages: roles (allowed / 403), department scoping (404), masking, reveal log, constant query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from followups import services
from followups.models import FollowupPolicy, FollowupTask, Outcome, SpotCheck, TaskStatus
from supervision.models import RevealLog
from tests.factories import DischargeStayFactory

from .factories import add_attempt, make_task

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
MASKED = "138****5678"


@pytest.fixture
def nk_task(neike, caller):
    return make_task(
        stay=DischargeStayFactory(department=neike, phone=PHONE, patient_name="张伟"), assigned_to=caller
    )


@pytest.fixture
def wk_task(waike):
    return make_task(stay=DischargeStayFactory(department=waike, phone="13900001111"))


def test_my_tasks_lists_call_backs_first(client_for, caller, neike, nk_task):
    callback = make_task(
        stay=DischargeStayFactory(department=neike), assigned_to=caller, status=TaskStatus.CALLBACK
    )
    FollowupTask.objects.filter(pk=callback.pk).update(next_attempt_at=timezone.now())
    response = client_for(caller).get("/followups/")
    assert response.status_code == 200
    assert [t.pk for t in response.context["mine"]] == [callback.pk, nk_task.pk]
    body = response.content.decode()
    assert MASKED in body and PHONE not in body


def test_my_tasks_pages_a_long_day_call_backs_first_and_says_how_many(client_for, caller, neike, settings):
    settings.DUCHA_PAGE_SIZE = 3
    tasks = [make_task(stay=DischargeStayFactory(department=neike), assigned_to=caller) for _ in range(4)]
    callback = make_task(
        stay=DischargeStayFactory(department=neike), assigned_to=caller, status=TaskStatus.CALLBACK
    )
    FollowupTask.objects.filter(pk=callback.pk).update(next_attempt_at=timezone.now())
    client = client_for(caller)
    first = client.get("/followups/")
    assert [t.pk for t in first.context["mine"]] == [callback.pk, tasks[0].pk, tasks[1].pk]
    assert "5" in first.content.decode() and "page=2" in first.content.decode()
    second = client.get("/followups/?page=2")
    assert [t.pk for t in second.context["mine"]] == [tasks[2].pk, tasks[3].pk]
    # a page past the end shows the last page instead of an error
    assert [t.pk for t in client.get("/followups/?page=99").context["mine"]] == [tasks[2].pk, tasks[3].pk]


def test_pages_forbidden_to_volunteers(client_for, volunteer, nk_task):
    client = client_for(volunteer)
    for url in ["/followups/", "/followups/tasks/", f"/followups/tasks/{nk_task.pk}/", "/followups/figures/",
                "/followups/policies/", "/followups/spotchecks/", "/followups/imports/discharges/"]:  # fmt: skip
        assert client.get(url).status_code == 403, url
    assert client.post(f"/followups/tasks/{nk_task.pk}/claim/").status_code == 403


def test_department_head_sees_outcomes_not_phones_and_not_other_departments(
    client_for, head_neike, nk_task, wk_task, caller
):
    services.task_claim(task=nk_task, actor=caller)
    services.call_record(
        task=nk_task,
        actor=caller,
        data=services.CallInput(outcome=Outcome.REACHED, feedback_kind="suggestion", feedback="停车难"),
    )
    client = client_for(head_neike)
    page = client.get(f"/followups/tasks/{nk_task.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "停车难" in body and "已接通" in body
    assert PHONE not in body and MASKED not in body
    assert client.get(f"/followups/tasks/{wk_task.pk}/").status_code == 404
    listing = client.get("/followups/tasks/").content.decode()
    assert "张伟" in listing and wk_task.stay.patient_name not in listing and MASKED not in listing
    assert client.post(f"/followups/tasks/{nk_task.pk}/claim/").status_code == 403
    assert client.get("/followups/").status_code == 403


def test_caller_cannot_open_another_callers_task(client_for, neike, caller, supervisor):
    other = make_task(stay=DischargeStayFactory(department=neike), assigned_to=supervisor)
    assert client_for(caller).get(f"/followups/tasks/{other.pk}/").status_code == 404


def test_claim_reveal_and_record_a_call_through_the_pages(client_for, caller, nk_task):
    client = client_for(caller)
    page = client.get(f"/followups/tasks/{nk_task.pk}/").content.decode()
    assert "显示完整号码" not in page  # not holding yet
    assert client.post(f"/followups/tasks/{nk_task.pk}/reveal/").status_code == 403
    assert client.post(f"/followups/tasks/{nk_task.pk}/claim/").status_code == 302
    page = client.get(f"/followups/tasks/{nk_task.pk}/").content.decode()
    assert "显示完整号码" in page and "回访话术" in page and PHONE not in page
    reveal = client.post(f"/followups/tasks/{nk_task.pk}/reveal/", HTTP_HX_REQUEST="true")
    assert PHONE in reveal.content.decode()
    assert RevealLog.objects.filter(user=caller, field="phone").count() == 1
    bad = client.post(f"/followups/tasks/{nk_task.pk}/call/", {"outcome": "nonsense", "notes": "保留我"})
    assert bad.status_code == 400 and "保留我" in bad.content.decode()
    ok = client.post(
        f"/followups/tasks/{nk_task.pk}/call/", {"outcome": "reached", "satisfaction": "satisfied"}
    )
    assert ok.status_code == 302
    nk_task.refresh_from_db()
    assert nk_task.status == TaskStatus.DONE and nk_task.contacted


def test_call_with_questionnaire_through_the_page(client_for, caller, nk_task):
    from surveys.models import SurveyResponse
    from surveys.selectors import questionnaire_current

    q = questionnaire_current("inpatient")
    client = client_for(caller)
    client.post(f"/followups/tasks/{nk_task.pk}/claim/")
    page = client.get(f"/followups/tasks/{nk_task.pk}/").content.decode()
    assert f'name="q-{q.questions.first().field_name}"' in page
    data = {"outcome": "reached", "survey_taken": "1"}
    missing = client.post(f"/followups/tasks/{nk_task.pk}/call/", data)
    assert missing.status_code == 400 and not SurveyResponse.objects.exists()
    for x in q.questions.filter(kind="scale"):
        data[f"q-{x.field_name}"] = "5"
    for x in q.questions.filter(kind="yes_no"):
        data[f"q-{x.field_name}"] = "yes"
    assert client.post(f"/followups/tasks/{nk_task.pk}/call/", data).status_code == 302
    response = SurveyResponse.objects.get()
    assert response.channel == "phone"


def test_pool_task_can_be_taken_from_the_list(client_for, caller, neike):
    pool = make_task(stay=DischargeStayFactory(department=neike))
    client = client_for(caller)
    assert pool.stay.patient_name in client.get("/followups/").content.decode()
    client.post(f"/followups/tasks/{pool.pk}/claim/")
    pool.refresh_from_db()
    assert pool.assigned_to == caller and pool.claimed_by == caller


def test_figures_page_roles_and_scoping(
    client_for, supervisor, administrator, head_neike, caller, neike, waike
):
    DischargeStayFactory(department=neike)
    DischargeStayFactory(department=waike)
    for user in (supervisor, administrator):
        body = client_for(user).get("/followups/figures/").content.decode()
        assert "内科" in body and "外科" in body
    head = client_for(head_neike).get("/followups/figures/")
    assert head.status_code == 200
    assert [r["department"] for r in head.context["table"]["rows"]] == ["内科"]
    assert client_for(caller).get("/followups/figures/").status_code == 403


def test_policies_admin_manages_supervisor_reads(client_for, administrator, supervisor, neike):
    assert client_for(supervisor).get("/followups/policies/").status_code == 200
    assert client_for(supervisor).get("/followups/policies/new/").status_code == 403
    client = client_for(administrator)
    response = client.post(
        "/followups/policies/new/",
        {"department": neike.pk, "active": "on", "share_percent": 50, "window_start_day": 3, "window_end_day": 2,
         "max_attempts": 3, "retry_spacing_hours": 24, "questionnaire_code": "inpatient"},
    )  # fmt: skip
    assert response.status_code == 200 and "最后一天不能早于第一天" in response.content.decode()
    response = client.post(
        "/followups/policies/new/",
        {"department": neike.pk, "active": "on", "share_percent": 50, "window_start_day": 3, "window_end_day": 7,
         "max_attempts": 3, "retry_spacing_hours": 24, "questionnaire_code": "inpatient"},
    )  # fmt: skip
    assert response.status_code == 302
    assert FollowupPolicy.objects.get(department=neike).share_percent == 50


def test_policies_page_reads_as_sentences_not_codes(client_for, supervisor, neike):
    from surveys.selectors import questionnaire_current

    FollowupPolicy.objects.create(department=neike, exclude_diagnosis_keywords="精神，肿瘤")
    html = client_for(supervisor).get("/followups/policies/").content.decode()
    assert "院内死亡、拒绝随访、精神、肿瘤" in html
    assert "最多 3 次，间隔 24 小时" in html
    assert f"<td>{questionnaire_current('inpatient').title}</td>" in html


def test_queue_build_page_is_idempotent(client_for, supervisor, neike):
    DischargeStayFactory(department=neike, discharged_on=timezone.localdate() - dt.timedelta(days=3))
    client = client_for(supervisor)
    client.post("/followups/queue/build/", {"day": timezone.localdate().isoformat()})
    client.post("/followups/queue/build/", {"day": timezone.localdate().isoformat()})
    assert FollowupTask.objects.count() == 1
    assert client.get("/followups/policies/").status_code == 200


def test_spot_check_pages(client_for, supervisor, administrator, caller, neike):
    day = timezone.localdate()
    add_attempt(
        make_task(stay=DischargeStayFactory(department=neike, phone=PHONE)),
        outcome=Outcome.REACHED,
        caller=caller,
    )
    assert (
        client_for(administrator)
        .post("/followups/spotchecks/", {"start": day, "end": day, "size": 5})
        .status_code
        == 403
    )
    client = client_for(supervisor)
    response = client.post("/followups/spotchecks/", {"start": day, "end": day, "size": 5})
    assert response.status_code == 302
    check = SpotCheck.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert MASKED in page and PHONE not in page
    assert PHONE in client.post(f"/followups/spotchecks/{check.pk}/reveal/").content.decode()
    assert RevealLog.objects.filter(user=supervisor).count() == 1
    client.post(f"/followups/spotchecks/{check.pk}/record/", {"result": "confirmed"})
    check.refresh_from_db()
    assert check.result == "confirmed" and check.checked_by == supervisor
    assert client_for(caller).get("/followups/spotchecks/").status_code == 403


def test_dashboard_shows_follow_up_panels(client_for, caller, supervisor):
    assert "今日回访电话" in client_for(caller).get("/").content.decode()
    assert "回访率" in client_for(supervisor).get("/").content.decode()


def test_callers_panel_says_what_its_number_counts(client_for, caller, neike):
    make_task(stay=DischargeStayFactory(department=neike), assigned_to=caller)
    html = client_for(caller).get("/").content.decode()
    assert '<span class="fs-3 me-1">1</span>条今日待我回访' in html


# --- query counts that do not grow with rows --------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as q:
        assert client.get(url).status_code == 200
    return len(q)


@pytest.mark.parametrize("url", ["/followups/", "/followups/tasks/"])
def test_task_lists_use_a_constant_number_of_queries(
    client_for, caller, neike, django_assert_num_queries, url
):
    client = client_for(caller)
    for _ in range(3):
        make_task(stay=DischargeStayFactory(department=neike), assigned_to=caller)
    first = _count(client, url)
    for _ in range(12):
        make_task(stay=DischargeStayFactory(department=neike), assigned_to=caller)
        make_task(stay=DischargeStayFactory(department=neike))
    with django_assert_num_queries(first):
        assert client.get(url).status_code == 200


def test_figures_use_a_constant_number_of_queries(
    client_for, supervisor, neike, waike, caller, django_assert_num_queries
):
    client = client_for(supervisor)
    add_attempt(
        make_task(stay=DischargeStayFactory(department=neike)), outcome=Outcome.REACHED, caller=caller
    )
    first = _count(client, "/followups/figures/")
    for dept in (neike, waike) * 5:
        add_attempt(
            make_task(stay=DischargeStayFactory(department=dept)), outcome=Outcome.NO_ANSWER, caller=caller
        )
    with django_assert_num_queries(first):
        assert client.get("/followups/figures/").status_code == 200


def test_task_detail_uses_a_constant_number_of_queries(
    client_for, caller, nk_task, django_assert_num_queries
):
    client = client_for(caller)
    add_attempt(nk_task, outcome=Outcome.NO_ANSWER, caller=caller)
    first = _count(client, f"/followups/tasks/{nk_task.pk}/")
    for _ in range(5):
        add_attempt(nk_task, outcome=Outcome.NO_ANSWER, caller=caller)
    with django_assert_num_queries(first):
        assert client.get(f"/followups/tasks/{nk_task.pk}/").status_code == 200


def test_roster_page_sets_who_is_on_duty(client_for, supervisor, administrator, caller, volunteer):
    from followups.models import DutyRoster

    day = timezone.localdate() + dt.timedelta(days=1)
    client = client_for(supervisor)
    assert client.get(f"/followups/roster/?day={day}").status_code == 200
    assert client.post("/followups/roster/", {"day": day, "users": [caller.pk]}).status_code == 302
    assert list(DutyRoster.objects.values_list("user_id", "day")) == [(caller.pk, day)]
    client.post("/followups/roster/", {"day": day})
    assert not DutyRoster.objects.exists()
    assert (
        client_for(administrator).post("/followups/roster/", {"day": day, "users": [caller.pk]}).status_code
        == 403
    )
    assert client_for(volunteer).get("/followups/roster/").status_code == 403


def test_interview_ended_early_keeps_the_partial_questionnaire(client_for, caller, nk_task):
    from surveys.models import SurveyResponse
    from surveys.selectors import questionnaire_current

    q = questionnaire_current("inpatient")
    client = client_for(caller)
    client.post(f"/followups/tasks/{nk_task.pk}/claim/")
    first = q.questions.filter(kind="scale").first()
    data = {"outcome": "reached", "survey_taken": "1", "ended_early": "on", f"q-{first.field_name}": "4"}
    assert client.post(f"/followups/tasks/{nk_task.pk}/call/", data).status_code == 302
    nk_task.refresh_from_db()
    assert nk_task.disposition == "partial" and nk_task.contacted
    assert SurveyResponse.objects.get().channel == "phone"


def test_letter_page_and_release(client_for, caller, neike):
    letter = make_task(
        stay=DischargeStayFactory(department=neike, phone=""), mode="letter", assigned_to=caller
    )
    client = client_for(caller)
    client.post(f"/followups/tasks/{letter.pk}/claim/")
    page = client.get(f"/followups/tasks/{letter.pk}/").content.decode()
    assert "信函已寄出" in page and "回访话术" not in page
    assert client.post(f"/followups/tasks/{letter.pk}/letter/", {"notes": "寄至家庭住址"}).status_code == 302
    letter.refresh_from_db()
    assert letter.contacted and letter.status == TaskStatus.DONE
    other = make_task(stay=DischargeStayFactory(department=neike), assigned_to=caller)
    client.post(f"/followups/tasks/{other.pk}/claim/")
    client.post(f"/followups/tasks/{other.pk}/release/")
    other.refresh_from_db()
    assert other.claimed_by is None


def test_import_job_that_crashes_is_marked_failed(neike, administrator, monkeypatch):
    from django.core.files.base import ContentFile

    from followups import importing, tasks
    from followups.models import ImportJob

    job = ImportJob.objects.create(
        kind="discharges", file=ContentFile(b"x", name="a.xlsx"), file_name="a.xlsx", actor=administrator
    )

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "discharges_import", boom)
    assert tasks.run_import(job.pk) == "failed"
    job.refresh_from_db()
    from django.utils import translation

    with translation.override("zh-hans"):  # the stored key, worded for the reader
        assert job.status == "failed" and "未写入任何数据" in job.file_error_text
    assert tasks.run_import(job.pk) == "skipped"  # idempotent


def test_feedback_page_scoped_to_the_heads_departments(
    client_for, head_neike, supervisor, caller, volunteer, neike, waike, django_assert_num_queries
):
    add_attempt(
        make_task(stay=DischargeStayFactory(department=neike)),
        outcome=Outcome.REACHED,
        caller=caller,
        feedback="病房热水不够",
    )
    add_attempt(
        make_task(stay=DischargeStayFactory(department=waike)),
        outcome=Outcome.REACHED,
        caller=caller,
        praise="外科医生很好",
    )
    add_attempt(
        make_task(stay=DischargeStayFactory(department=neike)), outcome=Outcome.NO_ANSWER, caller=caller
    )
    head = client_for(head_neike).get("/followups/feedback/").content.decode()
    assert "病房热水不够" in head and "外科医生很好" not in head
    client = client_for(supervisor)
    body = client.get("/followups/feedback/").content.decode()
    assert "病房热水不够" in body and "外科医生很好" in body
    first = _count(client, "/followups/feedback/")
    for _ in range(5):
        add_attempt(
            make_task(stay=DischargeStayFactory(department=waike)),
            outcome=Outcome.REACHED,
            caller=caller,
            praise="好",
        )
    with django_assert_num_queries(first):
        assert client.get("/followups/feedback/").status_code == 200
    assert client_for(caller).get("/followups/feedback/").status_code == 403
    assert client_for(volunteer).get("/followups/feedback/").status_code == 403


def test_stay_list_and_adding_a_stay_by_hand(
    client_for, supervisor, administrator, caller, head_neike, neike, django_assert_num_queries
):
    stay = DischargeStayFactory(department=neike, phone=PHONE, diagnosis="精神分裂症")
    client = client_for(supervisor)
    body = client.get("/followups/stays/").content.decode()
    assert stay.admission_no in body and MASKED in body and PHONE not in body
    response = client.post(f"/followups/stays/{stay.pk}/add/")
    task = FollowupTask.objects.get(stay=stay)
    assert response.status_code == 302 and task.source == "manual"
    client.post(f"/followups/stays/{stay.pk}/add/")
    assert FollowupTask.objects.filter(stay=stay).count() == 1
    first = _count(client, "/followups/stays/")
    for _ in range(6):
        make_task(stay=DischargeStayFactory(department=neike))
        DischargeStayFactory(department=neike)
    with django_assert_num_queries(first):
        assert client.get("/followups/stays/").status_code == 200
    assert client_for(administrator).get("/followups/stays/").status_code == 200
    assert client_for(administrator).post(f"/followups/stays/{stay.pk}/add/").status_code == 403
    for user in (caller, head_neike):
        assert client_for(user).get("/followups/stays/").status_code == 403


def test_my_tasks_query_uses_the_callers_index(caller, nk_task):
    from django.db import connection

    from followups import selectors

    if connection.vendor != "sqlite":
        pytest.skip("plan text checked on SQLite; PostgreSQL plans depend on table statistics")
    plan = selectors.my_tasks_today(caller)[:200].explain()
    assert "fu_task_mine" in plan


def test_figures_page_inputs_show_the_period_the_figures_are_for(client_for, supervisor):
    html = client_for(supervisor).get("/followups/figures/").content.decode()
    today = timezone.localdate()
    start = (today.replace(day=1) - dt.timedelta(days=150)).replace(day=1)
    assert f'name="start" value="{start:%Y-%m-%d}"' in html
    assert f'name="end" value="{today:%Y-%m-%d}"' in html
    # A start typed alone is kept; the end shown is the default the figures used.
    html = client_for(supervisor).get("/followups/figures/", {"start": "2026-11-30"}).content.decode()
    assert 'name="start" value="2026-11-30"' in html


def test_task_status_is_one_badge_and_the_outcome_shows_only_when_final(client_for, caller, nk_task):
    client = client_for(caller)
    # A partial interview with a call-back scheduled: the disposition so far is not the outcome yet.
    FollowupTask.objects.filter(pk=nk_task.pk).update(status=TaskStatus.CALLBACK, disposition="partial")
    page = client.get(f"/followups/tasks/{nk_task.pk}/").content.decode()
    assert '<span class="badge text-bg-info fs-6" id="task-status">待回拨</span>' in page
    assert 'id="task-outcome"' not in page and "部分" not in client.get("/followups/").content.decode()
    FollowupTask.objects.filter(pk=nk_task.pk).update(status=TaskStatus.DONE, disposition="complete")
    page = client.get(f"/followups/tasks/{nk_task.pk}/").content.decode()
    assert '<span class="badge text-bg-info fs-6" id="task-status">已完成</span>' in page
    assert '<span class="text-muted ms-2" id="task-outcome">回访结果：完成</span>' in page


def test_import_job_page_says_what_to_do_next(client_for, supervisor, caller):
    from django.core.files.base import ContentFile

    from followups.models import ImportJob, ImportJobStatus
    from supervision.infra.imports import texts
    from supervision.infra.imports.texts import stored

    def job(**fields):
        return ImportJob.objects.create(
            kind="discharges",
            file=ContentFile(b"x", name="a.csv"),
            file_name="a.csv",
            actor=supervisor,
            **fields,
        )

    client = client_for(supervisor)
    running = client.get(f"/followups/imports/jobs/{job(status=ImportJobStatus.RUNNING, total=10).pk}/")
    assert "可以离开本页面" in running.content.decode()
    refused = job(
        status=ImportJobStatus.FAILED,
        report={"errors": [{"row": 3, "column": "入院日期", **stored(texts.NOT_A_DATE(value="2026-13-01"))}]},
    )
    page = client.get(f"/followups/imports/jobs/{refused.pk}/").content.decode()
    assert "“2026-13-01”不是有效日期" in page and "请修改上述各行后重新导入整个文件" in page
    assert 'href="/followups/imports/discharges/"' in page and "周督察 于" in page
    done = job(status=ImportJobStatus.DONE, report={"created": 2, "updated": 0, "unchanged": 0})
    assert 'href="/followups/stays/"' in client.get(f"/followups/imports/jobs/{done.pk}/").content.decode()
    assert client_for(caller).get(f"/followups/imports/jobs/{done.pk}/").status_code == 403


def test_call_list_department_select_offers_the_scope_and_keeps_the_choice(
    client_for, supervisor, head_neike, neike, waike
):
    html = client_for(supervisor).get("/followups/tasks/", {"department": waike.pk}).content.decode()
    assert f'<option value="{neike.pk}">内科</option>' in html
    assert f'<option value="{waike.pk}" selected>外科</option>' in html
    html = client_for(head_neike).get("/followups/tasks/").content.decode()
    assert f'<option value="{neike.pk}">内科</option>' in html and f'value="{waike.pk}"' not in html


def test_pool_rows_show_the_stay_and_a_claim_form_of_their_own(client_for, caller, neike):
    stay = DischargeStayFactory(department=neike, patient_name="赵六", admission_no="ZY-77")
    pool = make_task(stay=stay)
    html = client_for(caller).get("/followups/").content.decode()
    assert "<strong>赵六</strong> · 内科" in html
    assert "ZY-77 · " in html
    assert f'<form method="post" action="/followups/tasks/{pool.pk}/claim/"><input type="hidden"' in html
