"""Query counts that do not grow with rows, for the pages not covered in test_views."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inspections import services
from inspections.models import ChartCriterion, CriterionLevel
from supervision.models import DepartmentKind
from tests.factories import DepartmentFactory, DischargeStayFactory, UserFactory

from .factories import answer_all, make_template, start_round


def _same(client, url, grow, django_assert_num_queries):
    client.get(url)  # warm-up: settings rows, session
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    grow()
    with django_assert_num_queries(len(few)):
        assert client.get(url).status_code == 200


def test_coverage_and_plan_do_not_grow_with_departments_or_rounds(
    client_for, supervisor, neike, django_assert_num_queries
):
    template = make_template()
    n = iter(range(1000))

    def grow():
        for _ in range(5):
            i = next(n)
            dept = DepartmentFactory(code=f"X{i}", name=f"科室X{i}", kind=DepartmentKind.SUPPORT)
            services.plan_set(month=dt.date.today(), counts={dept.pk: 2}, actor=supervisor)
            rnd = start_round(actor=supervisor, department=dept, template=template)
            answer_all(rnd, supervisor, ["pass", "pass", "fail"])
            services.round_submit(rnd=rnd, actor=supervisor)

    client = client_for(supervisor)
    _same(client, reverse("inspections:coverage"), grow, django_assert_num_queries)
    _same(client, reverse("inspections:plan"), grow, django_assert_num_queries)


def test_submit_page_does_not_grow_with_failed_items(
    client_for, supervisor, neike, django_assert_num_queries
):
    template = make_template(items=[("attitude", "check")] * 12)
    rnd = start_round(actor=supervisor, department=neike, template=template)
    items = list(template.items.order_by("sort_order"))
    services.answer_save(rnd=rnd, item=items[0], actor=supervisor, result="fail")

    def grow():
        for item in items[1:]:
            services.answer_save(rnd=rnd, item=item, actor=supervisor, result="fail", note="x")

    _same(
        client_for(supervisor),
        reverse("inspections:round_submit", args=[rnd.pk]),
        grow,
        django_assert_num_queries,
    )


def test_audit_detail_and_appeal_list_do_not_grow_with_deductions_and_appeals(
    client_for, supervisor, neike, django_assert_num_queries
):
    for i in range(12):
        DischargeStayFactory(department=neike, admission_no=f"C{i:02d}", discharged_on=dt.date(2026, 10, 5))
    from inspections.models import InspectionSettings

    config = InspectionSettings.get()
    config.sample_per_department = 12
    config.save()
    sample, _ = services.chart_sample_draw(month=dt.date(2026, 10, 1))
    criteria = [
        ChartCriterion.objects.create(
            section="s", text=f"c{i}", points=1, max_points=5, level=CriterionLevel.NORMAL
        )
        for i in range(8)
    ]
    audits = list(sample.audits.order_by("id"))
    head = UserFactory(username="h-nk", roles=["dept_head"], head_of=[neike])
    first = services.audit_complete(audit=audits[0], actor=supervisor, defects={criteria[0].pk: (1, "")})
    services.appeal_raise(deduction=first.deductions.get(), actor=head, reason="x")
    busy = services.audit_complete(audit=audits[1], actor=supervisor, defects={criteria[0].pk: (1, "")})
    services.appeal_raise(deduction=busy.deductions.get(), actor=head, reason="x")

    def grow_appeals():
        for audit in audits[2:]:
            done = services.audit_complete(audit=audit, actor=supervisor, defects={criteria[1].pk: (1, "")})
            services.appeal_raise(deduction=done.deductions.get(), actor=head, reason="y")

    client = client_for(supervisor)
    _same(client, reverse("inspections:appeal_list"), grow_appeals, django_assert_num_queries)

    # One audit with one deduction and one appeal vs one with eight deductions and appeals.
    url = first.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    big = audits[1]
    # The audit is completed, so no service adds deductions any more: add them as rows.
    from inspections.models import Appeal, Deduction

    for c in criteria[2:]:
        d = Deduction.objects.create(audit=big, criterion=c, count=1, points=1)
        Appeal.objects.create(deduction=d, department=neike, raised_by=head, reason="z")
    # Opened once first, as ``first`` was: the first opening also reads the supervisor's notices
    # about the audit (the appeal raised on it), one update that a second opening does not need.
    # (The count is taken before: each request clears the connection's query log.)
    expected = len(few)
    client.get(big.get_absolute_url())
    with django_assert_num_queries(expected):
        client.get(big.get_absolute_url())


def test_sample_list_does_not_grow_with_samples(client_for, supervisor, neike, django_assert_num_queries):
    DischargeStayFactory(department=neike, admission_no="S0", discharged_on=dt.date(2026, 1, 5))
    services.chart_sample_draw(month=dt.date(2026, 1, 1))

    def grow():
        for m in range(2, 8):
            DischargeStayFactory(department=neike, admission_no=f"S{m}", discharged_on=dt.date(2026, m, 5))
            services.chart_sample_draw(month=dt.date(2026, m, 1))

    _same(client_for(supervisor), reverse("inspections:sample_list"), grow, django_assert_num_queries)
