"""A figure read once per page view (supervision.infra.once): never kept beyond the view."""

from __future__ import annotations

from supervision.infra.once import once, page_view, remember


def counter():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return calls, compute


def test_inside_a_page_view_a_figure_is_computed_once_per_key():
    calls, compute = counter()
    with page_view():
        assert once(("x", 1), compute) == 1
        assert once(("x", 1), compute) == 1
        assert once(("x", 2), compute) == 2  # another key (another user, another day) is read anew
    assert len(calls) == 2


def test_outside_a_page_view_every_call_computes_anew():
    _calls, compute = counter()
    assert [once("x", compute), once("x", compute)] == [1, 2]


def test_nothing_outlives_the_page_view():
    _calls, compute = counter()
    with page_view():
        once("x", compute)
    with page_view():
        assert once("x", compute) == 2  # the next view (the next request) reads it again
    remember("x", 99)  # outside a view: forgotten at once
    assert once("x", compute) == 3


def test_a_value_remembered_by_an_earlier_part_is_what_the_later_part_gets():
    calls, compute = counter()
    with page_view():
        remember("x", 7)
        assert once("x", compute) == 7
    assert calls == []
