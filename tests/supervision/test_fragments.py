"""Rows of long lists rendered once per content (supervision.infra.fragments).

A row is cached under a digest of the plain values it shows, so what must hold is: a change to any
of them draws the row anew, the cache really serves repeated rows, the language is part of the key,
and a viewer never gets a row their scope would not show.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache, caches
from django.urls import reverse
from django.utils import timezone, translation

from supervision.infra import fragments
from supervision.models import OrderStatus
from tests.factories import make_finding

ROW = "supervision/_finding_row.html"


@pytest.fixture(autouse=True)
def _empty_cache():
    caches["fragments"].clear()
    yield
    caches["fragments"].clear()


FOUND_AT = timezone.now()


def _row(**changes) -> dict:
    row = {
        "url": "/findings/1/",
        "number": "DC-1",
        "recurrence": False,
        "description": "护士态度生硬",
        "found_at": FOUND_AT,
        "department": "内科",
        "category": "服务态度",
        "source": "现场督查",
        "order_status": OrderStatus.ISSUED.value,
        "order_status_label": "已下发",
        "deadline": timezone.localdate(),
        "overdue": False,
    }
    return row | changes


class RenderCount:
    """Counts how often the row template is drawn."""

    def __init__(self, monkeypatch):
        self.n = 0
        template_class = type(fragments.get_template(ROW))
        original = template_class.render

        def render(template, *args, **kwargs):
            self.n += 1
            return original(template, *args, **kwargs)

        monkeypatch.setattr(template_class, "render", render)


def test_a_repeated_row_is_served_from_the_cache(monkeypatch):
    renders = RenderCount(monkeypatch)
    first = fragments.cached_rows(ROW, [_row(), _row(number="DC-2")])
    assert renders.n == 2
    again = fragments.cached_rows(ROW, [_row(), _row(number="DC-2"), _row(number="DC-3")])
    assert renders.n == 3  # only the new row was drawn
    assert again[:2] == first
    assert "DC-1" in first[0] and "DC-2" in first[1] and "DC-3" in again[2]


@pytest.mark.parametrize(
    "change",
    [
        {"department": "外科"},
        {"order_status": OrderStatus.CLOSED.value, "order_status_label": "已关闭"},
        {"overdue": True},
        {"deadline": timezone.localdate() + dt.timedelta(days=1)},
        {"description": "新的描述"},
        {"url": "/findings/2/"},
    ],
)
def test_a_changed_value_draws_the_row_anew(change):
    fragments.cached_rows(ROW, [_row()])
    [html] = fragments.cached_rows(ROW, [_row(**change)])
    assert html == fragments.get_template(ROW).render({"row": _row(**change)})


def test_the_language_is_part_of_the_key():
    with translation.override("en"):
        [en] = fragments.cached_rows(ROW, [_row(overdue=True)])
    with translation.override("zh-hans"):
        [zh] = fragments.cached_rows(ROW, [_row(overdue=True)])
    assert "Overdue" in en
    assert "超期" in zh


def test_rows_take_plain_values_only(supervisor, neike):
    finding = make_finding(department=neike, found_by=supervisor)
    with pytest.raises(TypeError, match="department"):
        fragments.cached_rows(ROW, [_row(department=finding.department)])
    with pytest.raises(TypeError, match="source"):
        fragments.cached_rows(ROW, [_row(source=OrderStatus.CLOSED.label)])  # a lazy translation


def test_row_values_are_escaped():
    [html] = fragments.cached_rows(ROW, [_row(description="<script>alert(1)</script>")])
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_caching_off_draws_every_time(settings, monkeypatch):
    settings.DUCHA_ROW_CACHE_SECONDS = 0
    renders = RenderCount(monkeypatch)
    fragments.cached_rows(ROW, [_row()])
    fragments.cached_rows(ROW, [_row()])
    assert renders.n == 2


def test_rows_never_push_the_figures_and_rate_limits_out_of_the_cache():
    # 400 rows in the row store; an entry in the default cache (figures, rate-limit counters) stays.
    cache.set("ducha-test:figure", 42)
    fragments.cached_rows(ROW, [_row(number=f"DC-{i}") for i in range(400)])
    assert cache.get("ducha-test:figure") == 42


def test_draw_runs_for_the_rows_not_in_the_cache_only_and_the_key_is_the_rows_values():
    # A stored description is worded (a choice labelled) only when its row is drawn: the key holds
    # what it is worded from, so another stored text, or other parameters, is another row.
    drawn = []

    def draw(row):
        drawn.append(row["number"])
        return row | {"description": f"worded {row['description_params']['n']}"}

    stored = lambda number, n: _row(number=number, description="", description_params={"n": n})  # noqa: E731
    first = fragments.cached_rows(ROW, [stored("DC-1", 1), stored("DC-2", 2)], draw=draw)
    again = fragments.cached_rows(ROW, [stored("DC-1", 1), stored("DC-2", 3)], draw=draw)
    assert drawn == ["DC-1", "DC-2", "DC-2"]  # DC-1 from the cache; DC-2's parameters changed
    assert again[0] == first[0] and "worded 1" in first[0]
    assert "worded 2" in first[1] and "worded 3" in again[1]
    with pytest.raises(TypeError, match="description_params"):  # parameters hold plain values too
        fragments.cached_rows(ROW, [_row(description_params={"n": OrderStatus.CLOSED.label})], draw=draw)


def test_url_maker_matches_reverse():
    url = fragments.url_maker("finding_detail")
    assert url(1) == reverse("finding_detail", args=[1])
    assert url(987654321987) == reverse("finding_detail", args=[987654321987])
    assert fragments.url_maker("complaints:detail")(42) == reverse("complaints:detail", args=[42])


# --- through the views ---------------------------------------------------------------------------


def test_an_order_closed_after_the_list_was_seen_shows_closed(client_for, supervisor, neike):
    finding = make_finding(department=neike, found_by=supervisor)
    client = client_for(supervisor)
    with translation.override("en"):
        assert "status-issued" in client.get(reverse("finding_list")).content.decode()
        order = finding.order
        order.status = OrderStatus.CLOSED
        order.save(update_fields=["status"])
        html = client.get(reverse("finding_list")).content.decode()
    assert "status-closed" in html
    assert "status-issued" not in html


def test_an_overdue_order_marks_its_row_in_the_finding_list(client_for, supervisor, neike):
    finding = make_finding(department=neike, found_by=supervisor)
    order = finding.order
    order.deadline = timezone.localdate() - dt.timedelta(days=1)
    order.save(update_fields=["deadline"])
    html = client_for(supervisor).get(reverse("finding_list")).content.decode()
    assert 'class="table-danger"' in html


def test_a_head_never_gets_rows_of_another_department_from_the_cache(
    client_for, supervisor, head_waike, neike, waike
):
    neike_finding = make_finding(department=neike, found_by=supervisor, description="内科的问题")
    waike_finding = make_finding(department=waike, found_by=supervisor, description="外科的问题")
    # The supervisor sees (and so caches) both rows first.
    html = client_for(supervisor).get(reverse("finding_list")).content.decode()
    assert neike_finding.number in html and waike_finding.number in html
    html = client_for(head_waike).get(reverse("finding_list")).content.decode()
    assert waike_finding.number in html
    assert neike_finding.number not in html
    assert "内科的问题" not in html


def test_call_list_rows_hold_only_the_masked_phone(client_for, supervisor, neike, monkeypatch):
    from tests.factories import DischargeStayFactory
    from tests.followups.factories import make_task

    make_task(stay=DischargeStayFactory(department=neike, phone="13812345678"))
    stored = {}
    rows = caches["fragments"]
    set_many = rows.set_many
    monkeypatch.setattr(
        rows, "set_many", lambda data, *a, **kw: stored.update(data) or set_many(data, *a, **kw)
    )
    html = client_for(supervisor).get(reverse("followups:task_list")).content.decode()
    assert "138****5678" in html
    assert "13812345678" not in html
    assert stored, "the row was not cached"
    assert all("13812345678" not in v and "138****5678" in v for v in stored.values())


# --- blocks drawn once per content (cached_fragment) ---------------------------------------------

HEAD_ORDERS = "supervision/_head_orders.html"


def _orders_content(**changes) -> dict:
    row = {
        "url": "/findings/1/",
        "number": "DC-1",
        "category": "服务态度",
        "department": "内科",
        "status": OrderStatus.ISSUED.value,
        "overdue": False,
        "deadline": timezone.localdate(),
        "description_key": "",
        "description_params": {},
        "description_fallback": "护士态度生硬",
    }
    content = {"rows": [row], "counts": {"open": 3, "overdue": 1}, "list_url": "/findings/"}
    return content | changes


def _draw_orders(content):
    from supervision.views import _draw_head_orders

    return _draw_head_orders(content)


def test_a_block_is_drawn_once_per_content_and_anew_when_any_value_changes(monkeypatch):
    drawn = []

    def draw(content):
        drawn.append(content)
        return _draw_orders(content)

    first = fragments.cached_fragment(HEAD_ORDERS, _orders_content(), draw=draw)
    again = fragments.cached_fragment(HEAD_ORDERS, _orders_content(), draw=draw)
    assert again == first and len(drawn) == 1
    assert "DC-1" in first and "护士态度生硬" in first and 'href="/findings/"' in first  # 3 open > 1 shown
    fewer = fragments.cached_fragment(
        HEAD_ORDERS, _orders_content(counts={"open": 1, "overdue": 0}), draw=draw
    )
    assert len(drawn) == 2 and 'href="/findings/"' not in fewer
    [row] = _orders_content()["rows"]
    closed = fragments.cached_fragment(
        HEAD_ORDERS, _orders_content(rows=[row | {"status": OrderStatus.CLOSED.value}]), draw=draw
    )
    assert len(drawn) == 3 and "status-closed" in closed and "status-issued" not in closed


def test_a_blocks_key_holds_the_language_and_its_content_plain_values_only(supervisor, neike):
    with translation.override("en"):
        en = fragments.cached_fragment(HEAD_ORDERS, _orders_content(), draw=_draw_orders)
    with translation.override("zh-hans"):
        zh = fragments.cached_fragment(HEAD_ORDERS, _orders_content(), draw=_draw_orders)
    assert "Open orders of my departments" in en and "Open orders of my departments" not in zh
    finding = make_finding(department=neike, found_by=supervisor)
    with pytest.raises(TypeError, match="counts"):
        fragments.cached_fragment(HEAD_ORDERS, _orders_content(counts=finding.order), draw=_draw_orders)
    with pytest.raises(TypeError, match="rows"):
        fragments.cached_fragment(HEAD_ORDERS, _orders_content(rows=[finding]), draw=_draw_orders)


def test_a_blocks_key_holds_the_sources_of_the_templates_it_draws_with(monkeypatch):
    from supervision.views import _draw_head_order_row

    key_parts = []
    real_get = caches["fragments"].get

    def get(key, *args, **kwargs):
        key_parts.append(key)
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(caches["fragments"], "get", get)
    fragments.cached_fragment(HEAD_ORDERS, _orders_content(), draw=_draw_orders)
    fragments.cached_fragment(
        HEAD_ORDERS, _orders_content(), draw=_draw_orders, includes=("supervision/_head_order_row.html",)
    )
    assert key_parts[0] != key_parts[1]
    assert _draw_head_order_row  # the row template the dashboard names in ``includes``


def test_with_csrf_fills_a_blocks_slots_with_the_pages_own_token_and_the_cache_holds_none(rf):
    from django.middleware.csrf import get_token
    from django.template import engines

    from supervision.templatetags.ducha import CSRF_SLOT

    block = fragments.cached_fragment("followups/_pool.html", {"pool": [_pool_row(1), _pool_row(2)]})
    assert block.count(CSRF_SLOT) == 2 and "csrfmiddlewaretoken" not in block
    request = rf.get("/")
    token = get_token(request)
    page = engines["django"].from_string("{% load ducha %}{% csrf_token %}|{% with_csrf html %}")
    html = page.render({"html": block}, request)
    inputs = html.split("|")
    assert CSRF_SLOT not in html
    assert (
        inputs[1].count(inputs[0]) == 2
    )  # each form gets the page's token, drawn as {% csrf_token %} draws it
    assert token and 'name="csrfmiddlewaretoken"' in inputs[0]
    # Escaped values can never write a slot.
    [forged] = [fragments.cached_fragment("followups/_pool.html", {"pool": [_pool_row(3, name=CSRF_SLOT)]})]
    assert forged.count(CSRF_SLOT) == 1


def _pool_row(pk, name="张三") -> dict:
    return {
        "id": pk,
        "stay__patient_name": name,
        "stay__admission_no": f"A{pk}",
        "stay__discharged_on": timezone.localdate(),
        "department__name": "内科",
        "claim_url": f"/followups/tasks/{pk}/claim/",
    }
