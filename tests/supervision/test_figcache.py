"""Cached dashboard figures (supervision.infra.figcache): scoped per department and language, and live lists."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from supervision.infra import figcache
from supervision.models import Role
from tests.factories import UserFactory, make_finding


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    settings.DUCHA_FIGURES_CACHE_SECONDS = 90  # off by default in tests
    cache.clear()
    yield
    cache.clear()


def _orders_total(response) -> int:
    return response.context["head_counts"].total


def test_head_of_neike_never_gets_waike_cached_figures(
    client_for, supervisor, head_neike, head_waike, neike, waike
):
    for _ in range(3):
        make_finding(department=neike, found_by=supervisor)
    make_finding(department=waike, found_by=supervisor)

    # 外科's head fills the cache first; 内科's head must get their own figures, not those.
    assert _orders_total(client_for(head_waike).get(reverse("dashboard"))) == 1
    assert _orders_total(client_for(head_neike).get(reverse("dashboard"))) == 3
    # Both entries are cached now, each answered to its own department only.
    assert _orders_total(client_for(head_waike).get(reverse("dashboard"))) == 1
    assert _orders_total(client_for(head_neike).get(reverse("dashboard"))) == 3


def test_heads_of_the_same_departments_share_figures_and_other_scopes_do_not(head_neike, neike, waike):
    colleague = UserFactory(username="head-neike-2", roles=[Role.DEPT_HEAD], head_of=[neike])
    both = UserFactory(username="head-both", roles=[Role.DEPT_HEAD], head_of=[neike, waike])
    key = figcache.figures_key("dashboard", user=head_neike)
    assert figcache.figures_key("dashboard", user=colleague) == key
    assert figcache.figures_key("dashboard", user=both) != key


def test_owner_scoped_users_get_their_own_key(volunteer, caller):
    other = UserFactory(username="volunteer-2", roles=[Role.VOLUNTEER])
    assert figcache.figures_key("dashboard", user=volunteer) != figcache.figures_key("dashboard", user=other)
    assert figcache.figures_key("dashboard", user=volunteer) != figcache.figures_key("dashboard", user=caller)


def test_the_key_changes_with_the_language(head_neike):
    with translation.override("zh-hans"):
        chinese = figcache.figures_key("dashboard", user=head_neike)
    with translation.override("en"):
        english = figcache.figures_key("dashboard", user=head_neike)
    assert chinese != english

    calls = []

    def compute():
        calls.append(translation.get_language())
        return {"n": len(calls)}

    with translation.override("zh-hans"):
        assert figcache.cached_figures("t", compute, user=head_neike)[0] == {"n": 1}
        assert figcache.cached_figures("t", compute, user=head_neike)[0] == {"n": 1}
    with translation.override("en"):
        assert figcache.cached_figures("t", compute, user=head_neike)[0] == {"n": 2}
    assert calls == ["zh-hans", "en"]


def test_the_key_changes_with_vary(supervisor):
    assert figcache.figures_key("x", user=supervisor, vary=[1]) != figcache.figures_key(
        "x", user=supervisor, vary=[2]
    )


def test_dashboard_figures_are_cached_and_say_as_of_while_a_heads_open_orders_stay_live(
    client_for, supervisor, head_neike, neike
):
    make_finding(department=neike, found_by=supervisor)
    client = client_for(head_neike)
    first = client.get(reverse("dashboard"))
    assert len(first.context["head_orders"]) == 1
    assert "as of" in first.content.decode() or "截至" in first.content.decode()

    make_finding(department=neike, found_by=supervisor)
    second = client.get(reverse("dashboard"))
    # The head's own actionable list is live …
    assert len(second.context["head_orders"]) == 2
    # … the figures are the cached ones until they expire.
    assert second.context["head_counts"].total == 1
    assert second.context["as_of"] == first.context["as_of"]

    cache.clear()
    assert client.get(reverse("dashboard")).context["head_counts"].total == 2


def test_a_cached_dashboard_costs_fewer_queries(client_for, supervisor, neike, django_assert_max_num_queries):
    make_finding(department=neike, found_by=supervisor)
    client = client_for(supervisor)
    client.get(reverse("dashboard"))  # warm the session, content types, config
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        client.get(reverse("dashboard"))
    with django_assert_max_num_queries(len(cold) - 1):
        client.get(reverse("dashboard"))


def test_a_zero_ttl_turns_the_cache_off(settings, head_neike):
    settings.DUCHA_FIGURES_CACHE_SECONDS = 0
    calls = []
    figcache.cached_figures("t", lambda: calls.append(1) or 1, user=head_neike)
    figcache.cached_figures("t", lambda: calls.append(1) or 1, user=head_neike)
    assert len(calls) == 2


def test_cached_count_paginator_counts_once_per_scope_and_filter(
    supervisor, head_neike, neike, waike, django_assert_num_queries
):
    from supervision.infra.figcache import CachedCountPaginator
    from supervision.models import Finding

    make_finding(department=neike, found_by=supervisor)
    make_finding(department=waike, found_by=supervisor)

    def total(user, **filters):
        qs = Finding.objects.filter(**filters)
        return CachedCountPaginator(qs, 25, name="t", user=user, vary=sorted(filters.items())).count

    assert total(supervisor) == 2
    assert total(supervisor, department=neike.pk) == 1
    assert total(head_neike, department=neike.pk) == 1
    make_finding(department=neike, found_by=supervisor)
    with django_assert_num_queries(0):
        assert total(supervisor) == 2  # cached
    assert total(supervisor, department=waike.pk) == 1  # another filter, counted now


def test_a_stale_figure_is_recomputed_by_one_request_while_others_serve_the_previous_value(
    settings, head_neike
):
    from django.core.cache import cache

    settings.DUCHA_FIGURES_CACHE_SECONDS = 60
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert figcache.cached_figures("s", compute, user=head_neike)[0] == 1
    later = timezone.now() + timezone.timedelta(seconds=61)
    with mock.patch("supervision.infra.figcache.timezone.now", return_value=later):
        key = figcache.figures_key("s", user=head_neike)
        # Another request is already recomputing: this one serves the previous value.
        cache.add(f"{key}:refresh", 1, 60)
        assert figcache.cached_figures("s", compute, user=head_neike)[0] == 1
        cache.delete(f"{key}:refresh")
        # Nobody is: this request recomputes, and the next one gets the new value.
        assert figcache.cached_figures("s", compute, user=head_neike)[0] == 2
        assert figcache.cached_figures("s", compute, user=head_neike)[0] == 2
    assert calls == [1, 1]


def test_the_dashboard_figures_html_is_drawn_per_scope(
    client_for, supervisor, administrator, head_neike, neike
):
    make_finding(department=neike, found_by=supervisor)
    office = client_for(supervisor).get(reverse("dashboard")).content.decode()
    admin = client_for(administrator).get(reverse("dashboard")).content.decode()
    head = client_for(head_neike).get(reverse("dashboard")).content.decode()
    again = client_for(supervisor).get(reverse("dashboard")).content.decode()
    assert "各科室整改情况" in office  # Orders by department
    assert "各类问题逐月分布" not in office  # the administrator's chart
    assert "各类问题逐月分布" in admin
    assert "各科室整改情况" not in head  # the office's table never reaches a head
    assert again.count("各科室整改情况") == 1


def test_the_dashboard_figures_html_follows_a_new_figure_set(client_for, supervisor, neike):
    make_finding(department=neike, found_by=supervisor)
    client = client_for(supervisor)
    first = client.get(reverse("dashboard")).context["figures_html"]
    make_finding(department=neike, found_by=supervisor)
    cache.clear()  # the figures expire: a new figure set, and so new HTML
    second = client.get(reverse("dashboard")).context["figures_html"]
    assert first != second
