"""Hand-rub consumption per ward per month: litres × 1000 ÷ patient days, typed by the office all or
nothing, shown beside the covert observations with its trend (a month without entries is a gap)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from inspections import selectors, services
from inspections.models import HandRubUse
from supervision.errors import ActionNotAllowed

URL = reverse("inspections:hand_rub")


def test_consumption_is_a_ratio_of_sums_not_a_mean_of_ratios(supervisor, neike, waike):
    services.hand_rub_record(
        month=dt.date(2026, 10, 1),
        rows={neike.pk: (Decimal("12.5"), 1000), waike.pk: (Decimal("3"), 500)},
        actor=supervisor,
    )
    figures = selectors.hand_rub_use(start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))
    # (12.5 + 3) × 1000 ÷ 1500 = 10.333…, not the mean of 12.5 and 6 (9.25).
    assert figures["ml_per_patient_day"] == Decimal("15500") / Decimal("1500")
    rows = {r["department"]: r["ml_per_patient_day"] for r in figures["by_department"]}
    assert rows == {neike.name: Decimal("12.5"), waike.name: Decimal("6")}


def test_no_patient_days_is_no_figure_not_zero(db):
    figures = selectors.hand_rub_use(start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))
    assert figures["ml_per_patient_day"] is None


def test_trend_has_a_gap_for_a_month_without_entries(supervisor, neike):
    for month in (dt.date(2026, 8, 1), dt.date(2026, 10, 1)):
        services.hand_rub_record(month=month, rows={neike.pk: (Decimal("10"), 1000)}, actor=supervisor)
    trend = selectors.hand_rub_trend(end=dt.date(2026, 10, 20), months=3)
    assert [(m["month"].month, m["ml_per_patient_day"]) for m in trend] == [
        (8, Decimal(10)),
        (9, None),
        (10, Decimal(10)),
    ]


def test_half_a_row_is_refused_and_nothing_is_written(supervisor, neike, waike):
    with pytest.raises(ActionNotAllowed):
        services.hand_rub_record(
            month=dt.date(2026, 10, 1),
            rows={neike.pk: (Decimal("10"), 1000), waike.pk: (Decimal("3"), None)},
            actor=supervisor,
        )
    assert not HandRubUse.objects.exists()


def test_a_future_month_is_refused(supervisor, neike):
    with pytest.raises(ActionNotAllowed):
        services.hand_rub_record(
            month=dt.date.today().replace(day=1) + dt.timedelta(days=40),
            rows={neike.pk: (Decimal("10"), 1000)},
            actor=supervisor,
        )


def test_supervisor_records_a_month_and_blank_rows_clear_an_entry(client_for, supervisor, neike, waike):
    client = client_for(supervisor)
    response = client.post(
        URL,
        {
            "month": "2026-10",
            f"l{neike.pk}": "12.5",
            f"p{neike.pk}": "1000",
            f"l{waike.pk}": "3",
            f"p{waike.pk}": "500",
        },
    )
    assert response.status_code == 302
    assert HandRubUse.objects.count() == 2
    client.post(URL, {"month": "2026-10", f"l{neike.pk}": "12.5", f"p{neike.pk}": "1000"})
    assert list(HandRubUse.objects.values_list("department_id", flat=True)) == [neike.pk]


def test_a_bad_cell_keeps_what_was_typed_and_saves_nothing(client_for, supervisor, neike, waike):
    response = client_for(supervisor).post(
        URL,
        {
            "month": "2026-10",
            f"l{neike.pk}": "12.5",
            f"p{neike.pk}": "1000",
            f"l{waike.pk}": "三",
            f"p{waike.pk}": "0",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="三"' in page and 'value="12.5"' in page
    assert not HandRubUse.objects.exists()


def test_administrator_reads_but_cannot_record(client_for, administrator, neike):
    client = client_for(administrator)
    assert client.get(URL).status_code == 200
    assert (
        client.post(URL, {"month": "2026-10", f"l{neike.pk}": "1", f"p{neike.pk}": "10"}).status_code == 403
    )


def test_heads_and_callers_get_403(client_for, head_neike, caller):
    for user in (head_neike, caller):
        assert client_for(user).get(URL).status_code == 403


def test_figures_page_shows_a_heads_own_ward_only(client_for, supervisor, head_neike, neike, waike):
    services.hand_rub_record(
        month=dt.date(2026, 10, 1),
        rows={neike.pk: (Decimal("12.5"), 1000), waike.pk: (Decimal("3"), 500)},
        actor=supervisor,
    )
    url = reverse("inspections:figures") + "?start=2026-10-01&end=2026-10-31"
    section = (
        client_for(head_neike).get(url).content.decode().split('id="hand-rub"')[1].split("</section>")[0]
    )
    assert neike.name in section and waike.name not in section
    assert "12.50" in section


def test_entry_page_queries_do_not_grow_with_wards(client_for, supervisor, django_assert_max_num_queries):
    from tests.factories import DepartmentFactory

    client = client_for(supervisor)
    client.get(URL)
    for i in range(30):
        DepartmentFactory(code=f"W{i}", name=f"病区{i}")
    with django_assert_max_num_queries(15):
        assert client.get(URL).status_code == 200
