"""What not-satisfied patients were unhappy with, guidance by kind and praise of wards (issue 19 items
3 and 4, issue 18 item 4): counted in the figures, ranked per department, linked to the calls behind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from followups import selectors
from followups.models import (
    DissatisfactionDomain,
    DissatisfactionTopic,
    GuidanceKind,
    Outcome,
    Satisfaction,
    StarWard,
)
from tests.factories import DischargeStayFactory, StaffFactory

from .factories import add_attempt, make_task

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)
PERIOD = {"start": dt.date(2026, 3, 1), "end": dt.date(2026, 3, 31)}


def domain(name):
    return DissatisfactionDomain.objects.get(name=name)


def topic(name):
    return DissatisfactionTopic.objects.get(name=name)


def call(dept, *, caller=None, day=DAY, domain_name=None, topics=(), guidance=(), **kw):
    task = make_task(stay=DischargeStayFactory(department=dept))
    when = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    if domain_name is not None:
        kw.update(
            satisfaction=Satisfaction.DISSATISFIED,
            dissatisfied_domain=domain(domain_name) if domain_name else None,
        )
    attempt = add_attempt(task, outcome=Outcome.REACHED, caller=caller, when=when, **kw)
    attempt.dissatisfied_topics.set([topic(t) for t in topics])
    attempt.guidance_kinds.set(GuidanceKind.objects.filter(name__in=guidance))
    return attempt


@pytest.fixture
def coded(neike, waike, caller):
    call(neike, caller=caller, domain_name="护理", topics=["静脉穿刺", "呼叫应答慢"], guidance=["健康指导"])
    call(neike, caller=caller, domain_name="护理", topics=["静脉穿刺"], guidance=["健康指导", "指导复查"])
    call(neike, caller=caller, domain_name="费用", topics=["费用不清"], guidance=["化解意见"])
    call(waike, caller=caller, domain_name="后勤", topics=["热水供应"])
    call(waike, caller=caller, domain_name="")  # imported "不满意" without a domain
    call(waike, caller=caller, satisfaction=Satisfaction.SATISFIED, guidance=["咨询解答"])
    call(neike, caller=caller, day=dt.date(2026, 4, 2), domain_name="医疗")  # another month


def test_not_satisfied_calls_are_split_by_domain_with_the_uncoded_apart(coded):
    rows = {r["domain"]: r for r in selectors.dissatisfaction_by_domain(**PERIOD)}
    assert [r["domain"] for r in selectors.dissatisfaction_by_domain(**PERIOD)] == [
        "医疗", "护理", "后勤", "费用", "沟通", "其他", "",
    ]  # fmt: skip
    assert {k: v["calls"] for k, v in rows.items()} == {
        "医疗": 0, "护理": 2, "后勤": 1, "费用": 1, "沟通": 0, "其他": 0, "": 1,
    }  # fmt: skip
    assert rows["护理"]["share"] == 100 * 2 / 5 and rows["护理"]["share"].numerator == 2


def test_the_ranking_lists_departments_most_unhappy_first_with_their_domains_and_topics(coded, neike, waike):
    ranking = selectors.dissatisfaction_ranking(**PERIOD)
    assert [(r["department"], r["calls"]) for r in ranking] == [("内科", 3), ("外科", 2)]
    nk = ranking[0]
    assert [(d["name"], d["calls"]) for d in nk["domains"]] == [("护理", 2), ("费用", 1)]
    assert [(t["name"], t["calls"]) for t in nk["topics"]] == [
        ("静脉穿刺", 2),
        ("呼叫应答慢", 1),
        ("费用不清", 1),
    ]
    assert [(t["name"], t["calls"]) for t in selectors.topic_ranking(**PERIOD)][:1] == [("静脉穿刺", 2)]
    only_waike = selectors.dissatisfaction_ranking(**PERIOD, departments=[waike.pk])
    assert [r["department"] for r in only_waike] == ["外科"]


def test_guidance_is_counted_by_kind_every_kind_listed(coded):
    counts = {g["kind"]: g["calls"] for g in selectors.guidance_counts(**PERIOD)}
    assert counts == {"健康指导": 2, "咨询解答": 1, "指导复查": 1, "解决疑难问题": 0, "化解意见": 1}


def test_praised_wards_count_star_wards_of_the_calls_year(neike, waike, caller):
    StarWard.objects.create(department=neike, year=2026)
    StarWard.objects.create(department=waike, year=2025)  # last year's star, not this year's
    nurse = StaffFactory(department=neike)
    call(neike, caller=caller, praise="护士很耐心").praised_staff.set([nurse])
    call(neike, caller=caller, praise="医生好")
    call(waike, caller=caller, praise="外科好")
    call(waike, caller=caller)
    assert selectors.praise_summary(**PERIOD) == {
        "staff_praises": 1,
        "ward_praises": 3,
        "star_ward_praises": 2,
    }


def test_figures_page_ranks_and_links_each_figure_to_the_calls_behind_it(
    client_for, supervisor, coded, neike
):
    client = client_for(supervisor)
    body = client.get("/followups/figures/?start=2026-03-01&end=2026-03-31").content.decode()
    nursing, puncture = domain("护理"), topic("静脉穿刺")
    link = f"/followups/feedback/?start=2026-03-01&amp;end=2026-03-31&amp;department={neike.pk}&amp;topic={puncture.pk}"
    assert link in body and "静脉穿刺 2" in body and "健康指导" in body
    calls = client.get(
        f"/followups/feedback/?start=2026-03-01&end=2026-03-31&department={neike.pk}&domain={nursing.pk}"
    )
    assert len(calls.context["page"].object_list) == 2
    by_topic = client.get(f"/followups/feedback/?start=2026-03-01&end=2026-03-31&topic={puncture.pk}")
    assert len(by_topic.context["page"].object_list) == 2 and "静脉穿刺" in by_topic.content.decode()


def test_a_head_following_a_link_to_another_department_sees_none_of_its_calls(
    client_for, head_neike, coded, waike
):
    response = client_for(head_neike).get(
        f"/followups/feedback/?start=2026-03-01&end=2026-03-31&department={waike.pk}"
    )
    assert response.status_code == 200 and len(response.context["page"].object_list) == 0
    ranking = client_for(head_neike).get("/followups/figures/?start=2026-03-01&end=2026-03-31").context
    assert [r["department"] for r in ranking["unhappy_ranking"]] == ["内科"]


def test_the_coded_figures_use_a_constant_number_of_queries(client_for, supervisor, neike, waike, caller):
    client = client_for(supervisor)
    call(neike, caller=caller, domain_name="护理", topics=["静脉穿刺"], guidance=["健康指导"], praise="好")
    url = "/followups/figures/?start=2026-03-01&end=2026-03-31"
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for dept in (neike, waike) * 4:
        call(
            dept,
            caller=caller,
            domain_name="后勤",
            topics=["热水供应", "饮食"],
            guidance=["咨询解答"],
            praise="好",
        )
    with CaptureQueriesContext(connection) as more:
        assert client.get(url).status_code == 200
    assert len(more) == len(first)


def test_a_call_naming_two_staff_without_words_praises_its_ward_once(neike, caller):
    call(neike, caller=caller).praised_staff.set(
        [StaffFactory(department=neike), StaffFactory(department=neike)]
    )
    call(neike, caller=caller)
    assert selectors.praise_summary(**PERIOD) == {
        "staff_praises": 2,
        "ward_praises": 1,
        "star_ward_praises": 0,
    }


def test_the_call_figures_summed_from_the_periods_call_counts_are_the_figures_read_alone(
    coded, neike, waike, caller, supervisor
):
    """The report reads the period's attempts once (``call_counts``) for the outcome mix, the contact
    rate, the satisfaction asked (with and without a questionnaire) and the not-satisfied domains."""
    from surveys.models import Dimension
    from tests.surveys.factories import make_questionnaire, submit

    questionnaire = make_questionnaire(
        supervisor, code="CALL", sections=[("总体", Dimension.OVERALL, [("总体满意度", "scale", True)])]
    )
    answered = call(neike, caller=caller, satisfaction=Satisfaction.SATISFIED)
    answered.survey_response_id = submit(questionnaire, neike, DAY, 总体满意度=5).pk
    answered.save(update_fields=["survey_response_id"])
    call(waike, caller=caller, satisfaction=Satisfaction.SATISFIED)
    add_attempt(make_task(stay=DischargeStayFactory(department=waike)), outcome=Outcome.NO_ANSWER, caller=caller,
                when=timezone.make_aware(dt.datetime.combine(DAY, dt.time(11))))  # fmt: skip
    for departments in (None, [neike.pk]):
        kw = PERIOD | {"departments": departments}
        counts = selectors.call_counts(**kw)
        with CaptureQueriesContext(connection) as summed:
            assert selectors.outcome_breakdown(**kw, counts=counts) == selectors.outcome_breakdown(**kw)
            assert selectors.contact_success(**kw, counts=counts) == selectors.contact_success(**kw)
            for without in (False, True):
                assert selectors.call_satisfaction(
                    **kw, without_questionnaire=without, counts=counts
                ) == selectors.call_satisfaction(**kw, without_questionnaire=without)
            by_domain = selectors.dissatisfaction_by_domain(**kw, counts=counts)
        assert by_domain == selectors.dissatisfaction_by_domain(**kw)
        # only the direct reads and the list of domains: nothing summed went back to the database
        assert len(summed) == 1 + 1 + 2 + 1, [q["sql"][:80] for q in summed.captured_queries]
    satisfied = selectors.call_satisfaction(**PERIOD, counts=selectors.call_counts(**PERIOD))
    alone = selectors.call_satisfaction(
        **PERIOD, without_questionnaire=True, counts=selectors.call_counts(**PERIOD)
    )
    assert satisfied["satisfied"] == alone["satisfied"] + 1  # the questionnaire's call is left out
