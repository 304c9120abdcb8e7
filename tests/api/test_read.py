"""Read endpoints: findings and orders filtered and scoped to the key's departments, figures equal
to the selectors the dashboard and reports read, and never a patient's name or phone."""

import datetime as dt
import json
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.models import ApiScope
from complaints import selectors as complaint_selectors
from followups import selectors as followup_selectors
from supervision import selectors as core_selectors
from supervision.models import Finding, OrderStatus, RectificationOrder
from tests.factories import DischargeStayFactory, make_finding

from .conftest import issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def findings(neike, waike, supervisor):
    return {
        "nk": make_finding(
            department=neike, found_by=supervisor, description="患者张三（13800138000）反映护士态度生硬"
        ),
        "wk": make_finding(department=waike, found_by=supervisor),
        "wk_late": make_finding(
            department=waike, found_by=supervisor, deadline=timezone.localdate() - dt.timedelta(days=2)
        ),
    }


def _client(api, **fields):
    _key, raw = issue(name="OA", **fields)
    api.use(raw)
    return api


def test_findings_are_listed_without_free_text_or_patient_data(api, findings):
    response = api.get("/api/v1/findings/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    text = json.dumps(body, ensure_ascii=False)
    assert "张三" not in text and "13800138000" not in text and "态度生硬" not in text
    first = next(f for f in body["results"] if f["number"] == findings["nk"].number)
    assert first["department"] == "NK" and first["order"]["status"] == OrderStatus.ISSUED
    assert "description" not in first


def test_a_key_limited_to_a_department_sees_only_its_rows(api, findings, neike, waike):
    client = _client(api, departments=[neike], scopes=[ApiScope.FINDINGS_READ])
    numbers = [f["number"] for f in client.get("/api/v1/findings/").json()["results"]]
    assert numbers == [findings["nk"].number]
    orders = client.get("/api/v1/orders/").json()
    assert [o["department"] for o in orders["results"]] == ["NK"]
    assert client.get("/api/v1/orders/?department=WK").json()["count"] == 0


def test_orders_filter_by_department_status_overdue_and_period(api, findings):
    assert api.get("/api/v1/orders/?department=WK").json()["count"] == 2
    overdue = api.get("/api/v1/orders/?overdue=true").json()
    assert [o["number"] for o in overdue["results"]] == [findings["wk_late"].order.number]
    assert overdue["results"][0]["overdue_days"] == 2
    assert api.get("/api/v1/orders/?status=closed").json()["count"] == 0
    today = timezone.localdate()
    assert api.get(f"/api/v1/orders/?start={today}&end={today}").json()["count"] == 3
    assert api.get(f"/api/v1/findings/?end={today - dt.timedelta(days=1)}").json()["count"] == 0


@pytest.mark.parametrize("query", ["status=gone", "start=2026-02-30", "overdue=maybe", "page=0", "page=x"])
def test_a_bad_filter_is_a_400_or_404_naming_it_never_a_500(api, findings, query):
    response = api.get(f"/api/v1/orders/?{query}")
    assert response.status_code in (400, 404)
    if response.status_code == 400:
        assert query.split("=")[0] in response.json()


def test_listing_findings_costs_the_same_queries_for_more_rows(
    api, findings, neike, supervisor, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        api.get("/api/v1/findings/")
    for _ in range(5):
        make_finding(department=neike, found_by=supervisor)
    with django_assert_max_num_queries(12):
        assert api.get("/api/v1/findings/").json()["count"] == 8


def test_followup_figures_equal_the_selectors_and_hold_no_patient(api, neike, waike):
    day = timezone.localdate() - dt.timedelta(days=3)
    for department in (neike, neike, waike):
        DischargeStayFactory(
            department=department, discharged_on=day, patient_name="李四", phone="13912345678"
        )
    start, end = day.replace(day=1), day
    body = api.get(f"/api/v1/figures/followups/?start={start}&end={end}").json()
    expected = followup_selectors.followup_summary(start=start, end=end, departments=None)
    assert body["summary"] == json.loads(json.dumps(expected, default=str))
    assert body["summary"]["discharged"] == 3
    text = json.dumps(body, ensure_ascii=False)
    assert "李四" not in text and "13912345678" not in text
    nk = api.get(f"/api/v1/figures/followups/?start={start}&end={end}&department=NK").json()
    assert nk["summary"]["discharged"] == 2


def test_followup_figures_read_the_same_queries_whatever_the_number_of_stays(
    api, neike, waike, django_assert_num_queries
):
    day = timezone.localdate() - dt.timedelta(days=3)
    start, end = (day - dt.timedelta(days=400)).replace(day=1), day
    query = f"start={start}&end={end}"
    api.get(f"/api/v1/figures/followups/?{query}")  # the key's first use is written (once a minute)
    for n in (3, 30):
        for i in range(n):
            DischargeStayFactory(
                department=(neike, waike)[i % 2], discharged_on=day - dt.timedelta(days=13 * i)
            )
        # The key with its departments, the month × department counts, their departments, the call's record.
        with django_assert_num_queries(4):
            assert api.get(f"/api/v1/figures/followups/?{query}").status_code == 200
        with django_assert_num_queries(5):  # and the department asked for
            assert api.get(f"/api/v1/figures/followups/?{query}&department=NK").status_code == 200


def test_figures_of_a_department_outside_the_key_are_refused(api, neike, waike):
    client = _client(api, departments=[neike], scopes=[ApiScope.FIGURES_READ])
    response = client.get("/api/v1/figures/complaints/?start=2026-01-01&end=2026-01-31&department=WK")
    assert response.status_code == 400 and "department" in response.json()
    own = client.get("/api/v1/figures/complaints/?start=2026-01-01&end=2026-01-31")
    assert own.status_code == 200


def test_complaint_figures_give_repeat_complainants_as_a_count_only(api, neike):
    body = api.get("/api/v1/figures/complaints/?start=2026-01-01&end=2026-01-31").json()
    expected = complaint_selectors.figures(start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31))
    assert body["total"] == expected.total
    assert body["repeat"] == {"count": expected.repeat["count"]}


def test_complaint_figures_are_the_selectors_figures_without_dates_phones_or_handlers(
    api, neike, supervisor, head_neike
):
    # The endpoint passes the selector's figures on as they are (no deep copy): the body must be
    # exactly what ``dataclasses.asdict`` of them gave, less the period, the phones and the handlers.
    from dataclasses import asdict

    from rest_framework.renderers import JSONRenderer

    from tests.complaints.factories import answered, at, make_complaint

    answered(supervisor=supervisor, department=neike, head=head_neike, received_at=at("2026-01-05"))
    answered(supervisor=supervisor, department=neike, head=head_neike, received_at=at("2026-01-12"))
    make_complaint(received_by=supervisor, department=neike, received_at=at("2026-01-20"))
    start, end = dt.date(2026, 1, 1), dt.date(2026, 1, 31)
    expected = asdict(complaint_selectors.figures(start=start, end=end, handlers=False))
    expected.pop("start"), expected.pop("end"), expected["verdicts"].pop("by_handler")
    expected["repeat"] = {"count": expected["repeat"]["count"]}
    body = api.get(f"/api/v1/figures/complaints/?start={start}&end={end}").json()
    assert (body.pop("start"), body.pop("end")) == (str(start), str(end))
    assert body["total"] == 3 and body["accepted"]
    assert body == json.loads(JSONRenderer().render(expected))


def test_rectification_figures_count_the_orders_of_the_periods_findings(api, findings):
    today = timezone.localdate()
    body = api.get(f"/api/v1/figures/rectification/?start={today}&end={today}").json()
    assert body["findings"] == 3
    assert body["orders"]["total"] == RectificationOrder.objects.count() == 3
    assert body["orders"]["overdue"] == 1
    wk = api.get(f"/api/v1/figures/rectification/?start={today}&end={today}&department=WK").json()
    assert wk["orders"]["total"] == 2


def test_rectification_figures_equal_the_selectors_the_dashboards_and_reports_read(api, findings):
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as queries:
        body = api.get(f"/api/v1/figures/rectification/?start={today}&end={today}").json()
    # The orders' history is read for its effectiveness checks only (the partial index of checks),
    # as order_counts reads it.
    history = [q["sql"] for q in queries if "supervision_ordertransition" in q["sql"]]
    assert len(history) == 1 and "check_effective" in history[0]
    counts = core_selectors.order_counts(RectificationOrder.objects.all())
    assert body["orders"]["by_status"] == counts.by_status
    assert (body["orders"]["open"], body["orders"]["closed"]) == (counts.open, counts.closed)
    assert body["orders"]["overdue"] == counts.overdue
    assert body["orders"]["closed_on_time"] == counts.closed_on_time
    assert (body["orders"]["checks_recorded"], body["orders"]["checks_effective"]) == (0, 0)
    assert body["orders"]["effectiveness_rate"] is None  # no check recorded: no data, never 0 %
    assert body["by_department"] == json.loads(
        json.dumps(core_selectors.department_order_table(RectificationOrder.objects.all()))
    )


def _checked(order, supervisor, head, *, effective: bool):
    from supervision import services

    order = services.order_acknowledge(order=order, actor=head)
    order = services.order_submit(order=order, actor=head, cause="培训不足", corrective_action="全员培训")
    order = services.order_verify(order=order, actor=supervisor, check_due=timezone.localdate())
    return services.order_check(order=order, actor=supervisor, effective=effective, comment="复查")


def test_rectification_figures_give_the_effectiveness_checks_and_their_exact_rate(
    api, neike, waike, supervisor, head_neike, django_assert_num_queries
):
    # Three checks, two found the fix held: 66.666… %, exact in the JSON (rounded only when shown),
    # the same figure as the dashboards' and reports' order_counts.
    for code, effective in (("attitude", True), ("hygiene", True), ("privacy", False)):
        finding = make_finding(department=neike, found_by=supervisor, category_code=code)
        _checked(finding.order, supervisor, head_neike, effective=effective)
    make_finding(department=neike, found_by=supervisor, category_code="waiting")  # no check yet
    today = timezone.localdate()
    path = f"/api/v1/figures/rectification/?start={today}&end={today}"
    api.get(path)  # the key's first call records its first use
    # The key with its departments, the orders by department, their checks, the findings and
    # recurrences, the call's record (7 before: the departments apart, the last use on every call).
    with django_assert_num_queries(5):
        orders = api.get(path).json()["orders"]
    counts = core_selectors.order_counts(RectificationOrder.objects.all())
    assert (
        (orders["checks_recorded"], orders["checks_effective"])
        == (counts.evaluated, counts.effective)
        == (3, 2)
    )
    assert orders["effectiveness_rate"] == counts.effectiveness_rate == 200 / 3
    assert counts.effectiveness_rate.exact == Fraction(200, 3)
    assert (orders["total"], orders["closed"]) == (4, 2)  # the check that failed reopened its order
    other = api.get(f"/api/v1/figures/rectification/?start={today}&end={today}&department=WK").json()
    assert other["orders"]["checks_recorded"] == 0 and other["orders"]["effectiveness_rate"] is None


def test_the_schema_documents_the_rectification_figures_and_their_effectiveness(tmp_path):
    import yaml
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    answer = schema["paths"]["/api/v1/figures/rectification/"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/RectificationFigures")
    orders = schema["components"]["schemas"]["OrderFigures"]["properties"]
    assert {"checks_recorded", "checks_effective", "effectiveness_rate"} <= set(orders)
    assert "checks_effective ÷ checks_recorded" in orders["effectiveness_rate"]["description"]


def test_rectification_figures_take_the_periods_days_in_the_hospitals_time(api, neike, supervisor):
    # The period is [start 00:00, the day after end 00:00) in the site's time zone, as the days of
    # ``found_at__date`` were: the first and last moments count, a minute either side does not.
    start, end = dt.date(2026, 3, 2), dt.date(2026, 3, 4)
    tz = timezone.get_current_timezone()
    moments = {
        "before": dt.datetime(2026, 3, 1, 23, 59, tzinfo=tz),
        "first": dt.datetime(2026, 3, 2, 0, 0, tzinfo=tz),
        "last": dt.datetime(2026, 3, 4, 23, 59, 59, tzinfo=tz),
        "after": dt.datetime(2026, 3, 5, 0, 0, tzinfo=tz),
    }
    for description, at in moments.items():
        finding = make_finding(department=neike, found_by=supervisor, description=description)
        Finding.objects.filter(pk=finding.pk).update(found_at=at)
        RectificationOrder.objects.filter(finding=finding).update(found_at=at)  # the order's copy
    body = api.get(f"/api/v1/figures/rectification/?start={start}&end={end}").json()
    expected = Finding.objects.filter(found_at__date__gte=start, found_at__date__lte=end)
    assert body["findings"] == expected.count() == 2
    assert body["orders"]["total"] == RectificationOrder.objects.filter(finding__in=expected).count() == 2


@pytest.mark.parametrize(
    "path", ["satisfaction", "window-waiting", "followups", "complaints", "rectification"]
)
def test_every_figure_endpoint_answers_a_period(api, neike, path):
    assert api.get(f"/api/v1/figures/{path}/?start=2026-01-01&end=2026-03-31").status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "start"),
        ("start=2026-01-01", "end"),
        ("start=2026-13-01&end=2026-12-31", "start"),
        ("start=2026-03-01&end=2026-01-01", "end"),
        ("start=2020-01-01&end=2026-01-01", "end"),
        ("start=2026-01-01&end=2026-01-31&department=ZZ", "department"),
    ],
)
def test_a_bad_period_is_a_400_naming_the_field(api, neike, query, field):
    response = api.get(f"/api/v1/figures/followups/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_satisfaction_figures_are_the_four_selectors_read_alone_without_reading_the_answers(
    api, neike, waike, supervisor
):
    # The summary, dimensions and departments come from one read of the period's forms
    # (surveys.selectors.survey_figures, shared with the results page and the reports): the JSON
    # is the four functions' figures read alone, byte for byte, and the answers are not read.
    from rest_framework.renderers import JSONRenderer

    from surveys import selectors as survey_selectors
    from surveys.models import Dimension, QuestionKind
    from tests.surveys.factories import make_questionnaire, submit

    q = make_questionnaire(
        supervisor,
        code="api",
        sections=[
            ("环境", Dimension.ENVIRONMENT, [("e1", QuestionKind.SCALE, True)]),
            ("态度", Dimension.ATTITUDE, [("a1", QuestionKind.SCALE, False)]),
        ],
    )
    for department, day, values in (
        (neike, dt.date(2026, 1, 5), {"e1": 5, "a1": 2}),
        (neike, dt.date(2026, 2, 7), {"e1": 4}),
        (waike, dt.date(2026, 2, 9), {"e1": 1, "a1": 5}),
        (waike, dt.date(2026, 3, 1), {"a1": 4}),  # no required e1: not valid
    ):
        submit(q, department, day, **values)
    for start, end, code in (
        (dt.date(2026, 1, 1), dt.date(2026, 3, 31), ""),
        (dt.date(2026, 2, 1), dt.date(2026, 2, 28), ""),
        (dt.date(2026, 1, 1), dt.date(2026, 3, 31), "WK"),
        (dt.date(2025, 1, 1), dt.date(2025, 12, 31), "NK"),
    ):
        departments = None if not code else [neike.pk if code == "NK" else waike.pk]
        kw = {"start": start, "end": end, "departments": departments}
        with CaptureQueriesContext(connection) as queries:
            body = api.get(f"/api/v1/figures/satisfaction/?start={start}&end={end}&department={code}")
        assert body.status_code == 200
        assert not [q for q in queries if "surveys_answer" in q["sql"]]
        expected = {
            "start": start,
            "end": end,
            "summary": survey_selectors.survey_summary(**kw),
            "by_dimension": survey_selectors.satisfaction_by_dimension(**kw),
            "by_department": survey_selectors.satisfaction_by_department(**kw),
            "by_month": survey_selectors.satisfaction_by_month(**kw),
        }
        assert body.content == JSONRenderer().render(expected)
    first_quarter = api.get("/api/v1/figures/satisfaction/?start=2026-01-01&end=2026-03-31").json()
    assert first_quarter["summary"]["valid_returned"] == 3
    assert {r["dimension"]: r["answered"] for r in first_quarter["by_dimension"]} == {
        "environment": 3,
        "attitude": 2,
    }


def test_satisfaction_figures_cost_the_same_queries_for_more_forms(
    api, neike, waike, supervisor, django_assert_num_queries
):
    from surveys.models import Dimension, QuestionKind
    from tests.surveys.factories import make_questionnaire, submit

    q = make_questionnaire(
        supervisor, code="api", sections=[("环境", Dimension.ENVIRONMENT, [("e1", QuestionKind.SCALE, True)])]
    )
    path = "/api/v1/figures/satisfaction/?start=2026-01-01&end=2026-12-31"
    api.get(path)  # the key's first call records its first use
    # The key with its departments, the forms by department, the copies, the links, the forms by
    # month, the call's record (10 at stop 18: the forms read three times and their answers once;
    # 8 at stop 19: the key's departments apart and its last use on every call).
    with django_assert_num_queries(6):
        api.get(path)
    for month in range(1, 7):
        submit(q, neike if month % 2 else waike, dt.date(2026, month, 3), e1=month % 5 + 1)
    with django_assert_num_queries(6):
        assert api.get(path).json()["summary"]["returned"] == 6


def test_an_order_keeps_its_findings_moment_and_the_migration_copies_it_to_the_orders_kept(
    api, findings, neike, supervisor
):
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    orders = RectificationOrder.objects.select_related("finding")
    assert all(o.found_at == o.finding.found_at for o in orders) and orders.count() == 3
    RectificationOrder.objects.update(found_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    migration = importlib.import_module("supervision.migrations.0031_order_found_at")
    with connection.cursor() as cursor:
        migration.copy_found_at(apps, SimpleNamespace(execute=cursor.execute))
    assert all(o.found_at == o.finding.found_at for o in orders.all())


def test_rectification_figures_of_a_department_are_its_findings_orders(api, neike, waike, supervisor):
    # Scoped by the finding's department, as before the orders were read by their own moment.
    make_finding(department=neike, found_by=supervisor)
    moved = make_finding(department=waike, found_by=supervisor).order
    RectificationOrder.objects.filter(pk=moved.pk).update(department=neike)  # answered by another department
    today = timezone.localdate()
    nk = api.get(f"/api/v1/figures/rectification/?start={today}&end={today}&department=NK").json()
    wk = api.get(f"/api/v1/figures/rectification/?start={today}&end={today}&department=WK").json()
    assert (nk["findings"], nk["orders"]["total"]) == (1, 1)
    assert (wk["findings"], wk["orders"]["total"]) == (1, 1)
