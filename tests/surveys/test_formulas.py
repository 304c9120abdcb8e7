"""Every figure in surveys.selectors against a hand count (formulas: docs/surveys.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models.functions import TruncMonth

from supervision.infra import statements
from supervision.models import Staff
from surveys import selectors, services
from surveys.models import Channel, Dimension

from .factories import submit

D = dt.date
YEAR = (D(2026, 1, 1), D(2026, 12, 31))


@pytest.fixture
def ward_staff(neike, waike):
    return {
        "张敏": Staff.objects.create(employee_no="N1", name="张敏", department=neike, position="nurse"),
        "李强": Staff.objects.create(employee_no="N2", name="李强", department=neike, position="doctor"),
        "王芳": Staff.objects.create(employee_no="W1", name="王芳", department=waike, position="nurse"),
    }


@pytest.fixture
def data(small_q, neike, waike, ward_staff, supervisor):
    """Hand-countable responses.

    neike 2026-03: R1 e1=5 e2=4 a1=3 → 2 satisfied / 3 answered
    neike 2026-03: R2 e1=2 a1=1, comment "太吵" → 0 / 2
    neike 2026-04: R3 e1=4 a1=5, praise 张敏 (picked) + "李强" (typed) → 2 / 2
    waike 2026-04: R4 e1=5 e2=1 a1=4 → 2 / 3
    waike 2026-04: R5 e2=5 only (required e1, a1 missing → NOT valid) → counts nowhere
    waike 2026-04: R6 yes/no only (no scale answered, required missing → NOT valid)
    waike 2025-04 (last year): L1 e1=3 a1=3 → 0 / 2; L2 e1=5 a1=4 → 2 / 2
    """
    zm = ward_staff["张敏"]
    return {
        "R1": submit(small_q, neike, D(2026, 3, 2), e1=5, e2=4, a1=3),
        "R2": submit(small_q, neike, D(2026, 3, 20), e1=2, a1=1, text="太吵"),
        "R3": submit(small_q, neike, D(2026, 4, 1), e1=4, a1=5, praise={"staff": [zm.pk], "names": ["李强"]}),
        "R4": submit(small_q, waike, D(2026, 4, 3), e1=5, e2=1, a1=4, channel=Channel.WEB),
        "R5": submit(small_q, waike, D(2026, 4, 5), e2=5),
        "R6": submit(small_q, waike, D(2026, 4, 6), yn=True),
        "L1": submit(small_q, waike, D(2025, 4, 3), e1=3, a1=3),
        "L2": submit(small_q, waike, D(2025, 4, 4), e1=5, a1=4),
    }


def test_valid_returned_needs_a_scale_answer_and_every_required_answer(data):
    assert [data[k].is_valid for k in ("R1", "R2", "R3", "R4", "R5", "R6")] == [True] * 4 + [False] * 2


def test_overall_satisfaction_counts_satisfied_over_answered_scale_items_of_valid_forms(data):
    s = selectors.survey_summary(start=YEAR[0], end=YEAR[1])
    # satisfied 2+0+2+2 = 6 of answered 3+2+2+3 = 10; 一般 (R1 a1=3) is in the denominator only.
    assert (s["scale_satisfied"], s["scale_answered"]) == (6, 10)
    assert s["satisfaction"] == 60.0
    assert (s["returned"], s["valid_returned"]) == (6, 4)


def test_response_rate_is_valid_returned_over_distributed(data, campaign, neike, supervisor):
    services.distribution_record(
        campaign=campaign, department=neike, count=5, distributed_on=D(2026, 3, 1), actor=supervisor
    )
    services.distribution_record(  # outside the period: not counted
        campaign=campaign, department=neike, count=50, distributed_on=D(2025, 3, 1), actor=supervisor
    )
    s = selectors.survey_summary(start=YEAR[0], end=YEAR[1])
    # distributed = 内科 5 copies (3 came back: R1 R2 R3) + 外科 2 paper forms typed in without a copy
    # recorded (R5 R6: counted as distributed) + 1 web response without link (R4) = 8; valid 4 → 50 %
    assert s["distributed"] == 8
    assert s["response_rate"] == 50.0
    # 外科's copies were never recorded: its 2 forms are beyond the record (内科's spare copies do not
    # cover another department's forms)
    assert s["paper_under_recorded"] is True and s["paper_beyond_recorded"] == 2
    assert s["distributed_recorded"] == 6


def test_the_response_rate_never_exceeds_100_percent_when_distribution_is_under_recorded(
    small_q, campaign, neike, supervisor
):
    # The case of the issue: 2 copies recorded, 8 valid paper forms typed in (was 400.0 %).
    services.distribution_record(
        campaign=campaign, department=neike, count=2, distributed_on=D(2026, 3, 1), actor=supervisor
    )
    for day in range(1, 9):
        submit(small_q, neike, D(2026, 3, day), e1=5, a1=4)
    s = selectors.survey_summary(start=YEAR[0], end=YEAR[1])
    assert (s["valid_returned"], s["distributed"], s["response_rate"]) == (8, 8, 100.0)
    assert (s["paper_distributed"], s["paper_beyond_recorded"], s["paper_under_recorded"]) == (2, 6, True)


def test_a_link_issued_last_period_and_answered_now_counts_as_distributed(
    small_q, campaign, neike, supervisor
):
    from django.utils import timezone

    from surveys.models import SurveyToken

    token = services.tokens_issue(campaign=campaign, department=neike, count=1, actor=supervisor)[0]
    SurveyToken.objects.filter(pk=token.pk).update(
        issued_at=timezone.make_aware(dt.datetime(2025, 12, 30, 10, 0))
    )
    response = submit(small_q, neike, D(2026, 1, 5), e1=5, a1=5, channel=Channel.WEB)
    response.token = token
    response.save(update_fields=["token"])
    s = selectors.survey_summary(start=YEAR[0], end=YEAR[1])
    assert (s["links_issued"], s["distributed"], s["response_rate"]) == (0, 1, 100.0)


def test_single_use_links_count_as_distributed_when_issued(campaign, neike, supervisor):
    services.tokens_issue(campaign=campaign, department=neike, count=3, actor=supervisor)
    from django.utils import timezone

    today = timezone.localdate()
    s = selectors.survey_summary(start=today, end=today)
    assert (s["distributed"], s["links_issued"], s["response_rate"]) == (3, 3, 0.0)


def test_rates_are_none_without_data(db):
    s = selectors.survey_summary(start=D(2020, 1, 1), end=D(2020, 12, 31))
    assert s["satisfaction"] is None and s["response_rate"] is None and s["distributed"] == 0


def test_satisfaction_by_dimension(data):
    rows = {r["dimension"]: r for r in selectors.satisfaction_by_dimension(start=YEAR[0], end=YEAR[1])}
    # environment: R1 5,4; R2 2; R3 4; R4 5,1 → satisfied 4 of 6
    assert (rows["environment"]["satisfied"], rows["environment"]["answered"]) == (4, 6)
    assert rows["environment"]["satisfaction"] == 200 / 3
    # attitude: R1 3, R2 1, R3 5, R4 4 → 2 of 4
    assert (
        rows["attitude"]["satisfied"],
        rows["attitude"]["answered"],
        rows["attitude"]["satisfaction"],
    ) == (
        2,
        4,
        50.0,
    )
    assert set(rows) == {"environment", "attitude"}


def test_satisfaction_by_department(data, neike, waike):
    rows = {r["department_id"]: r for r in selectors.satisfaction_by_department(start=YEAR[0], end=YEAR[1])}
    # neike: R1 2/3 + R2 0/2 + R3 2/2 = 4/7
    assert (rows[neike.pk]["scale_satisfied"], rows[neike.pk]["scale_answered"]) == (4, 7)
    assert rows[neike.pk]["satisfaction"] == 400 / 7
    # waike: R4 2/3; R5, R6 returned but not valid
    assert (rows[waike.pk]["returned"], rows[waike.pk]["valid_returned"], rows[waike.pk]["satisfaction"]) == (
        3,
        1,
        200 / 3,
    )


def test_satisfaction_by_month(data):
    rows = {r["month"]: r for r in selectors.satisfaction_by_month(start=YEAR[0], end=YEAR[1])}
    # March: R1 + R2 = 2/5 ; April: R3 + R4 = 4/5
    assert rows[D(2026, 3, 1)]["satisfaction"] == 40.0
    assert rows[D(2026, 4, 1)]["satisfaction"] == 80.0
    assert rows[D(2026, 4, 1)]["returned"] == 4


def test_change_against_same_period_last_year_in_percentage_points(data, waike):
    change = selectors.satisfaction_change(start=D(2026, 4, 1), end=D(2026, 4, 30), departments=[waike.pk])
    # now: waike April 2026 = R4 2/3 = 66.7 ; last year April 2025 = L1 0/2 + L2 2/2 = 50.0
    assert (change["current"], change["previous"]) == (200 / 3, 50.0)
    assert change["change_pp"] == pytest.approx(50 / 3)  # the exact difference, +16.67 shown
    attitude = selectors.satisfaction_change(
        start=D(2026, 4, 1), end=D(2026, 4, 30), departments=[waike.pk], dimension=Dimension.ATTITUDE
    )
    # attitude now: R4 a1=4 → 100 ; last year: L1 3, L2 4 → 50 → +50 pp
    assert (attitude["current"], attitude["previous"], attitude["change_pp"]) == (100.0, 50.0, 50.0)


def test_every_dimensions_change_in_two_queries_is_each_dimensions_change_alone(
    data, neike, waike, django_assert_num_queries
):
    """The report's table of dimensions beside last year reads the answers twice, not twice a dimension."""
    for period in ((D(2026, 4, 1), D(2026, 4, 30)), YEAR):
        for departments in (None, [waike.pk], [neike.pk]):
            kw = {"start": period[0], "end": period[1], "departments": departments}
            with django_assert_num_queries(2):
                changes = selectors.satisfaction_change_by_dimension(**kw)
            assert set(changes) == {value for value, _label in Dimension.choices}
            for dimension, change in changes.items():
                assert change == selectors.satisfaction_change(**kw, dimension=dimension), dimension
    some = selectors.satisfaction_change_by_dimension(
        start=YEAR[0], end=YEAR[1], dimensions=[Dimension.ATTITUDE]
    )
    assert list(some) == [Dimension.ATTITUDE]


def test_months_of_several_departments_in_one_query_are_each_departments_months(
    data, neike, waike, django_assert_num_queries
):
    """The report's satisfaction run chart per department reads the charted departments' months once."""
    from tests.factories import DepartmentFactory

    quiet = DepartmentFactory()  # no returns: an empty list, as satisfaction_by_month gives
    ids = [neike.pk, waike.pk, quiet.pk]
    with django_assert_num_queries(1):
        months = selectors.satisfaction_by_department_month(start=YEAR[0], end=YEAR[1], departments=ids)
    assert set(months) == set(ids)
    for i in ids:
        assert months[i] == selectors.satisfaction_by_month(start=YEAR[0], end=YEAR[1], departments=[i])
    assert months[neike.pk] and months[quiet.pk] == []
    assert selectors.satisfaction_by_department_month(start=YEAR[0], end=YEAR[1], departments=[]) == {}


def test_change_is_none_without_last_year(data, neike):
    change = selectors.satisfaction_change(start=YEAR[0], end=YEAR[1], departments=[neike.pk])
    assert change["previous"] is None and change["change_pp"] is None


def test_praise_counts_per_staff_and_per_ward(data, ward_staff, neike):
    # 李强 was typed and is the only 李强 on 内科: matched automatically.
    staff = {r["name"]: r["count"] for r in selectors.praise_by_staff(start=YEAR[0], end=YEAR[1])}
    assert staff == {"张敏": 1, "李强": 1}
    wards = selectors.praise_by_ward(start=YEAR[0], end=YEAR[1])
    assert wards == [{"department_id": neike.pk, "name": "内科", "count": 2, "unmatched": 0}]


def test_typed_name_without_a_unique_match_waits_for_a_person(small_q, neike, ward_staff, supervisor):
    r = submit(small_q, neike, D(2026, 5, 1), e1=5, a1=5, praise={"staff": [], "names": ["小刘"]})
    praise = r.praises.get()
    assert praise.staff is None
    assert selectors.praise_by_ward(start=YEAR[0], end=YEAR[1])[0]["unmatched"] == 1
    services.praise_match(praise=praise, staff=ward_staff["李强"], actor=supervisor)
    assert selectors.praise_by_staff(start=YEAR[0], end=YEAR[1]) == [
        {"staff_id": ward_staff["李强"].pk, "name": "李强", "staff_department": "内科", "count": 1}
    ]


def test_comments_list_free_text_newest_first(data):
    rows = selectors.comments(start=YEAR[0], end=YEAR[1])
    assert [(r["response_id"], r["text_value"], r["low_count"]) for r in rows] == [(data["R2"].pk, "太吵", 2)]


def test_department_filter_restricts_every_figure(data, neike):
    s = selectors.survey_summary(start=YEAR[0], end=YEAR[1], departments=[neike.pk])
    assert (s["valid_returned"], s["satisfaction"]) == (3, 400 / 7)
    assert {
        r["department_id"]
        for r in selectors.satisfaction_by_department(start=YEAR[0], end=YEAR[1], departments=[neike.pk])
    } == {neike.pk}


def test_phone_and_web_answers_count_like_paper(small_q, neike):
    submit(small_q, neike, D(2026, 6, 1), e1=5, a1=5, channel=Channel.PHONE)
    submit(small_q, neike, D(2026, 6, 1), e1=1, a1=1, channel=Channel.WEB)
    assert selectors.satisfaction_overall(start=D(2026, 6, 1), end=D(2026, 6, 30)) == 50.0


def test_campaign_progress_counts_valid_questionnaires(campaign, small_q, neike):
    submit(small_q, neike, D(2026, 6, 1), campaign=campaign, e1=5, a1=5)
    submit(small_q, neike, D(2026, 6, 1), campaign=campaign, e2=5)  # not valid
    c = selectors.campaigns_with_progress().get(pk=campaign.pk)
    assert (c.returned, c.valid, selectors.campaign_progress_pct(c)) == (2, 1, 10.0)


def test_figures_match_a_python_count_over_random_forms(small_q, neike, waike):
    """Cross-check of the SQL aggregates against a plain count over 80 random paper forms."""
    import random

    rng = random.Random(20261123)
    forms = []
    for _ in range(80):
        values = {k: rng.choice([None, 1, 2, 3, 4, 5]) for k in ("e1", "e2", "a1")}
        dept = rng.choice([neike, waike])
        day = D(2026, rng.randint(1, 12), rng.randint(1, 28))
        submit(small_q, dept, day, **{k: v for k, v in values.items() if v is not None})
        forms.append((dept, day, values))
    valid = [f for f in forms if f[2]["e1"] is not None and f[2]["a1"] is not None]
    answered = [v for _d, _day, vals in valid for v in vals.values() if v is not None]
    expected = 100 * sum(v >= 4 for v in answered) / len(answered)
    s = selectors.survey_summary(start=YEAR[0], end=YEAR[1])
    assert (s["returned"], s["valid_returned"], s["satisfaction"]) == (80, len(valid), expected)
    env = [v for _d, _day, vals in valid for k, v in vals.items() if k != "a1" and v is not None]
    by_dim = {r["dimension"]: r for r in selectors.satisfaction_by_dimension(start=YEAR[0], end=YEAR[1])}
    assert by_dim["environment"]["answered"] == len(env)
    assert by_dim["environment"]["satisfied"] == sum(v >= 4 for v in env)
    for row in selectors.satisfaction_by_month(start=YEAR[0], end=YEAR[1]):
        month_vals = [
            v
            for _d, day, vals in valid
            if day.month == row["month"].month
            for v in vals.values()
            if v is not None
        ]
        assert row["scale_answered"] == len(month_vals)
        assert row["scale_satisfied"] == sum(v >= 4 for v in month_vals)


def _answer_counts(response_ids) -> dict:
    """Each form's counted scale answers and satisfied answers per dimension, from its answers (as the
    figures by dimension counted them before the forms kept the counts)."""
    from surveys.models import DIMENSION_COUNTS, SATISFIED_MIN, Answer

    columns = [c for pair in DIMENSION_COUNTS.values() for c in pair]
    counts = {pk: dict.fromkeys(columns, 0) for pk in response_ids}
    for answer in Answer.objects.filter(
        response_id__in=response_ids, scale_value__isnull=False, counted=True
    ):
        counted, satisfied = DIMENSION_COUNTS[answer.dimension]
        counts[answer.response_id][counted] += 1
        counts[answer.response_id][satisfied] += answer.scale_value >= SATISFIED_MIN
    return counts


def _kept_counts(response_ids) -> dict:
    from surveys.models import DIMENSION_COUNTS, SurveyResponse

    columns = [c for pair in DIMENSION_COUNTS.values() for c in pair]
    rows = SurveyResponse.objects.filter(pk__in=response_ids).values("id", *columns)
    return {r["id"]: {c: r[c] for c in columns} for r in rows}


def test_a_form_keeps_its_counted_scale_answers_per_dimension_as_its_answers_count_them(data):
    from surveys.models import DIMENSION_COUNTS

    assert set(DIMENSION_COUNTS) == set(Dimension.values)
    ids = [r.pk for r in data.values()]
    kept = _kept_counts(ids)
    assert kept == _answer_counts(ids)
    # R1: environment 5, 4 → 2 of 2; attitude 3 → 0 of 1
    r1 = kept[data["R1"].pk]
    assert (r1["counted_environment"], r1["satisfied_environment"]) == (2, 2)
    assert (r1["counted_attitude"], r1["satisfied_attitude"]) == (1, 0)
    # R5 answered e2=5 but is not valid: counted nowhere
    assert set(kept[data["R5"].pk].values()) == {0}


def test_the_migration_counts_the_forms_already_kept_from_their_answers(data):
    """surveys 0008 fills the new counts of every form written before it from the form's answers."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    from surveys.models import DIMENSION_COUNTS, SurveyResponse

    migration = importlib.import_module("surveys.migrations.0008_dimension_counts")
    columns = [c for pair in DIMENSION_COUNTS.values() for c in pair]
    ids = [r.pk for r in data.values()]
    expected = _kept_counts(ids)
    SurveyResponse.objects.update(**dict.fromkeys(columns, 0))
    with connection.cursor() as cursor:
        migration.count_kept_forms(apps, SimpleNamespace(execute=cursor.execute))
    assert _kept_counts(ids) == expected == _answer_counts(ids)


def test_the_periods_figures_read_together_are_each_figure_read_alone(
    data, neike, waike, django_assert_num_queries
):
    """The results page, the reports and the API read the summary, the dimensions and the departments
    in one read of the forms (with the copies and links handed out: 3 queries; the months a fourth);
    the same figures as each function alone, including the rows' order."""
    periods = [
        YEAR,
        (D(2026, 4, 1), D(2026, 4, 30)),
        (D(2026, 3, 15), D(2026, 4, 2)),
        (D(2025, 1, 1), D(2026, 12, 31)),
        (D(2020, 1, 1), D(2020, 1, 31)),
    ]
    for start, end in periods:
        for departments in (None, [neike.pk], [waike.pk], [neike.pk, waike.pk], []):
            kw = {"start": start, "end": end, "departments": departments}
            with django_assert_num_queries(4 if departments != [] else 0):
                together = selectors.survey_figures(**kw)
            alone = {
                "summary": selectors.survey_summary(**kw),
                "by_dimension": selectors.satisfaction_by_dimension(**kw),
                "by_department": selectors.satisfaction_by_department(**kw),
                "by_month": selectors.satisfaction_by_month(**kw),
            }
            assert together == alone, (start, end, departments)
            assert [list(r) for r in together["by_department"]] == [list(r) for r in alone["by_department"]]
            assert [list(r) for r in together["by_month"]] == [list(r) for r in alone["by_month"]]
            with django_assert_num_queries(3 if departments != [] else 0):
                without_months = selectors.survey_figures(**kw, months=False)
            assert without_months == {k: v for k, v in alone.items() if k != "by_month"}
    # The hand counts of the tests above, through the figures read together.
    figures = selectors.survey_figures(start=YEAR[0], end=YEAR[1])
    assert (figures["summary"]["scale_satisfied"], figures["summary"]["scale_answered"]) == (6, 10)
    by_dimension = {r["dimension"]: (r["satisfied"], r["answered"]) for r in figures["by_dimension"]}
    assert by_dimension == {"environment": (4, 6), "attitude": (2, 4)}
    assert [r["satisfaction"] for r in figures["by_month"]] == [40.0, 80.0]


def test_the_months_added_up_from_days_are_the_orms_months_and_their_statement_is_kept(data, neike, waike):
    """``satisfaction_by_month`` counts per day and adds the days up per month: the same rows, keys,
    order and types as grouping the forms by ``TruncMonth`` (a month of forms none of them valid
    included: its sums are 0, not None); its statement is kept where the cursor gives a date as the
    ORM does (PostgreSQL), and the counts are read anew on every call."""
    statements.forget()
    period = {"start": D(2025, 1, 1), "end": D(2026, 12, 31)}

    def by_truncated_month(departments):
        rows = (
            selectors.responses_in(period["start"], period["end"], departments)
            .annotate(month=TruncMonth("submitted_on"))
            .values("month")
            .annotate(**selectors._RESPONSE_FIGURES)
            .order_by("month")
        )
        return [selectors._figure_row({"month": selectors._month(r["month"])}, r) for r in rows]

    for departments in (None, [waike.pk], [neike.pk, waike.pk], None):
        months = selectors.satisfaction_by_month(**period, departments=departments)
        orm = by_truncated_month(departments)
        assert months == orm
        assert [[(k, type(v)) for k, v in r.items()] for r in months] == [
            [(k, type(v)) for k, v in r.items()] for r in orm
        ]
    kept = [key for key in statements._statements if key[1] == "_form_read"]
    assert len(kept) == (3 if connection.vendor == "postgresql" else 0)
    april = selectors.satisfaction_by_month(start=D(2026, 4, 5), end=D(2026, 4, 6), departments=[waike.pk])
    assert [(r["month"], r["returned"], r["valid_returned"], r["scale_answered"]) for r in april] == [
        (D(2026, 4, 1), 2, 0, 0)
    ]
    statements.forget()
